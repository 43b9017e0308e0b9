"""Small builders for network tests; the personas come from ``sightline/conftest.py``."""

import datetime as dt

import pytest
from django.utils import timezone

from sightline.audit.models import AuditEvent
from sightline.chronology.models import Category, ChronologyEvent
from sightline.networks.models import (
    Association,
    ConcernFlag,
    Confidence,
    Context,
    ContextKind,
    Nature,
)
from sightline.testing import factories


def make_context(agency, *, name="Canal towpath", kind=ContextKind.PARK, **kwargs):
    return Context.objects.create(kind=kind, name=name, recorded_by_agency=agency, **kwargs)


def link(person, *, agency, other=None, context=None, nature=Nature.ASSOCIATES_WITH, **kwargs):
    kwargs.setdefault("started_on", dt.date(2024, 6, 1))
    kwargs.setdefault("confidence", Confidence.PROBABLE)
    return Association.objects.create(
        person=person,
        other_person=other,
        context=context,
        nature=nature,
        source_agency=agency,
        **kwargs,
    )


def flag(agency, *, person=None, context=None, started_on=dt.date(2024, 1, 1), reason="Concern"):
    return ConcernFlag.objects.create(
        person=person, context=context, agency=agency, started_on=started_on, reason=reason
    )


def event(person, agency, category, *, at=None, others=()):
    record = factories.SourceRecordFactory.create(person=person, agency=agency)
    created = ChronologyEvent.objects.create(
        agency=agency,
        event_id=f"E{ChronologyEvent.objects.count() + 1}-{record.record_id}",
        subject_record=record,
        person=person,
        occurred_at=at or dt.datetime(2025, 3, 1, 21, 0, tzinfo=dt.UTC),
        recorded_at=timezone.now(),
        category=Category.objects.get(code=category),
        summary="Synthetic event",
    )
    for other in others:
        created.other_records.add(factories.SourceRecordFactory.create(person=other, agency=agency))
    return created


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """The personas' passwords need not be expensive to hash in these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client speaks plain HTTP; production settings would redirect it to HTTPS.
    settings.SECURE_SSL_REDIRECT = False


def audit_actions():
    return list(AuditEvent.objects.values_list("action", flat=True))


@pytest.fixture
def adult(db):
    return factories.PersonFactory.create(
        given_name="Dale", family_name="Adultofconcern", date_of_birth=dt.date(1990, 1, 1)
    )


@pytest.fixture
def peer(db):
    return factories.PersonFactory.create(
        given_name="Robin", family_name="Peer", date_of_birth=dt.date(2009, 2, 2)
    )


@pytest.fixture
def place(agencies):
    return make_context(agencies["POLICE"])
