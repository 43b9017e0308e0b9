"""The journey in a real browser: a social worker proposes closing a case while concerns
rise, the challenge appears with its evidence, a manager records why the decision stands,
and a second manager who neither made the decision nor wrote the rationale signs it off.

Playwright's sync API with Debian's Chromium against a live server on plain HTTP.
Screenshots of a failing journey go to ``test-artifacts/``.
"""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from sightline.assessments.models import Challenge, ChallengeStatus, Decision, DecisionStatus
from sightline.chronology.models import Category
from sightline.testing import factories
from sightline.testing.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fixed_today():
    """Real time here: the browser's clock would expire cookies set on a frozen day."""
    return


@pytest.fixture
def open_as(browser, live_server, request):
    contexts = []

    def open_page(user, name):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(15_000)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        contexts.append((name, page, context))
        return page

    yield open_page
    failed = request.session.testsfailed
    for name, page, context in contexts:
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.name}-{name}")
            page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
        context.close()


def _event(child, agency, category, days_ago, summary):
    record = factories.SourceRecordFactory.create(person=child, agency=agency)
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return factories.ChronologyEventFactory.create(
        subject_record=record,
        occurred_at=dt.datetime.combine(day, dt.time(14, 30), tzinfo=dt.UTC),
        category=Category.objects.get(code=category),
        summary=summary,
        significance="high",
    )


def test_closure_challenged_then_kept_with_a_second_managers_sign_off(
    open_as, live_server, social_worker, team_manager, child, agencies, csc_team
):
    second_manager = factories.UserFactory.create(
        username="morgan.manager",
        first_name="Morgan",
        last_name="Manager",
        agency=agencies["CSC"],
        team=csc_team,
        role="team_manager",
    )
    incident = _event(
        child,
        agencies["POLICE"],
        "domestic_abuse_incident",
        12,
        "Police called to the home; Jamie was in the next room.",
    )
    _event(child, agencies["POLICE"], "missing_episode", 40, "Jamie missing overnight.")

    # The social worker proposes closing the case.
    worker = open_as(social_worker, "social-worker")
    worker.goto(f"{live_server.url}/assessments/children/{child.public_id}/")
    worker.get_by_role("link", name="Propose closing the case").click()
    worker.get_by_label("Close the case").check()
    worker.fill("#id_reasons", "Mother has engaged with support; the home is calmer.")
    worker.locator("#decision-form button[type=submit]").click()
    worker.wait_for_load_state("load")

    # The challenge appears, with the rule's question and the evidence behind it.
    challenge = Challenge.objects.get()
    section = worker.locator(f"#challenge-{challenge.pk}")
    assert "while concerns rise" in section.locator("h3").inner_text()
    assert "Concerns about this child have risen recently" in section.inner_text()
    evidence = section.locator(".app-challenge__evidence").inner_text()
    assert "Police called to the home; Jamie was in the next room." in evidence
    assert "Jamie missing overnight." in evidence
    link = section.get_by_role("link", name="Domestic abuse incident")
    assert link.get_attribute("href").endswith(f"#event-{incident.pk}")
    assert Decision.objects.get().status == DecisionStatus.CHALLENGED

    # The team manager, who agrees with closing, records why the decision stands...
    manager = open_as(team_manager, "first-manager")
    manager.goto(f"{live_server.url}/assessments/decisions/{challenge.decision_id}/")
    manager.fill(
        f"#id_c{challenge.pk}-rationale",
        "The incident was a one-off argument; the police took no further action and Jamie "
        "was seen alone at school this week.",
    )
    manager.get_by_role("button", name="Keep the decision and record why").click()
    manager.wait_for_load_state("load")
    assert "Rationale recorded. A second manager must sign it off." in manager.content()
    # ...but, having written it, cannot sign it off.
    assert manager.get_by_role("button", name="Sign off the rationale").count() == 0

    # A second manager finds it on their dashboard and signs it off.
    second = open_as(second_manager, "second-manager")
    second.goto(f"{live_server.url}/assessments/")
    second.locator("#awaiting-sign-off").get_by_role("link").click()
    second.wait_for_load_state("load")
    assert (
        "The incident was a one-off argument"
        in second.locator(f"#challenge-{challenge.pk}").inner_text()
    )
    second.get_by_role("button", name="Sign off the rationale").click()
    second.wait_for_load_state("load")
    assert "Rationale signed off: the decision stands." in second.content()
    assert "In force" in second.locator("#decision-status").inner_text()
    assert (
        "signed off by Morgan Manager" in second.locator(f"#challenge-{challenge.pk}").inner_text()
    )

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.OVERRIDDEN
    assert (challenge.rationale_by, challenge.signed_off_by) == (team_manager, second_manager)
    ARTIFACTS.mkdir(exist_ok=True)
    second.screenshot(path=str(ARTIFACTS / "assessments-challenge-signed-off.png"), full_page=True)
