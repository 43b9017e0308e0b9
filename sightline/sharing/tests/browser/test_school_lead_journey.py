"""A school's safeguarding lead refers a child to the social care front door from the
child's page and follows its status: awaiting acknowledgement, then (once the front door
has acted) acknowledged and accepted, in the referrals they sent and in the child's
chronology. From sign-in, by clicking: no typed address, no typed identifier."""

import pytest

from sightline.audit.actions import CLI
from sightline.sharing import actions
from sightline.sharing.models import Referral, ReferralOutcome
from sightline.testing.browser import ARTIFACTS, pick

from .test_flag_alert_journey import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def test_a_school_lead_refers_and_sees_the_referrals_status(
    live_server, browser, child, school_lead, front_door, duty_worker
):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{live_server.url}/")  # the sign-in page: the journey's start
        page.get_by_label("Username").fill(school_lead.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Jamie Testchild").click()

        page.get_by_role("link", name="Make a referral").click()
        pick(page, "to_team", "front door", "Front Door")
        page.get_by_label("Amber").check()
        page.get_by_label("Why are you referring?").fill("Came to school with bruising")
        page.get_by_label("What are you sharing with them?").fill("Body map")
        page.get_by_label("Given", exact=True).check()
        page.get_by_label("Yes", exact=True).check()
        page.get_by_role("button", name="Send referral").click()
        assert "Awaiting acknowledgement" in page.locator("#referral-status").inner_text()

        # The front door acts on it (its own journey is another test's).
        referral = Referral.objects.get()
        actions.acknowledge_referral(actor=duty_worker, referral=referral, origin=CLI)
        actions.record_outcome(
            actor=duty_worker, referral=referral, outcome=ReferralOutcome.ACCEPTED, origin=CLI
        )

        # The lead follows it from the home page.
        page.get_by_role("link", name="Sightline").click()
        page.locator("#nav-inbox").click()
        page.locator("#all-sent").click()
        sent = page.locator("#referrals-sent, table").first.inner_text()
        assert "Jamie Testchild" in sent
        assert "Outcome recorded" in sent
        assert "Accepted" in sent

        # And in the child's chronology, the front door's acknowledgement and decision.
        page.get_by_role("link", name="Jamie Testchild").first.click()
        assert "Accepted" in page.locator("#referral-status, #referral-outcome").first.inner_text()
        page.get_by_role("link", name="Sightline").click()
        page.get_by_role("link", name="Jamie Testchild").click()
        chronology = page.locator("#chronology-events").inner_text()
        assert "Front Door (Leeds Children's Social Care) acknowledged the amber referral" in (
            chronology
        )
        assert "decided the amber referral from Leeds Schools: accepted" in chronology
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "school-lead-referral.png"), full_page=True)
        assert errors == []
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "school-lead-referral-failure.png"), full_page=True)
        raise
    finally:
        context.close()
