"""The one picker in the browser: a social worker reallocates the child on the Case part,
choosing the new worker by a search (never a list of every user, never a typed
identifier). Text that matches nobody in scope (a police officer's name: another agency)
does not submit and the page says what to try. Every page is checked with axe-core by
the ``page`` fixture."""

import pytest
from django.utils import timezone

from sightline.accounts.models import Role
from sightline.people.models import InvolvementRole
from sightline.testing import factories

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery staple"  # UserFactory's


def test_a_worker_is_found_by_search_and_chosen_on_the_case_part(
    page, live_server, agencies, csc_team, social_worker, police_officer, child
):
    colleague = factories.UserFactory.create(
        username="cara.colleague",
        first_name="Cara",
        last_name="Colleague",
        job_title="Social worker",
        agency=agencies["CSC"],
        team=csc_team,
        role=Role.PRACTITIONER,
    )
    today = timezone.localdate()
    page.set_default_timeout(30_000)  # the machine is shared; a first page can be slow
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(social_worker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Jamie Testchild").first.click()
    page.get_by_role("tab", name="Case").click()
    page.locator("#case-panel").get_by_role(
        "link", name="Allocate or reallocate a social worker"
    ).click()
    search = page.get_by_label("Search for a social worker by name or team")
    for part, value in enumerate((today.day, today.month, today.year)):
        page.locator(f"#id_started_on_{part}").fill(str(value))

    # A name that matches nobody the worker may allocate (Pat is a police officer): the
    # form is not sent; the error names the field and the search says what to try.
    search.fill(police_officer.first_name)
    page.get_by_role("button", name="Allocate").click()
    summary = page.locator(".govuk-error-summary")
    assert f"No social worker matches “{police_officer.first_name}”" in summary.inner_text()
    assert (
        "Check the spelling or enter part of the name only"
        in page.locator(".app-picker__none").inner_text()
    )
    # A search that finds nobody: the message saying so takes the focus.
    search.fill("zzz")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_function("document.activeElement.classList.contains('app-picker__none')")
    assert "No social worker matches “zzz”" in page.evaluate("document.activeElement.textContent")
    page.get_by_role("button", name="Allocate").click()
    summary = page.locator(".govuk-error-summary")
    # The error summary's link goes to the search box.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name") == "worker-q"

    # Search (Enter in the box searches with this picker's own button), then choose.
    search.fill("colleague")
    search.press("Enter")
    page.wait_for_load_state("load")
    assert page.locator(".govuk-error-summary").count() == 0
    choice = page.get_by_role("radio", name="Cara Colleague", exact=True)
    # The first result has the focus: the person carries on from the results.
    page.wait_for_function("document.activeElement.type === 'radio'")
    assert page.evaluate("document.activeElement.labels[0].textContent.trim()") == (
        "Cara Colleague"
    )
    assert "Assessment Team North" in page.locator(".app-picker").inner_text()
    assert page.get_by_role("radio", name=police_officer.get_full_name()).count() == 0
    choice.check()
    page.get_by_role("button", name="Allocate").click()
    banner = page.locator(".govuk-notification-banner--success")
    assert "Cara Colleague is allocated" in banner.inner_text()
    assert child.involvements.filter(
        practitioner=colleague, role=InvolvementRole.ALLOCATED_SOCIAL_WORKER, ended_on=None
    ).exists()
