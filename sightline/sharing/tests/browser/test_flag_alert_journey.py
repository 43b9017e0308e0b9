"""An emergency department nurse looks up a flagged child: the flag shows, and an alert
appears in the allocated social worker's inbox once the worker has run."""

import pytest
from django.core.management import call_command

from sightline.sharing.models import Alert
from sightline.testing.browser import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "correct horse battery staple"  # UserFactory's


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_nurse_finds_the_flag_and_the_social_worker_is_alerted(
    live_server, browser, flagged_child, ed_nurse, social_worker
):
    nurse_context = browser.new_context(locale="en-GB")
    page = nurse_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, live_server, ed_nurse)
        page.get_by_role("link", name="Check for a child protection flag").click()
        page.get_by_label("NHS number").fill(flagged_child.nhs_number)
        page.get_by_role("button", name="Check").click()
        flag = page.locator("#flag")
        flag.wait_for()
        assert "Child protection plan" in flag.inner_text()
        assert "0113 496 0000" in flag.inner_text()  # office hours
        assert "0113 496 0999" in flag.inner_text()  # out of hours
        assert "Jamie Testchild" in page.locator("#flag-result").inner_text()
        assert flagged_child.address not in page.content()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sharing-flag-check.png"), full_page=True)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sharing-flag-check-failure.png"), full_page=True)
        raise
    finally:
        nurse_context.close()

    alert = Alert.objects.get(person=flagged_child)
    assert alert.delivered_at is None  # written with the lookup; delivery is the worker's
    call_command("run-worker", "--batch", verbosity=0)

    worker_context = browser.new_context(locale="en-GB")
    page = worker_context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, live_server, social_worker)
        assert page.locator("#nav-unread").inner_text().startswith("2")
        page.locator("#nav-inbox").click()
        alerts = page.locator("#alerts")
        alerts.wait_for()
        text = alerts.inner_text()
        assert "Looked up by a practitioner without a relationship" in text
        assert "Looked up by Nina Nurse, Staff nurse, Leeds Health" in text
        page.screenshot(path=str(ARTIFACTS / "sharing-inbox.png"), full_page=True)
        page.get_by_role("link", name="Jamie Testchild").first.click()
        assert page.get_by_role("heading", level=1).inner_text() == "Jamie Testchild"
        assert page.locator("#flag").is_visible()
        assert "Nina Nurse" in page.locator("#flag-lookups-table").inner_text(timeout=5000)
        assert errors == []
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sharing-inbox-failure.png"), full_page=True)
        raise
    finally:
        worker_context.close()
