"""Retention and disposal: the issue's acceptance tests (a looked-after child disposed only
after the 75th anniversary; a held record never disposed; the audit chain still verifies
after a disposal) and the bad input (a disposal under a hold is refused, naming it)."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from sightline.accounts.models import User
from sightline.agencies.models import Agency
from sightline.audit.actions import CLI, record_audit
from sightline.audit.models import AuditAction, AuditEvent
from sightline.audit.queries import verify_chain
from sightline.chronology.models import ChronologyEvent
from sightline.governance import actions
from sightline.governance.models import DisposalProposal, LegalHold, ProposalStatus, Tombstone
from sightline.governance.queries import falling_due
from sightline.incidents.models import NotifiedChild, RapidReview, SeriousIncidentNotification
from sightline.people.models import Person, Relationship, SourceRecord
from sightline.testing import factories

from .conftest import ANNIVERSARY_75

pytestmark = pytest.mark.django_db

DAY_BEFORE = ANNIVERSARY_75  # "until the 75th anniversary": still kept on the day itself
DAY_AFTER = ANNIVERSARY_75 + dt.timedelta(days=1)


def at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), tick=False)


def propose(day: dt.date) -> list[DisposalProposal]:
    return actions.propose_disposals(actor=None, as_of=day, origin=CLI)


def proposal_for(person: Person) -> DisposalProposal:
    return DisposalProposal.objects.get(person=person, status=ProposalStatus.PROPOSED)


def approve(officer: User, person: Person) -> Tombstone:
    return actions.approve_disposal(
        actor=officer, proposal=proposal_for(person), reason="Past its retention period", origin=CLI
    )


def test_a_looked_after_child_is_not_due_on_the_75th_anniversary(looked_after_child):
    with at(DAY_BEFORE):
        assert [d.person_ref for d in falling_due(DAY_BEFORE)] == []
        assert propose(DAY_BEFORE) == []


def test_a_looked_after_child_is_due_the_day_after_the_75th_anniversary(looked_after_child):
    with at(DAY_AFTER):
        due = falling_due(DAY_AFTER)
        ours = [d for d in due if d.person_id == looked_after_child.pk]
        assert len(ours) == 1
        assert ours[0].kind.value == "looked_after"
        assert ours[0].due_on == DAY_AFTER
        assert ours[0].rule.years == 75
        assert [p.person_id for p in propose(DAY_AFTER)] == [
            d.person_id for d in due if not d.holds
        ]


def test_an_approval_before_the_anniversary_has_passed_is_refused(looked_after_child, officer):
    """A proposal made for a later day (or a clock set back) cannot destroy early."""
    propose(DAY_AFTER)
    with at(DAY_BEFORE), pytest.raises(actions.RetentionError, match="not due"):
        approve(officer, looked_after_child)
    assert Person.objects.filter(pk=looked_after_child.pk).exists()


def test_a_looked_after_child_is_disposed_of_after_the_anniversary(
    looked_after_child, officer, agencies
):
    key, ref = looked_after_child.pk, looked_after_child.public_id
    records = list(
        SourceRecord.objects.filter(person=looked_after_child).values_list("pk", flat=True)
    )
    # Another child's event that names one of this child's records among its other people.
    other = factories.ChronologyEventFactory.create(
        subject_record=factories.SourceRecordFactory.create(agency=agencies["CSC"])
    )
    other.other_records.add(records[0])
    with at(DAY_AFTER):
        propose(DAY_AFTER)
        tombstone = approve(officer, looked_after_child)
    assert not Person.objects.filter(pk=key).exists()
    assert not Person.objects.filter(family_name="Retained").exists()  # the merged husk too
    assert not SourceRecord.objects.filter(pk__in=records).exists()
    assert not ChronologyEvent.objects.filter(person_id=key).exists()
    assert not Relationship.objects.filter(relative_id=key).exists()
    assert Person.objects.filter(family_name="Parent").exists()
    other.refresh_from_db()
    assert list(other.other_records.all()) == []
    assert tombstone.reference == ref
    assert tombstone.former_person_key == key
    assert tombstone.kind == "looked_after"
    assert tombstone.due_on == DAY_AFTER
    assert tombstone.approved_by == officer
    assert tombstone.rows_destroyed["people.Person"] == 2
    assert tombstone.rows_destroyed["people.SourceRecord"] == 2
    assert tombstone.rows_destroyed["chronology.ChronologyEvent"] == 3
    assert tombstone.rows_destroyed["people.StatusPeriod"] == 1
    assert "regulation 50" in tombstone.rule_applied
    proposal = DisposalProposal.objects.get(tombstone=tombstone)
    assert proposal.status == ProposalStatus.DISPOSED
    assert proposal.person is None
    assert proposal.person_ref == ref


def test_a_tombstone_holds_no_name_date_of_birth_or_nhs_number(looked_after_child, officer):
    with at(DAY_AFTER):
        propose(DAY_AFTER)
        tombstone = approve(officer, looked_after_child)
    values = " ".join(
        str(v) for v in Tombstone.objects.filter(pk=tombstone.pk).values().get().values()
    )
    for secret in ("Robin", "Retained", "2010-06-15", "9990000034"):
        assert secret not in values
    detail = str(AuditEvent.objects.get(action=AuditAction.APPROVE_DISPOSAL).detail)
    for secret in ("Robin", "Retained", "2010-06-15", "9990000034"):
        assert secret not in detail


def test_the_audit_chain_still_verifies_after_a_disposal(looked_after_child, officer):
    key = looked_after_child.pk
    record_audit(
        actor=officer, action=AuditAction.VIEW_PERSON, origin=CLI, person=looked_after_child
    )
    with at(DAY_AFTER):
        propose(DAY_AFTER)
        approve(officer, looked_after_child)
    assert verify_chain() == []
    out = StringIO()
    call_command("verify-audit", stdout=out)
    assert "audit trail intact" in out.getvalue()
    # The rows about the record keep the key they were hashed with, and lead to the tombstone.
    kept = AuditEvent.objects.filter(person_id=key).values_list("action", flat=True)
    assert AuditAction.VIEW_PERSON in kept
    assert AuditAction.APPROVE_DISPOSAL in kept
    assert Tombstone.objects.get(former_person_key=key)


def test_a_record_under_a_manual_hold_is_never_disposed_of(looked_after_child, officer):
    with at(DAY_AFTER):
        propose(DAY_AFTER)
        hold = actions.place_legal_hold(
            actor=officer, person=looked_after_child, reason="Civil claim pending", origin=CLI
        )
        with pytest.raises(actions.HeldError) as refused:
            approve(officer, looked_after_child)
    assert hold.reference in str(refused.value)
    assert "Civil claim pending" in str(refused.value)
    denial = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert denial.detail["holds"] == [hold.reference]
    assert denial.person_id == looked_after_child.pk
    assert Person.objects.filter(pk=looked_after_child.pk).exists()
    # Held, it is listed with its hold and not proposed again.
    with at(DAY_AFTER + dt.timedelta(days=400)):
        later = DAY_AFTER + dt.timedelta(days=400)
        (due,) = [d for d in falling_due(later) if d.person_id == looked_after_child.pk]
        assert [h.reference for h in due.holds] == [hold.reference]
        assert all(p.person_id != looked_after_child.pk for p in propose(later))


def test_a_released_hold_no_longer_blocks(looked_after_child, officer):
    with at(DAY_AFTER):
        hold = actions.place_legal_hold(
            actor=officer, person=looked_after_child, reason="Civil claim pending", origin=CLI
        )
        assert propose(DAY_AFTER) == []
        actions.release_legal_hold(actor=officer, hold=hold, reason="Claim settled", origin=CLI)
        propose(DAY_AFTER)
        tombstone = approve(officer, looked_after_child)
    assert tombstone.rows_destroyed["governance.LegalHold"] == 1
    assert not LegalHold.objects.exists()


def _open_rapid_review(child: Person, agencies: dict[str, Agency], by: User) -> RapidReview:
    notification = SeriousIncidentNotification.objects.create(
        local_authority=agencies["CSC"],
        police=agencies["POLICE"],
        integrated_care_board=agencies["HEALTH"],
        notifier=by,
        incident_on=dt.date(2024, 5, 2),
        aware_on=dt.date(2024, 5, 3),
        nature="serious_harm",
        case_outline="Synthetic",
        police_involvement="investigating",
        due_on=dt.date(2024, 5, 8),
        due_rule="test",
        due_rule_version="test",
    )
    NotifiedChild.objects.create(notification=notification, person=child, name="(snapshot)")
    return RapidReview.objects.create(
        notification=notification,
        opened_by=by,
        due_on=dt.date(2024, 6, 1),
        due_rule="test",
        due_rule_version="test",
        summary_working_day=5,
        summaries_due_on=dt.date(2024, 5, 10),
    )


def test_a_child_in_an_open_rapid_review_is_never_disposed_of(
    looked_after_child, officer, team_manager, agencies
):
    with at(DAY_AFTER):
        propose(DAY_AFTER)
        review = _open_rapid_review(looked_after_child, agencies, team_manager)
        with pytest.raises(actions.HeldError) as refused:
            approve(officer, looked_after_child)
    reference = review.notification.reference
    assert f"Rapid review for serious incident {reference} is open" in str(refused.value)
    assert Person.objects.filter(pk=looked_after_child.pk).exists()
    # Completed, with a local review decided on but not yet published: still held.
    RapidReview.objects.filter(pk=review.pk).update(
        completed_on=dt.date(2024, 6, 1),
        local_review_needed=True,
        decided_on=dt.date(2024, 5, 30),
        decision_reasons="Learning for the partnership",
    )
    with at(DAY_AFTER), pytest.raises(actions.HeldError, match="practice review"):
        approve(officer, looked_after_child)


def test_only_an_information_governance_officer_approves(
    looked_after_child, administrator, social_worker
):
    with at(DAY_AFTER):
        propose(DAY_AFTER)
        for user in (administrator, social_worker):
            with pytest.raises(actions.RetentionError, match="information governance officer"):
                approve(user, looked_after_child)
    assert Person.objects.filter(pk=looked_after_child.pk).exists()


def test_a_refusal_keeps_the_record_and_needs_a_reason(looked_after_child, officer):
    with at(DAY_AFTER):
        propose(DAY_AFTER)
        proposal = proposal_for(looked_after_child)
        with pytest.raises(actions.RetentionError, match="reason"):
            actions.refuse_disposal(actor=officer, proposal=proposal, reason=" ", origin=CLI)
        actions.refuse_disposal(
            actor=officer, proposal=proposal, reason="Subject of a complaint", origin=CLI
        )
        with pytest.raises(actions.RetentionError, match="already been decided"):
            actions.approve_disposal(actor=officer, proposal=proposal, reason="x", origin=CLI)
    assert Person.objects.filter(pk=looked_after_child.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.REFUSE_DISPOSAL).count() == 1


def test_the_command_lists_what_falls_due_and_proposes_nothing_on_a_dry_run(
    looked_after_child, officer
):
    with at(DAY_AFTER):
        actions.place_legal_hold(
            actor=officer, person=looked_after_child, reason="Inquiry", origin=CLI
        )
        out = StringIO()
        call_command("retention", "--as-of", DAY_AFTER.isoformat(), "--dry-run", stdout=out)
    text = out.getvalue()
    assert str(looked_after_child.public_id) in text
    assert "looked_after" in text
    assert f"due {DAY_AFTER.isoformat()}" in text
    assert "HOLD-" in text
    assert "Robin" not in text
    assert "dry run" in text
    assert not DisposalProposal.objects.exists()


def test_the_command_proposes_without_destroying(looked_after_child):
    with at(DAY_AFTER):
        out = StringIO()
        call_command("retention", "--as-of", DAY_AFTER.isoformat(), stdout=out)
    assert proposal_for(looked_after_child).due_on == DAY_AFTER
    assert Person.objects.filter(pk=looked_after_child.pk).exists()
    assert "1 proposed" in out.getvalue()


def test_a_hold_follows_the_child_through_a_merge(looked_after_child, officer, agencies):
    """A hold on a record merged into another holds the survivor (linkage BELONGINGS)."""
    from sightline.linkage import actions as linkage

    survivor = factories.PersonFactory.create(date_of_birth=looked_after_child.date_of_birth)
    factories.SourceRecordFactory.create(person=survivor, agency=agencies["HEALTH"])
    with at(DAY_AFTER):
        hold = actions.place_legal_hold(
            actor=officer, person=looked_after_child, reason="Inquiry", origin=CLI
        )
        linkage.merge_persons(
            actor=None,
            survivor=survivor,
            merged=looked_after_child,
            origin=CLI,
            reason="Same child",
        )
        hold.refresh_from_db()
        assert hold.person_id == survivor.pk
        due = [d for d in falling_due(DAY_AFTER) if d.person_id == survivor.pk]
        assert [h.reference for h in due[0].holds] == [hold.reference]


def test_a_serious_incident_holds_the_record_until_its_reviews_are_finished(
    looked_after_child, team_manager, agencies
):
    """``holds_on`` decides on the fetched rows which incidents are still open: each
    state of the rapid and local reviews."""
    from sightline.governance.holds import holds_on
    from sightline.incidents.models import LocalReview

    def held() -> list[str]:
        return [
            hold.description
            for hold in holds_on([looked_after_child.pk]).get(looked_after_child.pk, [])
        ]

    review = _open_rapid_review(looked_after_child, agencies, team_manager)
    assert held() == [f"Rapid review for serious incident {review.notification.reference} is open"]
    RapidReview.objects.filter(pk=review.pk).update(
        completed_on=dt.date(2024, 6, 1),
        local_review_needed=False,
        decided_on=dt.date(2024, 5, 30),
        decision_reasons="No further learning",
    )
    assert held() == []
    RapidReview.objects.filter(pk=review.pk).update(local_review_needed=True)
    assert "is decided on but not commissioned" in held()[0]
    local = LocalReview.objects.create(
        review=review,
        decided_on=dt.date(2024, 5, 30),
        reviewer="An independent reviewer",
        terms_of_reference="Learning",
        publication_due_on=dt.date(2025, 1, 1),
        send_to_panel_due_on=dt.date(2024, 12, 1),
        due_rule_version="test",
        commissioned_by=team_manager,
    )
    assert "is not yet published" in held()[0]
    LocalReview.objects.filter(pk=local.pk).update(published_on=dt.date(2025, 1, 1))
    assert held() == []


def _adult_last_seen_in_2018(agencies: dict[str, Agency], *, changed_since: bool) -> Person:
    """An adult whose police record came into Sightline today, with the force's events
    about them, the last in 2018; ``changed_since``: the force has changed the record
    since sending it."""
    person = factories.PersonFactory.create(date_of_birth=dt.date(1980, 3, 1))
    received = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    record = factories.SourceRecordFactory.create(
        person=person,
        agency=agencies["POLICE"],
        received_at=received,
        updated_at=received + dt.timedelta(days=2) if changed_since else received,
    )
    factories.ChronologyEventFactory.create(
        subject_record=record, occurred_at=dt.datetime(2018, 5, 4, 10, 0, tzinfo=dt.UTC)
    )
    return person


def test_a_record_first_received_today_is_dated_by_its_agencys_events(agencies):
    person = _adult_last_seen_in_2018(agencies, changed_since=False)
    with at(dt.date(2026, 11, 25)):
        due = [d for d in falling_due(dt.date(2026, 11, 25)) if d.person_id == person.pk]
    assert [(d.kind.value, d.due_on) for d in due] == [("adult", dt.date(2024, 5, 5))]


def test_a_record_changed_after_its_receipt_counts_from_the_change(agencies):
    person = _adult_last_seen_in_2018(agencies, changed_since=True)
    with at(dt.date(2026, 11, 25)):
        assert [d for d in falling_due(dt.date(2026, 11, 25)) if d.person_id == person.pk] == []


def test_a_record_whose_agency_sent_no_events_counts_from_its_receipt(agencies):
    person = _adult_last_seen_in_2018(agencies, changed_since=False)
    # Housing holds a record of them too, with no events: nothing dates it but its receipt.
    factories.SourceRecordFactory.create(person=person, agency=agencies["HOUSING"])
    with at(dt.date(2026, 11, 25)):
        assert [d for d in falling_due(dt.date(2026, 11, 25)) if d.person_id == person.pk] == []
