"""Search through the API, with each result's child protection flag.

The search itself is the record's (``record.search``: criteria, rate, cap, audit); this
adapter adds the flags the sharing app shows with results, so it sits with the pages
that compose features.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from sightline.core.api import acting_user, api_origin, invalid_parameters, paginate
from sightline.core.serializers import DetailSerializer, ErrorSerializer
from sightline.pages.serializers import (
    PersonFoundSerializer,
    PersonSearchPageSerializer,
    PersonSearchParams,
)
from sightline.record.search import Found, SearchRateLimitedError
from sightline.record.search import search_people as record_search
from sightline.sharing import actions as sharing_actions
from sightline.sharing.queries import FlagView

AUTH_ERRORS = {401: DetailSerializer, 403: DetailSerializer}


@extend_schema(
    operation_id="people_search",
    summary="Search for a person",
    description=(
        "Needs q (a name, at least 2 letters of each part) with date_of_birth or postcode, "
        "or nhs_number alone; otherwise 400 naming the parameter to fix. Gives at most "
        "SIGHTLINE_SEARCH_RESULT_LIMIT (20) people, ordered by name. Practitioners, team "
        "managers and safeguarding leads find anyone who matches, each marked with whether "
        "they may open the record (relationship); others find only the people they may see. "
        "Searches are rate-limited per user (429 with Retry-After). Each search writes one "
        "audit row with its criteria, as the search page does. Every result carries its child protection flag, if "
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
    origin = api_origin(request)
    try:
        outcome = record_search(
            user, params.criteria(), origin=origin, page=params.validated_data.get("page", 1)
        )
    except SearchRateLimitedError as refused:
        return Response(
            {"detail": f"Too many searches. Try again in {refused.retry_after} seconds."},
            status=429,
            headers={"Retry-After": str(refused.retry_after)},
        )
    flags: dict[int, FlagView] = {}

    def shown(rows: list[Found]) -> dict[str, object]:
        # The results on this page are the ones shown: their flags, and a lookup alert
        # for each flagged child shown without a relationship (as the search page does).
        flags.update(sharing_actions.record_search_lookups(user, rows, origin=origin))
        return {"flags": flags}

    return paginate(request, outcome.results, PersonFoundSerializer, context=shown).response


urlpatterns = [
    path("people/", search_people, name="api-people"),
]
