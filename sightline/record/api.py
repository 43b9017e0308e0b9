"""The child's record through the API: one person's record and their chronology.

Thin adapters over ``record.access``: each opens the record (decide, audit, 404) and
serializes what it returns.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from sightline.chronology.queries import ChronologyFilter
from sightline.core.api import acting_user, api_origin, invalid_parameters, paginate
from sightline.core.serializers import DetailSerializer, ErrorSerializer
from sightline.people.models import Person, StatusPeriod
from sightline.record import queries
from sightline.record.access import Intent, chronology_detail, open_record
from sightline.record.serializers import (
    ChronologyEventSerializer,
    ChronologyPageSerializer,
    ChronologyParams,
    PersonDetailSerializer,
)

AUTH_ERRORS = {401: DetailSerializer, 403: DetailSerializer}
PERSON_ID = OpenApiParameter(
    "public_id", uuid.UUID, OpenApiParameter.PATH, description="The person's id."
)


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
    record = open_record(
        acting_user(request), public_id, intent=Intent.VIEW_RECORD, origin=api_origin(request)
    )
    person = record.person
    prefetch_related_objects(
        [person],
        Prefetch(
            "status_periods", queryset=StatusPeriod.objects.select_related("recorded_by_agency")
        ),
    )
    answer = {
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
            for counts in record.counts_by_agency()
        ],
    }
    return Response(PersonDetailSerializer(answer).data)


@extend_schema(
    operation_id="people_chronology",
    summary="One child's multi-agency chronology",
    description=(
        "Events from every agency, oldest first unless order=desc, filtered by agency, "
        "category, significance and dates, at most 50 a page. Superseded revisions are "
        "included and marked unless include_superseded=false. Events in a section your "
        "role may not see keep their date, agency and category; their summary says whom "
        "to ask, and their practitioner and other people are blank. Pages of a chronology "
        "are a bulk read and follow the export rules: they need a relationship with the "
        "child, and emergency access is not enough. 404 if the person does not exist or "
        "you may not read their chronology (the two are not told apart). Writes one audit "
        "row with the filters and page, as the child's page does."
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
    record = open_record(
        acting_user(request),
        public_id,
        intent=Intent.READ_CHRONOLOGY_IN_BULK,
        origin=api_origin(request),
        detail=chronology_detail(filters, page=given.get("page", 1)),
    )
    return paginate(request, record.chronology(filters), ChronologyEventSerializer).response


urlpatterns = [
    path("people/<str:public_id>/", person_detail, name="api-person"),
    path("people/<str:public_id>/chronology/", person_chronology, name="api-chronology"),
]
