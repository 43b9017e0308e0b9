"""A social worker signs in, finds a child, reads the chronology and filters it."""

import datetime as dt
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from sightline.chronology.models import Category, Significance
from sightline.testing import factories
from sightline.testing.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AGENCY_CODES = ("CSC", "POLICE", "HEALTH", "EDUCATION")
PASSWORD = "correct horse battery staple"  # UserFactory's


@pytest.fixture
def chronology(agencies, child):
    """60 events from four agencies, an hour apart, and one corrected event."""
    records = {
        code: factories.SourceRecordFactory.create(
            agency=agencies[code], person=child, record_id=f"{code}-1"
        )
        for code in AGENCY_CODES
    }
    categories = {
        "CSC": "home_visit",
        "POLICE": "concern_for_welfare",
        "HEALTH": "was_not_brought",
        "EDUCATION": "persistent_absence",
    }
    start = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    events = []
    for i in range(60):
        code = AGENCY_CODES[i % 4]
        events.append(
            factories.ChronologyEventFactory.create(
                subject_record=records[code],
                occurred_at=start + dt.timedelta(days=i, hours=i % 5),
                date_only=(code == "EDUCATION"),
                category=Category.objects.get(code=categories[code]),
                summary=f"{code.title()} entry {i}",
                significance=[Significance.HIGH, Significance.MEDIUM, Significance.LOW][i % 3],
                practitioner="A. Practitioner",
            )
        )
    first = events[0]
    factories.ChronologyEventFactory.create(
        subject_record=first.subject_record,
        event_id=first.event_id,
        revision=2,
        supersedes=first,
        occurred_at=first.occurred_at,
        category=first.category,
        summary="Csc entry 0, corrected",
    )
    return events


def timeline(page):
    """(agency code, ISO time) of each event shown, in page order."""
    return page.locator("#chronology-events .app-chronology__item").evaluate_all(
        "items => items.map(i => [i.dataset.agency, i.dataset.occurredAt])"
    )


def test_a_social_worker_finds_a_child_and_filters_the_chronology(
    page, live_server, social_worker, child, chronology
):
    page.goto(f"{live_server.url}/")
    # Signing in
    assert page.url.startswith(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(social_worker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Sally"
    # GOV.UK Frontend's JavaScript ran (init.js, a module, without inline script).
    # (Playwright's expect polls from the test: a string predicate would be evaluated in
    # the page, which the strict CSP refuses as soon as the first check is false.)
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))

    # Finding the child
    page.get_by_role("link", name="Find a child").first.click()
    page.get_by_label("Name").fill("Jamie")
    page.get_by_label("Postcode").fill(child.postcode)  # a name alone is too little
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Jamie Testchild").click()
    page.wait_for_url(f"**/people/{child.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Jamie Testchild"
    # The tabs component is initialised only when component JavaScript runs.
    page.wait_for_selector(".govuk-tabs__list-item--selected")
    tabs = page.locator(".govuk-tabs__list-item").count()
    assert page.locator(".govuk-tabs__panel--hidden").count() == tabs - 1

    # Panels other parts provide load through htmx when their tab is first shown.
    page.get_by_role("tab", name="Decisions").click()
    page.wait_for_selector("#assessments-panel-heading")
    page.get_by_role("tab", name="Outside the home").click()
    page.wait_for_selector("#network-panel-heading")

    # The chronology: four agencies, in time order, 50 to a page.
    shown = timeline(page)
    assert len(shown) == settings.SIGHTLINE_CHRONOLOGY_PAGE_SIZE
    assert {agency for agency, _ in shown} == set(AGENCY_CODES)
    times = [dt.datetime.fromisoformat(when) for _, when in shown]
    assert times == sorted(times)
    assert "Showing 1 to 50 of 61 events" in page.locator("#chronology-count").inner_text()
    superseded = page.locator(".app-chronology__item--superseded")
    assert superseded.count() == 1
    assert "Superseded by a correction" in superseded.inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "child-page.png"))
    page.screenshot(path=str(ARTIFACTS / "child-page-full.png"), full_page=True)

    # Filtering by agency: htmx fetches the fragment and swaps it in, no page load.
    page.evaluate("window.stillTheSamePage = true")
    with page.expect_response(lambda r: f"/people/{child.public_id}/chronology/" in r.url) as got:
        page.get_by_label("West Yorkshire Police").check()
    assert got.value.status == 200
    assert got.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#chronology-count")).to_contain_text("match the filters")
    shown = timeline(page)
    assert {agency for agency, _ in shown} == {"POLICE"}
    assert len(shown) == 15
    assert page.evaluate("window.stillTheSamePage") is True
    # The address bar shows the full page with the filters (HX-Push-Url), for reload.
    assert page.url.startswith(f"{live_server.url}/people/{child.public_id}/?")
    assert "agency=POLICE" in page.url

    # Newest first, also through htmx.
    with page.expect_response(lambda r: "/chronology/" in r.url):
        page.get_by_label("Newest first").check()
    expect(page.locator("#chronology-count")).to_contain_text("newest first")
    times = [dt.datetime.fromisoformat(when) for _, when in timeline(page)]
    assert times == sorted(times, reverse=True)

    assert page.console_errors == []


def page_scrolls_sideways(page) -> bool:
    """The page is wider than the window: it scrolls sideways (a table scrolling inside
    its own box does not count). Read once the page has loaded (straight after a click
    the next document can be arriving, with no root element yet)."""
    page.wait_for_load_state("load")
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
    )


@pytest.mark.parametrize("width", [390, 1366])
def test_the_childs_page_never_scrolls_sideways(
    page, live_server, social_worker, child, chronology, width
):
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(social_worker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert not page_scrolls_sideways(page), "the home page scrolls sideways"
    # On a phone the navigation sits behind its menu button.
    menu = page.get_by_role("button", name=re.compile("Menu"))
    if menu.count() and menu.first.is_visible():
        menu.first.click()
    page.get_by_role("link", name="Find a child").first.click()
    page.get_by_label("Name").fill("Jamie")
    page.get_by_label("Postcode").fill(child.postcode)
    page.get_by_role("button", name="Search").click()
    assert not page_scrolls_sideways(page), "the search results scroll sideways"
    page.get_by_role("link", name="Jamie Testchild").click()
    page.wait_for_url(f"**/people/{child.public_id}/")
    page.wait_for_selector(".govuk-tabs__list-item--selected, .govuk-tabs__list-item")
    if page_scrolls_sideways(page):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"child-page-{width}.png"), full_page=True)
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id)"""
        )
        pytest.fail(f"the child's page scrolls sideways at {width} px; too wide: {wide}")
