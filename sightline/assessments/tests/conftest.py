"""Fixtures for decisions and challenges on top of the shared personas: a second manager
in the social worker's team, and helpers that put events in the child's chronology."""

import datetime as dt

import pytest
import time_machine

from sightline.accounts.models import Role
from sightline.agencies.models import Agency
from sightline.chronology.models import Category
from sightline.people.models import SourceRecord
from sightline.testing import factories

# A fixed "today" (Monday 31 March 2025) so that "not in the future" checks and
# working-day counts do not depend on the clock.
TODAY = dt.date(2025, 3, 31)


@pytest.fixture(autouse=True)
def _fixed_today():
    with time_machine.travel(dt.datetime(2025, 3, 31, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def second_manager(agencies, csc_team):
    """Another team manager of the same team: the "second manager" who signs off."""
    return factories.UserFactory.create(
        username="morgan.manager",
        first_name="Morgan",
        last_name="Manager",
        agency=agencies["CSC"],
        team=csc_team,
        role=Role.TEAM_MANAGER,
    )


@pytest.fixture
def add_event(agencies):
    """Record an event about ``person`` in ``category``, ``days_ago`` before TODAY."""
    records: dict[tuple[int, str], SourceRecord] = {}

    def add(person, category, days_ago, agency="HEALTH", *, mentions=(), **fields):
        agency_obj: Agency = agencies[agency]
        key = (person.pk, agency)
        if key not in records:
            records[key] = factories.SourceRecordFactory.create(person=person, agency=agency_obj)
        when = dt.datetime.combine(
            TODAY - dt.timedelta(days=days_ago), dt.time(10, 0), tzinfo=dt.UTC
        )
        event = factories.ChronologyEventFactory.create(
            subject_record=records[key],
            occurred_at=when,
            category=Category.objects.get(code=category),
            **fields,
        )
        for other in mentions:
            other_key = (other.pk, agency)
            if other_key not in records:
                records[other_key] = factories.SourceRecordFactory.create(
                    person=other, agency=agency_obj
                )
            event.other_records.add(records[other_key])
        return event

    return add
