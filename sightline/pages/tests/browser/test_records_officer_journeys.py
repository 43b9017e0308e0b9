"""The records officers' journeys, each from sign-in on the home page to the result, by
links and forms: no address and no identifier is typed. Every page each officer visits is
checked with axe-core (the ``browser`` fixture's contexts).

1. The data quality officer takes the possible duplicates from "Your work", compares a
   pair's evidence side by side and decides it: the same child, merged.
2. The information governance officer takes the records proposed for disposal from "Your
   work" (the retention run proposed them), opens one, is told a decision needs a reason,
   and approves it: the record is destroyed and its tombstone listed.
"""

import datetime as dt

import pytest
from django.utils import timezone

from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.governance.actions import propose_disposals
from sightline.governance.models import (
    DisposalProposal,
    ProposalStatus,
    Tombstone,
)
from sightline.linkage.models import MatchReview, PersonMerge, ReviewStatus
from sightline.pages.tests.browser.test_case_journeys import Journey
from sightline.pages.tests.browser.test_partnership_journeys import signed_in, work_link
from sightline.people.models import Person
from sightline.testing import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def retention_schedule(db):
    """The default schedule its migration seeds (a transactional test's flush empties it)."""
    return factories.default_retention_schedule()


@pytest.fixture
def data_quality_officer(agencies):
    return factories.UserFactory.create(
        username="dara.quality",
        first_name="Dara",
        last_name="Quality",
        agency=agencies["CSC"],
        role=Role.DATA_QUALITY,
    )


@pytest.fixture
def governance_officer(agencies):
    return factories.UserFactory.create(
        username="iona.governance",
        first_name="Iona",
        last_name="Governance",
        agency=agencies["CSC"],
        role=Role.INFORMATION_GOVERNANCE,
    )


def _record(agency, record_id, **fields):
    identity = {
        "given_name": "Casey",
        "family_name": "Duplicate",
        "date_of_birth": dt.date(2016, 8, 9),
        "sex": "F",
        "postcode": "LS6 1AA",
        "address": "3 Orchard Row, Leeds",
        **fields,
    }
    return factories.SourceRecordFactory.create(agency=agency, record_id=record_id, **identity)


def test_the_data_quality_officer_decides_a_possible_duplicate_from_your_work(
    live_server, browser, agencies, data_quality_officer
):
    # Two agencies' records of one girl, held apart: one spells her name differently.
    health = _record(agencies["HEALTH"], "H-100")
    school = _record(agencies["EDUCATION"], "E-200", given_name="Casie")
    first, second = sorted((health, school), key=lambda r: r.pk)
    review = MatchReview.objects.create(
        record_a=first,
        record_b=second,
        probability=0.91,
        evidence=[
            {"field": "given_name", "explanation": "given names are similar", "weight": 2.1},
            {"field": "date_of_birth", "explanation": "dates of birth agree", "weight": 6.0},
        ],
        evidence_key=f"{first.pk}-{second.pk}",
        model_version="test-model",
        proposed_at=timezone.now(),
    )
    journey = Journey(browser, live_server)
    try:
        page = signed_in(journey, data_quality_officer)
        assert work_link(page, "identity-reviews").inner_text().endswith(": 1")
        assert work_link(page, "subject-access-open").inner_text().endswith(": 0")
        work_link(page, "identity-reviews").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Possible matches to review"
        page.locator("#review-queue").get_by_role("link", name="Review").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Are these the same person?"
        evidence = page.locator("#evidence").inner_text()
        assert "Casey" in evidence
        assert "Casie" in evidence
        assert "Dates of birth agree" in evidence
        page.get_by_label("Reason (optional)").fill("Same date of birth and address; a typo.")
        page.get_by_role("button", name="Same person: merge").click()
        page.locator("#review-queue-empty").wait_for()
        assert "Confirmed" in page.locator(".govuk-notification-banner").inner_text()

        review.refresh_from_db()
        assert review.status == ReviewStatus.CONFIRMED
        assert review.decided_by == data_quality_officer
        health.refresh_from_db()
        school.refresh_from_db()
        assert health.person_id == school.person_id
        assert PersonMerge.objects.filter(review=review).exists()

        page.get_by_role("link", name="Home").first.click()
        assert work_link(page, "identity-reviews").inner_text().endswith(": 0")
        assert journey.errors == []
    finally:
        journey.close("records-officer-data-quality")


def test_the_governance_officer_approves_a_disposal_from_your_work(
    live_server, browser, agencies, governance_officer, retention_schedule
):
    # An adult the police last dealt with in 2017, whose record came into Sightline today:
    # the retention run finds it past the schedule (six years after the last activity).
    person = factories.PersonFactory.create(
        given_name="Morgan", family_name="Longago", date_of_birth=dt.date(1975, 2, 3)
    )
    now = timezone.now()
    record = factories.SourceRecordFactory.create(
        person=person, agency=agencies["POLICE"], received_at=now, updated_at=now
    )
    factories.ChronologyEventFactory.create(
        subject_record=record, occurred_at=dt.datetime(2017, 4, 2, 10, 0, tzinfo=dt.UTC)
    )
    [proposal] = propose_disposals(actor=None, as_of=timezone.localdate(), origin=CLI)
    journey = Journey(browser, live_server)
    try:
        page = signed_in(journey, governance_officer)
        assert work_link(page, "disposals").inner_text().endswith(": 1")
        work_link(page, "disposals").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Records due for disposal"
        assert "Morgan" not in page.content()  # the officer is shown no name
        page.locator("#proposals").get_by_role("link", name="Review").click()
        assert page.get_by_role("heading", level=1).inner_text() == f"Disposal {proposal.reference}"
        # What disposal destroys, table by table: the person, their record and its event.
        destroyed = page.locator("#destroyed").inner_text()
        for table in ("people.Person", "people.SourceRecord", "chronology.ChronologyEvent"):
            assert table in destroyed
        # A decision without a reason: the GOV.UK error summary, linked to the field.
        page.get_by_role("button", name="Approve and destroy the record").click()
        summary = page.locator(".govuk-error-summary")
        assert "Enter the reason for your decision" in summary.inner_text()
        summary.get_by_role("link", name="Enter the reason for your decision").click()
        page.get_by_label("Reason for your decision").fill(
            "Past the schedule: no activity since 2017 and no hold."
        )
        page.get_by_role("button", name="Approve and destroy the record").click()
        page.locator("#tombstones").wait_for()
        assert "Disposed of" in page.locator(".govuk-notification-banner").inner_text()
        assert page.locator("#proposals-empty").is_visible()
        assert str(person.public_id) in page.locator("#tombstones").inner_text()

        assert not Person.objects.filter(pk=person.pk).exists()
        tombstone = Tombstone.objects.get(reference=person.public_id)
        assert tombstone.approved_by == governance_officer
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.DISPOSED
        assert DisposalProposal.objects.filter(status=ProposalStatus.PROPOSED).count() == 0

        page.get_by_role("link", name="Home").first.click()
        assert work_link(page, "disposals").inner_text().endswith(": 0")
        assert journey.errors == []
    finally:
        journey.close("records-officer-governance")
