"""The case in the browser (issue 14's acceptance): each journey starts at sign-in on the
home page and goes by links, searches, pickers and forms; no address and no identifier
is typed.

1. A school refers; the front door accepts (the episode of need opens with the one
   working day decision); the front door allocates the social worker; she records the
   assessment and the strategy discussion (the section 47 enquiry starts, the initial
   conference due in 15 working days) and the conference's plan. A health visitor then
   finds the flag by a search; the plan is reviewed, and a second review ends it.
2. A looked-after child: the social worker ends the carer's relationship (it stays on the
   case as history), starts the episode, then records a change of placement (a new
   episode, as the SSDA903 counts them).
3. A looked-after child's review (with the child's participation, chosen in plain
   English), a missing episode and the child's return with the return interview, and a
   correction of the review chosen from the case, whose earlier version stays in the
   history.
"""

import datetime as dt

import pytest
from django.utils import timezone

from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.cases import actions as case_actions
from sightline.cases import models as case_models
from sightline.people.models import InvolvementRole, RelationshipKind
from sightline.testing import factories
from sightline.testing.browser import ARTIFACTS, pick

PASSWORD = "correct horse battery staple"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def front_door(agencies):
    return factories.TeamFactory.create(
        agency=agencies["CSC"], name="Front Door", duty_email="front.door@example.org"
    )


@pytest.fixture
def duty_worker(agencies, front_door):
    return factories.UserFactory.create(
        username="dev.duty",
        first_name="Dev",
        last_name="Duty",
        agency=agencies["CSC"],
        team=front_door,
        role=Role.PRACTITIONER,
    )


@pytest.fixture
def school_lead(agencies, unallocated_child):
    school = factories.TeamFactory.create(agency=agencies["EDUCATION"], name="Leeds Primary")
    lead = factories.UserFactory.create(
        username="sam.school",
        first_name="Sam",
        last_name="School",
        agency=agencies["EDUCATION"],
        team=school,
        role=Role.PRACTITIONER,
    )
    factories.InvolvementFactory.create(
        person=unallocated_child,
        practitioner=lead,
        agency=agencies["EDUCATION"],
        role=InvolvementRole.SCHOOL_SAFEGUARDING_LEAD,
        started_on=dt.date(2024, 1, 1),
    )
    return lead


@pytest.fixture
def health_visitor(agencies):
    team = factories.TeamFactory.create(agency=agencies["HEALTH"], name="Health Visiting")
    return factories.UserFactory.create(
        username="hana.visitor",
        first_name="Hana",
        last_name="Visitor",
        job_title="Health visitor",
        agency=agencies["HEALTH"],
        team=team,
        role=Role.PRACTITIONER,
    )


@pytest.fixture
def unallocated_child(agencies, social_worker):
    """A child the social worker is not yet allocated to (the front door allocates)."""
    return factories.PersonFactory.create(
        given_name="Robin", family_name="Casechild", date_of_birth=dt.date(2019, 5, 2)
    )


class Journey:
    """One signed-in browser context per person; a screenshot of the last page on failure."""

    def __init__(self, browser, live_server):
        self.browser = browser
        self.live_server = live_server
        self.contexts = []
        self.errors: list[str] = []
        self.page = None

    def sign_in(self, user):
        context = self.browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)  # a shared machine under load is slow
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        # The home page: the only address opened (a first page can be slow on a shared machine).
        page.goto(f"{self.live_server.url}/", timeout=60_000)
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        self.page = page
        return page

    def close(self, name):
        if self.page is not None:
            ARTIFACTS.mkdir(exist_ok=True)
            self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        for context in self.contexts:
            context.close()


def find_child(page, given, family, born):
    page.get_by_role("link", name="Find a child").first.click()
    page.get_by_label("Name").fill(f"{given} {family}")
    fill_date(page, "date_of_birth", born)
    page.get_by_role("button", name="Search").click()
    return page.locator("#search-results")


def open_child(page, given, family, born):
    find_child(page, given, family, born).get_by_role("link", name=f"{given} {family}").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"{given} {family}"


def fill_date(page, field, day):
    page.locator(f"#id_{field}_0").fill(str(day.day))
    page.locator(f"#id_{field}_1").fill(str(day.month))
    page.locator(f"#id_{field}_2").fill(str(day.year))


def case_tab(page):
    page.get_by_role("tab", name="Case").click()
    panel = page.locator("#case-panel")
    panel.wait_for()
    return panel


def step(page, link_text):
    case_tab(page).get_by_role("link", name=link_text).click()
    page.get_by_role("heading", level=1).wait_for()


def saved(page):
    """Back on the child's page after a step: the banner's text."""
    banner = page.locator(".govuk-notification-banner--success")
    banner.wait_for()
    return banner.inner_text()


def test_a_schools_referral_becomes_a_plan_that_a_health_visitor_finds_and_that_ends(
    live_server,
    browser,
    agencies,
    unallocated_child,
    school_lead,
    front_door,
    duty_worker,
    social_worker,
    health_visitor,
):
    child = unallocated_child
    born = child.date_of_birth
    today = timezone.localdate()
    journey = Journey(browser, live_server)
    try:
        # The school's safeguarding lead refers from the child's page.
        page = journey.sign_in(school_lead)
        open_child(page, "Robin", "Casechild", born)
        page.locator("#make-referral").click()
        pick(page, "to_team", "front door", "Front Door")
        page.get_by_label("Amber").check()
        page.get_by_label("Why are you referring?").fill("Bruising seen at school")
        page.get_by_label("What are you sharing with them?").fill("Body map")
        page.get_by_label("Given", exact=True).check()
        page.get_by_label("Yes", exact=True).check()
        page.get_by_role("button", name="Send referral").click()
        assert "Awaiting acknowledgement" in page.locator("#referral-status").inner_text()

        # The front door acknowledges and accepts: the episode opens, and the clock with it.
        page = journey.sign_in(duty_worker)
        page.locator("#nav-inbox").click()
        page.locator("#to-acknowledge").get_by_role("link", name="Robin Casechild").click()
        page.locator("#acknowledge").click()
        page.get_by_label("Accepted").check()
        page.get_by_label("Reason").fill("Child and family assessment")
        page.get_by_role("button", name="Record outcome").click()
        assert "Accepted" in page.locator("#referral-outcome").inner_text()
        open_child(page, "Robin", "Casechild", born)
        panel = case_tab(page)
        assert f"Referred {today.day} {today:%B %Y}" in panel.inner_text()
        assert "Schools" in panel.inner_text()
        # The clock: the decision on the referral is due within one working day.
        page.get_by_role("tab", name="Decisions").click()
        page.locator("#decisions").get_by_text("Decision on a referral: due").wait_for()

        # ... and allocates the social worker, chosen by a search.
        step(page, "Allocate or reallocate a social worker")
        page.get_by_label("Search for a social worker by name or team").fill("Sally")
        page.get_by_role("button", name="Search").click()
        page.get_by_label("Sally Social").check()
        fill_date(page, "started_on", today)
        page.get_by_role("button", name="Allocate").click()
        assert "Sally Social is allocated" in saved(page)

        # The social worker: assessment, strategy discussion, conference.
        page = journey.sign_in(social_worker)
        open_child(page, "Robin", "Casechild", born)
        assert "Sally Social, Assessment Team North" in case_tab(page).inner_text()
        step(page, "Record an assessment")
        fill_date(page, "started_on", today)
        # A mistake first: authorised before it started gets a GOV.UK error summary.
        fill_date(page, "authorised_on", today - dt.timedelta(days=1))
        page.get_by_role("button", name="Save the assessment").click()
        summary = page.locator(".govuk-error-summary")
        assert "The authorisation date must be on or after the start date" in summary.inner_text()
        fill_date(page, "authorised_on", today)
        page.get_by_label("Physical abuse").first.check()
        page.get_by_role("button", name="Save the assessment").click()
        assert "Assessment recorded" in saved(page)

        step(page, "Record a strategy discussion")
        fill_date(page, "held_on", today)
        page.get_by_label("Yes: start a section 47 enquiry").check()
        page.get_by_role("button", name="Save the strategy discussion").click()
        assert "the section 47 enquiry has started" in saved(page)
        assert (
            "Section 47 enquiry started: initial conference due by" in case_tab(page).inner_text()
        )

        step(page, "Record the initial conference")
        fill_date(page, "held_on", today)
        page.get_by_label("A child protection plan").check()
        page.get_by_label("Neglect").check()
        page.get_by_role("button", name="Save the conference").click()
        assert "a child protection plan (neglect) has started" in saved(page)
        plan = case_tab(page).locator("#current-plan").inner_text()
        assert f"From {today.day} {today:%B %Y}" in plan
        assert "Neglect" in plan
        assert "NEG" not in plan.split("Codes for the returns")[0]

        # A health visitor with no relationship finds the flag by a search.
        page = journey.sign_in(health_visitor)
        results = find_child(page, "Robin", "Casechild", born)
        assert "Child protection flag" in results.inner_text()

        # The review is held, and a later review ends the plan.
        page = journey.sign_in(social_worker)
        open_child(page, "Robin", "Casechild", born)
        step(page, "Record a plan review")
        fill_date(page, "held_on", today)
        page.get_by_label("Yes: the plan continues").check()
        page.get_by_role("button", name="Save the review").click()
        assert "Review recorded: the plan continues" in saved(page)
        step(page, "Record a plan review")
        fill_date(page, "held_on", today)
        page.get_by_label("No: the plan ends").check()
        page.get_by_role("button", name="Save the review").click()
        assert "the plan has ended" in saved(page)
        assert "#current-plan" not in page.content()
        assert journey.errors == []
    finally:
        journey.close("case-journey-plan")
    plan = case_models.ChildProtectionPlan.objects.current().get(child=child)
    assert (plan.initial_category, plan.end_date) == ("NEG", today)
    assert case_models.ChildProtectionReview.objects.current().filter(plan=plan).count() >= 1


def test_a_looked_after_childs_placement_changes(
    live_server, browser, agencies, child, social_worker
):
    today = timezone.localdate()
    started = today - dt.timedelta(days=30)
    carer = factories.RelationshipFactory.create(
        person=factories.PersonFactory.create(given_name="Chris", family_name="Carer"),
        relative=child,
        kind=RelationshipKind.CARER,
        lives_with=True,
        started_on=today - dt.timedelta(days=400),
    )
    journey = Journey(browser, live_server)
    try:
        page = journey.sign_in(social_worker)
        open_child(page, "Jamie", "Testchild", child.date_of_birth)
        # The carer stopped caring when the child came into care.
        case_tab(page).get_by_role("link", name="End the relationship with Chris Carer").click()
        page.get_by_role("button", name="End the relationship").click()
        summary = page.locator(".govuk-error-summary").inner_text()
        assert "Enter the date the relationship ended" in summary
        fill_date(page, "ended_on", started - dt.timedelta(days=1))
        page.get_by_label("Why did it end?").fill("Chris stopped caring for Jamie")
        page.get_by_role("button", name="End the relationship").click()
        assert "Chris Carer: the relationship has ended." in saved(page)
        family = case_tab(page).locator("#case-family").inner_text()
        ended = started - dt.timedelta(days=1)
        assert f"until {ended.day} {ended:%B %Y}" in family
        step(page, "Start to look after the child")
        fill_date(page, "started_on", started)
        page.get_by_label("Legal status").select_option(
            label="Accommodated under section 20 (single period)"
        )
        page.get_by_label("Category of need").select_option(label="Abuse or neglect")
        page.get_by_label("Placement type").select_option(index=1)
        page.get_by_label("Placement provider").select_option(index=1)
        page.get_by_role("button", name="Save the episode").click()
        assert "looked after from" in saved(page)

        step(page, "Change the legal status or placement")
        # Bad input first: a change before the episode started.
        fill_date(page, "changed_on", started - dt.timedelta(days=1))
        page.get_by_label("The placement").check()
        page.get_by_role("button", name="Save the change").click()
        summary = page.locator(".govuk-error-summary").inner_text()
        assert "The change cannot be before the current episode started" in summary
        assert "Select the new placement type" in summary
        fill_date(page, "changed_on", today)
        page.get_by_label("New placement type").select_option(index=2)
        page.get_by_label("New placement provider").select_option(index=1)
        page.get_by_label("No", exact=True).check()
        page.get_by_role("button", name="Save the change").click()
        assert "a new looked-after episode has started" in saved(page)
        table = case_tab(page).locator("#looked-after").inner_text()
        assert f"{today.day} {today:%B %Y}" in table
        assert "Now" in table
        assert journey.errors == []
    finally:
        journey.close("case-journey-looked-after")
    episodes = list(
        case_models.LookedAfterEpisode.objects.current().filter(child=child).order_by("decom")
    )
    assert [(e.decom, e.dec, e.rec) for e in episodes] == [
        (started, today, "X1"),
        (today, None, ""),
    ]
    assert episodes[1].rne == "P"
    carer.refresh_from_db()
    assert carer.ended_on == started - dt.timedelta(days=1)


def test_a_looked_after_childs_review_missing_episode_and_a_correction(
    live_server, browser, agencies, child, social_worker
):
    today = timezone.localdate()
    started = today - dt.timedelta(days=40)
    case_actions.start_looked_after(
        actor=social_worker,
        origin=CLI,
        child=child,
        decom=started,
        ls="C2",
        cin="N1",
        place="U1",
        place_provider="PR1",
    )
    long_today = f"{today.day} {today:%B %Y}"
    journey = Journey(browser, live_server)
    try:
        page = journey.sign_in(social_worker)
        open_child(page, "Jamie", "Testchild", child.date_of_birth)

        # The review: a mistake first (no participation), then the wrong answer saved.
        step(page, "Record a looked-after review")
        fill_date(page, "held_on", today)
        page.get_by_role("button", name="Save the review").click()
        summary = page.locator(".govuk-error-summary").inner_text()
        assert "Select how the child took part in the review" in summary
        page.get_by_label("Child did not attend or convey their views").check()
        page.get_by_role("button", name="Save the review").click()
        assert "Looked-after review recorded" in saved(page)
        assert (
            f"{long_today}: Child did not attend or convey their views"
            in case_tab(page).locator("#looked-after-reviews").inner_text()
        )

        # Missing, then back with a return interview offered and accepted.
        step(page, "Record the child missing or away from placement")
        page.get_by_label("Missing: the child's whereabouts were not known").check()
        fill_date(page, "started_on", today - dt.timedelta(days=2))
        page.get_by_role("button", name="Save").click()
        assert "record the child's return when they are back" in saved(page)
        step(page, "Record the child's return")
        fill_date(page, "ended_on", today)
        page.get_by_role("group", name="Was the child offered a return interview?").get_by_label(
            "Yes"
        ).check()
        page.get_by_role("group", name="Did the child accept the return interview?").get_by_label(
            "Yes"
        ).check()
        page.get_by_role("button", name="Save the return").click()
        assert "The child's return is recorded" in saved(page)
        missing = case_tab(page).locator("#missing-episodes").inner_text()
        assert "Offered and accepted" in missing

        # The review's participation was wrong: chosen from the case and corrected.
        case_tab(page).get_by_role("link", name="Correct or withdraw a record").click()
        page.get_by_label(
            f"Looked-after review on {long_today} (child did not attend or convey their views)"
        ).check()
        page.get_by_label("Correct it: some of what was recorded is wrong").check()
        page.get_by_role("button", name="Continue").click()
        # The answer recorded is ticked; the right one is chosen instead.
        assert page.get_by_label("Child did not attend or convey their views").is_checked()
        page.get_by_label("Child physically attended and spoke for themselves").check()
        page.get_by_label("Why is it corrected?").fill("The child came and spoke")
        page.get_by_role("button", name="Save the correction").click()
        assert "corrected" in saved(page)
        panel = case_tab(page)
        assert (
            f"{long_today}: Child physically attended and spoke for themselves"
            in panel.locator("#looked-after-reviews").inner_text()
        )
        history = panel.locator("#case-history").inner_text()
        assert f"corrected on {long_today} by Sally Social" in history
        assert "The child came and spoke" in history

        # The chronology shows the review as social care's event, corrected.
        entry = page.locator("#chronology-results").get_by_text("The child came and spoke")
        entry.first.wait_for()
        assert journey.errors == []
    finally:
        journey.close("case-journey-review-missing-correction")
    review = case_models.LookedAfterReview.objects.current().get(child=child)
    assert review.review_code == "PN1"
    assert review.supersedes is not None
    assert review.supersedes.review_code == "PN7"
    episode = case_models.MissingEpisode.objects.current().get(child=child)
    assert (episode.mis_end, episode.rhi_offered, episode.rhi_accepted) == (today, True, True)
