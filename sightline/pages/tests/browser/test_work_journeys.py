"""Journeys from signing in to the result, never typing an address or identifier: an
administrator adds a team and a user in the administration area, issues the user an API
token and revokes it, and adds a local closure day (and the new user signs in); an
administrator adds an agency, switches a challenge rule off, retires an event category and
changes a user's role; and a team manager sees their team's caseload and signs off an
assessment. Every page visited is checked with axe-core by the ``page`` fixture."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from sightline import calendars
from sightline.assessments import actions as assessments
from sightline.assessments.models import AssessmentStatus
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.core.dates import long_date
from sightline.deadlines.queries import local_closures
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

    # An API token for the new user: read only by default, shown once, then revoked.
    page.get_by_role("link", name="Back to administration").click()
    page.get_by_role("link", name=re.compile("^Users: find one")).click()
    page.get_by_label("Name, username or e-mail").fill("Newcomer")
    page.get_by_role("button", name="Search").click()
    page.locator("#users").get_by_role("link", name="Robin Newcomer").click()
    page.get_by_role("link", name="Issue one API token").click()
    assert page.get_by_label("Read records only").is_checked()
    page.get_by_role("button", name="Issue the token").click()
    assert "Enter what the token is for" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("What is the token for?").fill("Trying the API from the test system.")
    page.get_by_role("button", name="Issue the token").click()
    assert page.get_by_role("heading", level=1).inner_text() == "API token issued"
    key = page.locator("#token-key").inner_text()
    assert Token.objects.get(user__username="robin.newcomer").key == key
    page.get_by_role("link", name="All API tokens").click()
    tokens = page.locator("#tokens")
    assert "Robin Newcomer" in tokens.inner_text()
    assert key not in page.content()
    tokens.get_by_role("link", name="Revoke the token of Robin Newcomer").click()
    page.get_by_label("Why is the token being revoked?").fill("Testing finished.")
    page.get_by_role("button", name="Revoke the token").click()
    assert page.locator("#notice").inner_text() == "The API token of Robin Newcomer is revoked."
    assert not Token.objects.filter(user__username="robin.newcomer").exists()
    assert AuditEvent.objects.filter(action=AuditAction.REVOKE_API_TOKEN).count() == 1

    # A local closure day, which the statutory clocks then skip.
    closed = _a_working_day_ahead(days=40)
    page.get_by_role("link", name="Administration").first.click()
    page.get_by_role("link", name="Local closure days for the statutory calendar").click()
    page.get_by_label("Day").fill(str(closed.day))
    page.get_by_label("Month").fill(str(closed.month))
    page.get_by_label("Year").fill(str(closed.year))
    page.get_by_label("Why is the authority closed?").fill("Office move")
    page.get_by_role("button", name="Add the closure day").click()
    assert page.locator("#notice").inner_text() == (
        f"{long_date(closed)} is now a local closure day."
    )
    assert "Office move" in page.locator("#closure-days").inner_text()
    assert closed in local_closures()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "robin.newcomer", password)
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Robin"
    assert "West Yorkshire Police, Exploitation team" in page.locator("#your-role").inner_text()


def test_an_administrator_sets_up_an_agency_a_rule_a_category_and_a_role(
    page, live_server, administrator, social_worker
):
    sign_in(page, live_server, administrator.username)
    page.locator("#your-work").get_by_role("link", name="Everything in administration").click()

    page.get_by_role("link", name=re.compile("^Agencies: see them")).click()
    page.get_by_label("Agency name").fill("West Yorkshire Integrated Care Board")
    page.get_by_label("Integrated care board").check()
    page.get_by_text("National codes (optional)").click()
    page.get_by_label("ODS code (optional)").fill("QWO")
    page.get_by_role("button", name="Add the agency").click()
    assert page.locator("#notice").inner_text() == (
        "Agency added: West Yorkshire Integrated Care Board."
    )

    page.get_by_role("link", name="Administration").first.click()
    page.get_by_role("link", name=re.compile("^Challenge rules")).click()
    page.get_by_role("link", name="Change Repeat referral decided without the history").click()
    page.get_by_label("Off").check()
    page.get_by_label("Why is the rule changing?").fill("Agreed at the partnership board.")
    page.get_by_role("button", name="Save the change").click()
    assert "Challenge rule changed" in page.locator("#notice").inner_text()
    page.get_by_role("link", name="Change Repeat referral decided without the history").click()
    assert "Switched: on to off" in page.locator("#rule-history").inner_text()

    page.get_by_role("link", name="Challenge rules").first.click()
    page.get_by_role("link", name="Administration").first.click()
    page.get_by_role("link", name="Event categories of the chronology").click()
    page.get_by_label("Category name").fill("Youth justice contact")
    page.get_by_role("button", name="Add the category").click()
    page.get_by_role("link", name="Change Youth justice contact").click()
    page.get_by_label("Why?").fill("Recorded under another category now.")
    page.get_by_role("button", name="Retire the category").click()
    assert page.locator("#notice").inner_text() == (
        "Event category retired: Youth justice contact."
    )

    page.get_by_role("link", name="Administration").first.click()
    page.get_by_role("link", name=re.compile("^Users: find one")).click()
    page.get_by_label("Name, username or e-mail").fill(social_worker.last_name)
    page.get_by_role("button", name="Search").click()
    page.locator("#users").get_by_role("link", name=social_worker.get_full_name()).click()
    page.get_by_role("link", name="Change role").click()
    page.get_by_label("Team manager").check()
    page.get_by_label("Why is the role changing?").fill("Promoted.")
    page.get_by_role("button", name="Change the role").click()
    assert page.locator("#user-role").inner_text() == "Team manager"
    assert "Practitioner to Team manager" in page.locator("#role-changes").inner_text()
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE_ROLE, actor=administrator).exists()


def _a_working_day_ahead(*, days: int) -> dt.date:
    """A weekday at least ``days`` ahead that is not a bank holiday."""
    day = timezone.localdate() + dt.timedelta(days=days)
    while not calendars.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


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
