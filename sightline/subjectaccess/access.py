"""Who may see and act on subject access requests: the agency's data quality officers
(``record.rules.may_answer_subject_access``), for requests their agency answers. Anyone
else gets 404, audited."""

import uuid

from django.db.models import QuerySet
from django.http import Http404

from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.record.rules import may_answer_subject_access
from sightline.subjectaccess.models import SubjectAccessRequest

__all__ = ["get_request", "may_answer_subject_access", "requests_for"]


def requests_for(user: User) -> QuerySet[SubjectAccessRequest]:
    if not may_answer_subject_access(user) or user.agency_id is None:
        return SubjectAccessRequest.objects.none()
    return SubjectAccessRequest.objects.filter(agency_id=user.agency_id)


def refuse(user: User, *, origin: Origin, requested: str = "") -> Http404:
    """Audit a refusal and give the 404 to raise."""
    record_audit(
        actor=user,
        action=AuditAction.DENIED,
        origin=origin,
        detail={"intent": "subject_access", "requested": requested},
    )
    return Http404("No such request")


def get_request(user: User, public_id: uuid.UUID | str, *, origin: Origin) -> SubjectAccessRequest:
    """The request if ``user`` may act on it; otherwise 404 and a denial row."""
    found = requests_for(user).select_related("person").filter(public_id=public_id).first()
    if found is None:
        raise refuse(user, origin=origin, requested=str(public_id))
    return found
