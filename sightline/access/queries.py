"""Reads for access governance: the review queue (emergency access and monitoring
findings), who has seen a record, what was done under one emergency access, the reads
access monitoring looks at, and users with their two-factor standing."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from sightline.access import sections
from sightline.access.models import AccessFinding, BreakGlassGrant, EnrolmentCode
from sightline.access.monitoring import Read
from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.people.models import Person, SourceRecord


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


def _reviews(user: User) -> Q:
    """The users whose access ``user`` reviews: their team's (team manager) or their
    agency's (safeguarding lead); ``Q`` over a ``user`` foreign key."""
    rule = Q(pk__in=[])
    if user.role == Role.TEAM_MANAGER and user.team_id is not None:
        rule |= Q(user__team_id=user.team_id)
    if user.role == Role.SAFEGUARDING_LEAD and user.agency_id is not None:
        rule |= Q(user__agency_id=user.agency_id)
    return rule


def findings_reviewable_by(user: User) -> QuerySet[AccessFinding]:
    """Monitoring findings about the people ``user`` reviews, never their own."""
    findings = AccessFinding.objects.select_related("user", "user__agency", "reviewed_by")
    if not (user.is_authenticated and user.is_active):
        return findings.none()
    return findings.filter(_reviews(user)).exclude(user=user)


def may_review_finding(user: User, finding: AccessFinding) -> bool:
    return findings_reviewable_by(user).filter(pk=finding.pk).exists()


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


def referrers(person: Person) -> dict[int, frozenset[str]]:
    """Users who made a referral or contact about ``person``, each with the codes of the
    agencies that recorded one: those who raised a referral (its audit row) and those
    who submitted a referral or contact event to the chronology."""
    found: dict[int, set[str]] = {}
    raised = AuditEvent.objects.filter(
        person=person, action=AuditAction.RAISE_REFERRAL, actor__isnull=False
    ).values_list("actor_id", "agency_code")
    submitted = ChronologyEvent.objects.filter(
        person=person,
        category__code__in=sections.REFERRER_CATEGORIES,
        submitted_by__isnull=False,
    ).values_list("submitted_by_id", "agency__code")
    for user_id, agency_code in [*raised, *submitted]:
        found.setdefault(user_id, set()).add(agency_code)
    return {user_id: frozenset(codes) for user_id, codes in found.items()}


@dataclass(frozen=True)
class AccessLogRow:
    """One line of "who has seen this record", already redacted for its reader."""

    at: dt.datetime
    who: str
    agency_code: str
    # The agency's name and the role's label, as the page shows them.
    agency: str
    role: str
    action: str
    what: str
    reason: str
    via: str
    emergency: bool
    # The actor made a referral the reader may not know the maker of: name, role and
    # reason are withheld (``sections.WITHHELD_REFERRER``), as on the chronology.
    withheld: bool


def access_log_rows(
    reader: User,
    person: Person,
    events: Iterable[AuditEvent],
    *,
    may_see_referrer: bool,
    known_referrers: dict[int, frozenset[str]] | None = None,
) -> list[AccessLogRow]:
    """``events`` (of ``access_log(person)``, actors selected) for ``reader``.

    The rule of the chronology (``record.rules.may_see_referrer``): whoever made a referral
    or contact is named only to the front door, the allocated worker and the agency that
    recorded it. Their reads would name them here, so for anyone else their rows show
    when and what, and the agency (as the chronology's event does), but not who.
    """
    hidden: dict[int, frozenset[str]] = {}
    if not may_see_referrer:
        reader_agency = reader.agency.code if reader.agency_id and reader.agency else None
        hidden = {
            user_id: codes
            for user_id, codes in (
                known_referrers if known_referrers is not None else referrers(person)
            ).items()
            if user_id != reader.pk and reader_agency not in codes
        }
    agency_names = dict(Agency.objects.values_list("code", "name"))
    role_labels = dict(Role.choices)
    rows = []
    for event in events:
        withheld = event.actor_id is not None and event.actor_id in hidden
        if withheld:
            who = sections.WITHHELD_REFERRER
        elif event.actor is not None:
            who = event.actor.get_full_name() or event.actor_username
        else:
            who = "System"
        rows.append(
            AccessLogRow(
                at=event.at,
                who=who,
                agency_code=event.agency_code,
                agency=agency_names.get(event.agency_code, event.agency_code),
                role="" if withheld else role_labels.get(event.role, event.role),
                action=event.action,
                what=event.get_action_display(),
                reason="" if withheld else event.reason,
                via=event.via,
                emergency=event.action == AuditAction.BREAK_GLASS
                or bool(event.detail.get("break_glass")),
                withheld=withheld,
            )
        )
    return rows


# Audit actions that open a person's record: every "view_*" and "export_*" with a person.
READ_PREFIXES = ("view_", "export_")


def monitored_reads(since: dt.datetime, until: dt.datetime) -> list[Read]:
    """Every read of a person's record by a user from ``since`` to ``until``, in time
    order. The trail's times rise with its ids, so the scan starts from the last row
    before ``since`` (found walking back from the newest) and needs no index on time."""
    before = (
        AuditEvent.objects.filter(at__lt=since).order_by("-id").values_list("id", flat=True)[:1]
    )
    start = before[0] if before else 0
    read_action = Q()
    for prefix in READ_PREFIXES:
        read_action |= Q(action__startswith=prefix)
    rows = (
        AuditEvent.objects.filter(id__gt=start, at__lt=until)
        .filter(read_action, person__isnull=False, actor__isnull=False)
        .order_by("id")
        .values_list("id", "actor_id", "person_id", "at", "action")
    )
    return [
        Read(audit=pk, user=actor_id, person=person_id, at=at, action=action)
        for pk, actor_id, person_id, at, action in rows
    ]


def identities(people: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """Each person's (family name, postcode) pairs: the person's and their source records'."""
    ids = set(people)
    found: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    for pk, name, postcode in Person.objects.filter(pk__in=ids).values_list(
        "pk", "family_name", "postcode"
    ):
        found[pk].append((name, postcode))
    for pk, name, postcode in SourceRecord.objects.filter(person_id__in=ids).values_list(
        "person_id", "family_name", "postcode"
    ):
        found[pk].append((name, postcode))
    return found


def done_under(grant: BreakGlassGrant) -> QuerySet[AuditEvent]:
    """What the user did with the record while the emergency access was open."""
    return AuditEvent.objects.filter(
        actor_id=grant.user_id,
        person_id=grant.person_id,
        at__gte=grant.granted_at,
        at__lt=grant.ends_at,
    ).order_by("id")


def users_matching(text: str, *, show: str = "") -> QuerySet[User]:
    """Users whose name, username or e-mail contains ``text`` (all when blank), in the
    list ``show`` names (``USER_LISTS``) when given, each with ``has_authenticator`` and
    ``code_expires_at`` (an enrolment code still usable)."""
    found = User.objects.select_related("agency", "team")
    if show in USER_LISTS:
        found = found.filter(USER_LISTS[show][1])
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


# Lists of users an administrator acts on, by name in the address (``?show=``): what
# the list shows, and which users. The home page counts the same lists.
USER_LISTS: dict[str, tuple[str, Q]] = {
    "active": ("Active users", Q(is_active=True)),
    "without-team": ("Active users without a team", Q(is_active=True, team__isnull=True)),
    "never-signed-in": (
        "Active users who have never signed in",
        Q(is_active=True, last_login__isnull=True),
    ),
}

# An API token not used for this long is one to ask about, or revoke.
TOKEN_UNUSED_DAYS = 90


def tokens_unused(now: dt.datetime) -> QuerySet[Token]:
    """API tokens issued, and not used, in the last ``TOKEN_UNUSED_DAYS`` days."""
    since = now - dt.timedelta(days=TOKEN_UNUSED_DAYS)
    return Token.objects.filter(created__lte=since).filter(
        Q(policy__isnull=True)
        | Q(policy__last_used_at__isnull=True)
        | Q(policy__last_used_at__lte=since)
    )
