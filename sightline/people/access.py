"""Every read of a person's record comes through here: decide, audit, return or 404."""

import enum
import uuid

from django.http import Http404

from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.people.models import Person


class Intent(enum.Enum):
    """What the caller is about to show: it names the audit row."""

    VIEW_RECORD = AuditAction.VIEW_PERSON
    VIEW_CHRONOLOGY = AuditAction.VIEW_CHRONOLOGY


def access_person(
    user: User,
    public_id: uuid.UUID | str,
    *,
    intent: Intent,
    origin: Origin,
    detail: dict[str, object] | None = None,
) -> Person:
    """The person if ``user`` may see them, with an audit row written; otherwise 404.

    A denial is audited too, and that row is kept: this function opens no transaction
    of its own, so the 404 does not roll it back. Whether the person exists is not
    revealed.
    """
    person = _find(public_id)
    if person is None or not user.has_perm("people.view_person", person):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            person=person,
            detail={"intent": intent.value.value, "requested": str(public_id)},
        )
        raise Http404("No such person")
    record_audit(actor=user, action=intent.value, origin=origin, person=person, detail=detail or {})
    return person


def _find(public_id: uuid.UUID | str) -> Person | None:
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None
    person = Person.objects.filter(public_id=key).first()
    # A merged person's row stays for links; reads go to the person it was merged into.
    while person is not None and person.merged_into_id is not None:
        person = person.merged_into
    return person
