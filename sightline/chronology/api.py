"""The chronology: one child's events from every agency, the category vocabulary, and
submitting events."""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from sightline.chronology.actions import record_events
from sightline.chronology.models import Category, ChronologyEvent
from sightline.chronology.queries import ChronologyFilter, events_for
from sightline.chronology.serializers import (
    CategoryListSerializer,
    CategorySerializer,
    ChronologyEventSerializer,
    ChronologyPageSerializer,
    ChronologyParams,
    EventsResultSerializer,
    EventSubmissionSerializer,
)
from sightline.core.api import (
    SubmissionRejectedError,
    acting_user,
    api_origin,
    invalid_parameters,
    paginate,
    read_submission,
    rejected,
    submission_status,
)
from sightline.core.serializers import DetailSerializer, ErrorSerializer
from sightline.importing.errors import RowsRejectedError
from sightline.importing.formats import parse_event
from sightline.importing.rows import EventRow, RowError
from sightline.people.access import Intent, access_person, record_view

AUTH_ERRORS = {401: DetailSerializer, 403: DetailSerializer}


@extend_schema(
    operation_id="people_chronology",
    summary="One child's multi-agency chronology",
    description=(
        "Events from every agency, oldest first unless order=desc, filtered by agency, "
        "category, significance and dates. Superseded revisions are included and marked "
        "unless include_superseded=false. 404 if the person does not exist or you may not "
        "see them. Writes one audit row with the filters."
    ),
    tags=["people"],
    parameters=[
        OpenApiParameter(
            "public_id", uuid.UUID, OpenApiParameter.PATH, description="The person's id."
        ),
        ChronologyParams,
    ],
    responses={
        200: ChronologyPageSerializer,
        400: ErrorSerializer,
        404: DetailSerializer,
        **AUTH_ERRORS,
    },
)
@api_view(["GET"])
def person_chronology(request: Request, public_id: str) -> Response:
    user = acting_user(request)
    params = ChronologyParams(data=request.query_params)
    if not params.is_valid():
        return invalid_parameters(params)
    given = params.validated_data
    filters = ChronologyFilter(
        agencies=tuple(given.get("agency", ())),
        categories=tuple(given.get("category", ())),
        significance=tuple(given.get("significance", ())),
        date_from=given.get("from"),
        date_to=given.get("to"),
        order=given["order"],
        include_superseded=given["include_superseded"],
    )
    person = access_person(
        user,
        public_id,
        intent=Intent.VIEW_CHRONOLOGY,
        origin=api_origin(request),
        detail={
            "filters": {
                name: value.isoformat() if isinstance(value, dt.date) else value
                for name, value in given.items()
                if name not in {"page", "page_size"} and value not in (None, [])
            },
            "page": given.get("page", 1),
        },
    )
    events = events_for(person, filters).select_related("supersedes", "subject_record")
    view = record_view(user, person)

    def context(page: list[ChronologyEvent]) -> dict[str, Any]:
        # Need to know: restricted sections and the referrer's identity are withheld.
        withheld = view.restrict(page)
        extra = _other_record_ids(page)
        extra["other_record_ids"] = {
            pk: ids for pk, ids in extra["other_record_ids"].items() if pk not in withheld
        }
        return extra

    return paginate(request, events, ChronologyEventSerializer, context=context).response


def _other_record_ids(events: list[ChronologyEvent]) -> dict[str, Any]:
    """The record ids of other people in each event, in one query for the page.

    Cheaper than ``prefetch_related``, which builds a queryset per event.
    """
    others: dict[int, list[str]] = defaultdict(list)
    links = (
        ChronologyEvent.other_records.through.objects.filter(
            chronologyevent_id__in=[event.pk for event in events]
        )
        .order_by("chronologyevent_id", "sourcerecord__record_id")
        .values_list("chronologyevent_id", "sourcerecord__record_id")
    )
    for event_id, record_id in links:
        others[event_id].append(record_id)
    return {"other_record_ids": others}


@extend_schema(
    operation_id="categories_list",
    summary="The event category vocabulary",
    tags=["reference"],
    responses={200: CategoryListSerializer, **AUTH_ERRORS},
)
@api_view(["GET"])
def categories(request: Request) -> Response:
    vocabulary = Category.objects.order_by("agency_kind", "code")
    return Response({"results": CategorySerializer(vocabulary, many=True).data})


def _submit(request: Request, *, batch: bool) -> Response:
    user = acting_user(request)
    now = timezone.now()

    def parse(fields: Mapping[str, str], line: int) -> tuple[EventRow | None, list[RowError]]:
        return parse_event(fields, line=line, now=now)

    try:
        submission = read_submission(user, request, batch=batch, parse=parse, id_column="event_id")
        result = record_events(
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


SUBMIT_RESPONSES = {
    201: EventsResultSerializer,
    200: EventsResultSerializer,
    400: ErrorSerializer,
    **AUTH_ERRORS,
}
SUBMIT_RULES = (
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
    description=SUBMIT_RULES,
    tags=["submissions"],
    request=EventSubmissionSerializer,
    responses=SUBMIT_RESPONSES,
)
@api_view(["POST"])
@parser_classes([JSONParser])
def submit_event(request: Request) -> Response:
    return _submit(request, batch=False)


@extend_schema(
    operation_id="events_batch_create",
    summary="Submit up to 5,000 chronology events, all or nothing",
    description=SUBMIT_RULES + " A batch holds one agency's events; error indexes count from 0.",
    tags=["submissions"],
    request=EventSubmissionSerializer(many=True),
    responses=SUBMIT_RESPONSES,
)
@api_view(["POST"])
@parser_classes([JSONParser])
def submit_events(request: Request) -> Response:
    return _submit(request, batch=True)


urlpatterns = [
    path("people/<str:public_id>/chronology/", person_chronology, name="api-chronology"),
    path("categories/", categories, name="api-categories"),
    path("events/", submit_event, name="api-events"),
    path("events/batch/", submit_events, name="api-events-batch"),
]
