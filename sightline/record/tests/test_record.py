"""The opened record: what it returns is frozen and already redacted for its reader."""

import dataclasses

import pytest

from sightline.access import sections
from sightline.audit.actions import CLI
from sightline.chronology.models import Category
from sightline.chronology.queries import ChronologyFilter
from sightline.people.models import InvolvementRole
from sightline.record.access import Intent, open_record
from sightline.testing import factories

pytestmark = pytest.mark.django_db

INTELLIGENCE = "Seen with older males at the car wash"


@pytest.fixture
def events(agencies, child):
    def add(agency_code, category, summary, practitioner, others=()):
        record = factories.SourceRecordFactory.create(
            agency=agencies[agency_code], person=child, record_id=f"{agency_code}-{category}"
        )
        event = factories.ChronologyEventFactory.create(
            subject_record=record,
            category=Category.objects.get(code=category),
            summary=summary,
            practitioner=practitioner,
        )
        event.other_records.set(
            factories.SourceRecordFactory.create(agency=agencies[agency_code], record_id=rid)
            for rid in others
        )
        return event

    return {
        "intelligence": add(
            "POLICE", "exploitation_intelligence", INTELLIGENCE, "DC Ames", ["NOMINAL-1"]
        ),
        "referral": add("POLICE", "referral", "Referral about bruising", "Ms Neighbour"),
    }


def opened(user, child):
    return open_record(user, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI)


def test_rows_are_redacted_for_the_reader_and_cannot_be_changed(social_worker, child, events):
    record = opened(social_worker, child)
    rows = {row.pk: row for row in record.chronology()}
    withheld = rows[events["intelligence"].pk]
    assert withheld.withheld_section == sections.Section.POLICE_INTELLIGENCE.label
    assert withheld.summary == sections.withheld_summary(
        sections.Section.POLICE_INTELLIGENCE, "West Yorkshire Police"
    )
    assert (withheld.practitioner, withheld.other_record_ids) == ("", ())
    # The allocated worker sees who referred.
    assert rows[events["referral"].pk].practitioner == "Ms Neighbour"
    with pytest.raises(dataclasses.FrozenInstanceError):
        withheld.summary = INTELLIGENCE
    # A single event and a slice are redacted the same way.
    assert record.event(events["intelligence"].pk) == withheld
    assert record.chronology(ChronologyFilter(agencies=("POLICE",)))[0:1][0].pk in rows


def test_the_owning_agency_sees_the_detail(police_officer, child, events):
    row = opened(police_officer, child).event(events["intelligence"].pk)
    assert row is not None
    assert (row.summary, row.practitioner, row.other_record_ids) == (
        INTELLIGENCE,
        "DC Ames",
        ("NOMINAL-1",),
    )
    assert not row.withheld


def test_another_agency_does_not_see_who_referred(agencies, teacher, child, events):
    factories.InvolvementFactory.create(
        person=child,
        practitioner=teacher,
        agency=agencies["EDUCATION"],
        role=InvolvementRole.SCHOOL_SAFEGUARDING_LEAD,
    )
    row = opened(teacher, child).event(events["referral"].pk)
    assert row is not None
    assert row.practitioner == sections.WITHHELD_REFERRER


def test_the_access_panel_is_frozen_and_names_emergency_access_without_the_grant(
    social_worker, child
):
    panel = opened(social_worker, child).access_panel
    assert (panel.may_view_log, panel.may_export, panel.emergency) == (True, True, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        panel.may_export = False
