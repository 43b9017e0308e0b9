"""Reads of contexts and of networks: decide, audit, return or 404.

A child's network is opened through ``record.access.open_record`` (the child's record);
what the viewer was then shown of other people is written down by ``record_network_view``
so that "who has seen this" can be answered for them too.
"""

import uuid

from django.http import Http404

from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.networks.graph import ViewerGraph
from sightline.networks.models import Context
from sightline.people.models import Person


def access_context(user: User, public_id: uuid.UUID | str, *, origin: Origin) -> Context:
    """The context if ``user`` may see it, with an audit row written; otherwise 404."""
    context = _find(public_id)
    if context is None or not user.has_perm("networks.view_context", context):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": AuditAction.VIEW_CONTEXT.value, "requested": str(public_id)},
        )
        raise Http404("No such context")
    record_audit(
        actor=user,
        action=AuditAction.VIEW_CONTEXT,
        origin=origin,
        detail={"context": str(context.public_id)},
    )
    return context


def require_meeting_access(user: User, *, origin: Origin) -> None:
    """The exploitation meeting pages: 404 (audited) for those who may not see them."""
    if not user.has_perm("networks.view_exploitation_meeting"):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": AuditAction.VIEW_EXPLOITATION_MEETING.value},
        )
        raise Http404("No such page")
    record_audit(actor=user, action=AuditAction.VIEW_EXPLOITATION_MEETING, origin=origin)


def record_network_view(
    *, user: User, origin: Origin, person: Person, graph: ViewerGraph, signals: int
) -> None:
    """Write down which other people's names ``user`` was shown around ``person``."""
    record_audit(
        actor=user,
        action=AuditAction.VIEW_NETWORK,
        origin=origin,
        person=person,
        detail={
            "shown_people": sorted(int(k[2:]) for k in graph.shown_people),
            "shown_contexts": sorted(int(k[2:]) for k in graph.shown_contexts),
            "people_not_shown": graph.people_not_shown,
            "contexts_not_shown": graph.contexts_not_shown,
            "signals": signals,
        },
    )


def _find(public_id: uuid.UUID | str) -> Context | None:
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None
    return Context.objects.filter(public_id=key).first()
