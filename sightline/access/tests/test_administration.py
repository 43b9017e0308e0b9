"""The administration area: administrators add users and teams, with audit rows; nobody
else finds the pages."""

import pytest
from django.urls import reverse

from sightline.accounts.models import Role, User
from sightline.agencies.models import Team
from sightline.audit.models import AuditAction, AuditEvent
from sightline.record.picker import PICK_BUTTON

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def new_user_data(agencies, csc_team, **changes):
    return {
        "first_name": "Robin",
        "last_name": "Newcomer",
        "username": "robin.newcomer",
        "email": "robin.newcomer@example.org",
        "job_title": "Social worker",
        "agency": agencies["CSC"].pk,
        "team": csc_team.pk,
        "role": Role.PRACTITIONER,
        **changes,
    }


def test_it_adds_a_user_shows_the_password_once_and_audits(
    client, administrator, agencies, csc_team
):
    client.force_login(administrator)
    response = client.post(reverse("administration-new-user"), new_user_data(agencies, csc_team))
    assert response.status_code == 200
    created = User.objects.get(username="robin.newcomer")
    assert (created.agency, created.team, created.role) == (
        agencies["CSC"],
        csc_team,
        Role.PRACTITIONER,
    )
    html = response.content.decode()
    assert "User added" in html
    password = html.split('<code id="new-password">')[1].split("</code>")[0]
    assert client.login(username="robin.newcomer", password=password)
    row = AuditEvent.objects.get(action=AuditAction.CREATE_USER)
    assert row.actor == administrator


def test_a_team_of_another_agency_is_refused_with_the_reason(
    client, administrator, agencies, csc_team
):
    client.force_login(administrator)
    response = client.post(
        reverse("administration-new-user"),
        new_user_data(agencies, csc_team, agency=agencies["POLICE"].pk),
    )
    assert response.status_code == 400
    # The teams searched and accepted are the chosen agency's.
    assert response.context["form"].errors["team"] == [
        "Choose a team of the agency chosen: search for it, then choose it from the results"
    ]
    assert not User.objects.filter(username="robin.newcomer").exists()


def test_the_agency_and_team_are_found_by_search_and_typed_text_does_not_submit(
    client, administrator, agencies, csc_team
):
    client.force_login(administrator)
    url = reverse("administration-new-user")
    police_team = Team.objects.create(agency=agencies["POLICE"], name="Assessment Unit")
    searching = client.post(
        url,
        new_user_data(agencies, csc_team, team="", **{"team-q": "assessment", PICK_BUTTON: "team"}),
    )
    assert searching.status_code == 200
    html = searching.content.decode()
    # Only the chosen agency's teams are offered.
    assert f'name="team" type="radio" value="{csc_team.pk}"' in html
    assert f'value="{police_team.pk}"' not in html
    typed = client.post(
        url, new_user_data(agencies, csc_team, agency="", **{"agency-q": "Atlantis"})
    )
    assert typed.status_code == 400
    assert typed.context["form"].errors["agency"] == [
        "No agency matches “Atlantis”: search again, then choose an agency from the results"
    ]
    slipped = client.post(url, new_user_data(agencies, csc_team, agency="999999"))
    assert slipped.context["form"].errors["agency"] == ["Choose an agency from the search results"]
    assert not User.objects.filter(username="robin.newcomer").exists()


def test_a_taken_username_is_refused_saying_so(client, administrator, agencies, csc_team):
    client.force_login(administrator)
    response = client.post(
        reverse("administration-new-user"),
        new_user_data(agencies, csc_team, username=administrator.username),
    )
    assert response.status_code == 400
    assert "There is already a user called" in response.content.decode()


def test_it_adds_a_team_and_lists_it(client, administrator, agencies):
    client.force_login(administrator)
    response = client.post(
        reverse("administration-teams"),
        {
            "agency": agencies["POLICE"].pk,
            "name": "Exploitation team",
            "duty_email": "",
            "phone": "",
        },
    )
    assert response.status_code == 302
    assert Team.objects.filter(agency=agencies["POLICE"], name="Exploitation team").exists()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE_TEAM, actor=administrator).exists()
    html = client.get(response["Location"]).content.decode()
    assert "Team added: Exploitation team, West Yorkshire Police." in html
    # The same name twice in one agency is refused.
    again = client.post(
        reverse("administration-teams"),
        {"agency": agencies["POLICE"].pk, "name": "Exploitation team"},
    )
    assert again.status_code == 400
    assert "already has a team called" in again.content.decode()


@pytest.mark.parametrize("persona", ["social_worker", "team_manager", "panel_analyst"])
def test_nobody_else_finds_the_administration_pages(client, request, persona, agencies, csc_team):
    client.force_login(request.getfixturevalue(persona))
    for name in ("administration", "administration-new-user", "administration-teams"):
        assert client.get(reverse(name)).status_code == 404
    response = client.post(reverse("administration-new-user"), new_user_data(agencies, csc_team))
    assert response.status_code == 404
    assert not User.objects.filter(username="robin.newcomer").exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED).exists()
