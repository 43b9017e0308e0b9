"""Two practitioners' journeys from signing in to the result, never typing an address or
an identifier: a social worker works through what "Your work" shows them (a referral
accepted, the decision it opens, the challenge to that decision, an entry in the
chronology) until the counts drop; a health visitor finds a child, sees the child
protection flag, adds a health contact to the chronology, refers the child to the front
door and follows the referral from home. Every page visited is checked with axe-core by
the ``page`` fixture."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from sightline.accounts.models import User
from sightline.agencies.models import Agency, Team
from sightline.assessments.models import Challenge, ChallengeStatus, Decision
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import Category, ChronologyEvent
from sightline.people.models import InvolvementRole
from sightline.sharing import actions as sharing
from sightline.sharing.models import Referral, ReferralStatus
from sightline.testing import factories
from sightline.testing.browser import pick

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery staple"  # UserFactory's


def sign_in(page, live_server, user: User) -> None:
    page.set_default_timeout(30_000)  # the machine is shared; a first page can be slow
    page.goto(f"{live_server.url}/")  # the sign-in page: the journey's start
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def work(page, key: str) -> str:
    return str(page.locator(f"#work-{key}").inner_text())


def go_home(page) -> None:
    page.get_by_role("link", name="Sightline").first.click()
    page.wait_for_selector("#your-work")


def fill_date(page, group: str, day: dt.date) -> None:
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(day.day))
    fields.get_by_label("Month").fill(str(day.month))
    fields.get_by_label("Year").fill(str(day.year))


def test_a_social_worker_works_through_what_is_waiting_until_the_counts_drop(
    page, live_server, social_worker, police_officer, child, csc_team, agencies
):
    # The child was referred two months ago: a decision on a new referral that does not
    # record the history considered is challenged ("start again").
    factories.ChronologyEventFactory.create(
        subject_record=factories.SourceRecordFactory.create(
            person=child, agency=agencies["POLICE"]
        ),
        category=Category.objects.get(code="referral"),
        occurred_at=timezone.now() - dt.timedelta(days=60),
        summary="Referred to social care after a missing episode.",
    )
    sharing.raise_referral(
        actor=police_officer,
        person=child,
        to_team=csc_team.pk,
        urgency="amber",
        reason="Found at an address linked to exploitation.",
        shared="The address and who was there.",
        origin=CLI,
    )
    sharing.deliver_alerts()  # the worker's job: the team's duty inbox is alerted

    sign_in(page, live_server, social_worker)
    assert work(page, "referrals-to-acknowledge") == "Referrals to acknowledge: 1"
    assert work(page, "steps-due").endswith(": 0")
    assert work(page, "challenges-to-answer") == "Challenges to answer: 0"
    assert work(page, "unread-alerts") == "Unread alerts: 1"  # the referral's arrival

    # The alerts, read; the referral: acknowledged, then accepted; the decision step
    # opens on the clock.
    page.locator("#work-unread-alerts").get_by_role("link").click()
    assert "Amber referral from West Yorkshire Police" in page.locator("#alerts").inner_text()
    page.get_by_role("button", name="Mark as read").click()
    assert page.locator("#unread-count").inner_text() == "0 unread"
    go_home(page)
    assert work(page, "unread-alerts") == "Unread alerts: 0"
    page.locator("#work-referrals-to-acknowledge").get_by_role("link").click()
    page.locator("#to-acknowledge").get_by_role("link", name="Jamie Testchild").click()
    page.get_by_role("button", name="Acknowledge").click()
    assert "Referral acknowledged" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Record outcome").click()
    step = page.locator("#decision-step")
    assert "Next: the decision on the referral" in step.inner_text()
    assert re.search(r"by \d{1,2} [A-Z][a-z]+ \d{4}", step.inner_text())  # a date in words

    # Home: the referral is no longer waiting; the step is due.
    go_home(page)
    assert work(page, "referrals-to-acknowledge") == "Referrals to acknowledge: 0"
    assert work(page, "steps-due").endswith(": 1")
    page.locator("#work-steps-due").get_by_role("link").click()
    steps = page.locator("#my-steps")
    assert "Decision on a referral" in steps.inner_text()
    steps.get_by_role("link", name=re.compile("Record the decision")).click()
    assert "counted in working days" in page.locator("#step-due").inner_text()

    # The decision, without the history: a mistake first, then recorded, and challenged.
    page.get_by_role("button", name="Record the decision").click()
    assert "Choose the decision" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Assessment", exact=True).check()
    page.get_by_label("Reasons for the decision").fill("Exploitation concerns need assessing.")
    page.get_by_role("button", name="Record the decision").click()
    assert "Decision recorded and challenged" in page.content()
    decision = Decision.objects.get(child=child)
    assert decision.made_by == social_worker

    # Home: the step is done, a challenge waits; answered from where the count leads.
    go_home(page)
    assert work(page, "steps-due").endswith(": 0")
    assert work(page, "challenges-to-answer") == "Challenges to answer: 1"
    page.locator("#work-challenges-to-answer").get_by_role("link").click()
    page.locator("#to-answer").get_by_role(
        "link", name=re.compile("Jamie Testchild: repeat referral")
    ).click()
    page.get_by_label("Why the decision stands").fill(
        "The earlier referral was about a missing episode; this one is about an address "
        "linked to exploitation, and an assessment is under way."
    )
    page.get_by_role("button", name="Keep the decision and record why").click()
    assert "Rationale recorded" in page.content()
    assert Challenge.objects.get(decision=decision).status == ChallengeStatus.RATIONALE_RECORDED

    # The child's page: an entry added to the chronology, then seen there.
    go_home(page)
    page.locator("#my-children").get_by_role("link", name="Jamie Testchild").click()
    page.get_by_role("link", name="Add to the chronology").click()
    fill_date(page, "When did it happen?", timezone.localdate())
    page.get_by_label("What happened?").select_option(label="Home visit")
    page.get_by_label("Medium").check()
    page.get_by_label("Summary").fill("Visited at home with mother; Jamie seen alone.")
    page.get_by_role("button", name="Add to the chronology").click()
    assert "Added to the chronology" in page.locator(".govuk-notification-banner").inner_text()
    chronology = page.locator("#chronology-events").inner_text()
    assert "Visited at home with mother" in chronology
    # What was done on the way is there too: the referral accepted, the decision.
    assert "decided the amber referral from West Yorkshire Police: accepted" in chronology
    assert "Decision on a referral: assessment" in chronology
    assert ChronologyEvent.objects.filter(person=child, category__code="home_visit").exists()

    # Home again: every count that was waiting has dropped.
    go_home(page)
    assert work(page, "referrals-to-acknowledge") == "Referrals to acknowledge: 0"
    assert work(page, "steps-due").endswith(": 0")
    assert work(page, "challenges-to-answer") == "Challenges to answer: 0"
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page.locator("main").inner_text())
    assert AuditEvent.objects.filter(
        action=AuditAction.RECORD_REFERRAL_OUTCOME, actor=social_worker
    ).exists()
    # The page's own scripts failed nowhere (the refused form's 400 is not a failure).
    assert [e for e in page.console_errors if "status of 400" not in e] == []


@pytest.fixture
def health_visitor(agencies: dict[str, Agency]) -> User:
    team = factories.TeamFactory.create(agency=agencies["HEALTH"], name="Health Visiting East")
    return factories.UserFactory.create(
        username="hana.health",
        first_name="Hana",
        last_name="Health",
        agency=agencies["HEALTH"],
        team=team,
        role="practitioner",
    )


@pytest.fixture
def front_door(agencies: dict[str, Agency]) -> Team:
    return factories.TeamFactory.create(agency=agencies["CSC"], name="Front Door")


def test_a_health_visitor_finds_a_flagged_child_adds_a_contact_refers_and_follows_it(
    page, live_server, health_visitor, front_door, police_officer, agencies
):
    born = timezone.localdate() - dt.timedelta(days=300)
    baby = factories.PersonFactory.create(
        given_name="Riley", family_name="Cradle", date_of_birth=born
    )
    factories.InvolvementFactory.create(
        person=baby,
        practitioner=health_visitor,
        agency=agencies["HEALTH"],
        role=InvolvementRole.HEALTH_VISITOR,
        started_on=timezone.localdate() - dt.timedelta(days=280),
    )
    factories.StatusPeriodFactory.create(
        person=baby,
        kind="child_protection",
        started_on=timezone.localdate() - dt.timedelta(days=90),
        recorded_by_agency=agencies["CSC"],
    )
    # Police intelligence, whose detail a health visitor may not read: the read side
    # says that it is known and who to ask, never the detail.
    factories.ChronologyEventFactory.create(
        subject_record=factories.SourceRecordFactory.create(person=baby, agency=agencies["POLICE"]),
        category=Category.objects.get(code="exploitation_intelligence"),
        occurred_at=timezone.now() - dt.timedelta(days=20),
        summary="The father's associate deals from the flat; informant's name withheld.",
    )
    # Someone with the same name part, in no relation: never shown with a link.
    factories.PersonFactory.create(given_name="Riley", family_name="Crane")

    sign_in(page, live_server, health_visitor)
    assert (
        "Practitioner at Leeds Health, Health Visiting East"
        in page.locator("#your-role").inner_text()
    )

    # Find the child: a name alone is not enough; the page says what else to give.
    page.get_by_role("link", name="Find a child").first.click()
    page.get_by_label("Name").fill("Ri Cr")
    page.get_by_role("button", name="Search").click()
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    fill_date(page, "Date of birth", born)
    page.get_by_role("button", name="Search").click()
    results = page.locator("#search-results")
    flag = results.locator(".app-search-flag")
    assert "Child protection flag" in flag.inner_text()
    assert "Leeds Children's Social Care" in flag.inner_text()
    results.get_by_role("link", name="Riley Cradle").click()

    # The child's page, as a health visitor may see it: the police event's detail is not.
    assert page.get_by_role("heading", level=1).inner_text().startswith("Riley Cradle")
    chronology = page.locator("#chronology-events").inner_text()
    assert "Child protection plan" in page.locator("#flag").inner_text()
    assert "Exploitation intelligence" in chronology
    assert "deals from the flat" not in chronology

    # A health contact, added from the child's page.
    page.get_by_role("link", name="Add to the chronology").click()
    fill_date(page, "When did it happen?", timezone.localdate())
    page.get_by_label("What happened?").select_option(label="Health visitor contact")
    page.get_by_label("High").check()
    page.get_by_label("Summary").fill("New birth review: bruise on the baby's ear, not explained.")
    page.get_by_role("button", name="Add to the chronology").click()
    banner = page.locator(".govuk-notification-banner--success")
    assert "Added to the chronology" in banner.inner_text()
    assert "bruise on the baby's ear" in page.locator("#chronology-events").inner_text()

    # Refer to the front door from the child's page; a mistake first.
    page.get_by_role("link", name="Make a referral").click()
    page.get_by_role("button", name="Send referral").click()
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    pick(page, "to_team", "front door", "Front Door")
    page.get_by_label("Red").check()
    page.get_by_label("Why are you referring?").fill(
        "Unexplained bruise on a non-mobile baby on a child protection plan."
    )
    page.get_by_label("What are you sharing with them?").fill("The new birth review.")
    page.get_by_label("Given").check()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Send referral").click()
    assert "Referral sent to Front Door" in page.content()
    referral = Referral.objects.get(person=baby)
    assert (referral.to_team, referral.referrer) == (front_door, health_visitor)

    # From home: the referral and its status, as the front door acknowledges it, then
    # accepts it (the referrer is alerted of the outcome).
    go_home(page)
    sent = page.locator("#home-sent")
    assert sent.inner_text().endswith(": 1")
    sent.click()
    row = page.get_by_role("row", name=re.compile("Riley Cradle"))
    assert "Awaiting acknowledgement by" in row.inner_text()
    duty = factories.UserFactory.create(
        agency=agencies["CSC"], team=front_door, role="practitioner", first_name="Dee"
    )
    sharing.acknowledge_referral(actor=duty, referral=referral, origin=CLI)
    page.get_by_role("link", name="Sightline").first.click()
    page.locator("#home-sent").click()
    assert "Acknowledged" in page.get_by_role("row", name=re.compile("Riley Cradle")).inner_text()
    sharing.record_outcome(actor=duty, referral=referral, outcome="accepted", origin=CLI)
    sharing.deliver_alerts()
    go_home(page)
    assert page.locator("#home-sent").inner_text().endswith(": 0")
    assert work(page, "unread-alerts") == "Unread alerts: 2"  # acknowledged, then accepted
    page.locator("#work-unread-alerts").get_by_role("link").click()
    assert (
        "Front Door (Leeds Children's Social Care): Accepted"
        in page.locator("#alerts").inner_text()
    )
    page.locator("#alerts").get_by_role("link", name="Riley Cradle").first.click()
    assert "Accepted" in page.locator("#referral-outcome").inner_text()
    assert "rule v" not in page.locator("#referral-summary").inner_text()  # behind Details
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page.locator("main").inner_text())
    assert AuditEvent.objects.filter(
        action=AuditAction.RAISE_REFERRAL, actor=health_visitor
    ).exists()
    assert [e for e in page.console_errors if "status of 400" not in e] == []
