"""A referral from school to the social care front door, closing the loop: raised,
acknowledged, outcome recorded, and the referrer told; the receiving agency is then
listed under who else is involved. Another referral, never acknowledged, escalates to the
front door's manager (and the referrer hears of it) once its deadline has passed: the
clock is moved for the worker only, so the live server keeps the real one."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from sightline.audit.actions import CLI
from sightline.sharing import actions
from sightline.sharing.models import Referral, ReferralOutcome, ReferralStatus
from sightline.testing.browser import ARTIFACTS, pick

from .test_flag_alert_journey import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def run_worker() -> None:
    call_command("run-worker", "--batch", verbosity=0)


def test_a_referral_is_raised_acknowledged_and_closed_and_an_overdue_one_escalates(
    live_server, browser, child, school_lead, front_door, duty_worker, front_door_manager
):
    duty_worker.first_name, duty_worker.last_name = "Dev", "Duty"
    duty_worker.phone = "0113 496 2222"
    duty_worker.save(update_fields=["first_name", "last_name", "phone"])
    errors: list[str] = []
    contexts = []

    def as_user(user):
        context = browser.new_context(locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, live_server, user)
        return page

    page = None
    try:
        # The school's safeguarding lead refers from the child's page.
        page = as_user(school_lead)
        page.goto(f"{live_server.url}/people/{child.public_id}/")
        page.locator("#make-referral").click()
        pick(page, "to_team", "front door", "Front Door")
        page.get_by_label("Amber").check()
        page.get_by_label("Why are you referring?").fill("Came to school with bruising")
        page.get_by_label("What are you sharing with them?").fill("Body map")
        page.get_by_label("Given", exact=True).check()  # the referral's sharing decision
        page.get_by_label("Yes", exact=True).check()
        page.get_by_role("button", name="Send referral").click()
        assert "Awaiting acknowledgement" in page.locator("#referral-status").inner_text()
        referral = Referral.objects.get()
        # A second one, red, that nobody will acknowledge.
        overdue = actions.raise_referral(
            actor=school_lead,
            person=child,
            to_team=front_door.pk,
            urgency="red",
            reason="Disclosure at lunchtime",
            shared="",
            origin=CLI,
        )
        run_worker()  # the front door's duty inbox hears of both

        # The front door's duty worker acknowledges, then accepts.
        page = as_user(duty_worker)
        page.locator("#nav-inbox").click()
        page.locator("#to-acknowledge").get_by_role("link").first.wait_for()
        page.goto(f"{live_server.url}/sharing/referrals/{referral.public_id}/")
        page.locator("#acknowledge").click()
        assert "Acknowledged" in page.locator("#referral-status").inner_text()
        page.get_by_label("Accepted").check()
        page.get_by_label("Reason").fill("Assessment started")
        page.get_by_role("button", name="Record outcome").click()
        assert "Accepted: Assessment started" in page.locator("#referral-outcome").inner_text()

        # The red one passes its deadline (four clock hours): the worker escalates it.
        with time_machine.travel(overdue.acknowledge_by + dt.timedelta(minutes=1), tick=False):
            run_worker()
        overdue.refresh_from_db()
        assert overdue.escalated_at is not None
        assert overdue.status == ReferralStatus.AWAITING_ACKNOWLEDGEMENT

        page = as_user(front_door_manager)
        page.locator("#nav-inbox").click()
        alerts = page.locator("#alerts").inner_text()
        assert "Referral not acknowledged in time" in alerts
        assert "Overdue: Red referral from" in alerts

        # The referrer: told in the inbox, and sees status and outcome.
        page = as_user(school_lead)
        page.locator("#nav-inbox").click()
        alerts = page.locator("#alerts").inner_text()
        assert "Your referral was acknowledged" in alerts
        assert "Front Door (Leeds Children's Social Care): Accepted" in alerts
        assert "Your referral is overdue and was escalated" in alerts
        page.locator("#all-sent").click()
        sent = page.locator("#sent").inner_text()
        assert "Accepted" in sent
        assert "Escalated to their manager" in sent
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sharing-referrals-sent.png"), full_page=True)

        # Who else is involved: the front door, with the accepting practitioner's number.
        page.goto(f"{live_server.url}/people/{child.public_id}/")
        page.get_by_role("tab", name="Agencies involved").click()
        involved = page.locator("#who-else-is-involved").inner_text()
        assert "Accepted a referral" in involved
        assert "Dev Duty" in involved
        assert "Front Door" in involved
        assert "0113 496 2222" in involved
        assert errors == []
    except Exception:
        if page is not None:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "sharing-referral-failure.png"), full_page=True)
        raise
    finally:
        for context in contexts:
            context.close()
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.ACCEPTED
