"""What the submission endpoints take and give. The rows themselves are checked by
``importing.formats``, as files are; these serializers document them."""

from typing import Any

from rest_framework import serializers


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
