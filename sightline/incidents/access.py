"""Who may see and change serious incident records. The one place these rules live.

- Safeguarding leads and team managers of the notification's three safeguarding partners
  (local authority, police, integrated care board) see it and work on it.
- A user named as the contributor of an agency summary sees the notification and review,
  and writes that summary only.
- Panel analysts see every notification and review, read-only.
- Nobody else: practitioners, administrators, and partners of other partnerships.
- The partnership business manager and the three partner leads work on the
  notifications of the partner agency they belong to.
- Only a safeguarding lead of a partner agency, or that partner's partner lead (of that
  agency), signs off for that partner.

``visible_to`` is the rule as a queryset (dashboards and lists); ``access_notification``
uses the same queryset for a single record, so the two cannot drift apart. Every read is
audited, one row per child, and a denial writes a ``denied`` row and gives 404.
"""

import enum
import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from sightline.accounts.models import PARTNER_LEAD_FOR, PARTNERSHIP_ROLES, Role, User
from sightline.agencies.models import AgencyKind
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.incidents.models import (
    AgencySummary,
    Partner,
    SeriousIncidentNotification,
)

# Who works on a partner's notifications and reviews: its safeguarding leads and team
# managers, the partnership business manager and the partner leads (of that agency).
PARTNER_ROLES = frozenset({Role.SAFEGUARDING_LEAD, Role.TEAM_MANAGER, *PARTNERSHIP_ROLES})


class Intent(enum.Enum):
    VIEW = AuditAction.VIEW_INCIDENT
    EXPORT = AuditAction.EXPORT_INCIDENT
    # A write: the action writes its own audit row, so access writes none on success.
    CHANGE = "change"


def _partner_filter(user: User) -> Q:
    agency = user.agency_id
    return Q(local_authority_id=agency) | Q(police_id=agency) | Q(integrated_care_board_id=agency)


def visible_to(user: User) -> QuerySet[SeriousIncidentNotification]:
    notifications = SeriousIncidentNotification.objects.all()
    if not user.is_authenticated or not user.is_active:
        return notifications.none()
    if user.role == Role.PANEL_ANALYST:
        return notifications
    if user.role == Role.ADMINISTRATOR:
        return notifications.none()
    rule = Q(rapid_review__summaries__contributor=user)
    if user.role in PARTNER_ROLES and user.agency_id is not None:
        rule |= _partner_filter(user)
    return notifications.filter(rule).distinct()


def is_partner(user: User, notification: SeriousIncidentNotification) -> bool:
    """A safeguarding lead or team manager of one of the three partners: may work on it."""
    return (
        user.is_active
        and user.role in PARTNER_ROLES
        and user.agency_id is not None
        and user.agency_id
        in {
            notification.local_authority_id,
            notification.police_id,
            notification.integrated_care_board_id,
        }
    )


def partner_agency_id(notification: SeriousIncidentNotification, partner: Partner) -> int:
    return {
        Partner.LOCAL_AUTHORITY: notification.local_authority_id,
        Partner.POLICE: notification.police_id,
        Partner.INTEGRATED_CARE_BOARD: notification.integrated_care_board_id,
    }[partner]


def can_sign_off(user: User, notification: SeriousIncidentNotification, partner: Partner) -> bool:
    """A safeguarding lead of the partner's agency, or that partner's own partner lead."""
    signs_for_partner = user.role == Role.SAFEGUARDING_LEAD or (
        PARTNER_LEAD_FOR.get(user.role) == partner.value
    )
    return (
        user.is_active
        and signs_for_partner
        and user.agency_id == partner_agency_id(notification, partner)
    )


def can_contribute(user: User, summary: AgencySummary) -> bool:
    """The named contributor, or a partner lead/manager of the summary's own agency."""
    if not user.is_active:
        return False
    if summary.contributor_id == user.pk:
        return True
    return user.role in PARTNER_ROLES and user.agency_id == summary.agency_id


def require_partner(user: User, notification: SeriousIncidentNotification) -> None:
    if not is_partner(user, notification):
        raise PermissionDenied(
            "Only safeguarding leads and team managers of the three safeguarding partners "
            "may change this record."
        )


def _audit_read(
    user: User,
    notification: SeriousIncidentNotification,
    action: AuditAction,
    origin: Origin,
    detail: dict[str, object],
) -> None:
    detail = {"notification": notification.reference, **detail}
    children = list(notification.children.select_related("person"))
    for child in children:
        record_audit(actor=user, action=action, origin=origin, person=child.person, detail=detail)
    if not children:  # pragma: no cover - the action refuses a notification without a child
        record_audit(actor=user, action=action, origin=origin, detail=detail)


def access_notification(
    user: User,
    public_id: uuid.UUID | str,
    *,
    intent: Intent,
    origin: Origin,
    detail: dict[str, object] | None = None,
) -> SeriousIncidentNotification:
    """The notification if ``user`` may see it (audited, one row per child), else 404.

    With ``Intent.CHANGE`` the user must also be a partner lead or manager: one who may
    see the record but not change it gets 403 (and a ``denied`` row).
    """
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        key = None
    notification = visible_to(user).filter(public_id=key).first() if key is not None else None
    denied_detail: dict[str, object] = {"intent": intent.name.lower(), "requested": str(public_id)}
    if notification is None:
        record_audit(actor=user, action=AuditAction.DENIED, origin=origin, detail=denied_detail)
        raise Http404("No such notification")
    if intent is Intent.CHANGE:
        if not is_partner(user, notification):
            _audit_read(user, notification, AuditAction.DENIED, origin, denied_detail)
            raise PermissionDenied("You may see this record but not change it.")
        return notification
    assert isinstance(intent.value, AuditAction)  # noqa: S101 - narrows the enum value
    _audit_read(user, notification, intent.value, origin, detail or {})
    return notification


def access_summary(user: User, pk: int, *, origin: Origin) -> AgencySummary:
    """An agency summary the user may write (the contributor or that agency's lead), else 404."""
    summary = (
        AgencySummary.objects.select_related("review__notification", "agency")
        .filter(pk=pk, review__notification__in=visible_to(user))
        .first()
    )
    if summary is None or not can_contribute(user, summary):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": "agency_summary", "requested": pk},
        )
        raise Http404("No such summary")
    return summary


def may_notify(user: User) -> bool:
    """Records serious incident notifications: a safeguarding lead or team manager of a
    local authority's children's social care."""
    return (
        user.is_active
        and user.role in PARTNER_ROLES
        and user.agency is not None
        and user.agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE
    )


def may_record_panel_response(user: User) -> bool:
    """The national panel's response is recorded by the panel's own role (a panel
    analyst), not typed in by the partners it responds to."""
    return user.is_active and user.role == Role.PANEL_ANALYST
