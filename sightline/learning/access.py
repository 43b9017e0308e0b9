"""Who may do what with reviews, codings, the taxonomy and reports.

Review documents are sensitive narratives: only panel analysts read and code them.
The taxonomy is edited by panel analysts and administrators. Reports are aggregate
and suppressed: leaders (team managers, safeguarding leads), analysts and
administrators may produce them. Everyone else gets a 404, as for any record they
may not know exists.
"""

import enum
import uuid

from django.http import Http404

from sightline.accounts.models import Role, User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.learning.models import ReviewDocument


class Capability(enum.Enum):
    CODE_REVIEWS = frozenset({Role.PANEL_ANALYST})
    EDIT_TAXONOMY = frozenset({Role.PANEL_ANALYST, Role.ADMINISTRATOR})
    PRODUCE_REPORTS = frozenset(
        {Role.PANEL_ANALYST, Role.ADMINISTRATOR, Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD}
    )


def can(user: User | None, capability: Capability) -> bool:
    """``None`` is the command line, run by whoever runs the server."""
    if user is None:
        return True
    return user.is_active and user.role in capability.value


def require(user: User, capability: Capability) -> None:
    """Raise 404 unless ``user`` has ``capability``."""
    if not can(user, capability):
        raise Http404("Not found")


def access_review_document(
    user: User, public_id: uuid.UUID | str, *, origin: Origin
) -> ReviewDocument:
    """The review if ``user`` may read it, with a view audited; otherwise a denial is
    audited and 404 raised, without saying whether the review exists."""
    document = _find(public_id)
    if document is None or not can(user, Capability.CODE_REVIEWS):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": AuditAction.VIEW_REVIEW_DOCUMENT.value, "requested": str(public_id)},
        )
        raise Http404("No such review")
    record_audit(
        actor=user,
        action=AuditAction.VIEW_REVIEW_DOCUMENT,
        origin=origin,
        detail={"review": document.reference},
    )
    return document


def _find(public_id: uuid.UUID | str) -> ReviewDocument | None:
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None
    return ReviewDocument.objects.filter(public_id=key).first()
