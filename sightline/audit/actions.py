"""Writing the audit trail. Called inside the caller's transaction: if this fails, so
does the read or write it records."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from sightline.audit import chain
from sightline.audit.models import AuditAction, AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from sightline.accounts.models import User
    from sightline.people.models import Person


@dataclass(frozen=True)
class Origin:
    """Where a request came from: the page, the API, the CLI or a background job."""

    via: str
    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, via: str = "page") -> "Origin":
        return cls(
            via=via,
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )


CLI = Origin(via="cli")


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_username": event.actor_username,
        "agency_code": event.agency_code,
        "role": event.role,
        "action": event.action,
        "person": event.person_id,
        "reason": event.reason,
        "detail": event.detail,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "via": event.via,
    }


def record_audit(
    *,
    actor: "User | None",
    action: AuditAction,
    origin: Origin,
    person: "Person | None" = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one row to the audit chain, in the current transaction."""
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1, last_hash=chain.GENESIS_HASH, last_id=0)
        event = AuditEvent(
            at=timezone.now(),
            actor=actor,
            actor_username=actor.username if actor else "",
            agency_code=actor.agency.code if actor and actor.agency else "",
            role=actor.role if actor else "",
            action=action,
            person=person,
            reason=reason,
            detail=detail or {},
            ip_address=origin.ip_address,
            user_agent=origin.user_agent,
            via=origin.via,
            previous_hash=head.last_hash,
        )
        event.hash = chain.row_hash(head.last_hash, hashed_fields(event))
        event.save(force_insert=True)
        head.last_hash = event.hash
        head.last_id = event.pk
        head.save(update_fields=["last_hash", "last_id"])
    return event
