"""Reads for access governance: the review queue, who has seen a record, and what was
done under one emergency access."""

from django.db.models import Q, QuerySet

from sightline.access.models import BreakGlassGrant
from sightline.accounts.models import Role, User
from sightline.audit.models import AuditEvent
from sightline.people.models import Person


def grants_reviewable_by(user: User) -> QuerySet[BreakGlassGrant]:
    """Emergency accesses ``user`` may review: the queryset form of
    ``record.rules.may_review_grant`` (a test keeps the two in step)."""
    grants = BreakGlassGrant.objects.select_related("user", "user__agency", "person")
    if not (user.is_authenticated and user.is_active):
        return grants.none()
    rule = Q(pk__in=[])
    if user.role == Role.TEAM_MANAGER and user.team_id is not None:
        rule |= Q(user__team_id=user.team_id)
    if user.role == Role.SAFEGUARDING_LEAD and user.agency_id is not None:
        rule |= Q(user__agency_id=user.agency_id)
    return grants.filter(rule).exclude(user=user)


def may_review_any(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (
            (user.role == Role.TEAM_MANAGER and user.team_id is not None)
            or (user.role == Role.SAFEGUARDING_LEAD and user.agency_id is not None)
        )
    )


def access_log(person: Person) -> QuerySet[AuditEvent]:
    """Every audit row about ``person``, newest first: who has seen or changed the record."""
    return AuditEvent.objects.filter(person=person).order_by("-id")


def done_under(grant: BreakGlassGrant) -> QuerySet[AuditEvent]:
    """What the user did with the record while the emergency access was open."""
    return AuditEvent.objects.filter(
        actor_id=grant.user_id,
        person_id=grant.person_id,
        at__gte=grant.granted_at,
        at__lt=grant.ends_at,
    ).order_by("id")
