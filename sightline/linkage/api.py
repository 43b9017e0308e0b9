"""``POST /api/v1/match/``: the persons a record may describe, before anything is created.

A thin adapter over the read side (``record.match``, through ``linkage.matching``): the
caller gets the id, probability, explanation and identity of each candidate they may
open, and of anyone else only ``possible_existing_record`` (to those who may trace):
no id, no explanation, no score. The record needs the search's minimum criteria; each
call counts against the search limit (429 with Retry-After) and writes one audit row per
matched person.
"""

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from sightline.core.api import acting_user, api_origin
from sightline.core.serializers import DetailSerializer
from sightline.linkage import matching, realtime
from sightline.linkage.features import IdentityRecord
from sightline.people import normalise
from sightline.people.models import Sex
from sightline.record import match as record_match

MAX_CANDIDATES = matching.MAX_CANDIDATES


def _identity(data: dict[str, Any]) -> IdentityRecord:
    return IdentityRecord(
        given_name=data.get("given_name", ""),
        family_name=data.get("family_name", ""),
        other_names=data.get("other_names", ""),
        date_of_birth=data.get("date_of_birth"),
        sex=data.get("sex", ""),
        nhs_number=data.get("nhs_number", ""),
        address=data.get("address", ""),
        postcode=data.get("postcode", ""),
    )


class MatchRequestSerializer(serializers.Serializer[dict[str, Any]]):
    """A record in the person-records fields (``record_id`` and ``agency`` not needed)."""

    given_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    other_names = serializers.CharField(required=False, allow_blank=True, max_length=500)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=[*Sex.values, ""], required=False)
    nhs_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10)
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_CANDIDATES,
        help_text="Most candidates you may open to return (the others are never listed)",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        criteria = matching.criteria_of(_identity(attrs))
        if not record_match.meets_minimum_criteria(criteria):
            raise serializers.ValidationError(f"Give {record_match.MINIMUM_CRITERIA}.")
        return attrs


class EvidenceSerializer(serializers.Serializer[record_match.Evidence]):
    field = serializers.CharField()
    level = serializers.CharField()
    explanation = serializers.CharField()
    weight = serializers.FloatField(help_text="log2 Bayes factor: above 0 for, below 0 against")


class IdentitySerializer(serializers.Serializer[record_match.MatchRow]):
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    sex = serializers.CharField()
    postcode = serializers.CharField()


class CandidateSerializer(serializers.Serializer[record_match.MatchRow]):
    """A candidate you may open (the person page's rule)."""

    person_id = serializers.CharField(source="public_id", help_text="The person's id (UUID)")
    probability = serializers.FloatField()
    explanation = EvidenceSerializer(many=True)
    caution = serializers.CharField(
        help_text="Why this pair is never linked automatically (twins, siblings), or blank"
    )
    identity = IdentitySerializer(source="*")


class MatchResponseSerializer(serializers.Serializer[dict[str, Any]]):
    model_version = serializers.CharField()
    candidates = CandidateSerializer(many=True, help_text="Only persons you may open")
    possible_existing_record = serializers.BooleanField(
        help_text=(
            "Someone you may not open may be this person (told only to those who may "
            "trace). Nothing else is said of them: request access or refer."
        )
    )
    advice = serializers.CharField(help_text="What to do about a possible existing record")
    warnings = serializers.ListField(child=serializers.CharField())


@extend_schema(
    operation_id="match",
    summary="Find the existing persons a record may describe",
    description=(
        "Needs a given or family name (at least two letters in each part) with a date of "
        "birth or a postcode, or a valid NHS number. Ranked candidates you may open, most "
        "likely first, each with a match probability, a per-field explanation and the "
        "identity held. Of persons you may not open, only possible_existing_record. An "
        "invalid NHS number is treated as missing (and said so in warnings). Counted "
        "against the search limit (429 with Retry-After); audited against each matched "
        "person."
    ),
    tags=["linkage"],
    request=MatchRequestSerializer,
    responses={
        200: MatchResponseSerializer,
        400: DetailSerializer,
        401: DetailSerializer,
        429: DetailSerializer,
        503: DetailSerializer,
    },
)
@api_view(["POST"])
def match(request: Request) -> Response:
    user = acting_user(request)
    params = MatchRequestSerializer(data=request.data)
    if not params.is_valid():
        return Response(
            {"detail": "Invalid record; nothing was matched.", "errors": params.errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    data = params.validated_data
    try:
        model = realtime.current_model()
    except realtime.NoModelError as error:
        return Response({"detail": str(error)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    warnings = []
    nhs = data.get("nhs_number", "")
    if nhs.strip() and not normalise.is_valid_nhs_number(nhs):
        warnings.append("The NHS number is not valid (check digit); it was treated as missing.")
    try:
        answer = matching.match_record(
            user,
            _identity(data),
            origin=api_origin(request),
            model=model,
            limit=data.get("limit", MAX_CANDIDATES),
        )
    except record_match.SearchRateLimitedError as refused:
        return Response(
            {"detail": f"Too many searches. Try again in {refused.retry_after} seconds."},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(refused.retry_after)},
        )
    outcome = answer.outcome
    body = {
        "model_version": answer.model_version,
        "candidates": [CandidateSerializer(row).data for row in outcome.rows],
        "possible_existing_record": outcome.possible_existing_record,
        "advice": outcome.advice,
        "warnings": warnings,
    }
    return Response(body)


urlpatterns = [path("match/", match, name="api-match")]
