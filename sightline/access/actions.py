"""Every write about access: emergency access and its review, case relationships, API
token policies, and sending the e-mails emergency access owes. Each writes its audit row
in the same transaction; e-mails go through the ``AccessNotice`` outbox after commit."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from sightline.access import limits
from sightline.access.models import (
    AccessNotice,
    BreakGlassGrant,
    BreakGlassReason,
    CaseRelationship,
    CaseRole,
    ReviewOutcome,
    TokenPolicy,
    TokenScope,
)
from sightline.accounts.models import Role, User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.people.models import Involvement, InvolvementRole, Person
from sightline.record import rules

logger = logging.getLogger(__name__)

MAX_REASON = 2000


class AccessActionError(ValueError):
    """The request cannot be carried out; the message says why, for the person asking."""


def _reason_text(text: str, what: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise AccessActionError(f"Enter {what}")
    if len(cleaned) > MAX_REASON:
        raise AccessActionError(
            f"{what[0].upper()}{what[1:]} must be {MAX_REASON:,} characters or fewer"
        )
    return cleaned


# -- emergency access --------------------------------------------------------------------


@transaction.atomic
def break_glass(
    *,
    actor: User,
    person: Person,
    reason_code: str,
    reason_text: str,
    origin: Origin,
) -> BreakGlassGrant:
    """Open ``person``'s record to ``actor`` for ``SIGHTLINE_BREAK_GLASS_HOURS``.

    The caller has re-authenticated the actor. The grant goes into the review queue; the
    allocated worker and the actor's agency's safeguarding leads are e-mailed after
    commit.
    """
    if not rules.may_trace(actor):
        raise AccessActionError("Your role cannot ask for emergency access to records")
    if person.merged_into_id is not None:
        raise AccessActionError("This record was merged into another; open that one")
    if reason_code not in BreakGlassReason.values:
        raise AccessActionError("Choose a reason")
    text = _reason_text(reason_text, "why you need to see this record now")
    if rules.has_legitimate_relationship(actor, person):
        raise AccessActionError("You can already see this record")
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=actor,
        person=person,
        reason_code=reason_code,
        reason_text=text,
        granted_at=now,
        expires_at=now + dt.timedelta(hours=settings.SIGHTLINE_BREAK_GLASS_HOURS),
    )
    recipients = _notice_recipients(actor, person, now.date())
    record_audit(
        actor=actor,
        action=AuditAction.BREAK_GLASS,
        origin=origin,
        person=person,
        reason=text,
        detail={
            "grant": grant.pk,
            "reason_code": reason_code,
            "expires_at": grant.expires_at.isoformat(),
            "notified": [user.username for user, _ in recipients],
        },
    )
    for recipient, because in recipients:
        subject, body = _notice_text(grant, because)
        AccessNotice.objects.create(
            grant=grant,
            recipient=recipient,
            because=because,
            subject=subject,
            body=body,
            created_at=now,
        )
    transaction.on_commit(deliver_notices)
    return grant


def _notice_recipients(actor: User, person: Person, day: dt.date) -> list[tuple[User, str]]:
    """The allocated worker(s) and the safeguarding leads of the actor's agency."""
    allocated = User.objects.filter(
        is_active=True,
        involvements__in=Involvement.objects.active_on(day).filter(
            person=person, role=InvolvementRole.ALLOCATED_SOCIAL_WORKER
        ),
    ).distinct()
    leads = (
        User.objects.filter(is_active=True, role=Role.SAFEGUARDING_LEAD, agency=actor.agency)
        if actor.agency_id is not None
        else User.objects.none()
    )
    found: dict[int, tuple[User, str]] = {}
    for user in allocated.order_by("pk"):
        found.setdefault(user.pk, (user, "allocated_worker"))
    for user in leads.order_by("pk"):
        found.setdefault(user.pk, (user, "safeguarding_lead"))
    found.pop(actor.pk, None)
    return list(found.values())


def _notice_text(grant: BreakGlassGrant, because: str) -> tuple[str, str]:
    actor = grant.user
    agency = actor.agency.name if actor.agency else "no agency"
    whose = (
        "a child for whom you are the allocated worker"
        if because == "allocated_worker"
        else "a child's record, as safeguarding lead of their agency"
    )
    subject = "Emergency access to a child's record in Sightline"
    when = timezone.localtime(grant.granted_at)
    until = timezone.localtime(grant.expires_at)
    seen_by = reverse("access-seen-by", kwargs={"public_id": grant.person.public_id})
    review = reverse("access-review", kwargs={"grant_id": grant.pk})
    body = (
        f"{actor.get_full_name() or actor.username} ({agency}, {actor.get_role_display()}) "
        f"used emergency access to open {whose}, at {when:%H:%M on %-d %B %Y}. "
        f"The access lasts until {until:%H:%M on %-d %B %Y}.\n\n"
        f"Reason given: {grant.get_reason_code_display()}.\n\n"
        f"Who has seen the record: {seen_by}\n"
        f"Review of this access (managers): {review}\n\n"
        "This e-mail holds no details about the child. Sign in to Sightline to see more.\n"
    )
    return subject, body


def deliver_notices() -> int:
    """Send every unsent access notice; returns how many were sent. A failure stays
    unsent (with its error) for the next run."""
    sent = 0
    for notice in AccessNotice.objects.filter(sent_at__isnull=True).select_related("recipient"):
        if not notice.recipient.email:
            AccessNotice.objects.filter(pk=notice.pk).update(
                attempts=notice.attempts + 1, last_error="the recipient has no e-mail address"
            )
            continue
        try:
            send_mail(
                notice.subject,
                notice.body,
                settings.DEFAULT_FROM_EMAIL,
                [notice.recipient.email],
                fail_silently=False,
            )
        except Exception as error:
            logger.warning("access notice %s not sent: %s", notice.pk, error)
            AccessNotice.objects.filter(pk=notice.pk).update(
                attempts=notice.attempts + 1, last_error=str(error)[:300]
            )
            continue
        AccessNotice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), attempts=notice.attempts + 1, last_error=""
        )
        sent += 1
    return sent


@transaction.atomic
def end_break_glass(*, actor: User, grant: BreakGlassGrant, origin: Origin) -> BreakGlassGrant:
    """The user who asked for emergency access ends it before it expires."""
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.user_id != actor.pk:
        raise AccessActionError("Only the person who asked for emergency access can end it")
    now = timezone.now()
    if not grant.is_active_at(now):
        raise AccessActionError("This emergency access has already ended")
    grant.ended_at = now
    grant.save(update_fields=["ended_at"])
    record_audit(
        actor=actor,
        action=AuditAction.END_BREAK_GLASS,
        origin=origin,
        person=grant.person,
        detail={"grant": grant.pk},
    )
    return grant


@transaction.atomic
def review_break_glass(
    *,
    actor: User,
    grant: BreakGlassGrant,
    outcome: str,
    note: str,
    origin: Origin,
) -> BreakGlassGrant:
    """A manager records whether the emergency access was justified."""
    grant = BreakGlassGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if not rules.may_review_grant(actor, grant):
        raise AccessActionError(
            "Only the practitioner's manager or safeguarding lead can review this"
        )
    if grant.outcome:
        raise AccessActionError("This emergency access has already been reviewed")
    if outcome not in ReviewOutcome.values:
        raise AccessActionError("Choose whether the access was justified")
    note = note.strip()
    if outcome == ReviewOutcome.NOT_JUSTIFIED and not note:
        raise AccessActionError("Say what will be done about an access that was not justified")
    if len(note) > MAX_REASON:
        raise AccessActionError(f"The note must be {MAX_REASON:,} characters or fewer")
    grant.outcome = outcome
    grant.review_note = note
    grant.reviewed_by = actor
    grant.reviewed_at = timezone.now()
    grant.save(update_fields=["outcome", "review_note", "reviewed_by", "reviewed_at"])
    record_audit(
        actor=actor,
        action=AuditAction.REVIEW_BREAK_GLASS,
        origin=origin,
        person=grant.person,
        reason=note,
        detail={"grant": grant.pk, "outcome": outcome, "practitioner": grant.user.username},
    )
    return grant


# -- core group and conference invitations -----------------------------------------------


def _may_manage_case_relationships(actor: User | None, person: Person) -> bool:
    return actor is None or (
        rules.is_allocated_worker(actor, person) or rules.manages_allocated_worker(actor, person)
    )


@transaction.atomic
def record_case_relationship(
    *,
    actor: User | None,
    person: Person,
    practitioner: User,
    role: str,
    started_on: dt.date,
    origin: Origin,
    ended_on: dt.date | None = None,
) -> CaseRelationship:
    """Add a practitioner to a child's core group, or invite them to a conference.

    The allocated worker or their managers (or the system, ``actor=None``) may do so.
    """
    if not _may_manage_case_relationships(actor, person):
        raise AccessActionError("Only the allocated worker or their managers can do this")
    if role not in CaseRole.values:
        raise AccessActionError(f"Unknown role {role!r}")
    if not practitioner.is_active or practitioner.role == Role.ADMINISTRATOR:
        raise AccessActionError(f"{practitioner} cannot hold a case relationship")
    if ended_on is not None and ended_on < started_on:
        raise AccessActionError("The end date must be on or after the start date")
    relationship = CaseRelationship.objects.create(
        person=person,
        practitioner=practitioner,
        role=role,
        started_on=started_on,
        ended_on=ended_on,
        recorded_by=actor,
    )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_CASE_RELATIONSHIP,
        origin=origin,
        person=person,
        detail={
            "relationship": relationship.pk,
            "practitioner": practitioner.username,
            "role": role,
            "started_on": started_on.isoformat(),
            "ended_on": ended_on.isoformat() if ended_on else None,
        },
    )
    return relationship


@transaction.atomic
def end_case_relationship(
    *, actor: User | None, relationship: CaseRelationship, ended_on: dt.date, origin: Origin
) -> CaseRelationship:
    relationship = CaseRelationship.objects.select_for_update().get(pk=relationship.pk)
    if not _may_manage_case_relationships(actor, relationship.person):
        raise AccessActionError("Only the allocated worker or their managers can do this")
    if ended_on < relationship.started_on:
        raise AccessActionError("The end date must be on or after the start date")
    relationship.ended_on = ended_on
    relationship.save(update_fields=["ended_on"])
    record_audit(
        actor=actor,
        action=AuditAction.END_CASE_RELATIONSHIP,
        origin=origin,
        person=relationship.person,
        detail={"relationship": relationship.pk, "ended_on": ended_on.isoformat()},
    )
    return relationship


# -- API tokens ---------------------------------------------------------------------------


@transaction.atomic
def set_token_policy(
    *, actor: User | None, token: Token, scopes: list[str], rate: str, origin: Origin
) -> TokenPolicy:
    """Limit what ``token`` may do (scopes) and how often (rate, blank for the default)."""
    unknown = sorted(set(scopes) - set(TokenScope.values))
    if unknown:
        raise AccessActionError(
            f"Unknown scope(s): {', '.join(unknown)}; known: {', '.join(TokenScope.values)}"
        )
    if rate:
        try:
            limits.parse_rate(rate)
        except ValueError as error:
            raise AccessActionError(str(error)) from error
    policy, _ = TokenPolicy.objects.update_or_create(
        token=token, defaults={"scopes": sorted(set(scopes)), "rate": rate}
    )
    record_audit(
        actor=actor,
        action=AuditAction.SET_TOKEN_SCOPES,
        origin=origin,
        detail={"username": token.user.username, "scopes": policy.scopes, "rate": rate},
    )
    return policy
