"""Every write of information sharing: alerts (the outbox), inbox reads, referrals.

Alerts are written in the caller's transaction; the worker (``sharing.tasks``) fans each
one out into inbox items and e-mails after commit, once.
"""

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind, Team
from sightline.assessments import access as assessments_access
from sightline.assessments.actions import open_decision_point
from sightline.assessments.models import DecisionPoint
from sightline.assessments.workflow import DecisionStep
from sightline.audit.actions import Origin, append_audit, new_audit_event, record_audit
from sightline.audit.models import AuditAction
from sightline.audit.sealing import seal_criteria
from sightline.chronology.actions import agency_record, append_event, record_events
from sightline.chronology.models import ChronologyEvent
from sightline.deadlines.queries import local_closures
from sightline.importing.rows import EventRow
from sightline.people import normalise
from sightline.people.actions import record_involvement
from sightline.people.models import Involvement, InvolvementRole, Person, SourceRecord
from sightline.sharing import clock, outbox, queries, tasks
from sightline.sharing.defaults import DECISION_CATEGORY
from sightline.sharing.models import (
    REFERRER_REASONS,
    Alert,
    AlertReason,
    Consent,
    DecisionOrigin,
    InboxItem,
    LawfulBasis,
    NotInformedReason,
    Referral,
    ReferralOutcome,
    ReferralStatus,
    SharingDecision,
    SharingOutcome,
    Urgency,
)

JOB = Origin(via="job")
FAN_OUT_BATCH = 200
# Who may look a child up for a flag: those who work with children, not analysts or
# administrators.
FLAG_CHECK_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD})


# The sharing decision a flag check records: the flag is shown to whoever checks, by rule.
FLAG_CHECK_CONSENT = (
    "The flag is shown at the point of care for a child who may be at risk: "
    "consent is not needed (golden rule 3)"
)
FLAG_CHECK_FAMILY = "The flag is shown by rule to a practitioner at the point of care"


class ReferralRefusedError(ValueError):
    """A referral, acknowledgement or outcome that cannot be recorded, with the reason."""


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


# Alerts -------------------------------------------------------------------------------


def queue_event_alerts(
    *, events: Sequence[ChronologyEvent], actor: User | None, agency: Agency
) -> int:
    """One alert per flagged child among ``events``; call inside the recording transaction."""
    by_person: dict[int, list[ChronologyEvent]] = {}
    for event in events:
        by_person.setdefault(event.person_id, []).append(event)
    flagged = queries.flagged_ids(by_person)
    if not flagged:
        return 0
    now = timezone.now()
    alerts = []
    for person_id in sorted(flagged):
        recorded = by_person[person_id]
        what = ", ".join(sorted({event.category.label for event in recorded}))
        count = f"{len(recorded)} events" if len(recorded) > 1 else "an event"
        alerts.append(
            Alert(
                reason=AlertReason.EVENT_RECORDED,
                person_id=person_id,
                actor=actor,
                actor_name=_name(actor),
                agency=agency,
                summary=f"{agency.name} recorded {count}: {what}"[:300],
                created_at=now,
            )
        )
    Alert.objects.bulk_create(alerts)
    # Which events each alert reports: their summaries are read, and redacted for the
    # reader, when the alert is shown (``sharing.inbox``), never copied into it.
    through = Alert.events.through
    through.objects.bulk_create(
        [
            through(alert_id=alert.pk, chronologyevent_id=event.pk)
            for alert in alerts
            for event in by_person[alert.person_id]
        ]
    )
    transaction.on_commit(tasks.wake_alert_fan_out)
    return len(alerts)


@transaction.atomic
def record_lookup(*, actor: User, person: Person, origin: Origin, via: str) -> Alert | None:
    """A practitioner found ``person`` (a search, a flag check): when the child is flagged
    and the practitioner has no relationship, the flag was shared with them; record it
    and alert the allocated social worker. Returns the alert, or None."""
    flag = queries.flags_for([person]).get(person.pk)
    if flag is None or queries.has_relationship(actor, person):
        return None
    agency = actor.agency
    alert = Alert.objects.create(
        reason=AlertReason.LOOKED_UP,
        person=person,
        actor=actor,
        actor_name=_name(actor),
        agency=agency,
        summary=(
            f"Looked up by {_name(actor)}"
            + (f", {actor.job_title}" if actor.job_title else "")
            + (f", {agency.name}" if agency else "")
        )[:300],
        created_at=timezone.now(),
    )
    record_audit(
        actor=actor,
        action=AuditAction.CHECK_FLAG,
        origin=origin,
        person=person,
        detail={"via": via, "flag": flag.flag.kind.value, "alert": str(alert.public_id)},
    )
    transaction.on_commit(tasks.wake_alert_fan_out)
    return alert


class SearchResult(Protocol):
    @property
    def person(self) -> Person: ...

    @property
    def relationship(self) -> bool: ...


def record_search_lookups(
    actor: User, results: Sequence[SearchResult], *, origin: Origin
) -> dict[int, queries.FlagView]:
    """The flags among search results (by person key), for the results page; each flagged
    child shown to a practitioner without a relationship is a lookup (``record_lookup``)."""
    flags = queries.flags_for([result.person for result in results])
    for result in results:
        if result.person.pk in flags and not result.relationship:
            record_lookup(actor=actor, person=result.person, origin=origin, via="search")
    return flags


@dataclass(frozen=True)
class FlagCheck:
    person: Person | None
    flag: queries.FlagView | None


@transaction.atomic
def check_flag(
    *, actor: User, nhs_number: str, date_of_birth: dt.date | None = None, origin: Origin
) -> FlagCheck:
    """Look a child up by NHS number, as unscheduled care does, and show only the flag.

    An unknown number and an unflagged child give the same answer, so the check does
    not reveal who is on the system. A lookup of a flagged child by someone without a
    relationship alerts the allocated social worker.
    """
    if not actor.is_active or actor.role not in FLAG_CHECK_ROLES:
        raise PermissionDenied("Flag checks are for practitioners working with children.")
    digits = normalise.nhs_digits(nhs_number)
    candidates = Person.objects.filter(nhs_number=digits, merged_into__isnull=True)
    if date_of_birth is not None:
        candidates = candidates.filter(date_of_birth=date_of_birth)
    found = list(candidates[:2])
    person = found[0] if len(found) == 1 else None
    flag = queries.flags_for([person]).get(person.pk) if person else None
    criteria = seal_criteria({"nhs_number": digits, "date_of_birth": str(date_of_birth or "")})
    if person is None or flag is None:
        record_audit(
            actor=actor,
            action=AuditAction.CHECK_FLAG,
            origin=origin,
            detail={"criteria": criteria, "flagged": False},
        )
        return FlagCheck(None, None)
    alert = record_lookup(actor=actor, person=person, origin=origin, via="flag_check")
    if alert is None:  # someone with a relationship: the check itself is still recorded
        record_audit(
            actor=actor,
            action=AuditAction.CHECK_FLAG,
            origin=origin,
            person=person,
            detail={"criteria": criteria, "flagged": True, "flag": flag.flag.kind.value},
        )
    record_sharing_decision(
        actor=actor,
        child=person,
        outcome=SharingOutcome.SHARED,
        what="The child protection flag and the responsible authority's numbers",
        why="A flag check by NHS number by a practitioner working with the child",
        with_user=actor,
        consent=Consent.NOT_SOUGHT,
        consent_not_sought_reason=FLAG_CHECK_CONSENT,
        family_informed=False,
        not_informed_reason=NotInformedReason.OTHER,
        not_informed_detail=FLAG_CHECK_FAMILY,
        about=DecisionOrigin.FLAG_CHECK,
        origin=origin,
    )
    return FlagCheck(person, flag)


@dataclass
class _Recipients:
    users: list[User]
    teams: list[Team]
    addresses: list[str]


_SUBJECTS = {
    AlertReason.EVENT_RECORDED: "Sightline: new information about a child you work with",
    AlertReason.LOOKED_UP: "Sightline: a flagged child you work with was looked up",
    AlertReason.REFERRAL_RECEIVED: "Sightline: a new referral for your team",
    AlertReason.REFERRAL_OVERDUE: "Sightline: a referral to your team is overdue",
    AlertReason.REFERRAL_ACKNOWLEDGED: "Sightline: your referral was acknowledged",
    AlertReason.REFERRAL_OUTCOME: "Sightline: the outcome of your referral",
    AlertReason.REFERRAL_ESCALATED: "Sightline: your referral is overdue and was escalated",
    AlertReason.SIGN_OFF_WAITING: "Sightline: a sign-off is waiting for you",
    AlertReason.STEP_OVERDUE: "Sightline: a step you are responsible for is overdue",
    AlertReason.REVIEW_SIGN_OFF_WAITING: "Sightline: a rapid review is waiting for your sign-off",
}


def alert_email(alert: Alert, address: str) -> outbox.Email:
    """The e-mail telling ``address`` of ``alert``: which kind of alert, and the link to
    the inbox. Never the child's name, date of birth, the summary or the events: an
    e-mail cannot be redacted when it is read (relationships change, a duty mailbox has
    many readers), so the inbox, composed for whoever signs in, holds the detail."""
    kind = AlertReason(alert.reason)
    inbox = f"{settings.SIGHTLINE_BASE_URL}{reverse('sharing-inbox')}"
    return outbox.Email(
        key=f"alert:{alert.public_id}:{address}",
        to=address,
        subject=_SUBJECTS[kind],
        body=(
            f"You have a new alert in Sightline: {_SUBJECTS[kind].removeprefix('Sightline: ')}."
            f"\n\nSign in to see it: {inbox}\n\n"
            "This e-mail holds no details about the child.\n"
        ),
    )


def _recipients(
    alert: Alert,
    workers: dict[int, list[User]],
    referrals: dict[int, Referral],
    authorities: dict[int, queries.FlagView],
) -> _Recipients:
    users: list[User] = []
    teams: list[Team] = []
    addresses: list[str] = []
    if alert.reason in {AlertReason.EVENT_RECORDED, AlertReason.LOOKED_UP}:
        users = [w for w in workers.get(alert.person_id, []) if w.pk != alert.actor_id]
        teams = [w.team for w in workers.get(alert.person_id, []) if w.team is not None]
        if not workers.get(alert.person_id) and alert.person_id in authorities:
            # Nobody allocated: the responsible authority hears of it by e-mail.
            addresses.append(authorities[alert.person_id].authority.email)
    elif alert.referral_id is not None and alert.reason in REFERRER_REASONS:
        referral = referrals[alert.referral_id]
        if referral.referrer.is_active and referral.referrer_id != alert.actor_id:
            users = [referral.referrer]
    elif alert.referral_id is not None:
        referral = referrals[alert.referral_id]
        teams = [referral.to_team]
        if alert.reason == AlertReason.REFERRAL_OVERDUE:
            users = queries.team_managers(referral.to_team_id)
    unique_users = list({u.pk: u for u in users}.values())
    unique_teams = list({t.pk: t for t in teams}.values())
    addresses += [u.email for u in unique_users if u.email]
    addresses += [t.duty_email for t in unique_teams if t.duty_email]
    wanted = list(dict.fromkeys(a.strip().lower() for a in addresses if a and a.strip()))
    return _Recipients(unique_users, unique_teams, wanted)


def deliver_alerts(*, batch: int = FAN_OUT_BATCH) -> int:
    """Write the inbox items and e-mails of every undelivered alert; returns how many.

    One transaction per batch: the items, the e-mails and ``delivered_at`` commit
    together or not at all, so an alert is delivered exactly once however often this
    runs, concurrently or after a crash.
    """
    delivered = 0
    while True:
        with transaction.atomic():
            alerts = list(
                Alert.objects.select_for_update(skip_locked=True)
                .filter(delivered_at__isnull=True)
                .order_by("id")[:batch]
            )
            if not alerts:
                break
            now = timezone.now()
            today = timezone.localdate()
            about_people = [
                a.person_id
                for a in alerts
                if a.reason in {AlertReason.EVENT_RECORDED, AlertReason.LOOKED_UP}
            ]
            workers = queries.allocated_workers(about_people, on=today)
            unallocated = [pk for pk in about_people if pk not in workers]
            authorities = (
                queries.flags_for(Person.objects.filter(pk__in=unallocated)) if unallocated else {}
            )
            referrals = Referral.objects.select_related("to_team", "referrer").in_bulk(
                {a.referral_id for a in alerts if a.referral_id is not None}
            )
            items: list[InboxItem] = []
            emails: list[outbox.Email] = []
            for alert in alerts:
                to = _recipients(alert, workers, referrals, authorities)
                items += [InboxItem(alert=alert, user=u, created_at=now) for u in to.users]
                items += [InboxItem(alert=alert, team=t, created_at=now) for t in to.teams]
                emails += [alert_email(alert, address) for address in to.addresses]
            InboxItem.objects.bulk_create(items)
            outbox.queue(emails, now=now)
            Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(delivered_at=now)
        delivered += len(alerts)
        if len(alerts) < batch:
            break
    return delivered


def deliver_alerts_while_busy(*, linger: float, pause: float = 0.05, most: float = 30.0) -> int:
    """Deliver, and keep delivering as alerts arrive until none has come for ``linger``
    seconds (at most ``most`` seconds; the next wake-up carries on). Under a steady stream
    one task run serves many events, instead of a task for each."""
    total = 0
    started = idle_since = time.monotonic()
    while True:
        delivered = deliver_alerts()
        total += delivered
        now = time.monotonic()
        if delivered:
            idle_since = now
        if now - idle_since >= linger or now - started >= most:
            return total
        time.sleep(pause)


@transaction.atomic
def mark_read(*, actor: User, items: Sequence[InboxItem], origin: Origin) -> int:
    """Mark the given items (from ``queries.inbox_for(actor)``) read; returns how many.

    One ``read_alert`` audit row per child, against the child, so that reading an alert
    shows in who has seen the record."""
    allowed = queries.inbox_for(actor).filter(
        pk__in=[item.pk for item in items], read_at__isnull=True
    )
    found = list(allowed.values_list("pk", "alert__person_id"))
    if not found:
        return 0
    ids = [pk for pk, _ in found]
    InboxItem.objects.filter(pk__in=ids).update(read_at=timezone.now(), read_by=actor)
    by_person: dict[int, list[int]] = {}
    for pk, person_id in found:
        by_person.setdefault(person_id, []).append(pk)
    append_audit(
        [
            new_audit_event(
                actor=actor,
                action=AuditAction.READ_ALERT,
                origin=origin,
                person_id=person_id,
                detail={"items": sorted(pks)},
            )
            for person_id, pks in sorted(by_person.items())
        ]
    )
    return len(ids)


@dataclass(frozen=True)
class Listed:
    """One child shown in one list of a page: named, or only told of (no name)."""

    person_id: int
    list: str
    named: bool


@transaction.atomic
def record_listing(*, actor: User, page: str, listed: Sequence[Listed], origin: Origin) -> int:
    """Audit one view of a page of lists (the inbox, referrals sent, the API's lists):
    one row per child shown, against the child, naming the lists it was in. So "who has
    seen this record" shows that the child appeared in someone's inbox or referral list
    (``list_person``), or that someone was told of an alert without its name
    (``list_unnamed``). Returns the number of rows."""
    lists: dict[int, list[str]] = {}
    named: dict[int, bool] = {}
    for entry in listed:
        lists.setdefault(entry.person_id, [])
        if entry.list not in lists[entry.person_id]:
            lists[entry.person_id].append(entry.list)
        named[entry.person_id] = named.get(entry.person_id, False) or entry.named
    append_audit(
        [
            new_audit_event(
                actor=actor,
                action=AuditAction.LIST_PERSON if named[person_id] else AuditAction.LIST_UNNAMED,
                origin=origin,
                person_id=person_id,
                detail={"page": page, "lists": where},
            )
            for person_id, where in sorted(lists.items())
        ]
    )
    return len(lists)


# Referrals ----------------------------------------------------------------------------


def _deadline(raised_at: dt.datetime, urgency: Urgency) -> tuple[dt.datetime, str]:
    limit = queries.referral_limits()[urgency.value]
    day = queries.working_day()
    due = clock.deadline(raised_at, limit, day=day, closures=local_closures())
    return due, f"{urgency.label}: {limit.describe(day)} (rule v{clock.RULE_VERSION})"


def _team(team_id: object) -> Team:
    try:
        key = int(str(team_id))
    except ValueError:
        key = None
    team = Team.objects.select_related("agency").filter(pk=key).first() if key else None
    if team is None:
        raise ReferralRefusedError("Choose a team to refer to: that team is not known.")
    return team


@transaction.atomic
def raise_referral(
    *,
    actor: User,
    person: Person,
    to_team: object,
    urgency: str,
    reason: str,
    shared: str,
    origin: Origin,
    decision: "DecisionAnswers | None" = None,
) -> Referral:
    """Refer ``person`` (obtained through ``open_record``) to another team.

    Refused with a clear message: an unknown team, no reason, an unknown urgency, a
    referrer outside any agency. The referral is the record of what was shared, with
    whom and why; the receiving team's duty inbox is alerted. Its sharing decision
    (``decision``: lawful basis, consent, whether the family was told) is recorded in the
    same transaction; without one (a redirection, the API) the decision says so.
    """
    if actor.agency is None or not actor.is_active:
        raise ReferralRefusedError("Only a practitioner of an agency can make a referral.")
    team = _team(to_team)
    if not reason.strip():
        raise ReferralRefusedError("Give the reason for the referral.")
    if urgency not in Urgency.values:
        raise ReferralRefusedError("Choose the urgency: red, amber or green.")
    if team.pk == actor.team_id:
        raise ReferralRefusedError("Refer to another team, not your own.")
    raised_at = timezone.now()
    due, rule = _deadline(raised_at, Urgency(urgency))
    referral = Referral.objects.create(
        person=person,
        referrer=actor,
        from_agency=actor.agency,
        from_team_id=actor.team_id,
        to_team=team,
        urgency=urgency,
        reason=reason.strip(),
        shared=shared.strip(),
        raised_at=raised_at,
        acknowledge_by=due,
        deadline_rule=rule,
    )
    _alert_referral(referral, AlertReason.REFERRAL_RECEIVED, actor)
    record_audit(
        actor=actor,
        action=AuditAction.RAISE_REFERRAL,
        origin=origin,
        person=person,
        detail={
            "referral": str(referral.public_id),
            "to_team": team.name,
            "to_agency": team.agency.code,
            "urgency": urgency,
            "reason": referral.reason,
            "shared": referral.shared,
            "acknowledge_by": due.isoformat(),
            "rule": rule,
        },
    )
    answers = decision or UNANSWERED
    record_sharing_decision(
        actor=actor,
        child=person,
        outcome=SharingOutcome.SHARED,
        what=referral.shared or "The referral and its reason",
        why=referral.reason,
        with_agency=team.agency,
        lawful_basis=answers.lawful_basis,
        consent=answers.consent,
        consent_not_sought_reason=answers.consent_not_sought_reason,
        family_informed=answers.family_informed,
        not_informed_reason=answers.not_informed_reason,
        not_informed_detail=answers.not_informed_detail,
        about=DecisionOrigin.REFERRAL,
        referral=referral,
        origin=origin,
    )
    transaction.on_commit(lambda: tasks.wake_escalation(due + dt.timedelta(seconds=1)))
    return referral


def _alert_referral(
    referral: Referral, reason: AlertReason, actor: User | None, *, summary: str = ""
) -> None:
    """An alert about ``referral``: to the receiving team, or (``REFERRER_REASONS``) to
    the referrer. Minimal: what happened, never the reason or what was shared."""
    if not summary:
        label = f"{referral.get_urgency_display()} referral from {referral.from_agency.name}"
        summary = label if reason == AlertReason.REFERRAL_RECEIVED else f"Overdue: {label}"
    Alert.objects.create(
        reason=reason,
        person=referral.person,
        actor=actor,
        actor_name=_name(actor),
        agency=actor.agency if actor else None,
        summary=summary[:300],
        referral=referral,
        created_at=timezone.now(),
    )
    transaction.on_commit(tasks.wake_alert_fan_out)


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("to_team__agency", "person", "referrer")
        .get(pk=referral.pk)
    )


def _to(referral: Referral) -> str:
    return f"{referral.to_team.name} ({referral.to_team.agency.name})"


def _referral_event(
    referral: Referral, actor: User, category: str, summary: str, *, at: dt.datetime, origin: Origin
) -> None:
    """The receiving agency's chronology event for what it did with ``referral``: it
    names the receiving team and the referring agency, never the referrer (golden rule 5)."""
    append_event(
        actor=actor,
        person=referral.person,
        agency=referral.to_team.agency,
        category=category,
        summary=summary,
        occurred_at=at,
        event_id=f"referral-{referral.public_id}-{category}",
        origin=origin,
        audit_detail={"referral": str(referral.public_id)},
    )


@transaction.atomic
def acknowledge_referral(*, actor: User, referral: Referral, origin: Origin) -> Referral:
    current = _locked(referral)
    if not queries.may_act_on_referral(actor, current):
        raise PermissionDenied("Only the receiving team can acknowledge a referral.")
    if current.status != ReferralStatus.AWAITING_ACKNOWLEDGEMENT:
        raise ReferralRefusedError("This referral has already been acknowledged.")
    now = timezone.now()
    current.status = ReferralStatus.ACKNOWLEDGED
    current.acknowledged_at = now
    current.acknowledged_by = actor
    current.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    record_audit(
        actor=actor,
        action=AuditAction.ACKNOWLEDGE_REFERRAL,
        origin=origin,
        person=current.person,
        detail={"referral": str(current.public_id), "late": now > current.acknowledge_by},
    )
    _referral_event(
        current,
        actor,
        "referral_acknowledged",
        f"{_to(current)} acknowledged the {current.get_urgency_display().lower()} referral "
        f"from {current.from_agency.name}",
        at=now,
        origin=origin,
    )
    _alert_referral(
        current,
        AlertReason.REFERRAL_ACKNOWLEDGED,
        actor,
        summary=f"{_to(current)} acknowledged your {current.get_urgency_display().lower()} "
        "referral",
    )
    return current


@transaction.atomic
def record_outcome(
    *,
    actor: User,
    referral: Referral,
    outcome: str,
    reason: str = "",
    redirect_to: object = None,
    origin: Origin,
) -> Referral:
    """Accepted; no further action (with a reason); or redirected to another team, which
    raises a new referral there with the same urgency and what was shared. Recording an
    outcome acknowledges a referral that was not yet acknowledged.

    Accepted: the practitioner who accepts it becomes involved with the child for the
    receiving team (``involve_receiving_team``), so the receiving agency shows under who
    else is involved with their contact details; a children's social care team's
    acceptance opens the child's episode of need and the 1-working-day decision on the
    clock (``cases.actions.open_episode_from_referral``). The referrer is alerted of the
    outcome.
    """
    current = _locked(referral)
    if not queries.may_act_on_referral(actor, current):
        raise PermissionDenied("Only the receiving team can record the outcome.")
    if current.status == ReferralStatus.CLOSED:
        raise ReferralRefusedError("The outcome of this referral is already recorded.")
    if outcome not in ReferralOutcome.values:
        raise ReferralRefusedError("Choose an outcome: accepted, no further action or redirected.")
    if outcome == ReferralOutcome.NO_FURTHER_ACTION and not reason.strip():
        raise ReferralRefusedError("Give the reason for no further action.")
    now = timezone.now()
    if current.status == ReferralStatus.AWAITING_ACKNOWLEDGEMENT:
        current.acknowledged_at = now
        current.acknowledged_by = actor
    redirected: Referral | None = None
    if outcome == ReferralOutcome.REDIRECTED:
        team = _team(redirect_to)
        if team.pk == current.to_team_id:
            raise ReferralRefusedError("Redirect to a different team.")
        redirected = raise_referral(
            actor=actor,
            person=current.person,
            to_team=team.pk,
            urgency=current.urgency,
            reason=f"Redirected by {current.to_team.name}: {reason.strip() or current.reason}",
            shared=current.shared,
            origin=origin,
        )
    current.status = ReferralStatus.CLOSED
    current.outcome = outcome
    current.outcome_reason = reason.strip()
    current.outcome_at = now
    current.outcome_by = actor
    current.redirected_to = redirected
    current.save()
    involvement = (
        involve_receiving_team(actor=actor, referral=current, origin=origin)
        if outcome == ReferralOutcome.ACCEPTED
        else None
    )
    episode = step = None
    if outcome == ReferralOutcome.ACCEPTED:
        # Imported here: the case's actions use the access app's, which use this module's.
        from sightline.cases.actions import open_episode_from_referral

        # Accepted by children's social care: the episode of need and its decision step.
        episode = open_episode_from_referral(actor=actor, origin=origin, referral=current)
        # The decision step, when the episode's opening did not open it (an episode was
        # open already, or another agency's team accepted): one place decides it.
        step = open_referral_decision(actor=actor, referral=current, origin=origin)
    onward = f" to {redirected.to_team.name}" if redirected else ""
    because = f" Reason: {current.outcome_reason}" if current.outcome_reason else ""
    _referral_event(
        current,
        actor,
        "referral_decided",
        f"{_to(current)} decided the {current.get_urgency_display().lower()} referral from "
        f"{current.from_agency.name}: {current.get_outcome_display().lower()}{onward}.{because}",
        at=now,
        origin=origin,
    )
    _alert_referral(
        current,
        AlertReason.REFERRAL_OUTCOME,
        actor,
        summary=f"{_to(current)}: {current.get_outcome_display()}{onward}",
    )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_REFERRAL_OUTCOME,
        origin=origin,
        person=current.person,
        detail={
            "referral": str(current.public_id),
            "outcome": outcome,
            "reason": current.outcome_reason,
            "redirected_to": str(redirected.public_id) if redirected else "",
            "involvement": involvement.pk if involvement else None,
            "episode_of_need": str(episode.public_id) if episode else None,
            "decision_point": step.pk if step else None,
        },
    )
    return current


def open_referral_decision(
    *, actor: User, referral: Referral, origin: Origin
) -> DecisionPoint | None:
    """The decision step an accepted referral starts in children's social care: "Decision
    on a referral", on the clock from the day the referral was made, the accepting
    practitioner responsible. None (nothing opened) when the receiving practitioner does
    not take social care decisions (another agency accepted it) or the child already has
    that step open (an earlier referral's)."""
    if not assessments_access.can_decide(actor, referral.person):
        return None
    if (
        DecisionPoint.objects.open()
        .filter(child=referral.person, step=DecisionStep.REFERRAL_DECISION)
        .exists()
    ):
        return None
    return open_decision_point(
        actor=actor,
        origin=origin,
        child=referral.person,
        step=DecisionStep.REFERRAL_DECISION,
        started_on=timezone.localdate(referral.raised_at),
    )


@transaction.atomic
def involve_receiving_team(*, actor: User, referral: Referral, origin: Origin) -> Involvement:
    """The practitioner of the receiving team who accepted ``referral`` is involved with
    the child from today: they are the receiving team's contact (their phone, else their
    team's) and, like any involvement, it opens the record to them. An involvement they
    already have with the child for that agency is kept, not doubled."""
    today = timezone.localdate()
    agency = referral.to_team.agency
    current = (
        Involvement.objects.active_on(today)
        .filter(person=referral.person, agency=agency, practitioner=actor)
        .order_by("started_on", "pk")
        .first()
    )
    if current is not None:
        return current
    return record_involvement(
        actor=actor,
        person=referral.person,
        agency=agency,
        role=InvolvementRole.REFERRAL_ACCEPTED,
        started_on=today,
        practitioner=actor,
        origin=origin,
    )


def escalate_overdue_referrals(*, now: dt.datetime | None = None) -> int:
    """Alert the receiving team's managers about each referral past its acknowledgement
    deadline, once per referral; returns how many were escalated."""
    at = now or timezone.now()
    escalated = 0
    ids = list(
        queries.overdue(now=at).filter(escalated_at__isnull=True).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            referral = (
                Referral.objects.select_for_update()
                .filter(
                    pk=pk,
                    escalated_at__isnull=True,
                    status=ReferralStatus.AWAITING_ACKNOWLEDGEMENT,
                )
                .first()
            )
            if referral is None:
                continue
            referral.escalated_at = at
            referral.save(update_fields=["escalated_at"])
            _alert_referral(referral, AlertReason.REFERRAL_OVERDUE, None)
            _alert_referral(
                referral,
                AlertReason.REFERRAL_ESCALATED,
                None,
                summary=f"{_to(referral)} did not acknowledge your "
                f"{referral.get_urgency_display().lower()} referral in time; "
                "their managers have been alerted",
            )
            record_audit(
                actor=None,
                action=AuditAction.ESCALATE_REFERRAL,
                origin=JOB,
                person=referral.person,
                detail={
                    "referral": str(referral.public_id),
                    "acknowledge_by": referral.acknowledge_by.isoformat(),
                    "managers": [u.username for u in queries.team_managers(referral.to_team_id)],
                },
            )
            escalated += 1
    return escalated


def next_referral_deadline(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Just after the earliest deadline still to come, for the escalation wake-up."""
    at = now or timezone.now()
    earliest = Referral.objects.filter(
        status=ReferralStatus.AWAITING_ACKNOWLEDGEMENT,
        escalated_at__isnull=True,
        acknowledge_by__gte=at,
    ).aggregate(at=Min("acknowledge_by"))["at"]
    return earliest + dt.timedelta(seconds=1) if earliest else None


# Sharing decisions --------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionAnswers:
    """The questions a share asks of the practitioner (the referral form's): the lawful
    basis (None: the default), consent, and whether the family was told or why not."""

    consent: str
    family_informed: bool
    lawful_basis: LawfulBasis | None = None
    consent_not_sought_reason: str = ""
    not_informed_reason: str = ""
    not_informed_detail: str = ""


# A share made without the questions (a redirection, the API): said so, never assumed.
NOT_ASKED = "Not asked: the share was made without the sharing questions"
UNANSWERED = DecisionAnswers(
    consent=Consent.NOT_SOUGHT,
    consent_not_sought_reason=NOT_ASKED,
    family_informed=False,
    not_informed_reason=NotInformedReason.OTHER,
    not_informed_detail=NOT_ASKED,
)


class DecisionRefusedError(ValueError):
    """A sharing decision that cannot be recorded: ``field`` names what to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def default_lawful_basis(agency: Agency | None) -> LawfulBasis:
    """The configured default: police processing under part 3 of the Data Protection Act
    2018 for the police, the UK GDPR safeguarding basis for everyone else."""
    police = agency is not None and agency.kind == AgencyKind.POLICE
    found = (
        LawfulBasis.objects.filter(active=True, for_police=police).order_by("pk").first()
        or LawfulBasis.objects.filter(active=True).order_by("pk").first()
    )
    if found is None:
        raise DecisionRefusedError(
            "lawful_basis", "No lawful basis is configured; ask an administrator."
        )
    return found


def _decision_record(agency: Agency, person: Person) -> SourceRecord:
    """The deciding agency's record of the child, that the chronology event is about
    (``chronology.actions.agency_record``)."""
    return agency_record(agency, person, linked_by="sharing-decision")


def decision_summary(decision: SharingDecision) -> str:
    """What the chronology says: the outcome, with whom, on which basis, and whether the
    family was told. Never who referred (golden rule 5), nor what was shared in detail."""
    verb = "Shared" if decision.outcome == SharingOutcome.SHARED else "Decided not to share"
    about = DecisionOrigin(decision.about).label.lower()
    family = (
        "family informed"
        if decision.family_informed
        else f"family not informed ({decision.family_reason})"
    )
    return (
        f"{verb} with {decision.recipient} ({about}). Lawful basis: "
        f"{decision.lawful_basis.label}. Consent: {decision.get_consent_display().lower()}. "
        f"{family[0].upper()}{family[1:]}."
    )[:4000]


def _require(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DecisionRefusedError(field, message)
    return text


@transaction.atomic
def record_sharing_decision(
    *,
    actor: User,
    child: Person,
    outcome: str,
    what: str,
    why: str,
    with_agency: Agency | None = None,
    with_user: User | None = None,
    lawful_basis: LawfulBasis | None = None,
    consent: str,
    consent_not_sought_reason: str = "",
    family_informed: bool,
    not_informed_reason: str = "",
    not_informed_detail: str = "",
    about: str = DecisionOrigin.MANUAL,
    referral: Referral | None = None,
    origin: Origin,
) -> SharingDecision:
    """Record a decision to share about ``child`` (obtained through ``open_record``, or
    the share's own access rule), or not to; refused with ``DecisionRefusedError`` naming
    the field. The decision is written as a chronology event of the actor's agency, so it
    appears in the chronology of whoever may see the child, and audited against the child.
    ``lawful_basis`` left out takes the configured default."""
    if actor.agency is None or not actor.is_active:
        raise DecisionRefusedError(
            "agency", "Only a practitioner of an agency can record a decision."
        )
    if outcome not in SharingOutcome.values:
        raise DecisionRefusedError("outcome", "Choose whether the information was shared.")
    if about not in DecisionOrigin.values:
        raise DecisionRefusedError("about", "Say what the decision is about.")
    what_text = _require(what, "what", "Say what was shared, or what was asked for.")
    why_text = _require(why, "why", "Give the reason for the decision.")
    if with_agency is None and with_user is None:
        raise DecisionRefusedError("with_whom", "Choose with whom: an agency or a person.")
    if with_user is not None and with_agency is None:
        with_agency = with_user.agency
    basis = lawful_basis or default_lawful_basis(actor.agency)
    if not basis.active:
        raise DecisionRefusedError("lawful_basis", "That lawful basis is no longer in use.")
    if consent not in Consent.values:
        raise DecisionRefusedError(
            "consent", "Say whether consent was given, refused or not sought."
        )
    not_sought = ""
    if consent == Consent.NOT_SOUGHT:
        not_sought = _require(
            consent_not_sought_reason,
            "consent_not_sought_reason",
            "Say why consent was not sought.",
        )
    reason, detail = "", not_informed_detail.strip()
    if not family_informed:
        if not_informed_reason not in NotInformedReason.values:
            raise DecisionRefusedError(
                "not_informed_reason", "Say why the family was not informed."
            )
        reason = not_informed_reason
        if reason == NotInformedReason.OTHER and not detail:
            raise DecisionRefusedError(
                "not_informed_detail", "Explain why the family was not informed."
            )
    else:
        detail = ""
    decision = SharingDecision.objects.create(
        person=child,
        decided_by=actor,
        agency=actor.agency,
        decided_at=timezone.now(),
        outcome=outcome,
        what=what_text,
        with_agency=with_agency,
        with_user=with_user,
        why=why_text,
        lawful_basis=basis,
        consent=consent,
        consent_not_sought_reason=not_sought,
        family_informed=family_informed,
        not_informed_reason=reason,
        not_informed_detail=detail,
        about=about,
        referral=referral,
    )
    subject = _decision_record(actor.agency, child)
    result = record_events(
        actor=actor,
        agency=actor.agency,
        rows=[
            EventRow(
                line=1,
                event_id=f"sharing-decision-{decision.public_id}",
                agency=actor.agency.code,
                subject_record_id=subject.record_id,
                occurred_at=decision.decided_at,
                date_only=False,
                category=DECISION_CATEGORY[0],
                summary=decision_summary(decision),
                # The decider of a referral is its referrer: not named (golden rule 5).
                practitioner="" if about == DecisionOrigin.REFERRAL else _name(actor),
            )
        ],
        origin=origin,
        audit_detail={"sharing_decision": str(decision.public_id)},
    )
    decision.event = result.events[0] if result.events else None
    decision.save(update_fields=["event"])
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_SHARING_DECISION,
        origin=origin,
        person=child,
        detail={
            "decision": str(decision.public_id),
            "outcome": outcome,
            "about": about,
            "referral": str(referral.public_id) if referral else "",
            "with_agency": with_agency.code if with_agency else "",
            "with_user": with_user.username if with_user else "",
            "lawful_basis": basis.code,
            "consent": consent,
            "family_informed": family_informed,
            "not_informed_reason": reason,
        },
    )
    return decision


def record_share_to_user(
    *, actor: User, child: Person, about: DecisionOrigin, what: str, why: str, origin: Origin
) -> SharingDecision | None:
    """The sharing decision of a share the actor makes to themselves (an export, emergency
    access): the default lawful basis, and consent and the family recorded as not asked.
    None for an actor outside any agency (the share's own audit row still records it)."""
    if actor.agency is None:
        return None
    return record_sharing_decision(
        actor=actor,
        child=child,
        outcome=SharingOutcome.SHARED,
        what=what,
        why=why,
        with_user=actor,
        consent=UNANSWERED.consent,
        consent_not_sought_reason=UNANSWERED.consent_not_sought_reason,
        family_informed=UNANSWERED.family_informed,
        not_informed_reason=UNANSWERED.not_informed_reason,
        not_informed_detail=UNANSWERED.not_informed_detail,
        about=about,
        origin=origin,
    )


# The configured list of lawful bases --------------------------------------------------


def _may_configure(actor: User) -> None:
    if not actor.is_active or actor.role != Role.ADMINISTRATOR:
        raise PermissionDenied("Only an administrator can change the lawful bases.")


@transaction.atomic
def add_lawful_basis(
    *, actor: User, code: str, label: str, source: str, for_police: bool, origin: Origin
) -> LawfulBasis:
    """An administrator adds a lawful basis to the list practitioners choose from."""
    _may_configure(actor)
    code = code.strip()
    if LawfulBasis.objects.filter(code=code).exists():
        raise DecisionRefusedError("code", "A lawful basis with that code already exists.")
    basis = LawfulBasis.objects.create(
        code=code, label=label.strip(), source=source.strip(), for_police=for_police
    )
    record_audit(
        actor=actor,
        action=AuditAction.CHANGE_LAWFUL_BASIS,
        origin=origin,
        detail={"added": code, "label": basis.label, "source": basis.source},
    )
    return basis


@transaction.atomic
def set_lawful_basis_active(
    *, actor: User, basis: LawfulBasis, active: bool, origin: Origin
) -> LawfulBasis:
    """Retire a lawful basis (kept for the decisions that rest on it) or bring it back.
    The last active basis of its kind (police or not) cannot be retired: every share
    needs a default."""
    _may_configure(actor)
    if not active and not (
        LawfulBasis.objects.filter(active=True, for_police=basis.for_police)
        .exclude(pk=basis.pk)
        .exists()
    ):
        raise DecisionRefusedError(
            "active", "This is the last lawful basis of its kind in use: add another first."
        )
    basis.active = active
    basis.save(update_fields=["active"])
    record_audit(
        actor=actor,
        action=AuditAction.CHANGE_LAWFUL_BASIS,
        origin=origin,
        detail={"code": basis.code, "active": active},
    )
    return basis
