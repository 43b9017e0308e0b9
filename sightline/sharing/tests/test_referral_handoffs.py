"""What a referral leaves behind: its events in the child's chronology (read through the
record, under the same rules as any event) and, once accepted by children's social
care, the referral decision step on the clock."""

import datetime as dt

import pytest
import time_machine
from django.http import Http404

from sightline.assessments.models import DecisionPoint, PointStatus
from sightline.assessments.workflow import DecisionStep
from sightline.audit.actions import CLI
from sightline.chronology.models import ChronologyEvent
from sightline.chronology.queries import ChronologyFilter
from sightline.record.access import Intent, open_record
from sightline.sharing import actions
from sightline.sharing.clock import ENGLAND
from sightline.sharing.models import ReferralOutcome
from sightline.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=ENGLAND), tick=False):
        yield


def refer(school_lead, child, front_door):
    return actions.raise_referral(
        actor=school_lead,
        person=child,
        to_team=front_door.pk,
        urgency="amber",
        reason="Came to school with bruising and would not say how",
        shared="Body map",
        origin=CLI,
    )


def codes(child):
    return list(
        ChronologyEvent.objects.filter(person=child)
        .order_by("id")
        .values_list("category__code", flat=True)
    )


def test_acknowledging_and_deciding_appear_in_the_chronology(
    school_lead, child, front_door, duty_worker
):
    referral = refer(school_lead, child, front_door)
    actions.acknowledge_referral(actor=duty_worker, referral=referral, origin=CLI)
    actions.record_outcome(
        actor=duty_worker,
        referral=referral,
        outcome=ReferralOutcome.NO_FURTHER_ACTION,
        reason="Seen by the school nurse; explained",
        origin=CLI,
    )
    # Sent: the referral's sharing decision; then the receiving team's two events.
    assert codes(child) == [
        "information_sharing_decision",
        "referral_acknowledged",
        "referral_decided",
    ]
    decided = ChronologyEvent.objects.get(category__code="referral_decided")
    assert decided.agency == front_door.agency
    assert "no further action" in decided.summary
    assert "Seen by the school nurse" in decided.summary
    # Never who referred (golden rule 5).
    for event in ChronologyEvent.objects.filter(person=child):
        assert school_lead.get_full_name() not in event.summary
        assert school_lead.username not in event.summary
        assert event.practitioner in ("", duty_worker.get_full_name())


def test_the_events_are_read_through_the_record_like_any_other(
    school_lead, child, front_door, duty_worker, social_worker, teacher
):
    referral = refer(school_lead, child, front_door)
    actions.acknowledge_referral(actor=duty_worker, referral=referral, origin=CLI)
    record = open_record(social_worker, child.public_id, intent=Intent.VIEW_CHRONOLOGY, origin=CLI)
    shown = {row.category.code: row for row in record.chronology(ChronologyFilter())}
    assert shown["referral_acknowledged"].agency.code == front_door.agency.code
    # A teacher with no relationship sees no record at all.
    with pytest.raises(Http404):
        open_record(teacher, child.public_id, intent=Intent.VIEW_CHRONOLOGY, origin=CLI)


def test_an_accepted_referral_opens_the_referral_decision_step(
    school_lead, child, front_door, duty_worker
):
    referral = refer(school_lead, child, front_door)
    actions.record_outcome(
        actor=duty_worker, referral=referral, outcome=ReferralOutcome.ACCEPTED, origin=CLI
    )
    point = DecisionPoint.objects.get(child=child)
    assert point.step == DecisionStep.REFERRAL_DECISION
    assert point.status == PointStatus.OPEN
    assert point.responsible == duty_worker
    assert point.started_on == dt.date(2026, 3, 2)


def test_a_second_accepted_referral_does_not_open_a_second_step(
    school_lead, child, front_door, duty_worker
):
    for _ in range(2):
        referral = refer(school_lead, child, front_door)
        actions.record_outcome(
            actor=duty_worker, referral=referral, outcome=ReferralOutcome.ACCEPTED, origin=CLI
        )
    assert DecisionPoint.objects.filter(child=child).count() == 1


def test_another_agency_accepting_opens_no_social_care_step(
    school_lead, child, agencies, police_officer
):
    police_team = factories.TeamFactory.create(agency=agencies["POLICE"], name="Safeguarding hub")
    police_officer.team = police_team
    police_officer.save()
    referral = refer(school_lead, child, police_team)
    actions.record_outcome(
        actor=police_officer, referral=referral, outcome=ReferralOutcome.ACCEPTED, origin=CLI
    )
    assert not DecisionPoint.objects.filter(child=child).exists()
    assert "referral_decided" in codes(child)


def test_the_referral_page_leads_the_accepting_worker_to_the_decision_it_opened(
    client, settings, school_lead, child, front_door, duty_worker
):
    from django.urls import reverse

    settings.SECURE_SSL_REDIRECT = False
    referral = refer(school_lead, child, front_door)
    page = reverse("sharing-referral", kwargs={"public_id": referral.public_id})
    client.force_login(duty_worker)
    assert 'id="decision-step"' not in client.get(page).content.decode()  # not yet accepted
    actions.record_outcome(
        actor=duty_worker, referral=referral, outcome=ReferralOutcome.ACCEPTED, origin=CLI
    )
    point = DecisionPoint.objects.get(child=child)
    html = client.get(page).content.decode()
    assert 'id="decision-step"' in html
    assert reverse("assessments:decide", args=[point.pk]) in html
    assert f"by {point.due_on.day} {point.due_on:%B %Y}" in html
    # The referrer follows the referral but has no step to take.
    client.force_login(school_lead)
    assert 'id="decision-step"' not in client.get(page).content.decode()
