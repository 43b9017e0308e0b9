"""The administration commands: users, passwords, API tokens, agencies and teams."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from sightline.accounts.actions import create_user
from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind, Team
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def create(username="jo.bloggs", *extra: str, agency="CSC", role="practitioner"):
    return run(
        "create-user", username, "--agency", agency, "--role", role,
        "--email", f"{username}@example.org", *extra,
    )  # fmt: skip


# -- create-user ---------------------------------------------------------------------------


def test_create_user_prints_a_password_that_works(agencies, csc_team, client):
    out, err = create("jo.bloggs", "--team", csc_team.name, "--first-name", "Jo", "--last-name", "Bloggs")  # fmt: skip
    username, password = out.strip().split(" / ")
    assert username == "jo.bloggs"
    assert "shown only now" in err
    user = User.objects.get(username="jo.bloggs")
    assert (user.agency, user.team, user.role) == (agencies["CSC"], csc_team, Role.PRACTITIONER)
    assert user.get_full_name() == "Jo Bloggs"
    assert client.login(username="jo.bloggs", password=password)


def test_create_user_audits_without_the_password(agencies):
    out, _ = create("jo.bloggs")
    password = out.strip().split(" / ")[1]
    row = AuditEvent.objects.get(action=AuditAction.CREATE_USER)
    assert row.detail["username"] == "jo.bloggs"
    assert row.detail["agency"] == "CSC"
    assert row.via == "cli"
    assert password not in json.dumps(row.detail)


def test_create_user_generates_a_new_password_each_time(agencies):
    first = create("one")[0].split(" / ")[1]
    second = create("two")[0].split(" / ")[1]
    assert first != second
    assert len(first) >= 20


def test_create_user_refuses_an_unknown_agency(agencies):
    with pytest.raises(CommandError, match="unknown agency 'NOPE'; known agencies: CSC, EDUCATION"):
        create("jo.bloggs", agency="NOPE")
    assert not User.objects.exists()


def test_create_user_refuses_an_unknown_role(agencies):
    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        create("jo.bloggs", role="boss")


def test_create_user_refuses_a_taken_username_whatever_its_case(agencies, social_worker):
    with pytest.raises(CommandError, match=r"already a user called 'Sally\.Social'"):
        create("Sally.Social")
    assert User.objects.filter(username__iexact="sally.social").count() == 1


def test_create_user_refuses_a_team_the_agency_does_not_have(agencies, csc_team):
    with pytest.raises(CommandError, match="POLICE has no team called 'Assessment Team North'"):
        create("jo.bloggs", "--team", csc_team.name, agency="POLICE")


def test_create_user_refuses_a_bad_email_or_username(agencies):
    with pytest.raises(CommandError, match="not an e-mail address"):
        run("create-user", "jo", "--agency", "CSC", "--role", "practitioner", "--email", "jo@")
    with pytest.raises(CommandError, match="not a valid username"):
        create("jo bloggs")
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE_USER).exists()


def test_a_user_created_without_login_has_no_usable_password(agencies):
    new = create_user(
        actor=None,
        username="no.login",
        agency=agencies["HEALTH"],
        role=Role.PRACTITIONER,
        email="no.login@example.org",
        origin=CLI,
        can_log_in=False,
    )
    assert new.password is None
    assert not new.user.has_usable_password()


# -- reset-password --------------------------------------------------------------------------


def test_reset_password_replaces_the_old_one(agencies, client):
    old = create("jo.bloggs")[0].strip().split(" / ")[1]
    out, _ = run("reset-password", "jo.bloggs")
    new = out.strip().split(" / ")[1]
    assert not client.login(username="jo.bloggs", password=old)
    assert client.login(username="jo.bloggs", password=new)
    assert AuditEvent.objects.filter(action=AuditAction.RESET_PASSWORD).count() == 1


def test_reset_password_refuses_an_unknown_or_deactivated_user(agencies, social_worker):
    with pytest.raises(CommandError, match="no user called 'nobody'"):
        run("reset-password", "nobody")
    social_worker.is_active = False
    social_worker.save()
    with pytest.raises(CommandError, match="deactivated"):
        run("reset-password", social_worker.username)


# -- create-api-token --------------------------------------------------------------------------


def test_create_api_token_prints_a_token_that_authenticates(social_worker, client):
    out, err = run("create-api-token", social_worker.username)
    key = out.strip()
    assert Token.objects.get(user=social_worker).key == key
    assert "Authorization: Token" in err
    response = client.get("/api/v1/agencies/", HTTP_AUTHORIZATION=f"Token {key}", secure=True)
    assert response.status_code == 200
    row = AuditEvent.objects.get(action=AuditAction.CREATE_API_TOKEN)
    assert row.detail == {
        "username": social_worker.username,
        "user_id": social_worker.pk,
        "replaced": False,
    }
    assert key not in json.dumps(row.detail)


def test_a_new_api_token_replaces_the_old_one(social_worker, client):
    first = run("create-api-token", social_worker.username)[0].strip()
    second = run("create-api-token", social_worker.username)[0].strip()
    assert first != second
    assert list(Token.objects.filter(user=social_worker).values_list("key", flat=True)) == [second]
    response = client.get("/api/v1/agencies/", HTTP_AUTHORIZATION=f"Token {first}", secure=True)
    assert response.status_code == 401
    latest = AuditEvent.objects.filter(action=AuditAction.CREATE_API_TOKEN).latest("id")
    assert latest.detail["replaced"] is True


def test_create_api_token_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user called 'ghost'"):
        run("create-api-token", "ghost")
    assert not Token.objects.exists()


# -- create-agency and create-team ------------------------------------------------------------


def test_create_agency_creates_and_audits(db):
    out, _ = run(
        "create-agency", "YJS", "--name", "Westvale Youth Justice", "--kind", "youth_justice",
        "--office-hours-phone", "0113 496 0700", "--email", "duty.yjs@example.org",
    )  # fmt: skip
    assert out.strip() == "Created agency YJS: Westvale Youth Justice (Youth justice)"
    agency = Agency.objects.get(code="YJS")
    assert agency.kind == AgencyKind.YOUTH_JUSTICE
    assert agency.office_hours_phone == "0113 496 0700"
    row = AuditEvent.objects.get(action=AuditAction.CREATE_AGENCY)
    assert row.detail == {
        "agency": "YJS",
        "name": "Westvale Youth Justice",
        "kind": "youth_justice",
    }


def test_create_agency_refuses_duplicates_and_bad_codes(agencies):
    with pytest.raises(CommandError, match="already an agency with the code CSC"):
        run("create-agency", "CSC", "--name", "Another", "--kind", "other")
    with pytest.raises(CommandError, match="not an agency code"):
        run("create-agency", "csc", "--name", "Lower case", "--kind", "other")
    with pytest.raises(CommandError, match="invalid choice: 'council'"):
        run("create-agency", "NEW", "--name", "New", "--kind", "council")
    assert Agency.objects.count() == 5


def test_create_team_creates_and_refuses_a_second_of_the_same_name(agencies):
    out, _ = run("create-team", "POLICE", "Safeguarding Unit", "--duty-email", "su@example.org")
    assert out.strip() == "Created team 'Safeguarding Unit' in POLICE"
    team = Team.objects.get(agency=agencies["POLICE"])
    assert team.duty_email == "su@example.org"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE_TEAM).count() == 1
    with pytest.raises(CommandError, match="already has a team called 'Safeguarding Unit'"):
        run("create-team", "POLICE", "Safeguarding Unit")
    with pytest.raises(CommandError, match="unknown agency 'NOPE'"):
        run("create-team", "NOPE", "Team")
