"""What the search endpoint takes and gives. Explicit fields only; no logic beyond
checking the shape of query parameters."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sightline.core.serializers import PageParams
from sightline.people import normalise
from sightline.people.models import Person, Sex
from sightline.record.search import meets_minimum_criteria
from sightline.sharing.serializers import FlagViewSerializer

# -- search ----------------------------------------------------------------------------


class PersonSearchParams(PageParams):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text='Name words; each must start a given name, family name or alias ("jo smi").',
    )
    date_of_birth = serializers.DateField(required=False, help_text="YYYY-MM-DD")
    nhs_number = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="10 digits, spaces allowed"
    )
    postcode = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text="UK postcode, any case"
    )

    def validate_q(self, value: str) -> str:
        return value.strip()

    def validate_nhs_number(self, value: str) -> str:
        if value.strip() and not normalise.is_valid_nhs_number(value):
            raise serializers.ValidationError(
                "Not a valid NHS number (10 digits with a valid check digit)."
            )
        return normalise.nhs_digits(value)

    def validate_postcode(self, value: str) -> str:
        if value.strip() and not normalise.is_valid_postcode(value):
            raise serializers.ValidationError("Not a UK postcode.")
        return normalise.postcode(value) if value.strip() else ""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not meets_minimum_criteria(
            name=attrs.get("q", ""),
            date_of_birth=attrs.get("date_of_birth"),
            nhs_number=attrs.get("nhs_number", ""),
            postcode=attrs.get("postcode", ""),
        ):
            raise serializers.ValidationError(
                "Give q (a name) with date_of_birth or postcode, or give nhs_number."
            )
        return attrs


class PersonSummarySerializer(serializers.Serializer[Person]):
    id = serializers.UUIDField(source="public_id")
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    sex = serializers.ChoiceField(choices=[*Sex.values, ""], help_text="F, M, X or blank")
    postcode = serializers.CharField()


class PersonFoundSerializer(serializers.Serializer[Any]):
    """A search result. Without a relationship only the identity is given: the record
    itself needs a relationship or emergency access (on the pages)."""

    id = serializers.UUIDField(source="person.public_id")
    given_name = serializers.CharField(source="person.given_name")
    family_name = serializers.CharField(source="person.family_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth", allow_null=True)
    sex = serializers.ChoiceField(
        source="person.sex", choices=[*Sex.values, ""], help_text="F, M, X or blank"
    )
    postcode = serializers.SerializerMethodField(help_text="Blank without a relationship.")
    relationship = serializers.BooleanField(
        help_text="Whether you may open this person's record (GET /api/v1/people/{id}/)."
    )

    flag = serializers.SerializerMethodField(
        help_text=(
            "The child protection flag and whom to call (the responsible authority's "
            "office-hours and out-of-hours numbers), shown with or without a relationship; "
            "null when not flagged. Only the flag, never the record."
        )
    )

    def get_postcode(self, found: Any) -> str:
        return str(found.person.postcode) if found.relationship else ""

    @extend_schema_field(FlagViewSerializer(allow_null=True))
    def get_flag(self, found: Any) -> dict[str, Any] | None:
        # The flags of the page's results, found (and their lookups recorded) by the view.
        flag = self.context.get("flags", {}).get(found.person.pk)
        return FlagViewSerializer(flag).data if flag is not None else None


class PersonSearchPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PersonFoundSerializer(many=True)
