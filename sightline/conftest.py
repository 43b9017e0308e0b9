"""Named personas, reused by every test (see STYLE.md).

- ``social_worker``: children's social care, allocated to ``child``
- ``police_officer``: police, with an active involvement with ``child``
- ``teacher``: education, no relationship with ``child``
- ``team_manager``: manages the social worker's team
- ``panel_analyst``: national panel analyst, no case relationship
- ``administrator``: manages users, not case records
"""

import datetime as dt
from typing import Any

import pytest

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind, Team
from sightline.people.models import InvolvementRole, Person
from sightline.testing import factories

pytest_plugins = ["sightline.testing.browser"]

_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _seed_rows(request: pytest.FixtureRequest) -> None:
    """Put back the rows data migrations seed (category vocabulary, starting taxonomy).

    Tests with a live server run in transactions that end with a flush, which empties
    every table, seeds included; the next test in the same worker would otherwise find
    no categories. Idempotent: a few queries when the rows are there.
    """
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        _DB_FIXTURES & set(request.fixturenames)
    )
    if not uses_db:
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        seed_starting_rows()


def seed_starting_rows() -> None:
    from django.apps import apps

    from sightline.cases.defaults import install_case_categories
    from sightline.chronology.vocabulary import install_starting_vocabulary
    from sightline.learning.themes import install_starting_taxonomy
    from sightline.sharing.defaults import install_sharing_defaults

    install_starting_vocabulary(apps)
    install_starting_taxonomy(apps)
    install_sharing_defaults(apps)
    install_case_categories(apps)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests create many users; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _password_sign_in(settings: Any) -> None:
    """Personas sign in with a password alone (or ``force_login``): no second factor and
    no lockout counting. ``sightline/access/tests`` turn both on where they test them."""
    settings.SIGHTLINE_REQUIRE_2FA = False
    settings.AXES_ENABLED = False


@pytest.fixture
def agencies(db: None) -> dict[str, Agency]:
    spec = {
        "CSC": ("Leeds Children's Social Care", AgencyKind.CHILDRENS_SOCIAL_CARE),
        "POLICE": ("West Yorkshire Police", AgencyKind.POLICE),
        "HEALTH": ("Leeds Health", AgencyKind.HEALTH),
        "EDUCATION": ("Leeds Schools", AgencyKind.EDUCATION),
        "HOUSING": ("Leeds Housing", AgencyKind.HOUSING),
    }
    return {
        code: factories.AgencyFactory.create(code=code, name=name, kind=kind)
        for code, (name, kind) in spec.items()
    }


@pytest.fixture
def csc_team(agencies: dict[str, Agency]) -> Team:
    return factories.TeamFactory.create(agency=agencies["CSC"], name="Assessment Team North")


@pytest.fixture
def social_worker(agencies: dict[str, Agency], csc_team: Team) -> User:
    return factories.UserFactory.create(
        username="sally.social",
        first_name="Sally",
        last_name="Social",
        agency=agencies["CSC"],
        team=csc_team,
        role=Role.PRACTITIONER,
    )


@pytest.fixture
def team_manager(agencies: dict[str, Agency], csc_team: Team) -> User:
    return factories.UserFactory.create(
        username="manny.manager",
        first_name="Manny",
        last_name="Manager",
        agency=agencies["CSC"],
        team=csc_team,
        role=Role.TEAM_MANAGER,
    )


@pytest.fixture
def police_officer(agencies: dict[str, Agency]) -> User:
    return factories.UserFactory.create(
        username="pat.police",
        first_name="Pat",
        last_name="Police",
        agency=agencies["POLICE"],
        role=Role.PRACTITIONER,
    )


@pytest.fixture
def teacher(agencies: dict[str, Agency]) -> User:
    return factories.UserFactory.create(
        username="tess.teacher",
        first_name="Tess",
        last_name="Teacher",
        agency=agencies["EDUCATION"],
        role=Role.PRACTITIONER,
    )


@pytest.fixture
def panel_analyst(agencies: dict[str, Agency]) -> User:
    return factories.UserFactory.create(
        username="ana.analyst", agency=agencies["CSC"], role=Role.PANEL_ANALYST
    )


@pytest.fixture
def administrator(agencies: dict[str, Agency]) -> User:
    return factories.UserFactory.create(
        username="ada.admin", agency=agencies["CSC"], role=Role.ADMINISTRATOR
    )


@pytest.fixture
def child(agencies: dict[str, Agency], social_worker: User, police_officer: User) -> Person:
    """A child known to social care and police, with the two involvements."""
    person = factories.PersonFactory.create(given_name="Jamie", family_name="Testchild")
    factories.InvolvementFactory.create(
        person=person,
        practitioner=social_worker,
        agency=agencies["CSC"],
        role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
        started_on=dt.date(2024, 1, 1),
    )
    factories.InvolvementFactory.create(
        person=person,
        practitioner=police_officer,
        agency=agencies["POLICE"],
        role=InvolvementRole.POLICE_OFFICER,
        started_on=dt.date(2024, 1, 1),
    )
    return person
