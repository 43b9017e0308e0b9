"""A social worker refers a child with the referral's sharing decision (the family not
told, and why), then records a decision not to share; both are in the child's
chronology. From the home page, by clicking: no typed address, no typed identifier."""

import pytest

from sightline.sharing.models import Referral, SharingDecision
from sightline.testing import factories
from sightline.testing.browser import ARTIFACTS, pick

from .test_flag_alert_journey import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def test_a_referral_with_its_sharing_decision_and_a_decision_not_to_share(
    live_server, browser, child, social_worker, agencies
):
    factories.TeamFactory.create(agency=agencies["HEALTH"], name="Health Visiting")
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, live_server, social_worker)  # the home page's sign-in
        page.get_by_role("link", name="Jamie Testchild").click()

        # A referral, with its sharing decision: consent not sought, the family not told.
        page.locator("#make-referral").click()
        pick(page, "to_team", "health visiting", "Health Visiting")
        page.get_by_label("Amber").check()
        page.get_by_label("Why are you referring?").fill("Missed three health visits")
        page.get_by_label("What are you sharing with them?").fill("Dates of the missed visits")
        basis = page.get_by_label("Safeguarding of children and of individuals at risk", exact=True)
        assert basis.is_checked()  # the configured default
        reveal = page.get_by_label("Why was consent not sought?")
        assert not reveal.is_visible()
        page.get_by_label("Not sought", exact=True).check()
        reveal.fill("Asking would alert the family before the visit")
        family = page.get_by_role("group", name="Has the family been told?")
        family.get_by_label("No", exact=True).check()
        page.get_by_label("Informing the family would put the child at risk").check()
        page.get_by_role("button", name="Send referral").click()
        assert "Awaiting acknowledgement" in page.locator("#referral-status").inner_text()

        # Back to the child, and a decision not to share.
        page.get_by_role("link", name="Sightline").click()
        page.get_by_role("link", name="Jamie Testchild").click()
        page.locator("#record-sharing-decision").click()
        page.get_by_label("Not shared", exact=True).check()
        page.get_by_label("What was shared, or asked for?").fill("The mother's housing history")
        pick(page, "with_agency", "housing", "Leeds Housing")
        page.get_by_label("Why?").fill("Not needed to decide the housing application")
        page.get_by_label("Refused", exact=True).check()
        page.get_by_role("group", name="Has the family been told?").get_by_label(
            "Yes", exact=True
        ).check()
        page.get_by_role("button", name="Record decision").click()
        assert "Sharing decision recorded: not shared" in page.content()

        chronology = page.locator("#chronology-events").inner_text()
        assert "Shared with Leeds Health (referral)" in chronology
        assert "Family not informed (Informing the family would put the child at risk)" in (
            chronology
        )
        assert "Decided not to share with Leeds Housing (recorded by hand)" in chronology
        # The referral's decision does not name the referrer (golden rule 5).
        referral_event = page.locator("#chronology-events .app-chronology__item").filter(
            has_text="(referral)"
        )
        assert "Sally" not in referral_event.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sharing-decisions.png"), full_page=True)
        assert errors == []
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sharing-decisions-failure.png"), full_page=True)
        raise
    finally:
        context.close()
    referral = Referral.objects.get()
    decisions = {d.about: d for d in SharingDecision.objects.all()}
    assert decisions["referral"].referral == referral
    assert decisions["referral"].not_informed_reason == "child_at_risk"
    assert decisions["manual"].outcome == "not_shared"
