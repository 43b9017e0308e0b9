"""The partnership's and the panel's journeys (issue 15's acceptance), each from sign-in on
the home page to the result, by links, searches and forms: no address and no identifier
is typed. Every page each person visits is checked with axe-core (the ``browser``
fixture's contexts).

1. A team manager notifies a serious incident from the child's page. The partnership
   business manager takes it from "Your work": records it sent, starts the rapid review,
   writes the local authority's summary, records the meeting and the decision. The police
   partner lead writes the police summary from their "Your work"; then the three partner
   leads, each in their own browser, sign off from theirs (told in the app and by e-mail).
   The business manager commissions the local review, and a panel analyst finds the
   rapid review in the coding queue.
2. A panel analyst codes a rapid review (the final coding others decided stays hidden
   until they submit their own), records the national panel's response to it, and reads
   the themes report.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.incidents import actions as incidents
from sightline.incidents.models import LocalReview, PanelResponse, Partner, RapidReview
from sightline.learning import actions as learning
from sightline.learning.models import Coding, CodingStatus, ReviewDocument
from sightline.learning.tests.helpers import record
from sightline.pages.tests.browser.test_case_journeys import (
    PASSWORD,
    Journey,
    fill_date,
    open_child,
)
from sightline.sharing.models import InboxItem, OutboundEmail
from sightline.testing import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def board(agencies):
    return factories.AgencyFactory.create(
        code="ICB", name="West Yorkshire Integrated Care Board", kind="integrated_care_board"
    )


@pytest.fixture
def business_manager(agencies):
    return factories.UserFactory.create(
        username="bea.business",
        first_name="Bea",
        last_name="Business",
        email="bea.business@example.org",
        agency=agencies["CSC"],
        role=Role.PARTNERSHIP_BUSINESS_MANAGER,
    )


@pytest.fixture
def partner_leads(agencies, board):
    """The three safeguarding partners' leads, each with a work e-mail address."""
    return {
        partner: factories.UserFactory.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            agency=agency,
            role=role,
        )
        for partner, username, first, last, agency, role in (
            (
                Partner.LOCAL_AUTHORITY,
                "lara.authority",
                "Lara",
                "Authority",
                agencies["CSC"],
                Role.PARTNER_LEAD_LOCAL_AUTHORITY,
            ),
            (
                Partner.POLICE,
                "pete.constable",
                "Pete",
                "Constable",
                agencies["POLICE"],
                Role.PARTNER_LEAD_POLICE,
            ),
            (
                Partner.INTEGRATED_CARE_BOARD,
                "ira.board",
                "Ira",
                "Board",
                board,
                Role.PARTNER_LEAD_ICB,
            ),
        )
    }


def signed_in(journey, user):
    """A new browser context for ``user``, signed in on the home page."""
    context = journey.browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)  # the machine is shared: pages can be slow
    journey.contexts.append(context)
    page = context.new_page()
    page.on("pageerror", lambda error: journey.errors.append(str(error)))
    page.goto(f"{journey.live_server.url}/")  # the home page: the only address opened
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#your-work-heading").wait_for()
    journey.page = page
    return page


def work_link(page, key):
    """The link of one item of "Your work" on the home page."""
    return page.locator(f"#work-{key}").get_by_role("link")


def home(page):
    page.get_by_role("link", name="Home").first.click()
    page.locator("#your-work-heading").wait_for()


def test_a_notification_becomes_a_rapid_review_signed_off_by_the_three_partner_leads(
    live_server,
    browser,
    agencies,
    board,
    child,
    team_manager,
    business_manager,
    partner_leads,
    panel_analyst,
):
    today = timezone.localdate()
    journey = Journey(browser, live_server)
    try:
        # The team manager notifies from the child's page: the child is already chosen.
        page = signed_in(journey, team_manager)
        open_child(page, "Jamie", "Testchild", child.date_of_birth)
        page.locator("#notify-serious-incident").click()
        # The partnership's few agencies are offered as radios.
        page.locator("#id_police").get_by_role("radio", name="West Yorkshire Police").check()
        page.locator("#id_integrated_care_board").get_by_role(
            "radio", name="West Yorkshire Integrated Care Board"
        ).check()
        fill_date(page, "incident_on", today - dt.timedelta(days=3))
        fill_date(page, "aware_on", today - dt.timedelta(days=2))
        page.get_by_label("Serious harm").check()
        page.get_by_label("Case outline").fill("Admitted to hospital with a fractured arm.")
        page.get_by_label("Police involvement", exact=True).select_option(
            label="Police investigation under way"
        )
        page.get_by_role("button", name="Record the notification").click()
        reference = page.get_by_role("heading", level=1).inner_text()
        assert re.fullmatch(r"SIN-\d{4}-\d{5}", reference)
        # The notification page says what starts the rapid review.
        assert (
            "waiting for the notification to be sent"
            in page.locator("#review-waiting").inner_text()
        )

        # The business manager takes it from "Your work": sends it, starts the review.
        page = signed_in(journey, business_manager)
        assert work_link(page, "notifications").inner_text().endswith(": 1")
        work_link(page, "notifications").click()
        page.get_by_role("link", name=f"Send notification {reference}").click()
        page.get_by_role("button", name="Record as sent").click()
        assert "On time" in page.locator("#notification-sent").inner_text()
        page.get_by_role("button", name="Start the rapid review").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Rapid review"
        waiting = page.locator("#sign-off-waiting").inner_text()
        assert "the review meeting is recorded" in waiting
        assert "the summaries from Leeds Children's Social Care, West Yorkshire Police" in waiting

        page.get_by_role("link", name="Write the summary from Leeds Children's Social Care").click()
        page.get_by_label("The agency's involvement with the child and family").fill(
            "Allocated social worker since January."
        )
        page.get_by_label("Analysis").fill("Bruising in July was not shared with health.")
        page.get_by_label("Learning").fill("Share injury concerns with the GP the same day.")
        page.get_by_role("button", name="Send the summary").click()
        assert "Summary from Leeds Children's Social Care sent." in page.content()
        page.get_by_label("Attendees").fill("Local authority, police, integrated care board")
        page.get_by_label("Record of the meeting").fill("Facts agreed; sibling seen and safe.")
        page.get_by_role("button", name="Record the meeting").click()
        page.locator("#decision-form").get_by_label("Yes").check()
        page.get_by_label("Reasons").fill("Learning about sharing injury concerns.")
        page.get_by_role("button", name="Record the decision").click()
        assert "Needed" in page.locator("#decision-summary").inner_text()
        # One summary is still awaited, and the page says so.
        assert page.locator("#sign-off-waiting").inner_text() == (
            "The partners sign off once the summaries from West Yorkshire Police are in."
        )
        assert page.get_by_role("button", name=re.compile("^Sign off")).count() == 0

        # The police partner lead writes the police summary from their "Your work"...
        page = signed_in(journey, partner_leads[Partner.POLICE])
        assert work_link(page, "rapid-review-sign-offs").inner_text().endswith(": 0")
        work_link(page, "summaries-to-write").click()
        page.get_by_role(
            "link", name=f"Write the summary from West Yorkshire Police for {reference}"
        ).click()
        page.get_by_label("The agency's involvement with the child and family").fill(
            "Two domestic incidents at the address."
        )
        page.get_by_label("Analysis").fill("Children were not seen at either call-out.")
        page.get_by_label("Learning").fill("See and speak to children at domestic call-outs.")
        page.get_by_role("button", name="Send the summary").click()
        assert "Summary from West Yorkshire Police sent." in page.content()
        waiting = page.locator("#sign-off-waiting").inner_text()
        assert "Ready for sign-off" in waiting
        assert "the integrated care board: Ira Board" in waiting

        # ...and the review, now ready, waits for each lead, who is told of it.
        for lead in partner_leads.values():
            assert InboxItem.objects.filter(user=lead).count() == 1
            assert OutboundEmail.objects.filter(
                to=lead.email, subject="Sightline: a rapid review is waiting for your sign-off"
            ).exists()
        for partner, label in (
            (Partner.POLICE, "police"),
            (Partner.LOCAL_AUTHORITY, "local authority"),
            (Partner.INTEGRATED_CARE_BOARD, "integrated care board"),
        ):
            page = signed_in(journey, partner_leads[partner])
            if partner is Partner.INTEGRATED_CARE_BOARD:
                # The reminder in the inbox, though the lead may not see the child.
                page.locator("#nav-inbox").click()
                assert f"The rapid review of notification {reference} is waiting for your " in (
                    page.locator("main").inner_text()
                )
                home(page)
            assert work_link(page, "rapid-review-sign-offs").inner_text().endswith(": 1")
            work_link(page, "rapid-review-sign-offs").click()
            page.get_by_role("link", name=f"Sign off the rapid review of {reference}").click()
            page.get_by_role("button", name=f"Sign off for the {label}").click()
            assert "Signed off." in page.content()
            home(page)
            assert work_link(page, "rapid-review-sign-offs").inner_text().endswith(": 0")

        review = RapidReview.objects.get()
        assert review.completed_on == today

        # The business manager commissions the local review the partners decided on.
        page = signed_in(journey, business_manager)
        work_link(page, "local-reviews-to-commission").click()
        page.get_by_role("link", name=f"Commission the local review for {reference}").click()
        assert "Signed off by the three partners" in page.locator("#review-status").inner_text()
        assert "queue of reviews to code" in page.locator("#coding-queue").inner_text()
        page.get_by_label("Reviewer").fill("An independent reviewer")
        page.get_by_label("Terms of reference").fill("Information sharing between agencies.")
        page.get_by_role("button", name="Commission the local review").click()
        assert "Local review commissioned." in page.content()
        assert "An independent reviewer" in page.locator("#local-review").inner_text()
        assert LocalReview.objects.get().review == review

        # The signed-off review is in the panel analysts' coding queue by itself.
        page = signed_in(journey, panel_analyst)
        work_link(page, "reviews-to-code").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Reviews to code"
        assert (
            f"Rapid review of {reference} (Leeds Children's Social Care)"
            in page.locator("main").inner_text()
        )
        assert ReviewDocument.objects.get().reference == f"{reference}-RR"
        assert journey.errors == []
    finally:
        journey.close("partnership-journey")


def _completed_rapid_review(child, team_manager, partner_leads, agencies) -> RapidReview:
    """A rapid review signed off by the three partner leads (it enters the coding queue)."""
    notification = incidents.record_notification(
        actor=team_manager,
        origin=CLI,
        local_authority=agencies["CSC"],
        police=agencies["POLICE"],
        integrated_care_board=partner_leads[Partner.INTEGRATED_CARE_BOARD].agency,
        incident_on=timezone.localdate() - dt.timedelta(days=3),
        aware_on=timezone.localdate() - dt.timedelta(days=2),
        nature="serious_harm",
        case_outline="Admitted to hospital with a fractured arm; neglect at home.",
        police_involvement="investigating",
        children=incidents.resolve_children(
            actor=team_manager,
            origin=CLI,
            entries=[incidents.ChildEntry(person_id=str(child.public_id))],
        ),
    )
    incidents.submit_notification(
        actor=team_manager,
        origin=CLI,
        notification=notification,
        submitted_on=timezone.localdate(),
    )
    review = incidents.open_rapid_review(actor=team_manager, origin=CLI, notification=notification)
    for summary in review.summaries.all():
        incidents.record_agency_summary(
            actor=team_manager if summary.agency.code == "CSC" else partner_leads[Partner.POLICE],
            origin=CLI,
            summary=summary,
            involvement="Known since January.",
            analysis="Neglect was not recognised.",
            learning="Recognise neglect sooner.",
        )
    incidents.record_review_meeting(
        actor=team_manager,
        origin=CLI,
        review=review,
        held_on=timezone.localdate(),
        attendees="The three partners",
        notes="Facts agreed.",
    )
    incidents.decide_local_review(
        actor=team_manager,
        origin=CLI,
        review=review,
        needed=False,
        reasons="The learning is already known locally.",
        decided_on=timezone.localdate(),
    )
    for partner, lead in partner_leads.items():
        incidents.sign_off_rapid_review(actor=lead, origin=CLI, review=review, partner=partner)
    review.refresh_from_db()
    return review


def test_a_panel_analyst_codes_a_review_records_the_panels_response_and_reads_the_themes(
    live_server, browser, agencies, child, team_manager, partner_leads, panel_analyst
):
    learning.import_review_corpus(
        actor=None,
        origin=CLI,
        records=[
            record(f"R{i}", themes=("risk_assessment",) if i < 9 else ("optimism_bias",))
            for i in range(15)
        ],
    )
    review = _completed_rapid_review(child, team_manager, partner_leads, agencies)
    reference = review.notification.reference
    document = ReviewDocument.objects.get(reference=f"{reference}-RR")
    # Two other analysts have coded it and a third decided the final coding.
    taxonomy = learning.published_taxonomy()
    others = [
        factories.UserFactory.create(username=name, agency=agencies["CSC"], role="panel_analyst")
        for name in ("bo.analyst", "cy.analyst")
    ]
    for other in others:
        learning.save_coding(
            actor=other,
            origin=CLI,
            document=document,
            taxonomy=taxonomy,
            theme_codes=["neglect"],
            submit=True,
        )
    learning.adjudicate(
        actor=others[0], origin=CLI, document=document, taxonomy=taxonomy, theme_codes=["neglect"]
    )

    journey = Journey(browser, live_server)
    try:
        page = signed_in(journey, panel_analyst)
        work_link(page, "reviews-to-code").click()
        page.get_by_role("link", name=f"{reference}-RR").click()
        # Independent coding: the final coding stays hidden until this coding is in.
        assert page.locator("#final-hidden").is_visible()
        assert page.locator("#final-coding").count() == 0
        page.get_by_label("Neglect").check()
        page.get_by_label("Optimism bias").check()
        page.get_by_role("button", name="Submit coding").click()
        assert "Coding submitted" in page.content()
        assert "Neglect" in page.locator("#final-coding").inner_text()
        mine = Coding.objects.get(document=document, coder=panel_analyst)
        assert mine.status == CodingStatus.SUBMITTED
        assert sorted(mine.themes.values_list("code", flat=True)) == ["neglect", "optimism_bias"]

        # The national panel's response, recorded by the panel's own role.
        home(page)
        assert work_link(page, "panel-responses").inner_text().endswith(": 1")
        work_link(page, "panel-responses").click()
        page.get_by_role(
            "link", name=f"Record the panel's response to the rapid review of {reference}"
        ).click()
        page.get_by_label("Agrees with the rapid review").check()
        page.locator("#panel-response-form").get_by_label("No", exact=True).check()
        page.get_by_label("Comments").fill("The panel agrees that no local review is needed.")
        page.get_by_role("button", name="Record the response").click()
        assert "The panel's response is recorded." in page.content()
        assert "Agrees with the rapid review" in page.locator("#panel-response").inner_text()
        assert PanelResponse.objects.get(review=review).recorded_by == panel_analyst

        # The themes report, from "Your work".
        home(page)
        assert work_link(page, "panel-responses").inner_text().endswith(": 0")
        work_link(page, "themes-report").click()
        page.get_by_label("Financial year starting in").fill("2023")
        page.get_by_role("button", name=re.compile("Show")).click()
        page.wait_for_selector(".app-chart--drawn canvas")
        table = page.locator("#table-practice-themes").inner_text()
        assert "Weak risk assessment and decision making" in table
        assert "60%" in table  # 9 of 15
        assert journey.errors == []
    finally:
        journey.close("panel-analyst-journey")
