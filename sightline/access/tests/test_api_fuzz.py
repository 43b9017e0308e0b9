"""schemathesis against /api/schema/, in-process (WSGI), once per persona: every operation
with a few generated cases; no server error, every response as the schema says.

Figures for docs/security.md:

    SIGHTLINE_TESTING=1 .venv/bin/pytest -q -s -p no:randomly sightline/access/tests/test_api_fuzz.py
"""

from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from sightline.access.models import TokenPolicy
from sightline.access.tests.matrix import PERSONAS, build_world
from sightline.linkage.tests.conftest import model_version, trained_model  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

EXAMPLES = 4


@pytest.fixture
def plain_http(settings):
    # The WSGI transport speaks plain HTTP to the application in-process.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests must not close the database connection the test's transaction is on
    (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


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


def _fuzz(operation: Any, fixed: dict[str, str], headers: dict[str, str]) -> tuple[int, list[str]]:
    """Run a few generated cases of one operation; (cases, failures)."""
    cases = 0
    failures: list[str] = []

    @given(case=operation.as_strategy(path_parameters=fixed or None))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        nonlocal cases
        cases += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )
        except (Exception, BaseExceptionGroup) as failure:  # collected, reported below
            first = str(failure).strip().splitlines()[0] if str(failure).strip() else ""
            failures.append(f"{operation.method.upper()} {operation.path}: {first}")

    check()
    return cases, failures


@pytest.mark.usefixtures("model_version")  # so /api/v1/match/ has a model to match with
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_gives_no_server_error_and_keeps_to_its_schema(plain_http, users, persona):
    world = build_world(users, persona, "active")
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    headers = {}
    if world.user is not None:
        token = Token.objects.create(user=world.user)
        TokenPolicy.objects.create(token=token, scopes=["read", "write"])
        headers["Authorization"] = f"Token {token.key}"
    operations = cases = 0
    failures: list[str] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        operations += 1
        fixed = {"public_id": str(world.child.public_id)} if "{public_id}" in operation.path else {}
        ran, failed = _fuzz(operation, fixed, headers)
        cases += ran
        failures += failed
    print(  # noqa: T201 - the figure for docs/security.md
        f"\nschemathesis as {persona}: {operations} operations, {cases} cases, "
        f"{len(failures)} server errors or schema violations"
    )
    assert sorted(set(failures)) == []
