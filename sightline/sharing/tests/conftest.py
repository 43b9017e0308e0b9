"""Fixtures for information sharing, on top of the project personas."""

import datetime as dt

import pytest

from sightline.accounts.models import Role
from sightline.people.models import ProtectionCategory, StatusKind
from sightline.testing import factories


@pytest.fixture(autouse=True)
def plain_http(settings):
    """Pages are tested over plain HTTP (test client, live server); production redirects."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # The worker's delivery returns at once when idle (no lingering in tests).
    settings.SIGHTLINE_ALERT_LINGER_SECONDS = 0


@pytest.fixture
def duty_team(csc_team):
    """The social worker's team, with a duty inbox address."""
    csc_team.duty_email = "duty.north@example.org"
    csc_team.save(update_fields=["duty_email"])
    return csc_team


@pytest.fixture
def flagged_child(child, agencies, duty_team):
    """``child`` on a child protection plan since 2024, recorded by social care."""
    factories.StatusPeriodFactory.create(
        person=child,
        kind=StatusKind.CHILD_PROTECTION,
        protection_category=ProtectionCategory.NEGLECT,
        started_on=dt.date(2024, 1, 1),
        recorded_by_agency=agencies["CSC"],
    )
    return child


@pytest.fixture
def ed_team(agencies):
    return factories.TeamFactory.create(agency=agencies["HEALTH"], name="Emergency Department")


@pytest.fixture
def ed_nurse(agencies, ed_team):
    """An emergency department nurse: no relationship with any child."""
    return factories.UserFactory.create(
        username="nina.nurse",
        first_name="Nina",
        last_name="Nurse",
        job_title="Staff nurse",
        agency=agencies["HEALTH"],
        team=ed_team,
        role=Role.PRACTITIONER,
    )


@pytest.fixture
def front_door(agencies):
    """Children's social care front door (MASH), with a manager and a duty worker."""
    team = factories.TeamFactory.create(
        agency=agencies["CSC"], name="Front Door", duty_email="front.door@example.org"
    )
    factories.UserFactory.create(
        username="fiona.manager",
        first_name="Fiona",
        agency=agencies["CSC"],
        team=team,
        role=Role.TEAM_MANAGER,
    )
    factories.UserFactory.create(
        username="dev.duty",
        first_name="Dev",
        agency=agencies["CSC"],
        team=team,
        role=Role.PRACTITIONER,
    )
    return team


@pytest.fixture
def front_door_manager(front_door):
    return front_door.members.get(username="fiona.manager")


@pytest.fixture
def duty_worker(front_door):
    return front_door.members.get(username="dev.duty")


@pytest.fixture
def school_lead(agencies, child):
    """The school's designated safeguarding lead, involved with ``child``."""
    school = factories.TeamFactory.create(agency=agencies["EDUCATION"], name="Leeds Primary")
    lead = factories.UserFactory.create(
        username="sam.school",
        first_name="Sam",
        last_name="School",
        agency=agencies["EDUCATION"],
        team=school,
        role=Role.PRACTITIONER,
    )
    factories.InvolvementFactory.create(
        person=child,
        practitioner=lead,
        agency=agencies["EDUCATION"],
        role="school_safeguarding_lead",
        started_on=dt.date(2024, 9, 1),
    )
    return lead
