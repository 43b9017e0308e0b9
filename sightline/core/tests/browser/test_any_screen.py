"""Every role's main pages fit the screen: on a phone (390 px) and a laptop (1366 px) no
page scrolls sideways and no table runs out of its column; a wide table scrolls inside
its own box. Each page is also checked with axe-core (the ``page`` fixture)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.chronology.models import Category, Significance
from sightline.governance.models import DisposalProposal
from sightline.linkage.models import MatchReview
from sightline.sharing import actions
from sightline.testing import factories
from sightline.testing.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery staple"  # UserFactory's
WIDTHS = (390, 1366)


@pytest.fixture
def partnership_manager(agencies):
    return factories.UserFactory.create(
        username="paula.partnership",
        first_name="Paula",
        agency=agencies["CSC"],
        role=Role.PARTNERSHIP_BUSINESS_MANAGER,
    )


@pytest.fixture
def casework(agencies, child, social_worker, team_manager, police_officer):
    """Something on each page: events in the child's chronology, a second worker in the
    team (the manager's caseload table), a referral for the team to acknowledge (the
    inbox's tables, which once made the page scroll sideways on a phone)."""
    record = factories.SourceRecordFactory.create(
        agency=agencies["POLICE"], person=child, record_id="POLICE-1"
    )
    start = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
    for i in range(6):
        factories.ChronologyEventFactory.create(
            subject_record=record,
            occurred_at=start + dt.timedelta(days=i),
            category=Category.objects.get(code="concern_for_welfare"),
            summary=f"Concern for welfare number {i} with a long-enough summary to wrap",
            significance=Significance.MEDIUM,
        )
    factories.UserFactory.create(
        username="wes.worker",
        first_name="Wes",
        agency=agencies["CSC"],
        team=social_worker.team,
        role=Role.PRACTITIONER,
    )
    actions.raise_referral(
        actor=police_officer,
        person=child,
        to_team=social_worker.team.pk,
        urgency="amber",
        reason="Found alone at the bus station late at night, would not say where they live",
        shared="Officer's notes of the conversation",
        origin=CLI,
    )
    return child


def too_wide(page):
    """What sticks out: the elements past the window if the page scrolls sideways, and any
    table, image or preformatted text wider than its column and not in a box that scrolls
    (it would run over the column beside it). Read once the page has loaded."""
    page.wait_for_load_state("load")
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
            + (typeof e.className === 'string' && e.className.trim()
               ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
          const out = [];
          if (root.scrollWidth > root.clientWidth) {
            out.push(...[...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1)
              .slice(0, 8).map(name));
          }
          const main = document.querySelector('main') || document.body;
          for (const e of main.querySelectorAll('table, img, pre')) {
            const column = e.closest('[class*="govuk-grid-column"]') || main;
            let scrolls = false;
            for (let p = e.parentElement; p && p !== column; p = p.parentElement) {
              if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) scrolls = true;
            }
            const edge = column.getBoundingClientRect().right
              - parseFloat(getComputedStyle(column).paddingRight);
            if (!scrolls && e.getBoundingClientRect().right > edge + 1) {
              out.push(name(e) + ' wider than its column');
            }
          }
          return out;
        }"""
    )


@pytest.fixture
def data_quality_officer(agencies):
    return factories.UserFactory.create(
        username="dana.quality", first_name="Dana", agency=agencies["CSC"], role=Role.DATA_QUALITY
    )


@pytest.fixture
def governance_officer(agencies):
    return factories.UserFactory.create(
        username="ivo.governance",
        first_name="Ivo",
        agency=agencies["CSC"],
        role=Role.INFORMATION_GOVERNANCE,
    )


@pytest.fixture
def records_work(agencies, casework):
    """A possible duplicate to review and a record proposed for disposal, so the records
    officers' lists have rows."""
    a, b = (
        factories.SourceRecordFactory.create(agency=agencies[code], record_id=f"{code}-DUP")
        for code in ("HEALTH", "EDUCATION")
    )
    MatchReview.objects.create(
        record_a=a,
        record_b=b,
        probability=0.9,
        evidence=[],
        evidence_key="dup",
        model_version="test-model",
        proposed_at=timezone.now(),
    )
    person = factories.PersonFactory.create()
    DisposalProposal.objects.create(
        person=person,
        person_ref=person.public_id,
        kind="adult",
        rule=factories.default_retention_schedule()["adult"],
        due_on=dt.date(2026, 1, 1),
        as_of=dt.date(2026, 1, 1),
        proposed_at=timezone.now(),
    )
    return casework


def sign_in(page, live_server, user) -> None:
    page.set_default_timeout(30_000)  # a first page on a busy machine
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def navigation_links(page):
    """The sections the service navigation offers this user (not "Sign out")."""
    return page.locator("#navigation a.govuk-service-navigation__link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "persona",
    [
        "social_worker",
        "team_manager",
        "police_officer",
        "panel_analyst",
        "administrator",
        "partnership_manager",
        "data_quality_officer",
        "governance_officer",
    ],
)
def test_each_roles_main_pages_never_scroll_sideways(
    page, live_server, request, records_work, persona, width
):
    casework = records_work
    user = request.getfixturevalue(persona)
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, live_server, user)
    pages = ["/", *(href for href in navigation_links(page) if href != "/")]
    assert len(pages) >= 2, "the navigation offers nothing"
    if persona in {"social_worker", "police_officer"}:
        pages.append(f"/people/{casework.public_id}/")
    problems = {}
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        wide = too_wide(page)
        if wide:
            problems[path] = wide
    if problems:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"any-screen-{persona}-{width}.png"), full_page=True)
    assert problems == {}, f"pages scroll sideways or overflow at {width} px: {problems}"
    assert page.console_errors == []


def test_the_caseload_table_scrolls_in_its_own_box_on_a_phone(
    page, live_server, team_manager, casework
):
    """The manager's caseload table sits in a box that scrolls if the table outgrows a
    phone; the page itself does not scroll, and the menu folds behind its button."""
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, team_manager)
    box = page.locator(".app-table-scroll", has=page.locator("#caseload"))
    assert box.count() == 1
    assert too_wide(page) == []
    assert box.evaluate("b => getComputedStyle(b).overflowX") == "auto"
    menu = page.get_by_role("button", name=re.compile("Menu"))
    assert menu.is_visible()
