"""Writes to the closures table: administrators only, each with its audit row."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sightline import calendars
from sightline.accounts.models import Role, User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.deadlines.models import LocalClosure


def _require_administrator(actor: User) -> None:
    if not actor.is_active or actor.role != Role.ADMINISTRATOR:
        raise PermissionDenied("Only administrators manage local closure days.")


@transaction.atomic
def record_local_closure(
    *, actor: User, origin: Origin, date: dt.date, reason: str
) -> LocalClosure:
    """Add a closure day. Deadlines already stored do not move (they keep their rule)."""
    _require_administrator(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason for the closure."})
    if date.weekday() >= 5:
        raise ValidationError({"date": f"{date:%A %-d %B %Y} is a weekend day already."})
    holiday = calendars.bank_holiday_name(date)
    if holiday is not None:
        raise ValidationError({"date": f"{date:%-d %B %Y} is a bank holiday already ({holiday})."})
    if LocalClosure.objects.live().filter(date=date).exists():
        raise ValidationError({"date": f"{date:%-d %B %Y} is already a closure day."})
    closure = LocalClosure.objects.create(date=date, reason=reason[:200], created_by=actor)
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_CLOSURE,
        origin=origin,
        detail={"closure": closure.pk, "date": date.isoformat(), "reason": closure.reason},
    )
    return closure


@transaction.atomic
def withdraw_local_closure(
    *, actor: User, origin: Origin, closure: LocalClosure, reason: str
) -> LocalClosure:
    """Withdraw a closure day; the row stays, marked withdrawn."""
    _require_administrator(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason for withdrawing the closure."})
    closure = LocalClosure.objects.select_for_update().get(pk=closure.pk)
    if closure.withdrawn_at is not None:
        raise ValidationError({"closure": "This closure day is already withdrawn."})
    closure.withdrawn_at = timezone.now()
    closure.withdrawn_by = actor
    closure.withdrawal_reason = reason[:200]
    closure.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    record_audit(
        actor=actor,
        action=AuditAction.WITHDRAW_CLOSURE,
        origin=origin,
        detail={"closure": closure.pk, "date": closure.date.isoformat(), "reason": reason},
    )
    return closure
