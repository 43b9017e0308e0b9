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

from sightline.audit.actions import record_audit
from sightline.audit.models import AuditAction
from sightline.core.api import acting_user, api_origin, invalid_parameters, paginate
from sightline.core.serializers import DetailSerializer, ErrorSerializer
from sightline.pages.serializers import (
    PersonFoundSerializer,
    PersonSearchPageSerializer,
    PersonSearchParams,
)
from sightline.record.search import (
    Found,
    SearchRateLimitedError,
    check_search_rate,
    find_people,
)
from sightline.sharing import actions as sharing_actions
from sightline.sharing.queries import FlagView

AUTH_ERRORS = {401: DetailSerializer, 403: DetailSerializer}


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

    def shown(rows: list[Found]) -> dict[str, object]:
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


urlpatterns = [
    path("people/", search_people, name="api-people"),
]
