"""What the chronology endpoints take and give. Explicit fields only; input checks are
limited to the shape and known codes of query parameters."""

from typing import Any

from rest_framework import serializers

from sightline.agencies.models import Agency
from sightline.agencies.serializers import AgencyRefSerializer
from sightline.chronology.models import Category, ChronologyEvent, Significance
from sightline.core.serializers import CodeListField, PageParams


def _unknown(given: list[str], known: set[str], what: str) -> None:
    unknown = [code for code in given if code not in known]
    if unknown:
        raise serializers.ValidationError(
            f"Unknown {what}: {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
        )


class ChronologyParams(PageParams):
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


class CategorySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    # Declared fields leave the class (the metaclass moves them), so this does not hide
    # ``Field.label``; the type checker cannot know that.
    label = serializers.CharField()  # type: ignore[assignment]
    agency_kind = serializers.CharField(
        help_text="The kind of agency that usually records it; blank for any agency."
    )
    active = serializers.BooleanField(help_text="Whether new events may use it.")


class CategoryListSerializer(serializers.Serializer[Any]):
    results = CategorySerializer(many=True)


class CategoryRefSerializer(serializers.Serializer[Category]):
    code = serializers.CharField()
    # Declared fields leave the class (the metaclass moves them), so this does not hide
    # ``Field.label``; the type checker cannot know that.
    label = serializers.CharField()  # type: ignore[assignment]


class EventRefSerializer(serializers.Serializer[ChronologyEvent]):
    """An earlier revision of the same agency's event."""

    event_id = serializers.CharField()
    revision = serializers.IntegerField()


class ChronologyEventSerializer(serializers.Serializer[ChronologyEvent]):
    agency = AgencyRefSerializer()
    event_id = serializers.CharField()
    revision = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    date_only = serializers.BooleanField(
        help_text="True when the agency gave a day without a time (occurred_at is midnight)."
    )
    recorded_at = serializers.DateTimeField()
    category = CategoryRefSerializer()
    summary = serializers.CharField()
    significance = serializers.SerializerMethodField()
    practitioner = serializers.CharField()
    is_superseded = serializers.BooleanField(help_text="A later revision corrects this one.")
    supersedes = EventRefSerializer(allow_null=True, help_text="The revision this one corrects.")
    subject_record_id = serializers.CharField(source="subject_record.record_id")
    other_record_ids = serializers.SerializerMethodField()

    def get_significance(self, event: ChronologyEvent) -> str | None:
        """low, medium, high, or null when the agency gave none."""
        return event.significance or None

    def get_other_record_ids(self, event: ChronologyEvent) -> list[str]:
        """The agency's record ids of other people involved.

        The view fetches them for the whole page (context ``other_record_ids``: event pk ->
        ids); without that, they are read for this event.
        """
        fetched: dict[int, list[str]] | None = self.context.get("other_record_ids")
        if fetched is not None:
            return fetched.get(event.pk, [])
        return list(event.other_records.order_by("record_id").values_list("record_id", flat=True))


class ChronologyPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ChronologyEventSerializer(many=True)


class EventSubmissionSerializer(serializers.Serializer[Any]):
    """One row of the chronology-events format as a JSON object (documentation only: the
    rows are checked by ``importing.formats.parse_event``, as files are)."""

    event_id = serializers.CharField(
        max_length=100, help_text="The agency's own identifier, unique within the agency."
    )
    agency = serializers.CharField(max_length=32, help_text="Your agency's code.")
    subject_record_id = serializers.CharField(
        max_length=100, help_text="Your agency's record_id of the child the event is about."
    )
    occurred_at = serializers.CharField(
        help_text="ISO 8601 date or date-time; without an offset, UK local time."
    )
    category = serializers.CharField(max_length=64, help_text="A code from /api/v1/categories/.")
    summary = serializers.CharField(max_length=4000)
    significance = serializers.CharField(
        required=False, allow_blank=True, help_text="low, medium or high"
    )
    practitioner = serializers.CharField(
        required=False, allow_blank=True, help_text="Name or e-mail of who recorded it."
    )
    other_record_ids = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="';'-separated record_ids of other people involved (a list of strings is accepted too).",
    )


class EventsResultSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField(help_text="New events.")
    corrected = serializers.IntegerField(help_text="Changed events, recorded as new revisions.")
    unchanged = serializers.IntegerField(help_text="Events already recorded as submitted.")
