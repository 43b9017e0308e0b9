"""The chronology endpoint's events, built directly, are what DRF's fields give."""

import datetime as dt
import json

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from sightline.record.chronology import AgencyRef, CategoryRef, EventRef, EventRow
from sightline.record.serializers import ChronologyEventSerializer


def _row(**changes: object) -> EventRow:
    values: dict[str, object] = {
        "pk": 7,
        "agency": AgencyRef("POL", 'Police "North" & <East>'),
        "event_id": "E1",
        "revision": 2,
        "occurred_at": dt.datetime(2026, 7, 5, 23, 30, 15, 123456, tzinfo=dt.UTC),
        "date_only": False,
        "recorded_at": dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC),
        "category": CategoryRef("arrest", "Arrest"),
        "summary": "Seen at the park",
        "significance": "high",
        "practitioner": "PC O'Neil",
        "is_superseded": False,
        "supersedes": None,
        "subject_record_id": "R1",
        "other_record_ids": ("R2", "R3"),
    }
    values.update(changes)
    return EventRow(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "row",
    [
        _row(),
        _row(significance="", practitioner="", other_record_ids=()),
        _row(is_superseded=True, significance="low"),
        _row(supersedes=EventRef("E0", 1), date_only=True),
        _row(
            occurred_at=dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC),
            withheld_section="Police intelligence",
            summary="Withheld",
        ),
    ],
)
def test_an_event_is_what_the_declared_fields_give(row):
    serializer = ChronologyEventSerializer()
    by_fields = serializers.Serializer.to_representation(serializer, row)
    direct = serializer.to_representation(row)
    assert direct == dict(by_fields)
    assert list(direct) == list(by_fields)  # the same order of keys
    assert JSONRenderer().render(direct) == JSONRenderer().render(by_fields)
    many = ChronologyEventSerializer([row], many=True)  # type: ignore[arg-type]
    assert json.loads(JSONRenderer().render(many.data)) == [
        json.loads(JSONRenderer().render(by_fields))
    ]
