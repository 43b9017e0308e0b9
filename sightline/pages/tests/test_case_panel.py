"""The Case part of the child's page: what it shows, in plain English with codes behind
Details, in a fixed number of queries; who sees the steps and who may record them."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.cases import models as case_models

pytestmark = pytest.mark.django_db


class HttpsClient(Client):
    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def panel_url(person):
    return reverse("person-panel", kwargs={"public_id": person.public_id, "panel": "case"})


def step_url(person, step):
    return reverse("case-step", kwargs={"public_id": person.public_id, "step": step})


def build_case(child, agency, worker, *, start=dt.date(2025, 1, 6), episodes=1):
    """``episodes`` episodes of need a month apart, the last open with a plan; the
    earlier ones closed, each with an assessment, a strategy discussion and a section 47.
    Written directly: the actions have their own tests."""
    made = []
    for number in range(episodes):
        referred = start + dt.timedelta(days=40 * number)
        last = number == episodes - 1
        episode = case_models.EpisodeOfNeed.objects.create(
            child=child,
            recording_agency=agency,
            referral_date=referred,
            referral_source="2A",
            primary_need="N1",
            closure_date=None if last else referred + dt.timedelta(days=30),
            closure_reason="" if last else "RC8",
        )
        case_models.CINAssessment.objects.create(
            child=child,
            episode=episode,
            recording_agency=agency,
            start_date=referred,
            authorisation_date=referred + dt.timedelta(days=10),
            factors=["2A", "3A"],
        )
        discussion = case_models.StrategyDiscussion.objects.create(
            child=child,
            episode=episode,
            recording_agency=agency,
            date=referred + dt.timedelta(days=1),
            outcome=case_models.StrategyOutcome.SECTION47,
        )
        case_models.Section47.objects.create(
            child=child,
            episode=episode,
            recording_agency=agency,
            strategy_discussion=discussion,
            start_date=referred + dt.timedelta(days=1),
            date_of_initial_cpc=referred + dt.timedelta(days=14),
        )
        made.append(episode)
    episode = made[-1]
    plan = case_models.ChildProtectionPlan.objects.create(
        child=child,
        episode=episode,
        recording_agency=agency,
        start_date=episode.referral_date + dt.timedelta(days=14),
        initial_category="NEG",
        latest_category="EMO",
    )
    case_models.CoreGroupMember.objects.create(
        plan=plan, recording_agency=agency, practitioner=worker, started_on=plan.start_date
    )
    case_models.LookedAfterEpisode.objects.create(
        child=child,
        recording_agency=agency,
        decom=start,
        rne="S",
        ls="V2",
        cin="N1",
        place="U1",
        place_provider="PR1",
        dec=start + dt.timedelta(days=20),
        rec="X1",
    )
    case_models.Allocation.objects.create(
        child=child, recording_agency=agency, worker=worker, start_date=start
    )
    return plan


def test_it_shows_the_case_in_plain_english_with_codes_behind_details(
    child, agencies, social_worker
):
    build_case(child, agencies["CSC"], social_worker)
    client = HttpsClient()
    client.force_login(social_worker)
    response = client.get(panel_url(child), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sally Social, Assessment Team North since 6 January 2025" in html
    assert "Emotional abuse (at the start: neglect)" in html
    assert "Referred 6 January 2025" in html
    assert "Schools" in html
    assert "Abuse or neglect" in html
    assert "Start a section 47 enquiry" in html.replace("start a section 47", "Start a section 47")
    # Codes sit behind Details, not in the text people read.
    details = html.split('<details class="govuk-details')
    assert "NEG" not in details[0]
    assert "latest category EMO" in html
    assert "Record a plan review" in html


def test_a_reader_outside_social_care_sees_the_case_read_only(
    child, agencies, social_worker, police_officer
):
    build_case(child, agencies["CSC"], social_worker)
    client = HttpsClient()
    client.force_login(police_officer)
    response = client.get(panel_url(child), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Emotional abuse" in html
    assert 'id="case-steps"' not in html
    assert "Children's social care records the case; you can read it." in html
    assert client.get(step_url(child, "plan-review")).status_code == 403


def test_social_care_of_another_agency_may_not_record_on_a_case_it_does_not_hold(
    child, agencies, social_worker
):
    from sightline.agencies.models import AgencyKind
    from sightline.testing import factories

    build_case(child, agencies["CSC"], social_worker)
    other = factories.AgencyFactory.create(
        code="CSC2", name="Bradford Children's Social Care", kind=AgencyKind.CHILDRENS_SOCIAL_CARE
    )
    worker = factories.UserFactory.create(agency=other)
    factories.InvolvementFactory.create(
        person=child, practitioner=worker, agency=other, started_on=dt.date(2024, 1, 1)
    )
    client = HttpsClient()
    client.force_login(worker)
    assert client.get(step_url(child, "plan-review")).status_code == 403


def test_a_step_that_does_not_apply_goes_back_to_the_case(child, social_worker):
    client = HttpsClient()
    client.force_login(social_worker)
    response = client.get(step_url(child, "plan-review"))
    assert response.status_code == 302
    assert response["Location"].endswith("#case")


def test_an_unknown_step_is_not_found(child, social_worker):
    client = HttpsClient()
    client.force_login(social_worker)
    assert client.get(step_url(child, "no-such-step")).status_code == 404


def test_a_step_page_reads_the_record_once_and_says_so_in_the_audit(child, social_worker):
    client = HttpsClient()
    client.force_login(social_worker)
    before = AuditEvent.objects.count()
    assert client.get(step_url(child, "allocate")).status_code == 200
    rows = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(row.action, row.detail.get("page")) for row in rows] == [
        (AuditAction.VIEW_PERSON, "case:allocate")
    ]


def test_bad_input_gets_a_govuk_error_summary(child, social_worker):
    client = HttpsClient()
    client.force_login(social_worker)
    response = client.post(
        step_url(child, "episode"),
        {"referral_date_day": "31", "referral_date_month": "2", "referral_date_year": "2025"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert '<div class="govuk-error-summary"' in html
    assert "Date of referral must be a real date" in html
    assert "Select the source of referral" in html
    assert not case_models.EpisodeOfNeed.objects.exists()


def test_the_case_takes_the_same_number_of_queries_for_one_episode_or_twenty(
    child, agencies, social_worker
):
    client = HttpsClient()
    client.force_login(social_worker)
    other = type(child).objects.create(given_name="Alex", family_name="Other")
    from sightline.testing import factories

    factories.InvolvementFactory.create(
        person=other,
        practitioner=social_worker,
        agency=agencies["CSC"],
        started_on=dt.date(2024, 1, 1),
    )
    build_case(child, agencies["CSC"], social_worker, episodes=1)
    build_case(other, agencies["CSC"], social_worker, episodes=20)
    counts = []
    # The first request of a session also writes the session and the audit chain's head.
    client.get(panel_url(child), headers={"HX-Request": "true"})
    for person in (child, other):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(panel_url(person), headers={"HX-Request": "true"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
