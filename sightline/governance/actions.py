"""Every write of retention: proposing disposals, approving (destroying) or refusing them,
legal holds, and changes to the schedule. Each writes its audit row in the same
transaction; no audit row names the person, only their opaque reference."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from sightline.accounts.models import User
from sightline.audit.actions import Origin, append_audit, new_audit_event, record_audit
from sightline.audit.models import AuditAction
from sightline.governance import disposal, schedule
from sightline.governance.access import may_change_schedule, may_review_disposals
from sightline.governance.holds import holds_on
from sightline.governance.models import (
    DisposalProposal,
    LegalHold,
    ProposalStatus,
    RetentionRule,
    Tombstone,
)
from sightline.governance.queries import facts_for, falling_due
from sightline.people.models import Person


class RetentionError(Exception):
    """The action cannot be carried out; the message says why."""


class HeldError(RetentionError):
    """The record is under a legal hold; the message names each hold."""

    def __init__(self, message: str, references: list[str]) -> None:
        super().__init__(message)
        self.references = references


@transaction.atomic
def propose_disposals(
    *, actor: User | None, as_of: dt.date, origin: Origin
) -> list[DisposalProposal]:
    """Propose for review every record due on ``as_of`` that has no hold and no open
    proposal. Destroys nothing."""
    now = timezone.now()
    proposals = [
        DisposalProposal(
            person_id=due.person_id,
            person_ref=due.person_ref,
            kind=due.kind.value,
            rule=due.rule,
            due_on=due.due_on,
            as_of=as_of,
            proposed_at=now,
            proposed_by=actor,
        )
        for due in falling_due(as_of)
        if not due.holds and not due.proposal
    ]
    DisposalProposal.objects.bulk_create(proposals)
    record_audit(
        actor=actor,
        action=AuditAction.PROPOSE_DISPOSALS,
        origin=origin,
        detail={"as_of": as_of.isoformat(), "proposed": [str(p.person_ref) for p in proposals]},
    )
    return proposals


def _open_proposal(proposal_id: int) -> DisposalProposal:
    proposal = (
        DisposalProposal.objects.select_for_update().select_related("rule").get(pk=proposal_id)
    )
    if proposal.status != ProposalStatus.PROPOSED or proposal.person_id is None:
        raise RetentionError(f"{proposal.reference} has already been decided.")
    return proposal


def approve_disposal(
    *, actor: User, proposal: DisposalProposal, reason: str, origin: Origin
) -> Tombstone:
    """Approve a proposal and destroy the record (``_approve_disposal``). A refusal for a
    legal hold is audited as a denial, naming the holds, in its own transaction (the
    disposal's own is rolled back)."""
    try:
        return _approve_disposal(actor=actor, proposal=proposal, reason=reason, origin=origin)
    except HeldError as error:
        with transaction.atomic():
            append_audit(
                [
                    new_audit_event(
                        actor=actor,
                        action=AuditAction.DENIED,
                        origin=origin,
                        person_id=proposal.person_id,
                        reason=reason,
                        detail={
                            "refused": AuditAction.APPROVE_DISPOSAL.value,
                            "proposal": proposal.reference,
                            "holds": error.references,
                        },
                    )
                ]
            )
        raise


@transaction.atomic
def _approve_disposal(
    *, actor: User, proposal: DisposalProposal, reason: str, origin: Origin
) -> Tombstone:
    """Approve a proposal and destroy the record, leaving a tombstone.

    Checked again at the moment of approval, not at the proposal: the reviewer's role,
    the holds in force (refused, naming each hold), and that the record is still due
    today under the schedule as it now stands (new activity, or a changed rule, may have
    moved the date)."""
    if not may_review_disposals(actor):
        raise RetentionError("Only an information governance officer may approve a disposal.")
    reason = reason.strip()
    if not reason:
        raise RetentionError("Give the reason for approving the disposal.")
    proposal = _open_proposal(proposal.pk)
    person_key = proposal.person_id
    if person_key is None:  # _open_proposal refused it; for the type checker
        raise RetentionError(f"{proposal.reference} has already been decided.")
    person = Person.objects.select_for_update().get(pk=person_key)
    if person.merged_into_id is not None:
        raise RetentionError(
            "This record has been merged into another since it was proposed; refuse this "
            "proposal, and the schedule will propose the merged record when it falls due."
        )
    husks = list(Person.objects.filter(merged_into=person).values_list("pk", flat=True))
    held = holds_on([person.pk, *husks])
    holds = [hold for found in held.values() for hold in found]
    if holds:
        named = "; ".join(f"{hold.reference}: {hold.description}" for hold in holds)
        raise HeldError(
            f"This record is under a legal hold and cannot be disposed of ({named}).",
            [hold.reference for hold in holds],
        )
    today = timezone.localdate()
    facts = facts_for([person.pk])[person.pk]
    kind = schedule.kind_of_record(facts)
    rule = RetentionRule.objects.get(kind=kind.value)
    due = schedule.due_on(rule.as_rule(), facts)
    if due is None or due > today:
        raise RetentionError(
            "This record is not due for disposal today under the schedule as it now stands"
            + (f" (due on {due:%-d %B %Y})." if due else ".")
        )
    reference, key = person.public_id, person.pk
    rows = disposal.destroy(person)
    now = timezone.now()
    tombstone = Tombstone.objects.create(
        reference=reference,
        former_person_key=key,
        kind=kind.value,
        rule=rule,
        rule_applied=f"{rule.get_kind_display()}: {rule.summary}. Source: {rule.source}",
        due_on=due,
        approved_by=actor,
        approved_by_username=actor.username,
        reason=reason,
        disposed_at=now,
        rows_destroyed=rows,
    )
    proposal.status = ProposalStatus.DISPOSED
    proposal.decided_at = now
    proposal.decided_by = actor
    proposal.decision_reason = reason
    proposal.tombstone = tombstone
    proposal.person = None
    proposal.save()
    # The row keeps the person's key, as every earlier row about them does: it names no one.
    append_audit(
        [
            new_audit_event(
                actor=actor,
                action=AuditAction.APPROVE_DISPOSAL,
                origin=origin,
                person_id=key,
                reason=reason,
                detail={
                    "proposal": proposal.reference,
                    "tombstone": str(reference),
                    "kind": kind.value,
                    "due_on": due.isoformat(),
                    "rows_destroyed": rows,
                },
            )
        ]
    )
    return tombstone


@transaction.atomic
def refuse_disposal(
    *, actor: User, proposal: DisposalProposal, reason: str, origin: Origin
) -> DisposalProposal:
    if not may_review_disposals(actor):
        raise RetentionError("Only an information governance officer may refuse a disposal.")
    reason = reason.strip()
    if not reason:
        raise RetentionError("Give the reason for refusing the disposal.")
    proposal = _open_proposal(proposal.pk)
    proposal.status = ProposalStatus.REFUSED
    proposal.decided_at = timezone.now()
    proposal.decided_by = actor
    proposal.decision_reason = reason
    proposal.save()
    record_audit(
        actor=actor,
        action=AuditAction.REFUSE_DISPOSAL,
        origin=origin,
        person=proposal.person,
        reason=reason,
        detail={"proposal": proposal.reference},
    )
    return proposal


@transaction.atomic
def place_legal_hold(*, actor: User, person: Person, reason: str, origin: Origin) -> LegalHold:
    if not may_review_disposals(actor):
        raise RetentionError("Only an information governance officer may place a legal hold.")
    reason = reason.strip()
    if not reason:
        raise RetentionError("Give the reason for the legal hold.")
    hold = LegalHold.objects.create(
        person=person, reason=reason, placed_by=actor, placed_at=timezone.now()
    )
    record_audit(
        actor=actor,
        action=AuditAction.PLACE_LEGAL_HOLD,
        origin=origin,
        person=person,
        reason=reason,
        detail={"hold": hold.reference},
    )
    return hold


@transaction.atomic
def release_legal_hold(*, actor: User, hold: LegalHold, reason: str, origin: Origin) -> LegalHold:
    if not may_review_disposals(actor):
        raise RetentionError("Only an information governance officer may release a legal hold.")
    reason = reason.strip()
    if not reason:
        raise RetentionError("Give the reason for releasing the legal hold.")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise RetentionError(f"{hold.reference} has already been released.")
    hold.released_at = timezone.now()
    hold.released_by = actor
    hold.release_reason = reason
    hold.save()
    record_audit(
        actor=actor,
        action=AuditAction.RELEASE_LEGAL_HOLD,
        origin=origin,
        person=hold.person,
        reason=reason,
        detail={"hold": hold.reference},
    )
    return hold


@transaction.atomic
def change_retention_rule(
    *,
    actor: User,
    rule: RetentionRule,
    anchor: str,
    years: int,
    years_after_last_activity: int | None,
    years_after_death_under_18: int | None,
    source: str,
    origin: Origin,
) -> RetentionRule:
    if not may_change_schedule(actor):
        raise RetentionError("Only an administrator may change the retention schedule.")
    if not source.strip():
        raise RetentionError("Give the source of the retention period.")
    before = {"summary": rule.summary, "source": rule.source}
    rule.anchor = anchor
    rule.years = years
    rule.years_after_last_activity = years_after_last_activity
    rule.years_after_death_under_18 = years_after_death_under_18
    rule.source = source.strip()
    rule.changed_by = actor
    rule.save()
    record_audit(
        actor=actor,
        action=AuditAction.CHANGE_RETENTION_RULE,
        origin=origin,
        detail={
            "kind": rule.kind,
            "before": before,
            "after": {"summary": rule.summary, "source": rule.source},
        },
    )
    return rule
