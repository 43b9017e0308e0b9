"""Incident fixtures on top of the shared personas: the three partners' safeguarding
leads, and a helper that records a notification as the team manager would."""

import datetime as dt

import pytest
import time_machine

from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.incidents import actions
from sightline.testing import factories

# Tests run on a fixed day so that "not in the future" checks do not depend on the clock.
TODAY = dt.datetime(2024, 9, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Personas are created with passwords; the production hasher costs ~0.3 s per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages are tested over plain HTTP (test client, live server); production redirects.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def leads(agencies):
    """A safeguarding lead for each partner: CSC (local authority), POLICE, HEALTH (ICB)."""
    return {
        code: factories.UserFactory.create(
            username=f"lead.{code.lower()}",
            first_name="Lee",
            last_name=f"Lead{code.title()}",
            agency=agencies[code],
            role=Role.SAFEGUARDING_LEAD,
        )
        for code in ("CSC", "POLICE", "HEALTH")
    }


@pytest.fixture
def notify(agencies, team_manager, child):
    """Record a notification about ``child`` (or given children) as the team manager."""

    def record(**overrides):
        entries = overrides.pop(
            "entries",
            [
                actions.ChildEntry(
                    person_id=str(child.public_id),
                    disability="None known",
                    placement_type="Living with parents",
                    perpetrator_relationship="Mother's partner",
                )
            ],
        )
        actor = overrides.pop("actor", team_manager)
        children = actions.resolve_children(actor=actor, origin=CLI, entries=entries)
        fields = {
            "actor": actor,
            "origin": CLI,
            "local_authority": agencies["CSC"],
            "police": agencies["POLICE"],
            "integrated_care_board": agencies["HEALTH"],
            "incident_on": dt.date(2024, 5, 2),
            "aware_on": dt.date(2024, 5, 3),
            "nature": "serious_harm",
            "case_outline": "Admitted to hospital with a head injury; explanation inconsistent.",
            "police_involvement": "investigating",
            "police_details": "Operation Synthetic",
            "children": children,
        }
        fields.update(overrides)
        return actions.record_notification(**fields)

    return record
