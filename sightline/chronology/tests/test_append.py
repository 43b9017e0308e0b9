"""``append_event``: one event from the app, of the actor's agency, through the
chronology's one way in; refused naming the field, writing nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.actions import EntryRefusedError, append_event
from sightline.chronology.models import ChronologyEvent
from sightline.testing import factories

pytestmark = pytest.mark.django_db


def add(actor, person, **overrides):
    arguments = {
        "actor": actor,
        "person": person,
        "category": "concern_for_welfare",
        "summary": "Found alone at the bus station",
        "occurred_at": timezone.now() - dt.timedelta(hours=1),
        "origin": CLI,
    } | overrides
    return append_event(**arguments)


def test_an_act_is_written_once_under_its_own_event_id(police_officer, child):
    at = timezone.now() - dt.timedelta(hours=1)
    first = add(police_officer, child, event_id="act-1", occurred_at=at)
    again = add(police_officer, child, event_id="act-1", occurred_at=at)
    assert first.pk == again.pk
    assert ChronologyEvent.objects.count() == 1
    # Each attempt is audited (the second as "unchanged").
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_EVENT).count() == 2
    # Changed content under the same id is a correction: a new revision, as for imports.
    corrected = add(police_officer, child, event_id="act-1", occurred_at=at, summary="Changed")
    assert (corrected.revision, corrected.supersedes) == (2, first)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": "   "}, "summary"),
        ({"summary": "x" * 4001}, "summary"),
        ({"category": "no_such_category"}, "category"),
        ({"significance": "extreme"}, "significance"),
        ({"occurred_at": timezone.now() + dt.timedelta(days=1)}, "occurred_on"),
    ],
)
def test_bad_input_is_refused_naming_the_field(police_officer, child, overrides, field):
    with pytest.raises(EntryRefusedError) as refused:
        add(police_officer, child, **overrides)
    assert refused.value.field == field
    assert not ChronologyEvent.objects.exists()


def test_a_user_of_no_agency_is_refused(child):
    nobody = factories.UserFactory.create(agency=None)
    with pytest.raises(EntryRefusedError) as refused:
        add(nobody, child)
    assert refused.value.field == "agency"
