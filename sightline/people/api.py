"""People: search, one person's record, and submitting person records.

Reads go through ``people.queries.visible_to`` (search) or ``people.access.access_person``
(one person), so they are access-checked and audited exactly as the pages are.
"""

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from sightline.audit.actions import record_audit
from sightline.audit.models import AuditAction
from sightline.chronology.queries import counts_by_agency
from sightline.core.api import (
    SubmissionRejectedError,
    acting_user,
    api_origin,
    invalid_parameters,
    paginate,
    read_submission,
    submission_status,
)
from sightline.core.serializers import DetailSerializer, ErrorSerializer
from sightline.importing.formats import parse_person_record
from sightline.importing.rows import PersonRecordRow, RowError
from sightline.people import queries
from sightline.people.access import (
    Intent,
    SearchRateLimitedError,
    access_person,
    check_search_rate,
    find_people,
)
from sightline.people.actions import upsert_source_records
from sightline.people.models import Person, StatusPeriod
from sightline.people.serializers import (
    PersonDetailSerializer,
    PersonFoundSerializer,
    PersonRecordsResultSerializer,
    PersonRecordSubmissionSerializer,
    PersonSearchPageSerializer,
    PersonSearchParams,
)
from sightline.sharing import actions as sharing_actions
from sightline.sharing.queries import FlagView

AUTH_ERRORS = {401: DetailSerializer, 403: DetailSerializer}
PERSON_ID = OpenApiParameter(
    "public_id", uuid.UUID, OpenApiParameter.PATH, description="The person's id."
)


@extend_schema(
    operation_id="people_search",
    summary="Search for a person",
    description=(
        "Needs q (a name) with date_of_birth or postcode, or nhs_number. Gives at most "
        "SIGHTLINE_SEARCH_RESULT_LIMIT (20) people, ordered by name. Practitioners, team "
        "managers and safeguarding leads find anyone who matches, each marked with whether "
        "they may open the record (relationship); others find only the people they may see. "
        "Searches are rate-limited per user (429 with Retry-After). Each search writes one "
        "audit row with its criteria. Every result carries its child protection flag, if "
        "any, with the responsible authority's office-hours and out-of-hours numbers, "
        "relationship or not (the flag only, not the record); a flagged child returned to "
        "someone without a relationship is a lookup: the allocated social worker is "
        "alerted and the lookup audited, as on the search page."
    ),
    tags=["people"],
    parameters=[PersonSearchParams],
    responses={
        200: PersonSearchPageSerializer,
        400: ErrorSerializer,
        429: DetailSerializer,
        **AUTH_ERRORS,
    },
)
@api_view(["GET"])
def search_people(request: Request) -> Response:
    user = acting_user(request)
    params = PersonSearchParams(data=request.query_params)
    if not params.is_valid():
        return invalid_parameters(params)
    criteria = params.validated_data
    try:
        check_search_rate(user, origin=api_origin(request))
    except SearchRateLimitedError as refused:
        return Response(
            {"detail": f"Too many searches. Try again in {refused.retry_after} seconds."},
            status=429,
            headers={"Retry-After": str(refused.retry_after)},
        )
    outcome = find_people(
        user,
        name=criteria.get("q", ""),
        date_of_birth=criteria.get("date_of_birth"),
        nhs_number=criteria.get("nhs_number", ""),
        postcode=criteria.get("postcode", ""),
    )
    origin = api_origin(request)
    flags: dict[int, FlagView] = {}

    def shown(rows: list[queries.Found]) -> dict[str, object]:
        # The results on this page are the ones shown: their flags, and a lookup alert
        # for each flagged child shown without a relationship (as the search page does).
        flags.update(sharing_actions.record_search_lookups(user, rows, origin=origin))
        return {"flags": flags}

    paged = paginate(request, outcome.results, PersonFoundSerializer, context=shown)
    given = {
        name: str(value)
        for name, value in criteria.items()
        if name in {"q", "date_of_birth", "nhs_number", "postcode"} and value
    }
    record_audit(
        actor=user,
        action=AuditAction.SEARCH,
        origin=api_origin(request),
        detail={
            "criteria": given,
            "results": len(outcome.results),
            "more": outcome.more,
            "page": paged.number,
        },
    )
    return paged.response


@dataclass(frozen=True)
class Link:
    """A relationship as seen from one person: the other person and who holds ``kind``."""

    other: Person
    kind: str
    direction: str
    lives_with: bool
    started_on: dt.date | None
    ended_on: dt.date | None


def _links(person: Person) -> list[Link]:
    links = [
        Link(
            r.person, r.kind, "other_is_kind_of_this_person", r.lives_with, r.started_on, r.ended_on
        )
        for r in person.relationships_in.select_related("person").order_by("started_on", "pk")
    ]
    links += [
        Link(
            r.relative,
            r.kind,
            "this_person_is_kind_of_other",
            r.lives_with,
            r.started_on,
            r.ended_on,
        )
        for r in person.relationships_out.select_related("relative").order_by("started_on", "pk")
    ]
    return links


@extend_schema(
    operation_id="people_retrieve",
    summary="One person's record",
    description=(
        "Identity, current social care status, family and household, the practitioners "
        "involved, and how many events each agency recorded recently. 404 if the person does "
        "not exist or you may not see them (the two are not told apart). Writes one audit row."
    ),
    tags=["people"],
    parameters=[PERSON_ID],
    responses={200: PersonDetailSerializer, 404: DetailSerializer, **AUTH_ERRORS},
)
@api_view(["GET"])
def person_detail(request: Request, public_id: str) -> Response:
    user = acting_user(request)
    person = access_person(user, public_id, intent=Intent.VIEW_RECORD, origin=api_origin(request))
    prefetch_related_objects(
        [person],
        Prefetch(
            "status_periods", queryset=StatusPeriod.objects.select_related("recorded_by_agency")
        ),
    )
    record = {
        "person": person,
        "records": person.source_records.select_related("agency").order_by(
            "agency__code", "record_id"
        ),
        "current_statuses": queries.current_statuses(person, on=timezone.localdate()),
        "relationships": _links(person),
        "involvements": person.involvements.select_related("agency", "practitioner").order_by(
            "-started_on", "pk"
        ),
        "event_counts": [
            {
                "agency": {"code": counts.code, "name": counts.name},
                "last_3_months": counts.counts[3],
                "last_6_months": counts.counts[6],
                "last_12_months": counts.counts[12],
            }
            for counts in counts_by_agency(person)
        ],
    }
    return Response(PersonDetailSerializer(record).data)


def _parse(fields: Mapping[str, str], line: int) -> tuple[PersonRecordRow | None, list[RowError]]:
    return parse_person_record(fields, line=line)


def _submit(request: Request, *, batch: bool) -> Response:
    user = acting_user(request)
    try:
        submission = read_submission(
            user, request, batch=batch, parse=_parse, id_column="record_id"
        )
    except SubmissionRejectedError as rejection:
        return rejection.response
    result = upsert_source_records(
        actor=user,
        agency=submission.agency,
        rows=submission.rows,
        origin=api_origin(request),
        audit_detail={"items": len(submission.rows)},
    )
    return Response(
        PersonRecordsResultSerializer(result).data, status=submission_status(result.created > 0)
    )


SUBMIT_RESPONSES = {
    201: PersonRecordsResultSerializer,
    200: PersonRecordsResultSerializer,
    400: ErrorSerializer,
    **AUTH_ERRORS,
}
SUBMIT_RULES = (
    "Fields and rules are those of the person-records format. You may submit only for your "
    "own agency (administrators for any). Re-submitting a record updates it; an identical "
    "re-submission changes nothing. 201 when a record was created, 200 otherwise; 400 lists "
    "every problem and nothing is recorded."
)


@extend_schema(
    operation_id="person_records_create",
    summary="Submit one person record",
    description=SUBMIT_RULES,
    tags=["submissions"],
    request=PersonRecordSubmissionSerializer,
    responses=SUBMIT_RESPONSES,
)
@api_view(["POST"])
@parser_classes([JSONParser])
def submit_person_record(request: Request) -> Response:
    return _submit(request, batch=False)


@extend_schema(
    operation_id="person_records_batch_create",
    summary="Submit up to 5,000 person records, all or nothing",
    description=SUBMIT_RULES + " A batch holds one agency's records; error indexes count from 0.",
    tags=["submissions"],
    request=PersonRecordSubmissionSerializer(many=True),
    responses=SUBMIT_RESPONSES,
)
@api_view(["POST"])
@parser_classes([JSONParser])
def submit_person_records(request: Request) -> Response:
    return _submit(request, batch=True)


urlpatterns = [
    path("people/", search_people, name="api-people"),
    path("people/<str:public_id>/", person_detail, name="api-person"),
    path("person-records/", submit_person_record, name="api-person-records"),
    path("person-records/batch/", submit_person_records, name="api-person-records-batch"),
]
