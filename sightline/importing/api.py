"""Submitting person records and chronology events through the API.

The rows are those of the interchange formats, checked by ``importing.formats`` as files
are, and written through the same entry points as file imports
(``importing.submissions``): an API submission and an upload give the same answers.
"""

from collections.abc import Mapping

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from sightline.core.api import (
    SubmissionRejectedError,
    acting_user,
    api_origin,
    read_submission,
    rejected,
    submission_status,
)
from sightline.core.serializers import DetailSerializer, ErrorSerializer
from sightline.importing.errors import RowsRejectedError
from sightline.importing.formats import parse_event, parse_person_record
from sightline.importing.rows import EventRow, PersonRecordRow, RowError
from sightline.importing.serializers import (
    EventsResultSerializer,
    EventSubmissionSerializer,
    PersonRecordsResultSerializer,
    PersonRecordSubmissionSerializer,
)
from sightline.importing.submissions import submit_events, submit_person_records

AUTH_ERRORS = {401: DetailSerializer, 403: DetailSerializer}


# -- person records --------------------------------------------------------------------


def _parse(fields: Mapping[str, str], line: int) -> tuple[PersonRecordRow | None, list[RowError]]:
    return parse_person_record(fields, line=line)


def _submit_people(request: Request, *, batch: bool) -> Response:
    user = acting_user(request)
    try:
        submission = read_submission(
            user, request, batch=batch, parse=_parse, id_column="record_id"
        )
    except SubmissionRejectedError as rejection:
        return rejection.response
    result = submit_person_records(
        actor=user,
        agency=submission.agency,
        rows=submission.rows,
        origin=api_origin(request),
        audit_detail={"items": len(submission.rows)},
    )
    return Response(
        PersonRecordsResultSerializer(result).data, status=submission_status(result.created > 0)
    )


PEOPLE_RESPONSES = {
    201: PersonRecordsResultSerializer,
    200: PersonRecordsResultSerializer,
    400: ErrorSerializer,
    **AUTH_ERRORS,
}
PEOPLE_RULES = (
    "Fields and rules are those of the person-records format. You may submit only for your "
    "own agency (administrators for any). Re-submitting a record updates it; an identical "
    "re-submission changes nothing. 201 when a record was created, 200 otherwise; 400 lists "
    "every problem and nothing is recorded."
)


@extend_schema(
    operation_id="person_records_create",
    summary="Submit one person record",
    description=PEOPLE_RULES,
    tags=["submissions"],
    request=PersonRecordSubmissionSerializer,
    responses=PEOPLE_RESPONSES,
)
@api_view(["POST"])
@parser_classes([JSONParser])
def submit_person_record(request: Request) -> Response:
    return _submit_people(request, batch=False)


@extend_schema(
    operation_id="person_records_batch_create",
    summary="Submit up to 5,000 person records, all or nothing",
    description=PEOPLE_RULES + " A batch holds one agency's records; error indexes count from 0.",
    tags=["submissions"],
    request=PersonRecordSubmissionSerializer(many=True),
    responses=PEOPLE_RESPONSES,
)
@api_view(["POST"])
@parser_classes([JSONParser])
def submit_person_records_batch(request: Request) -> Response:
    return _submit_people(request, batch=True)


# -- chronology events -------------------------------------------------------------------


def _submit_events(request: Request, *, batch: bool) -> Response:
    user = acting_user(request)
    now = timezone.now()

    def parse(fields: Mapping[str, str], line: int) -> tuple[EventRow | None, list[RowError]]:
        return parse_event(fields, line=line, now=now)

    try:
        submission = read_submission(user, request, batch=batch, parse=parse, id_column="event_id")
        result = submit_events(
            actor=user,
            agency=submission.agency,
            rows=submission.rows,
            origin=api_origin(request),
            audit_detail={"items": len(submission.rows)},
        )
    except SubmissionRejectedError as rejection:
        return rejection.response
    except RowsRejectedError as unknown:
        return rejected(unknown.errors).response
    return Response(
        EventsResultSerializer(result).data,
        status=submission_status(result.created + result.corrected > 0),
    )


EVENT_RESPONSES = {
    201: EventsResultSerializer,
    200: EventsResultSerializer,
    400: ErrorSerializer,
    **AUTH_ERRORS,
}
EVENT_RULES = (
    "Fields and rules are those of the chronology-events format; the subject and other "
    "people must already be submitted as your agency's person records. You may submit only "
    "for your own agency (administrators for any). An identical re-submission changes "
    "nothing; a changed one is recorded as a new revision that supersedes the last. 201 "
    "when an event or revision was recorded, 200 otherwise; 400 lists every problem and "
    "nothing is recorded."
)


@extend_schema(
    operation_id="events_create",
    summary="Submit one chronology event",
    description=EVENT_RULES,
    tags=["submissions"],
    request=EventSubmissionSerializer,
    responses=EVENT_RESPONSES,
)
@api_view(["POST"])
@parser_classes([JSONParser])
def submit_event(request: Request) -> Response:
    return _submit_events(request, batch=False)


@extend_schema(
    operation_id="events_batch_create",
    summary="Submit up to 5,000 chronology events, all or nothing",
    description=EVENT_RULES + " A batch holds one agency's events; error indexes count from 0.",
    tags=["submissions"],
    request=EventSubmissionSerializer(many=True),
    responses=EVENT_RESPONSES,
)
@api_view(["POST"])
@parser_classes([JSONParser])
def submit_events_batch(request: Request) -> Response:
    return _submit_events(request, batch=True)


urlpatterns = [
    path("person-records/", submit_person_record, name="api-person-records"),
    path("person-records/batch/", submit_person_records_batch, name="api-person-records-batch"),
    path("events/", submit_event, name="api-events"),
    path("events/batch/", submit_events_batch, name="api-events-batch"),
]
