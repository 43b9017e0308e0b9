"""The authorization matrix, generated from the URL resolver, and audit coverage.

Figures for docs/security.md:

    SIGHTLINE_TESTING=1 .venv/bin/pytest -q -s -p no:randomly sightline/access/tests/test_matrix.py
"""

import pytest
from django.test import Client

from sightline.access.tests.matrix import PERSONAS, STATES, all_routes, build_world, url_for
from sightline.access.tests.routes import AUDITED, ROUTES
from sightline.audit.models import AuditEvent
from sightline.audit.queries import verify_chain

pytestmark = pytest.mark.django_db


def test_every_route_has_an_entry_in_the_matrix():
    names = {route.name for route in all_routes()}
    missing = sorted(names - ROUTES.keys())
    stale = sorted(ROUTES.keys() - names)
    assert not missing, (
        f"routes without an entry in sightline/access/tests/routes.py: {missing}. "
        "Say who may use each (and add it to AUDITED if it reads a child's record)."
    )
    assert stale == [], f"entries for routes that no longer exist: {stale}"
    assert names >= AUDITED
    routes = len(names)
    print(  # noqa: T201 - the figure for docs/security.md
        f"\nauthorization matrix: {routes} routes x {len(PERSONAS)} personas x "
        f"{len(STATES)} states = {routes * len(PERSONAS) * len(STATES)} cases"
    )


@pytest.fixture
def users(social_worker, police_officer, teacher, team_manager, panel_analyst, administrator):
    return {
        "social_worker": social_worker,
        "police_officer": police_officer,
        "teacher": teacher,
        "team_manager": team_manager,
        "panel_analyst": panel_analyst,
        "administrator": administrator,
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_route_answers_each_persona_in_each_state_as_the_matrix_says(users, persona):
    unexpected: list[str] = []
    unaudited: list[str] = []
    cases = audited_cases = 0
    for state in STATES:
        world = build_world(users, persona, state)
        client = Client()
        if world.user is not None:
            client.force_login(world.user)
        for route in all_routes():
            entry = ROUTES.get(route.name)
            if entry is None:  # reported by the test above
                continue
            url = url_for(route, world, entry.kwargs)
            caller = client
            if route.name == "logout":  # a separate session, so this one goes on
                caller = Client()
                if world.user is not None:
                    caller.force_login(world.user)
            before = AuditEvent.objects.count()
            response = caller.generic(entry.method, url, secure=True, headers=entry.headers)
            written = AuditEvent.objects.count() - before
            expected = entry.expect(persona, state)
            cases += 1
            if response.status_code != expected:
                unexpected.append(
                    f"{route.name} {entry.method} {url} as {persona} ({state}): "
                    f"{response.status_code}, expected {expected}"
                )
            if route.name in AUDITED and persona != "anonymous":
                audited_cases += 1
                if written != 1:
                    unaudited.append(f"{route.name} as {persona} ({state}): {written} rows")
    print(  # noqa: T201 - the figure for docs/security.md
        f"\n{persona}: {len(all_routes())} routes x {len(STATES)} states = {cases} cases, "
        f"{len(unexpected)} unexpected; {audited_cases} record reads, "
        f"{len(unaudited)} without exactly one audit row"
    )
    assert unexpected == []
    assert unaudited == []
    assert verify_chain() == []
