"""Reads for access governance: the review queue, who has seen a record, what was done
under one emergency access, and users with their two-factor standing."""

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.access.models import BreakGlassGrant, EnrolmentCode
from sightline.accounts.models import Role, User
from sightline.audit.models import AuditEvent
from sightline.people.models import Person


def grants_reviewable_by(user: User) -> QuerySet[BreakGlassGrant]:
    """Emergency accesses ``user`` may review: the queryset form of
    ``people.rules.may_review_grant`` (a test keeps the two in step)."""
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


def users_matching(text: str) -> QuerySet[User]:
    """Users whose name, username or e-mail contains ``text`` (all when blank), each with
    ``has_authenticator`` and ``code_expires_at`` (an enrolment code still usable)."""
    found = User.objects.select_related("agency", "team")
    for word in text.split()[:4]:
        found = found.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        )
    usable = EnrolmentCode.objects.filter(user=OuterRef("pk")).usable_at(timezone.now())
    return found.annotate(
        has_authenticator=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        code_expires_at=Subquery(usable.order_by("-expires_at").values("expires_at")[:1]),
    ).order_by("last_name", "first_name", "username")
