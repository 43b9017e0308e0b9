import datetime as dt

import pytest

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.importing.rows import PersonRecordRow
from sightline.people.actions import upsert_source_records
from sightline.people.models import Person, Relationship, SourceRecord
from sightline.testing.factories import synthetic_nhs_number

pytestmark = pytest.mark.django_db


def row(record_id, agency="CSC", line=2, **fields):
    defaults = {
        "given_name": "Jamie",
        "family_name": "Testchild",
        "date_of_birth": dt.date(2016, 5, 4),
        "sex": "M",
        "postcode": "LS1 4AP",
    }
    return PersonRecordRow(line=line, record_id=record_id, agency=agency, **{**defaults, **fields})


def test_it_links_the_same_nhs_number_across_agencies(agencies, social_worker):
    nhs = synthetic_nhs_number(1)
    upsert_source_records(
        actor=social_worker,
        agency=agencies["HEALTH"],
        rows=[row("H1", agency="HEALTH", given_name="Jaimie", nhs_number=nhs)],
        origin=CLI,
    )
    result = upsert_source_records(
        actor=social_worker, agency=agencies["CSC"], rows=[row("C1", nhs_number=nhs)], origin=CLI
    )
    assert result.persons_created == 0
    assert Person.objects.count() == 1
    person = Person.objects.get()
    assert person.given_name == "Jaimie"  # health is the agency of record for the name
    assert "jamie" in person.search_name.split()
    assert person.nhs_number == nhs


def test_it_links_on_normalised_name_and_date_of_birth(agencies, social_worker):
    upsert_source_records(actor=None, agency=agencies["CSC"], rows=[row("C1")], origin=CLI)
    upsert_source_records(
        actor=None,
        agency=agencies["POLICE"],
        rows=[row("P1", agency="POLICE", given_name="JAMIE", family_name="test-child")],
        origin=CLI,
    )
    assert Person.objects.count() == 2  # "test child" is not "testchild": no guessing here
    upsert_source_records(
        actor=None,
        agency=agencies["EDUCATION"],
        rows=[row("E1", agency="EDUCATION", given_name=" jamie ", family_name="TESTCHILD")],
        origin=CLI,
    )
    assert (
        SourceRecord.objects.get(record_id="E1").person
        == SourceRecord.objects.get(record_id="C1").person
    )


def test_it_keeps_twins_apart(agencies):
    rows = [row("C1", given_name="Amy"), row("C2", given_name="Ava", line=3)]
    result = upsert_source_records(actor=None, agency=agencies["CSC"], rows=rows, origin=CLI)
    assert result.persons_created == 2


def test_it_is_idempotent_and_updates_in_place(agencies, social_worker):
    upsert_source_records(actor=social_worker, agency=agencies["CSC"], rows=[row("C1")], origin=CLI)
    again = upsert_source_records(
        actor=social_worker, agency=agencies["CSC"], rows=[row("C1")], origin=CLI
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    moved = upsert_source_records(
        actor=social_worker,
        agency=agencies["CSC"],
        rows=[row("C1", postcode="LS6 2AB")],
        origin=CLI,
    )
    assert (moved.created, moved.updated) == (0, 1)
    assert SourceRecord.objects.count() == 1
    assert Person.objects.get().postcode == "LS6 2AB"
    assert (
        AuditEvent.objects.filter(action=AuditAction.IMPORT_PEOPLE, actor=social_worker).count()
        == 3
    )


def test_a_relationship_ends_with_its_reason_audited_and_stays_as_history(social_worker):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from sightline.people.actions import end_relationship
    from sightline.testing.factories import RelationshipFactory

    today = timezone.localdate()
    started = today - dt.timedelta(days=400)
    relationship = RelationshipFactory.create(kind="carer", started_on=started)
    with pytest.raises(ValidationError) as before_start:
        end_relationship(
            actor=social_worker,
            relationship=relationship,
            ended_on=started - dt.timedelta(days=1),
            reason="Moved out",
            origin=CLI,
        )
    assert before_start.value.message_dict == {
        "ended_on": ["The relationship cannot end before it started"]
    }
    with pytest.raises(ValidationError) as future:
        end_relationship(
            actor=social_worker,
            relationship=relationship,
            ended_on=today + dt.timedelta(days=1),
            reason="Moving out",
            origin=CLI,
        )
    assert list(future.value.message_dict) == ["ended_on"]
    assert Relationship.objects.get(pk=relationship.pk).ended_on is None

    end_relationship(
        actor=social_worker,
        relationship=relationship,
        ended_on=today - dt.timedelta(days=3),
        reason="The carer stopped caring for the child",
        origin=CLI,
    )
    relationship = Relationship.objects.get(pk=relationship.pk)
    assert (relationship.started_on, relationship.ended_on) == (
        started,
        today - dt.timedelta(days=3),
    )
    audit = AuditEvent.objects.filter(action=AuditAction.RECORD_RELATIONSHIP).get()
    assert audit.actor == social_worker
    assert audit.person == relationship.relative
    assert audit.detail["reason"] == "The carer stopped caring for the child"
    assert audit.detail["ended_on"] == (today - dt.timedelta(days=3)).isoformat()
    with pytest.raises(ValidationError, match="already ended"):
        end_relationship(
            actor=social_worker,
            relationship=relationship,
            ended_on=today,
            reason="Again",
            origin=CLI,
        )
