"""``POST /api/v1/match/``: the persons a record may describe, before anything is created.

Any authenticated practitioner may ask (they are about to record someone). Every
candidate comes with its person id, probability and a per-field explanation of the
comparison with the submitted record; identity details only for persons the caller may
see. Each call writes one audit row naming the candidates returned.
"""

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from sightline.audit.actions import record_audit
from sightline.audit.models import AuditAction
from sightline.core.api import acting_user, api_origin
from sightline.core.serializers import DetailSerializer
from sightline.linkage import realtime
from sightline.linkage.features import IdentityRecord
from sightline.people import normalise
from sightline.people.models import Person, Sex
from sightline.record.queries import visible_to

MAX_CANDIDATES = 10


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
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_CANDIDATES)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (
            attrs.get("given_name", "").strip()
            or attrs.get("family_name", "").strip()
            or attrs.get("date_of_birth")
            or normalise.is_valid_nhs_number(attrs.get("nhs_number", ""))
        ):
            raise serializers.ValidationError(
                "Give at least a name, a date of birth or a valid NHS number."
            )
        return attrs


class EvidenceSerializer(serializers.Serializer[dict[str, Any]]):
    field = serializers.CharField()
    level = serializers.CharField()
    explanation = serializers.CharField()
    weight = serializers.FloatField(help_text="log2 Bayes factor: above 0 for, below 0 against")


class IdentitySerializer(serializers.Serializer[Person]):
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    sex = serializers.CharField()
    postcode = serializers.CharField()


class CandidateSerializer(serializers.Serializer[dict[str, Any]]):
    person_id = serializers.UUIDField()
    probability = serializers.FloatField()
    explanation = EvidenceSerializer(many=True)
    caution = serializers.CharField(
        help_text="Why this pair is never linked automatically (twins, siblings), or blank"
    )
    identity = IdentitySerializer(allow_null=True, help_text="Only for persons you may see")


class MatchResponseSerializer(serializers.Serializer[dict[str, Any]]):
    model_version = serializers.CharField()
    candidates = CandidateSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


@extend_schema(
    operation_id="match",
    summary="Find the existing persons a record may describe",
    description=(
        "Ranked candidates, most likely first, each with a match probability and a "
        "per-field explanation. Identity details only for persons you may see. An invalid "
        "NHS number is treated as missing (and said so in warnings). Writes one audit row."
    ),
    tags=["linkage"],
    request=MatchRequestSerializer,
    responses={
        200: MatchResponseSerializer,
        400: DetailSerializer,
        401: DetailSerializer,
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
    identity = IdentityRecord(
        given_name=data.get("given_name", ""),
        family_name=data.get("family_name", ""),
        other_names=data.get("other_names", ""),
        date_of_birth=data.get("date_of_birth"),
        sex=data.get("sex", ""),
        nhs_number=nhs,
        address=data.get("address", ""),
        postcode=data.get("postcode", ""),
    )
    realtime.catch_up()
    found = realtime.candidates(
        identity,
        weights=realtime.weights_for(model),
        limit=data.get("limit", MAX_CANDIDATES),
        common_names=realtime.common_names_for(model),
    )
    visible = {
        person.pk: person for person in visible_to(user).filter(pk__in=[c.person_id for c in found])
    }
    body = {
        "model_version": model.version,
        "candidates": [
            {
                "person_id": c.public_id,
                "probability": round(c.probability, 6),
                "explanation": c.explanation(),
                "caution": c.guard,
                "identity": IdentitySerializer(visible[c.person_id]).data
                if c.person_id in visible
                else None,
            }
            for c in found
        ],
        "warnings": warnings,
    }
    record_audit(
        actor=user,
        action=AuditAction.MATCH_PERSON,
        origin=api_origin(request),
        detail={
            "candidates": [c.public_id for c in found],
            "identity_shown": [c.public_id for c in found if c.person_id in visible],
        },
    )
    return Response(body)


urlpatterns = [path("match/", match, name="api-match")]
