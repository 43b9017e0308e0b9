"""Break-glass and "who has seen this record" in Debian's Chromium (Playwright).

A teacher with no relationship finds a child, asks for emergency access with a reason
and her password, and sees the record; the allocated social worker then sees her in
"who has seen this record". The pages run under the strict CSP: any violation would be a
console error, and there must be none. Screenshots go to ``test-artifacts/``.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from pytest_django import live_server_helper

from sightline.access.models import BreakGlassGrant
from sightline.audit.models import AuditAction, AuditEvent
from sightline.testing.browser import ARTIFACTS

# The live server needs a transactional database, which is emptied afterwards; the
# module puts the rows the migrations seeded (category vocabulary...) back when it ends,
# so the tests that follow on this worker still have them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery staple"  # UserFactory's


@pytest.fixture(scope="module")
def live_server(
    live_server: live_server_helper.LiveServer, django_db_blocker: Any
) -> Iterator[live_server_helper.LiveServer]:
    """The shared live server; when the module ends, the rows the migrations seeded are
    put back, as Django does between serialized-rollback tests: empty, then reload."""
    yield live_server
    seeded = getattr(connection, "_test_serialized_contents", None)
    if seeded:
        with django_db_blocker.unblock():
            call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(seeded)


class Pages:
    """Opens pages in fresh browser contexts and collects their console errors."""

    def __init__(self, browser) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def __call__(self):
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page


@pytest.fixture
def new_page(browser):
    pages = Pages(browser)
    yield pages
    for context in pages.contexts:
        context.close()


def sign_in(page, base, user):
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"access-{name}.png"), full_page=True)


def test_emergency_access_and_who_has_seen_the_record(
    live_server, new_page, teacher, social_worker, child
):
    base = live_server.url
    page = new_page()
    sign_in(page, base, teacher)

    # Find the child with the minimum criteria: no relationship, so no link to the record.
    page.goto(f"{base}/people/")
    page.get_by_label("Name").fill("Jamie Testchild")
    page.get_by_label("Postcode").fill(child.postcode)
    page.get_by_role("button", name="Search").click()
    row = page.locator("#search-results tbody tr")
    assert "No relationship" in row.inner_text()
    assert row.get_by_role("link", name="Jamie Testchild", exact=True).count() == 0
    row.get_by_role("link", name="Ask for emergency access").click()

    # A reason, details and the password again; a wrong password is refused first.
    assert page.get_by_role("heading", level=1).inner_text() == "Emergency access to a record"
    page.get_by_label("A child may be at immediate risk of harm").check()
    page.get_by_label("Details").fill(
        "Jamie disclosed harm at school; the allocated worker is not answering"
    )
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Open the record").click()
    assert "Your password is not right" in page.locator(".govuk-error-summary").inner_text()
    assert not BreakGlassGrant.objects.exists()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Open the record").click()
    page.wait_for_url(f"{base}/people/{child.public_id}/")
    banner = page.locator("#emergency-access-banner")
    assert "You are seeing this record through emergency access until" in banner.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Jamie Testchild"
    shot(page, "emergency-access-record")
    grant = BreakGlassGrant.objects.get()
    assert (grant.user, grant.person) == (teacher, child)

    # The allocated social worker sees who has looked, and why.
    worker_page = new_page()
    sign_in(worker_page, base, social_worker)
    worker_page.goto(f"{base}/people/{child.public_id}/")
    worker_page.locator("#seen-by-link").click()
    worker_page.wait_for_url(f"{base}/access/people/{child.public_id}/seen-by/")
    log = worker_page.locator("#access-log")
    text = log.inner_text()
    assert "Tess Teacher" in text
    assert "Opened a record without a relationship (emergency access)" in text
    assert "Jamie disclosed harm at school" in text
    emergency_rows = log.locator("tr", has_text="Emergency access")
    assert emergency_rows.count() >= 2  # the grant and the record read under it
    shot(worker_page, "who-has-seen")

    # The teacher ends the access herself; the record is closed to her again.
    page.get_by_role("button", name="End emergency access now").click()
    page.wait_for_url(f"{base}/")
    response = page.goto(f"{base}/people/{child.public_id}/")
    assert response is not None
    assert response.status == 404
    assert AuditEvent.objects.filter(action=AuditAction.END_BREAK_GLASS, actor=teacher).exists()
    # No CSP violation or script error on any page (the 404 is the expected one).
    expected = ("status of 400", "status of 404")  # the wrong password, the closed record
    assert [
        e
        for e in new_page.errors
        if not e.endswith(expected) and "(Bad Request)" not in e and "(Not Found)" not in e
    ] == []
