"""Who may see a referral: the referrer and the receiving team. Others get a 404."""

import uuid

from django.http import Http404

from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.sharing import queries
from sightline.sharing.models import Referral


def access_referral(user: User, public_id: uuid.UUID | str, *, origin: Origin) -> Referral:
    """The referral if ``user`` may see it, with an audit row; otherwise an audited 404."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        key = None
    referral = (
        Referral.objects.select_related(
            "person", "referrer", "from_agency", "to_team__agency", "redirected_to__to_team"
        )
        .filter(public_id=key)
        .first()
        if key
        else None
    )
    if referral is None or not queries.may_see_referral(user, referral):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            person=referral.person if referral else None,
            detail={"intent": AuditAction.VIEW_REFERRAL.value, "requested": str(public_id)},
        )
        raise Http404("No such referral")
    record_audit(
        actor=user,
        action=AuditAction.VIEW_REFERRAL,
        origin=origin,
        person=referral.person,
        detail={"referral": str(referral.public_id)},
    )
    return referral
