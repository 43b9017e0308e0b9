"""What the people endpoints take and give. Explicit fields only; no logic beyond
checking the shape of query parameters."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sightline.agencies.serializers import AgencyRefSerializer
from sightline.core.serializers import PageParams
from sightline.people import normalise
from sightline.people.models import (
    Involvement,
    Person,
    ProtectionCategory,
    RelationshipKind,
    Sex,
    StatusPeriod,
)
from sightline.people.queries import meets_minimum_criteria
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


# -- one person's record ----------------------------------------------------------------


class StatusSerializer(serializers.Serializer[StatusPeriod]):
    kind = serializers.CharField(help_text="child_in_need, child_protection or looked_after")
    kind_label = serializers.CharField(source="get_kind_display")
    protection_category = serializers.ChoiceField(
        choices=[*ProtectionCategory.values, ""],
        help_text="For a child protection plan; blank otherwise.",
    )
    since = serializers.DateField(source="started_on")
    recorded_by = serializers.CharField(source="recorded_by_agency.code")


class RelationshipSerializer(serializers.Serializer[Any]):
    """One family or household link, seen from the person whose record this is."""

    person_id = serializers.UUIDField(source="other.public_id", help_text="The other person.")
    name = serializers.CharField(source="other.full_name")
    kind = serializers.ChoiceField(choices=RelationshipKind.values)
    direction = serializers.ChoiceField(
        choices=["other_is_kind_of_this_person", "this_person_is_kind_of_other"],
        help_text=(
            "Who holds ``kind``: e.g. kind=parent with other_is_kind_of_this_person means "
            "the other person is this person's parent."
        ),
    )
    lives_with = serializers.BooleanField()
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)


class PractitionerSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(source="get_full_name")
    job_title = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()


class InvolvementSerializer(serializers.Serializer[Involvement]):
    agency = AgencyRefSerializer()
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    practitioner = PractitionerSerializer(allow_null=True)
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)


class AgencyCountsSerializer(serializers.Serializer[Any]):
    """Current (not superseded) chronology events in the last 3, 6 and 12 months."""

    agency = AgencyRefSerializer()
    last_3_months = serializers.IntegerField()
    last_6_months = serializers.IntegerField()
    last_12_months = serializers.IntegerField()


class SourceRecordRefSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(source="agency.code")
    record_id = serializers.CharField()


class PersonDetailSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="person.public_id")
    given_name = serializers.CharField(source="person.given_name")
    family_name = serializers.CharField(source="person.family_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth", allow_null=True)
    sex = serializers.ChoiceField(source="person.sex", choices=[*Sex.values, ""])
    nhs_number = serializers.CharField(source="person.nhs_number")
    address = serializers.CharField(source="person.address")
    postcode = serializers.CharField(source="person.postcode")
    ethnicity = serializers.CharField(source="person.ethnicity")
    records = SourceRecordRefSerializer(
        many=True, help_text="Each agency's record of this person (the evidence)."
    )
    current_statuses = StatusSerializer(many=True, help_text="Status periods current today.")
    relationships = RelationshipSerializer(many=True)
    involvements = InvolvementSerializer(many=True)
    event_counts = AgencyCountsSerializer(many=True)


# -- submitting person records ----------------------------------------------------------


class PersonRecordSubmissionSerializer(serializers.Serializer[Any]):
    """One row of the person-records format as a JSON object (documentation only: the
    rows are checked by ``importing.formats.parse_person_record``, as files are)."""

    record_id = serializers.CharField(max_length=100, help_text="The agency's own identifier.")
    agency = serializers.CharField(max_length=32, help_text="Your agency's code.")
    given_name = serializers.CharField(required=False, allow_blank=True)
    family_name = serializers.CharField(required=False, allow_blank=True)
    other_names = serializers.CharField(
        required=False, allow_blank=True, help_text="Aliases and previous names, ';'-separated."
    )
    date_of_birth = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD")
    sex = serializers.CharField(required=False, allow_blank=True, help_text="F, M or X")
    nhs_number = serializers.CharField(
        required=False, allow_blank=True, help_text="10 digits, spaces allowed; must be valid."
    )
    address = serializers.CharField(required=False, allow_blank=True)
    postcode = serializers.CharField(required=False, allow_blank=True)


class PersonRecordsResultSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    persons_created = serializers.IntegerField()
