"""Two journeys from signing in to the result, never typing an address or identifier:
an administrator adds a team and a user in the administration area (and the new user
signs in), and a team manager sees their team's caseload and signs off an assessment.
Every page visited is checked with axe-core by the ``page`` fixture."""

import re

import pytest

from sightline.assessments import actions as assessments
from sightline.assessments.models import AssessmentStatus
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.testing.browser import pick

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery staple"  # UserFactory's


def sign_in(page, live_server, username, password=PASSWORD):
    page.set_default_timeout(30_000)  # the machine is shared; a first page can be slow
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_an_administrator_adds_a_team_and_a_user_who_then_signs_in(
    page, live_server, administrator, agencies
):
    sign_in(page, live_server, administrator.username)
    page.locator("#your-work").get_by_role("link", name="Everything in administration").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Administration"

    page.get_by_role("link", name="Teams: see them and add one").click()
    # The agency is found by a search and chosen (the one picker); nothing is typed that
    # the system knows, and text that matches no agency is refused first.
    page.get_by_label("Team name").fill("Exploitation team")
    page.get_by_label("Search by the agency's name").fill("Atlantis")
    page.get_by_role("button", name="Add the team").click()
    assert "No agency matches “Atlantis”" in page.locator(".govuk-error-summary").inner_text()
    pick(page, "agency", "yorkshire", "West Yorkshire Police")
    page.get_by_role("button", name="Add the team").click()
    assert (
        page.locator("#team-added").inner_text()
        == "Team added: Exploitation team, West Yorkshire Police."
    )
    assert "Exploitation team" in page.locator("#teams").inner_text()

    page.get_by_role("link", name="Administration").first.click()
    page.get_by_role("link", name="Add a user").click()
    # A mistake first: the team is of another agency; the page says so.
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Newcomer")
    page.get_by_label("Username").fill("robin.newcomer")
    page.get_by_label("Work e-mail address").fill("robin.newcomer@example.org")
    page.get_by_label("Role").select_option(label="Practitioner")
    # A mistake first: the team is searched for before an agency is chosen, then another
    # agency is chosen; the page says the team must be the agency's.
    pick(page, "team", "exploitation", "Exploitation team")
    pick(page, "agency", "leeds children", "Leeds Children's Social Care")
    page.get_by_role("button", name="Add the user").click()
    assert "Choose a team of the agency chosen" in page.locator(".govuk-error-summary").inner_text()
    pick(page, "agency", "yorkshire", "West Yorkshire Police")
    pick(page, "team", "exploitation", "Exploitation team")
    page.get_by_role("button", name="Add the user").click()
    assert page.get_by_role("heading", level=1).inner_text() == "User added"
    password = page.locator("#new-password").inner_text()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE_TEAM).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE_USER, actor=administrator).exists()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "robin.newcomer", password)
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Robin"
    assert "West Yorkshire Police, Exploitation team" in page.locator("#your-role").inner_text()


def test_a_team_manager_sees_the_caseload_and_signs_off_an_assessment(
    page, live_server, social_worker, team_manager, child
):
    draft = assessments.start_assessment(actor=social_worker, origin=CLI, child=child)
    assessments.save_assessment(
        actor=social_worker,
        origin=CLI,
        assessment=draft,
        values={
            "harm": "Bruising seen at school.",
            "working_well": "Attends school every day.",
            "needs_to_happen": "A safety plan with the family.",
            "seen_alone": "no",
            "child_words": "Said she likes school.",
            "danger_statements": "Could be hurt again at home.",
            "safety_goals": "Safe at home, seen weekly.",
            "safety_scale": 4,
        },
    )
    assessments.submit_assessment(actor=social_worker, origin=CLI, assessment=draft)

    sign_in(page, live_server, team_manager.username)
    caseload = page.locator("#caseload")
    row = caseload.get_by_role("row", name=re.compile("Sally Social"))
    assert row.get_by_role("cell").first.inner_text() == "1"  # one child
    assert "Not yet available" in row.inner_text()  # plans: from the case record, later
    sign_offs = page.locator("#work-sign-offs")
    assert sign_offs.inner_text() == "Sign-offs waiting for you: 1"

    sign_offs.get_by_role("link").click()
    page.get_by_role("link", name=re.compile(r"Jamie Testchild, version 1 by Sally Social")).click()
    page.get_by_role("button", name="Sign off").click()
    assert "Assessment signed off." in page.content()
    draft.refresh_from_db()
    assert (draft.status, draft.reviewed_by) == (AssessmentStatus.SIGNED_OFF, team_manager)

    page.get_by_role("link", name="Home").first.click()
    assert page.locator("#work-sign-offs").inner_text() == "Sign-offs waiting for you: 0"
