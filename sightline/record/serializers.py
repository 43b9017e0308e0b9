"""What the record's endpoints take and give: one person's record and their chronology.
Explicit fields only; input checks are limited to the shape and known codes of query
parameters."""

from typing import Any

from rest_framework import serializers

from sightline.agencies.models import Agency
from sightline.agencies.serializers import AgencyRefSerializer
from sightline.chronology.models import Category, Significance
from sightline.chronology.serializers import CategoryRefSerializer
from sightline.core.serializers import CodeListField, PageParams
from sightline.people.models import (
    Involvement,
    ProtectionCategory,
    RelationshipKind,
    Sex,
    StatusPeriod,
)
from sightline.record.chronology import EventRef, EventRow

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


# -- the chronology ----------------------------------------------------------------------


def _unknown(given: list[str], known: set[str], what: str) -> None:
    unknown = [code for code in given if code not in known]
    if unknown:
        raise serializers.ValidationError(
            f"Unknown {what}: {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
        )


CHRONOLOGY_MAX_PAGE_SIZE = 50


class ChronologyParams(PageParams):
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=CHRONOLOGY_MAX_PAGE_SIZE,
        required=False,
        help_text=(
            f"Events per page, at most {CHRONOLOGY_MAX_PAGE_SIZE} (default 50); a larger "
            "page_size is refused with 400. A chronology is a bulk read: it is read in "
            "pages, with a relationship."
        ),
    )
    agency = CodeListField(help_text="Agency codes; repeat the parameter or separate with commas.")
    category = CodeListField(
        help_text="Category codes; repeat the parameter or separate with commas."
    )
    significance = CodeListField(help_text="low, medium, high; repeat or separate with commas.")
    # ``from`` is a Python keyword: declared as date_from and renamed in get_fields.
    date_from = serializers.DateField(
        required=False, help_text="Events on or after this day (YYYY-MM-DD, UK local time)."
    )
    date_to = serializers.DateField(
        required=False, help_text="Events on or before this day (YYYY-MM-DD, UK local time)."
    )
    order = serializers.ChoiceField(
        choices=["asc", "desc"], default="asc", help_text="asc (oldest first, default) or desc."
    )
    include_superseded = serializers.BooleanField(
        default=True,
        help_text="Whether to include revisions a later revision corrected (default true).",
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = fields.pop("date_from")
        fields["to"] = fields.pop("date_to")
        return fields

    def validate_agency(self, value: list[str]) -> list[str]:
        _unknown(value, set(Agency.objects.values_list("code", flat=True)), "agency code(s)")
        return value

    def validate_category(self, value: list[str]) -> list[str]:
        _unknown(value, set(Category.objects.values_list("code", flat=True)), "category code(s)")
        return value

    def validate_significance(self, value: list[str]) -> list[str]:
        _unknown(value, set(Significance.values), "significance")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and end < start:
            raise serializers.ValidationError({"to": f"{end} is before from ({start})."})
        return attrs


class EventRefSerializer(serializers.Serializer[EventRef]):
    """An earlier revision of the same agency's event."""

    event_id = serializers.CharField()
    revision = serializers.IntegerField()


class ChronologyEventSerializer(serializers.Serializer[EventRow]):
    """One event as the reader may see it (``record.chronology.EventRow``, redacted)."""

    agency = AgencyRefSerializer()
    event_id = serializers.CharField()
    revision = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    date_only = serializers.BooleanField(
        help_text="True when the agency gave a day without a time (occurred_at is midnight)."
    )
    recorded_at = serializers.DateTimeField()
    category = CategoryRefSerializer()
    summary = serializers.CharField(
        help_text=(
            "What happened; for an event in a section your role may not see, a sentence "
            "saying so and whom to ask."
        )
    )
    significance = serializers.SerializerMethodField()
    practitioner = serializers.CharField(
        help_text="Who recorded it; blank or withheld where your role may not see it."
    )
    is_superseded = serializers.BooleanField(help_text="A later revision corrects this one.")
    supersedes = EventRefSerializer(allow_null=True, help_text="The revision this one corrects.")
    subject_record_id = serializers.CharField()
    other_record_ids = serializers.SerializerMethodField()

    def get_significance(self, event: EventRow) -> str | None:
        """low, medium, high, or null when the agency gave none."""
        return event.significance or None

    def get_other_record_ids(self, event: EventRow) -> list[str]:
        """The agency's record ids of other people involved (none where withheld)."""
        return list(event.other_record_ids)

    def to_representation(self, instance: EventRow) -> dict[str, Any]:
        """What the fields above give (``tests/test_serializers.py`` compares the two),
        built directly: DRF's walk over 15 fields and three nested serializers for each
        of 50 events was a fifth of the chronology endpoint's time."""
        event = instance
        supersedes = event.supersedes
        return {
            "agency": {"code": str(event.agency.code), "name": str(event.agency.name)},
            "event_id": str(event.event_id),
            "revision": int(event.revision),
            "occurred_at": _DATETIME.to_representation(event.occurred_at),
            "date_only": bool(event.date_only),
            "recorded_at": _DATETIME.to_representation(event.recorded_at),
            "category": {"code": str(event.category.code), "label": str(event.category.label)},
            "summary": str(event.summary),
            "significance": event.significance or None,
            "practitioner": str(event.practitioner),
            "is_superseded": bool(event.is_superseded),
            "supersedes": (
                {"event_id": str(supersedes.event_id), "revision": int(supersedes.revision)}
                if supersedes is not None
                else None
            ),
            "subject_record_id": str(event.subject_record_id),
            "other_record_ids": list(event.other_record_ids),
        }


# Writes a time as ChronologyEventSerializer's DateTimeFields do (settings' format, the
# current time zone).
_DATETIME = serializers.DateTimeField()


class ChronologyPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ChronologyEventSerializer(many=True)
