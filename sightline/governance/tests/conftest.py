"""Retention fixtures on top of the shared personas: an information governance officer,
and a looked-after child with a record that reaches into most of the system's tables."""

import datetime as dt

import pytest

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency
from sightline.people.models import InvolvementRole, Person, RelationshipKind
from sightline.testing import factories

BORN = dt.date(2010, 6, 15)
ANNIVERSARY_75 = dt.date(2085, 6, 15)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def officer(agencies: dict[str, Agency]) -> User:
    return factories.UserFactory.create(
        username="iggy.governance",
        first_name="Iggy",
        last_name="Governance",
        agency=agencies["CSC"],
        role=Role.INFORMATION_GOVERNANCE,
    )


@pytest.fixture
def looked_after_child(agencies: dict[str, Agency], social_worker: User) -> Person:
    """Looked after from 2012, with records at two agencies, events (one corrected), a
    parent, an allocated social worker, and a person merged into them."""
    person = factories.PersonFactory.create(
        given_name="Robin", family_name="Retained", date_of_birth=BORN, nhs_number="9990000034"
    )
    csc = factories.SourceRecordFactory.create(person=person, agency=agencies["CSC"])
    police = factories.SourceRecordFactory.create(person=person, agency=agencies["POLICE"])
    first = factories.ChronologyEventFactory.create(subject_record=csc)
    factories.ChronologyEventFactory.create(
        subject_record=csc, event_id=first.event_id, revision=2, supersedes=first
    )
    factories.ChronologyEventFactory.create(subject_record=police)
    factories.StatusPeriodFactory.create(
        person=person,
        kind="looked_after",
        started_on=dt.date(2012, 1, 1),
        ended_on=dt.date(2028, 6, 15),
        recorded_by_agency=agencies["CSC"],
    )
    factories.InvolvementFactory.create(
        person=person,
        practitioner=social_worker,
        agency=agencies["CSC"],
        role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
        started_on=dt.date(2012, 1, 1),
    )
    parent = factories.PersonFactory.create(
        given_name="Pat", family_name="Parent", date_of_birth=dt.date(1985, 1, 1)
    )
    factories.RelationshipFactory.create(
        person=parent, relative=person, kind=RelationshipKind.PARENT
    )
    husk = factories.PersonFactory.create(
        given_name="Robyn", family_name="Retained", date_of_birth=BORN, merged_into=person
    )
    assert husk.merged_into_id == person.pk
    return person
