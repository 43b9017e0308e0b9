"""The officer's pages and the hold on the child's page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.governance import actions
from sightline.governance.models import DisposalProposal, ProposalStatus
from sightline.people.models import Person

from .conftest import ANNIVERSARY_75

pytestmark = pytest.mark.django_db
DAY_AFTER = ANNIVERSARY_75 + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def after_the_anniversary():
    with time_machine.travel(
        dt.datetime.combine(DAY_AFTER, dt.time(12), tzinfo=dt.UTC), tick=False
    ):
        yield


@pytest.fixture
def proposal(looked_after_child) -> DisposalProposal:
    actions.propose_disposals(actor=None, as_of=DAY_AFTER, origin=CLI)
    return DisposalProposal.objects.get(person=looked_after_child)


def test_the_officer_sees_the_proposals_without_the_childs_name(client, officer, proposal):
    client.force_login(officer)
    page = client.get(reverse("governance:disposals")).content.decode()
    assert proposal.reference in page
    assert "Looked-after child" in page
    detail = client.get(reverse("governance:disposal", args=[proposal.public_id])).content.decode()
    assert str(proposal.person_ref) in detail
    assert "regulation 50" in detail
    assert "chronology.ChronologyEvent" in detail
    for secret in ("Robin", "Retained", "9990000034", "15 June 2010"):
        assert secret not in page
        assert secret not in detail


@pytest.mark.parametrize("persona", ["social_worker", "administrator", "team_manager"])
def test_no_one_else_finds_the_pages(client, request, persona, proposal):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("governance:disposals")).status_code == 404
    url = reverse("governance:disposal", args=[proposal.public_id])
    assert client.get(url).status_code == 404
    response = client.post(url, {"decision": "approve", "reason": "Due"})
    assert response.status_code == 404
    assert Person.objects.filter(pk=proposal.person_id).exists()


def test_the_officer_approves_and_the_record_is_destroyed(client, officer, proposal):
    key = proposal.person_id
    client.force_login(officer)
    response = client.post(
        reverse("governance:disposal", args=[proposal.public_id]),
        {"decision": "approve", "reason": "Past its retention period"},
    )
    assert response.status_code == 302
    assert not Person.objects.filter(pk=key).exists()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISPOSED
    row = AuditEvent.objects.get(action=AuditAction.APPROVE_DISPOSAL)
    assert row.person_id == key
    assert row.actor == officer


def test_a_disposal_under_a_hold_is_refused_on_the_page_naming_the_hold(
    client, officer, proposal, looked_after_child
):
    hold = actions.place_legal_hold(
        actor=officer, person=looked_after_child, reason="Civil claim pending", origin=CLI
    )
    client.force_login(officer)
    url = reverse("governance:disposal", args=[proposal.public_id])
    assert hold.reference in client.get(url).content.decode()
    response = client.post(url, {"decision": "approve", "reason": "Past its retention period"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert f"{hold.reference}: Held by hand: Civil claim pending" in page
    assert Person.objects.filter(pk=looked_after_child.pk).exists()


def test_a_decision_needs_a_reason(client, officer, proposal):
    client.force_login(officer)
    response = client.post(
        reverse("governance:disposal", args=[proposal.public_id]),
        {"decision": "approve", "reason": "  "},
    )
    assert "Enter the reason for your decision" in response.content.decode()
    assert Person.objects.filter(pk=proposal.person_id).exists()


def test_the_childs_page_shows_its_holds_to_whoever_may_see_the_record(
    client, officer, social_worker, teacher, looked_after_child
):
    hold = actions.place_legal_hold(
        actor=officer, person=looked_after_child, reason="Inquiry", origin=CLI
    )
    url = reverse("person-detail", args=[looked_after_child.public_id])
    client.force_login(social_worker)
    page = client.get(url).content.decode()
    assert 'id="legal-holds"' in page
    assert hold.reference in page
    client.force_login(teacher)
    assert client.get(url).status_code == 404


def test_the_officer_places_a_hold_from_the_proposal(client, officer, proposal):
    client.force_login(officer)
    url = reverse("governance:disposal", args=[proposal.public_id])
    response = client.post(url, {"decision": "hold", "reason": "Complaint under investigation"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Held by hand: Complaint under investigation" in page
    assert AuditEvent.objects.filter(action=AuditAction.PLACE_LEGAL_HOLD).count() == 1


def test_the_administrator_changes_the_schedule_with_its_source(client, administrator):
    client.force_login(administrator)
    url = reverse("governance:schedule-edit", args=["adult"])
    assert "Limitation Act 1980" in client.get(url).content.decode()
    response = client.post(
        url, {"anchor": "last_activity", "years": "7", "source": "Local policy, 2026"}
    )
    assert response.status_code == 302
    page = client.get(reverse("governance:schedule")).content.decode()
    assert "7 years from the last activity" in page
    row = AuditEvent.objects.get(action=AuditAction.CHANGE_RETENTION_RULE)
    assert row.detail["after"]["source"] == "Local policy, 2026"
    assert row.detail["kind"] == "adult"


def test_the_officer_reads_the_schedule_but_cannot_change_it(client, officer, social_worker):
    client.force_login(officer)
    assert "regulation 50" in client.get(reverse("governance:schedule")).content.decode()
    url = reverse("governance:schedule-edit", args=["adult"])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"anchor": "last_activity", "years": "1", "source": "x"}).status_code
        == 404
    )
    client.force_login(social_worker)
    assert client.get(reverse("governance:schedule")).status_code == 404


def test_the_officer_releases_a_hold_with_a_reason_and_may_then_approve(
    client, officer, proposal, looked_after_child
):
    hold = actions.place_legal_hold(
        actor=officer, person=looked_after_child, reason="Claim", origin=CLI
    )
    client.force_login(officer)
    url = reverse("governance:disposal", args=[proposal.public_id])
    assert f'id="release-{hold.pk}"' in client.get(url).content.decode()
    response = client.post(url, {"release": str(hold.pk), "reason": "Claim settled"})
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.release_reason == "Claim settled"
    assert hold.released_by == officer
    response = client.post(url, {"decision": "approve", "reason": "Past its retention period"})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=looked_after_child.pk).exists()


def test_a_hold_on_another_record_cannot_be_released_through_this_proposal(
    client, officer, proposal, child
):
    other = actions.place_legal_hold(actor=officer, person=child, reason="Other", origin=CLI)
    client.force_login(officer)
    url = reverse("governance:disposal", args=[proposal.public_id])
    assert client.post(url, {"release": str(other.pk), "reason": "x"}).status_code == 404
    other.refresh_from_db()
    assert other.released_at is None
