"""What the search endpoint takes and gives. Explicit fields only; no logic beyond
checking the shape of query parameters."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sightline.core.serializers import PageParams
from sightline.people import normalise
from sightline.people.models import Sex
from sightline.record.search import Found, SearchCriteria, criteria_problem
from sightline.sharing.serializers import FlagViewSerializer

# -- search ----------------------------------------------------------------------------


# The query parameter for each field of the search criteria.
_PARAMETER = {"name": "q"}


class PersonSearchParams(PageParams):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=(
            "Name words, at least 2 letters each; each must start a given name, family name "
            'or alias ("jo smi").'
        ),
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

    def criteria(self) -> SearchCriteria:
        given = self.validated_data
        return SearchCriteria(
            name=given.get("q", ""),
            date_of_birth=given.get("date_of_birth"),
            nhs_number=given.get("nhs_number", ""),
            postcode=given.get("postcode", ""),
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The minimum criteria (``record.search``), naming the parameter to fix."""
        problem = criteria_problem(
            SearchCriteria(
                name=attrs.get("q", ""),
                date_of_birth=attrs.get("date_of_birth"),
                nhs_number=attrs.get("nhs_number", ""),
                postcode=attrs.get("postcode", ""),
            )
        )
        if problem is not None:
            field = _PARAMETER.get(problem.field, problem.field)
            raise serializers.ValidationError({field: problem.message})
        return attrs


class PersonFoundSerializer(serializers.Serializer[Found]):
    """A search result (``record.search.Found``). Without a relationship only the
    identity is given: the record itself needs a relationship or emergency access (on
    the pages)."""

    id = serializers.UUIDField(source="public_id")
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    sex = serializers.ChoiceField(choices=[*Sex.values, ""], help_text="F, M, X or blank")
    postcode = serializers.CharField(help_text="Blank without a relationship.")
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

    @extend_schema_field(FlagViewSerializer(allow_null=True))
    def get_flag(self, found: Found) -> dict[str, Any] | None:
        # The flags of the page's results, found (and their lookups recorded) by the view.
        flag = self.context.get("flags", {}).get(found.person.pk)
        return FlagViewSerializer(flag).data if flag is not None else None


class PersonSearchPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PersonFoundSerializer(many=True)
