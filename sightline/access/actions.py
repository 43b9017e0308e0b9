"""Every write about access: emergency access and its review, case relationships,
two-factor enrolment, API token policies, access monitoring findings and their review,
and the e-mails emergency access owes.
Each writes its audit row in the same transaction; e-mails go through the one outbox
(``sharing.outbox``) after commit."""

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from sightline.access import limits, monitoring, queries
from sightline.access.api import DEFAULT_SCOPES
from sightline.access.models import (
    AccessFinding,
    AccessNotice,
    BreakGlassGrant,
    BreakGlassReason,
    CaseRelationship,
    CaseRole,
    EnrolmentCode,
    FindingKind,
    ReviewOutcome,
    TokenPolicy,
    TokenScope,
)
from sightline.accounts.actions import AccountError, create_api_token
from sightline.accounts.models import Role, User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.deadlines.queries import local_closures
from sightline.people.models import Involvement, InvolvementRole, Person
from sightline.record import rules
from sightline.sharing import outbox
from sightline.sharing.actions import record_share_to_user
from sightline.sharing.models import DecisionOrigin

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
    # One request at a time per user, so that two at once cannot both count as the renewal.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    if not may_renew_own_access(actor, person):
        raise AccessActionError(RENEWAL_REFUSED)
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
    _notify(grant, recipients, now)
    record_share_to_user(  # the sharing decision of emergency access (issue 17)
        actor=actor,
        child=person,
        about=DecisionOrigin.EMERGENCY_ACCESS,
        what="The child's record, opened with emergency access",
        why=text,
        origin=origin,
    )
    return grant


# A user asks for emergency access to one record and renews it once; then a manager.
OWN_GRANTS_ALLOWED = 2
RENEWAL_REFUSED = (
    "You have already renewed your emergency access to this record. To see it again, ask "
    "your team manager or your agency's safeguarding lead: they can grant a further period "
    "from their review of your access."
)


def may_renew_own_access(actor: User, person: Person) -> bool:
    """Whether ``actor`` may still ask for emergency access to ``person`` themselves: at
    most ``OWN_GRANTS_ALLOWED`` grants of their own in ``SIGHTLINE_BREAK_GLASS_RENEWAL_DAYS``."""
    since = timezone.now() - dt.timedelta(days=settings.SIGHTLINE_BREAK_GLASS_RENEWAL_DAYS)
    own = BreakGlassGrant.objects.filter(user=actor, person=person).asked_for_since(since)
    return own.count() < OWN_GRANTS_ALLOWED


@transaction.atomic
def grant_further_break_glass(
    *, actor: User, grant: BreakGlassGrant, reason_text: str, origin: Origin
) -> BreakGlassGrant:
    """A manager of the user who had ``grant`` (their team manager, or their agency's
    safeguarding lead; never the user) opens the record to them again for
    ``SIGHTLINE_BREAK_GLASS_HOURS``, with a reason. The new period is reviewed like any
    emergency access; the user, the allocated worker and the leads are told."""
    grant = BreakGlassGrant.objects.select_related("user", "person").get(pk=grant.pk)
    if not rules.may_review_grant(actor, grant):
        raise AccessActionError(
            "Only the practitioner's team manager or their agency's safeguarding lead can "
            "grant a further period"
        )
    practitioner, person = grant.user, grant.person
    if not rules.may_trace(practitioner):
        raise AccessActionError(f"{practitioner} can no longer have emergency access")
    if person.merged_into_id is not None:
        raise AccessActionError("This record was merged into another")
    if rules.has_legitimate_relationship(practitioner, person):
        raise AccessActionError(f"{practitioner} can already see this record")
    text = _reason_text(reason_text, "why a further period is needed")
    now = timezone.now()
    further = BreakGlassGrant.objects.create(
        user=practitioner,
        person=person,
        reason_code=grant.reason_code,
        reason_text=text,
        granted_by=actor,
        granted_at=now,
        expires_at=now + dt.timedelta(hours=settings.SIGHTLINE_BREAK_GLASS_HOURS),
    )
    recipients = [
        (practitioner, "practitioner"),
        *_notice_recipients(practitioner, person, now.date()),
    ]
    recipients = [(user, because) for user, because in recipients if user.pk != actor.pk]
    record_audit(
        actor=actor,
        action=AuditAction.EXTEND_BREAK_GLASS,
        origin=origin,
        person=person,
        reason=text,
        detail={
            "grant": further.pk,
            "after": grant.pk,
            "practitioner": practitioner.username,
            "expires_at": further.expires_at.isoformat(),
            "notified": [user.username for user, _ in recipients],
        },
    )
    _notify(further, recipients, now)
    return further


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
    subject = "Emergency access to a child's record in Sightline"
    when = timezone.localtime(grant.granted_at)
    until = timezone.localtime(grant.expires_at)
    seen_by = reverse("access-seen-by", kwargs={"public_id": grant.person.public_id})
    review = reverse("access-review", kwargs={"grant_id": grant.pk})
    who = f"{actor.get_full_name() or actor.username} ({agency}, {actor.get_role_display()})"
    if because == "practitioner" and grant.granted_by is not None:
        manager = grant.granted_by.get_full_name() or grant.granted_by.username
        body = (
            f"{manager} granted you a further period of emergency access to the child's "
            f"record you asked about, from {when:%H:%M on %-d %B %Y} until "
            f"{until:%H:%M on %-d %B %Y}.\n\n"
            "This e-mail holds no details about the child. Sign in to Sightline to see more.\n"
        )
        return subject, body
    whose = (
        "a child for whom you are the allocated worker"
        if because == "allocated_worker"
        else "a child's record, as safeguarding lead of their agency"
    )
    how = (
        f"was granted a further period of emergency access by "
        f"{grant.granted_by.get_full_name() or grant.granted_by.username} to open"
        if grant.granted_by is not None
        else "used emergency access to open"
    )
    body = (
        f"{who} {how} {whose}, at {when:%H:%M on %-d %B %Y}. "
        f"The access lasts until {until:%H:%M on %-d %B %Y}.\n\n"
        f"Reason given: {grant.get_reason_code_display()}.\n\n"
        f"Who has seen the record: {seen_by}\n"
        f"Review of this access (managers): {review}\n\n"
        "This e-mail holds no details about the child. Sign in to Sightline to see more.\n"
    )
    return subject, body


def _notify(
    grant: BreakGlassGrant, recipients: Sequence[tuple[User, str]], now: dt.datetime
) -> None:
    """A notice for each person told about ``grant``, and its e-mail in the one outbox
    (``sharing.outbox``: sent by the worker after commit, retried until the mail server
    takes it). Someone without an e-mail address still has the notice, and no e-mail."""
    emails = []
    for recipient, because in recipients:
        subject, body = _notice_text(grant, because)
        notice = AccessNotice.objects.create(
            grant=grant,
            recipient=recipient,
            because=because,
            subject=subject,
            body=body,
            created_at=now,
        )
        if recipient.email:
            emails.append(
                outbox.Email(
                    key=f"access-notice-{notice.pk}", to=recipient.email, subject=subject, body=body
                )
            )
    outbox.queue(emails, now=now)


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
    note = _review_note(outcome, note)
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


@dataclass(frozen=True)
class IssuedToken:
    token: Token
    # The key, to be shown once to the administrator who issued it.
    key: str
    scopes: list[str]


def _require_administrator(actor: User, what: str) -> None:
    if not (actor.is_active and actor.role == Role.ADMINISTRATOR):
        raise AccessActionError(f"Only an administrator {what}.")


@transaction.atomic
def issue_api_token(
    *, actor: User, user: User, write: bool, reason: str, origin: Origin
) -> IssuedToken:
    """Issue ``user`` an API token (replacing any they had): read only unless ``write``,
    which lets it submit records and look for matches. The key is returned once."""
    _require_administrator(actor, "issues API tokens")
    reason = _reason_text(reason, "why the token is needed")
    try:
        key = create_api_token(actor=actor, user=user, origin=origin)
    except AccountError as error:
        message = str(error)
        raise AccessActionError(f"{message[:1].upper()}{message[1:]}.") from error
    token = Token.objects.get(key=key)
    scopes = [TokenScope.READ.value, TokenScope.WRITE.value] if write else [TokenScope.READ.value]
    TokenPolicy.objects.create(token=token, scopes=scopes, rate="")
    record_audit(
        actor=actor,
        action=AuditAction.SET_TOKEN_SCOPES,
        origin=origin,
        reason=reason,
        detail={"username": user.username, "scopes": scopes, "rate": ""},
    )
    return IssuedToken(token=token, key=key, scopes=scopes)


@transaction.atomic
def revoke_api_token(*, actor: User, token: Token, reason: str, origin: Origin) -> None:
    """Revoke ``token``: it stops working at once. Its owner keeps no token until another
    is issued."""
    _require_administrator(actor, "revokes API tokens")
    reason = _reason_text(reason, "why the token is revoked")
    owner = token.user
    deleted, _ = Token.objects.filter(pk=token.pk).delete()
    if not deleted:
        raise AccessActionError("This token has already been revoked.")
    record_audit(
        actor=actor,
        action=AuditAction.REVOKE_API_TOKEN,
        origin=origin,
        reason=reason,
        detail={"username": owner.username, "user_id": owner.pk},
    )


def note_token_use(token: Token, *, at: dt.datetime) -> None:
    """Remember when ``token`` was last used, to the minute (one write a minute at most).
    Bookkeeping, like the rate counters: no audit row, which the call itself writes.
    Reads the token's policy once; the scope check and the rate limit then reuse it."""
    try:
        policy = token.policy
    except TokenPolicy.DoesNotExist:
        # A token from before policies were always written: it keeps the default scopes.
        TokenPolicy.objects.get_or_create(
            token=token,
            defaults={"scopes": sorted(DEFAULT_SCOPES), "rate": "", "last_used_at": at},
        )
        return
    if policy.last_used_at is None or policy.last_used_at <= at - dt.timedelta(minutes=1):
        TokenPolicy.objects.filter(pk=policy.pk).update(last_used_at=at)
        policy.last_used_at = at


# -- two-factor enrolment ----------------------------------------------------------------

# Letters and digits that cannot be taken for one another (no 0/O, 1/I/L): 31 symbols,
# 12 of them, about 59 bits.
ENROLMENT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ENROLMENT_LENGTH = 12


@dataclass(frozen=True)
class IssuedEnrolmentCode:
    # Shown once, in groups of four (ABCD-EFGH-JKMN); only its hash is kept.
    code: str
    expires_at: dt.datetime


def _enrolment_text(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


@transaction.atomic
def issue_enrolment_code(*, actor: User | None, user: User, origin: Origin) -> IssuedEnrolmentCode:
    """A one-time code with which ``user`` may set up an authenticator app (replacing any
    they had), valid for ``SIGHTLINE_ENROLMENT_CODE_HOURS``. An administrator (or the CLI,
    ``actor=None``) issues it; a newer code revokes an older one still unused."""
    if actor is not None and not (actor.is_active and actor.role == Role.ADMINISTRATOR):
        raise AccessActionError("Only an administrator can issue an enrolment code")
    if actor is not None and actor.pk == user.pk:
        raise AccessActionError("Another administrator must issue your own enrolment code")
    if not user.is_active:
        raise AccessActionError(f"{user.username} is deactivated")
    now = timezone.now()
    revoked = EnrolmentCode.objects.filter(user=user).usable_at(now).update(revoked_at=now)
    raw = "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(ENROLMENT_LENGTH))
    code = EnrolmentCode.objects.create(
        user=user,
        code_hash=make_password(raw),
        issued_by=actor,
        issued_at=now,
        expires_at=now + dt.timedelta(hours=settings.SIGHTLINE_ENROLMENT_CODE_HOURS),
    )
    record_audit(
        actor=actor,
        action=AuditAction.ISSUE_ENROLMENT_CODE,
        origin=origin,
        detail={
            "username": user.username,
            "user_id": user.pk,
            "enrolment_code": code.pk,
            "expires_at": code.expires_at.isoformat(),
            "revoked": revoked,
        },
    )
    return IssuedEnrolmentCode(
        code="-".join(raw[i : i + 4] for i in range(0, ENROLMENT_LENGTH, 4)),
        expires_at=code.expires_at,
    )


def begin_enrolment(*, user: User, code: str, origin: Origin) -> tuple[EnrolmentCode, TOTPDevice]:
    """Check the enrolment code ``user`` typed; if it is theirs and usable, a new
    authenticator (not yet confirmed) to show them. Otherwise the refusal is audited and
    ``AccessActionError`` says why. Tries are limited (``SIGHTLINE_ENROLMENT_CODE_RATE``)."""
    rate = limits.parse_rate(settings.SIGHTLINE_ENROLMENT_CODE_RATE)
    verdict = limits.hit(f"enrolment:{user.pk}", rate)
    typed = _enrolment_text(code)
    found = None
    if verdict.allowed and typed:
        usable = EnrolmentCode.objects.filter(user=user).usable_at(timezone.now())
        found = next((c for c in usable if check_password(typed, c.code_hash)), None)
    if found is None:
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": "two_factor_enrolment", "too_many_tries": not verdict.allowed},
        )
        if not verdict.allowed:
            minutes = max(1, verdict.retry_after // 60)
            raise AccessActionError(
                f"Too many tries. Try again in {minutes} minute{'' if minutes == 1 else 's'}."
            )
        raise AccessActionError(
            "The enrolment code is not right, or has expired. Ask your administrator for a new one."
        )
    with transaction.atomic():
        TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return found, device


@transaction.atomic
def enrol_authenticator(
    *, user: User, code: EnrolmentCode, device: TOTPDevice, origin: Origin
) -> TOTPDevice:
    """Confirm ``device`` (its first code was right) with the enrolment ``code`` it was
    started with; the code is used up, and any other authenticator of ``user`` removed."""
    now = timezone.now()
    locked = (
        EnrolmentCode.objects.select_for_update()
        .filter(pk=code.pk, user=user)
        .usable_at(now)
        .first()
    )
    if locked is None:
        raise AccessActionError(
            "The enrolment code has been used, replaced or has expired. "
            "Ask your administrator for a new one."
        )
    if device.user_id != user.pk or device.confirmed:
        raise AccessActionError("Start again: enter your enrolment code")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    locked.used_at = now
    locked.save(update_fields=["used_at"])
    replaced, _ = TOTPDevice.objects.devices_for_user(user).exclude(pk=device.pk).delete()
    record_audit(
        actor=user,
        action=AuditAction.ENROL_TWO_FACTOR,
        origin=origin,
        detail={"device": device.pk, "enrolment_code": locked.pk, "replaced": replaced},
    )
    return device


# -- access monitoring ---------------------------------------------------------------------


@dataclass(frozen=True)
class MonitoringResult:
    reads: int
    # Findings put on the review queue, and pending ones that gained reads, by kind.
    created: dict[str, int]
    extended: dict[str, int]


def monitor_access(*, since: dt.datetime, until: dt.datetime, origin: Origin) -> MonitoringResult:
    """Look at every read of a person's record from ``since`` to ``until`` and put on the
    access review queue what the rules of ``access.monitoring`` find, with the records
    opened. Idempotent: reads already in a finding are not found again; new reads of a
    day join its finding while it waits for review, or start a new part after it."""
    tz = ZoneInfo(settings.TIME_ZONE)
    working = monitoring.WorkingTime.parse(
        settings.SIGHTLINE_MONITOR_WORKING_HOURS, settings.SIGHTLINE_MONITOR_WORKING_DAYS
    )
    limit = settings.SIGHTLINE_MONITOR_RECORDS_PER_HOUR
    reads = queries.monitored_reads(since - monitoring.HOUR, until)
    by_user: dict[int, list[monitoring.Read]] = defaultdict(list)
    for read in reads:
        by_user[read.user].append(read)
    users = User.objects.in_bulk(list(by_user))
    created: dict[str, int] = defaultdict(int)
    extended: dict[str, int] = defaultdict(int)
    closures = local_closures()
    for user_id, user_reads in by_user.items():
        user = users[user_id]
        crowded, peak = monitoring.many_records(user_reads, limit=limit, since=since)
        found: list[tuple[str, list[monitoring.Read], dict[str, object]]] = [
            (FindingKind.MANY_RECORDS, crowded, {"peak": peak, "threshold": limit}),
            (
                FindingKind.OUT_OF_HOURS,
                monitoring.out_of_hours(
                    user_reads, working=working, tz=tz, since=since, closures=closures
                ),
                {
                    "working_hours": settings.SIGHTLINE_MONITOR_WORKING_HOURS,
                    "working_days": settings.SIGHTLINE_MONITOR_WORKING_DAYS,
                },
            ),
        ]
        if user.home_postcode and user.last_name:
            known = queries.identities(read.person for read in user_reads if read.at >= since)
            own = {
                person
                for person, pairs in known.items()
                if monitoring.shares_surname_and_postcode(user.last_name, user.home_postcode, pairs)
            }
            found.append(
                (
                    FindingKind.OWN_SURNAME_AND_POSTCODE,
                    [read for read in user_reads if read.at >= since and read.person in own],
                    {},
                )
            )
        for kind, flagged, detail in found:
            by_day: dict[dt.date, list[monitoring.Read]] = defaultdict(list)
            for read in flagged:
                by_day[monitoring.local_day(read.at, tz)].append(read)
            for day, day_reads in sorted(by_day.items()):
                outcome = _record_finding(
                    user=user, kind=kind, day=day, reads=day_reads, detail=detail, origin=origin
                )
                if outcome == "created":
                    created[kind] += 1
                elif outcome == "extended":
                    extended[kind] += 1
    return MonitoringResult(reads=len(reads), created=dict(created), extended=dict(extended))


@transaction.atomic
def _record_finding(
    *,
    user: User,
    kind: str,
    day: dt.date,
    reads: list[monitoring.Read],
    detail: dict[str, object],
    origin: Origin,
) -> str:
    """One finding for ``user``, ``kind`` and ``day`` with ``reads``: "created",
    "extended" (a pending one gained reads) or "" (nothing new)."""
    existing = list(
        AccessFinding.objects.select_for_update()
        .filter(kind=kind, user=user, day=day)
        .order_by("part")
    )
    covered = {row["audit"] for finding in existing for row in finding.reads}
    new = [read for read in reads if read.audit not in covered]
    if not new:
        return ""
    rows = [
        {"audit": r.audit, "at": r.at.isoformat(), "person": r.person, "action": r.action}
        for r in new
    ]
    pending = existing[-1] if existing and not existing[-1].outcome else None
    if pending is not None:
        pending.reads = [*pending.reads, *rows]
        pending.first_at = min(pending.first_at, new[0].at)
        pending.last_at = max(pending.last_at, new[-1].at)
        pending.detail = {**pending.detail, **detail}
        pending.save(update_fields=["reads", "first_at", "last_at", "detail"])
        finding = pending
    else:
        finding = AccessFinding.objects.create(
            kind=kind,
            user=user,
            day=day,
            part=existing[-1].part + 1 if existing else 1,
            first_at=new[0].at,
            last_at=new[-1].at,
            reads=rows,
            detail=detail,
            found_at=timezone.now(),
        )
    people = sorted({read.person for read in new})
    finding.people.add(*people)
    record_audit(
        actor=None,
        action=AuditAction.FLAG_ACCESS,
        origin=origin,
        detail={
            "finding": finding.pk,
            "kind": kind,
            "username": user.username,
            "day": day.isoformat(),
            "part": finding.part,
            "new_reads": len(new),
            "people": people,
        },
    )
    return "extended" if pending is not None else "created"


@transaction.atomic
def review_access_finding(
    *, actor: User, finding: AccessFinding, outcome: str, note: str, origin: Origin
) -> AccessFinding:
    """The user's team manager or agency safeguarding lead records whether the reads
    were justified (a note says what will be done when not)."""
    finding = AccessFinding.objects.select_for_update().select_related("user").get(pk=finding.pk)
    if not queries.may_review_finding(actor, finding):
        raise AccessActionError(
            "Only the practitioner's manager or safeguarding lead can review this"
        )
    if finding.outcome:
        raise AccessActionError("This has already been reviewed")
    note = _review_note(outcome, note)
    finding.outcome = outcome
    finding.review_note = note
    finding.reviewed_by = actor
    finding.reviewed_at = timezone.now()
    finding.save(update_fields=["outcome", "review_note", "reviewed_by", "reviewed_at"])
    record_audit(
        actor=actor,
        action=AuditAction.REVIEW_ACCESS_FINDING,
        origin=origin,
        reason=note,
        detail={
            "finding": finding.pk,
            "kind": finding.kind,
            "outcome": outcome,
            "practitioner": finding.user.username,
        },
    )
    return finding


def _review_note(outcome: str, note: str) -> str:
    """The reviewer's note, checked with the outcome of a review of access (emergency
    access, a monitoring finding): a note is needed when the access was not justified."""
    if outcome not in ReviewOutcome.values:
        raise AccessActionError("Choose whether the access was justified")
    note = note.strip()
    if outcome == ReviewOutcome.NOT_JUSTIFIED and not note:
        raise AccessActionError("Say what will be done about an access that was not justified")
    if len(note) > MAX_REASON:
        raise AccessActionError(f"The note must be {MAX_REASON:,} characters or fewer")
    return note
