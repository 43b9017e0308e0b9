"""The practitioner's journey in a real browser: from a serious incident notification
to a rapid review signed off by the three safeguarding partners.

Playwright's sync API with Debian's Chromium against a live server on plain HTTP.
A screenshot of a failing test goes to ``test-artifacts/``.
"""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from sightline.incidents.models import RapidReview, SeriousIncidentNotification
from sightline.testing.browser import ARTIFACTS, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Session:
    """One signed-in user's browser context."""

    def __init__(self, browser, live_server, user, name):
        client = Client()
        client.force_login(user)
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        self.context.set_default_timeout(15_000)
        self.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        self.page = self.context.new_page()
        self.name = name
        self.base = live_server.url

    def home(self):
        """The user's home page: every journey starts there (no typed address)."""
        self.page.goto(self.base + "/")
        self.page.locator("#your-work-heading").wait_for()
        return self.page


@pytest.fixture
def sessions(browser, live_server, request):
    opened: list[Session] = []

    def open_as(user, name):
        session = Session(browser, live_server, user, name)
        opened.append(session)
        return session

    yield open_as
    failed = getattr(request.node, "rep_call_failed", False) or request.session.testsfailed
    for session in opened:
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.name}-{session.name}")
            session.page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
        session.context.close()


def _fill_date(page, prefix, day):
    """A GOV.UK date input's three boxes (``prefix`` selects the form's field)."""
    for part, value in enumerate((day.day, day.month, day.year)):
        page.fill(f"{prefix}_{part}", str(value))


def _work_link(page, key):
    """The link of one item of "Your work" on the home page."""
    return page.locator(f"#work-{key}").get_by_role("link")


def _submit(page, form_id):
    page.locator(f"#{form_id} button[type=submit]").click()
    page.wait_for_load_state("load")


def test_notification_to_a_rapid_review_signed_off_by_three_partners(
    sessions, team_manager, leads, child, agencies
):
    # Team manager of the local authority records the notification.
    manager = sessions(team_manager, "manager").home()
    manager.get_by_role("link", name="Serious incidents").first.click()
    manager.get_by_role("link", name="Record a serious incident notification").click()
    # The partnership's agencies are few of each kind: offered as radios (the one picker),
    # the manager's own local authority chosen already.
    assert manager.get_by_role("radio", name=agencies["CSC"].name).first.is_checked()
    for field, agency in (("police", "POLICE"), ("integrated_care_board", "HEALTH")):
        manager.locator(f"#id_{field}").get_by_role("radio", name=agencies[agency].name).check()
    # The child is found with the one people picker and chosen, never typed.
    born = child.date_of_birth
    manager.get_by_label("Search for the child").fill(
        f"{child.full_name} {born.day}/{born.month}/{born.year}"
    )
    # Enter in the search box searches (it does not send the form).
    manager.get_by_label("Search for the child").press("Enter")
    manager.wait_for_load_state("load")
    assert "There is a problem" not in manager.content()
    manager.get_by_label(child.full_name, exact=True).check()
    for field, day in (("incident_on", "22"), ("aware_on", "23")):
        for part, value in enumerate((day, "8", "2024")):
            manager.fill(f"#id_{field}_{part}", value)
    # Friday 23 August 2024 (aware); Monday 26 August is the late summer bank holiday.
    manager.get_by_label("Serious harm").check()
    manager.fill("#id_case_outline", "Brought to the emergency department with a fractured arm.")
    manager.select_option("#id_police_involvement", "investigating")
    manager.fill("#id_child_1_perpetrator_relationship", "Father")
    manager.get_by_role("button", name="Record the notification").click()
    manager.wait_for_load_state("load")
    assert "Send it to the national panel by 2 September 2024" in manager.content()
    assert "Monday 2 September 2024" in manager.locator("#notification-due").inner_text()
    notification = SeriousIncidentNotification.objects.get()

    # Sent to the panel today (2 September 2024): on time.
    _fill_date(manager, "#id_submitted_on", dt.date(2024, 9, 2))
    _submit(manager, "submit-form")
    assert "On time" in manager.locator("#notification-sent").inner_text()

    # Start the rapid review: the agencies with involvements are proposed.
    manager.get_by_role("button", name="Start the rapid review").click()
    manager.wait_for_load_state("load")
    assert "Monday 23 September 2024" in manager.locator("#review-due").inner_text()
    summaries = manager.locator("#summaries").inner_text()
    assert "Leeds Children's Social Care" in summaries
    assert "West Yorkshire Police" in summaries

    # The local authority's summary, written by the team manager.
    manager.get_by_role("link", name="Write the summary from Leeds Children's Social Care").click()
    manager.fill("#id_involvement", "Allocated social worker since January.")
    manager.fill("#id_analysis", "Bruising in July was not shared with health.")
    manager.fill("#id_learning", "Share injury concerns with the GP the same day.")
    _submit(manager, "summary-form")

    # The police summary, written by the police safeguarding lead.
    # The police lead finds it under "Your work" on their home page.
    police = sessions(leads["POLICE"], "police").home()
    _work_link(police, "summaries-to-write").click()
    police.get_by_role(
        "link", name=f"Write the summary from West Yorkshire Police for {notification.reference}"
    ).click()
    police.fill("#id_involvement", "Two domestic incidents at the address.")
    police.fill("#id_analysis", "Children were not seen at either call-out.")
    police.fill("#id_learning", "See and speak to children at domestic call-outs.")
    _submit(police, "summary-form")
    assert "Summary from West Yorkshire Police sent." in police.content()

    # Meeting, a safety action and the decision.
    manager.reload()
    _fill_date(manager, "#id_held_on", dt.date(2024, 9, 2))
    manager.fill("#id_attendees", "Local authority, police, integrated care board")
    manager.fill("#id_notes", "Facts agreed; sibling seen and safe.")
    _submit(manager, "meeting-form")
    manager.get_by_text("Add a safety action").click()
    manager.fill("#safety-action-form #id_description", "Strategy discussion for the sibling")
    _fill_date(manager, "#safety-action-form #id_due_on", dt.date(2024, 9, 4))
    # The owner is found by a search and chosen; the form is kept while searching.
    pick(manager, "owner", team_manager.first_name, team_manager.get_full_name())
    manager.locator("#safety-action-form").get_by_role("button", name="Add the action").click()
    manager.wait_for_load_state("load")
    assert "Strategy discussion for the sibling" in manager.locator("#safety-actions").inner_text()
    manager.locator("#decision-form").get_by_label("Yes").check()
    manager.fill("#id_reasons", "Learning about sharing injury concerns across agencies.")
    _fill_date(manager, "#id_decided_on", dt.date(2024, 9, 2))
    _submit(manager, "decision-form")
    assert "Needed" in manager.locator("#decision-summary").inner_text()
    # A team manager is not a safeguarding lead: no sign-off button for them.
    assert manager.get_by_role("button", name=re.compile("^Sign off")).count() == 0

    # The three partners' safeguarding leads sign off.
    for code, label in (
        ("CSC", "local authority"),
        ("POLICE", "police"),
        ("HEALTH", "integrated care board"),
    ):
        lead = sessions(leads[code], f"lead-{code}").home()
        _work_link(lead, "rapid-review-sign-offs").click()
        lead.get_by_role(
            "link", name=f"Sign off the rapid review of {notification.reference}"
        ).click()
        # The lead's page has loaded (the link's navigation may still be under way
        # when the click returns): exactly one sign-off button, their own partner's.
        expect(lead.locator("#sign_off")).to_be_visible()
        expect(lead.get_by_role("button", name=re.compile("^Sign off"))).to_have_count(1)
        lead.get_by_role("button", name=f"Sign off for the {label}").click()
        lead.wait_for_load_state("load")
        assert "Signed off." in lead.content()

    review = RapidReview.objects.get()
    assert (review.completed_on, review.met_deadline) == (dt.date(2024, 9, 2), True)
    manager.reload()
    status = manager.locator("#review-status").inner_text()
    assert "Signed off by the three partners on 2 September 2024" in status
    assert "On time" in status
    sign_offs = manager.locator("#sign-offs").inner_text()
    for name in ("Lee LeadCsc", "Lee LeadPolice", "Lee LeadHealth"):
        assert name in sign_offs

    # The PDF export downloads from the page.
    with manager.expect_download() as download:
        manager.get_by_role("link", name="Download the rapid review as PDF").click()
    assert download.value.suggested_filename == f"{notification.reference}-rapid-review.pdf"

    # The dashboard shows the review done on time and the rate for the quarter.
    manager.get_by_role("link", name="Serious incidents").first.click()
    rates = manager.locator("#on-time-rates").inner_text()
    assert "2024 Q3" in rates
    assert "100%" in rates
