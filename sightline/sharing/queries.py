"""Reads for information sharing: flags, inboxes, who else is involved, referral lists.

Nothing here checks access to a person's record: the callers either went through
``record.access.open_record`` or show only what the flag service shares (the flag).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency
from sightline.assessments.models import DecisionPoint
from sightline.assessments.workflow import DecisionStep
from sightline.chronology.models import ChronologyEvent
from sightline.core.statements import CountStatement
from sightline.people.models import (
    Involvement,
    InvolvementRole,
    Person,
    RelationshipKind,
    Sex,
    StatusKind,
    StatusPeriod,
)
from sightline.record.rules import relationship_filter
from sightline.sharing import clock, flagging
from sightline.sharing.models import (
    Alert,
    AlertReason,
    InboxItem,
    OutboundEmail,
    Referral,
    ReferralOutcome,
    ReferralStatus,
    SharingDecision,
)

RECENT_LOOKUPS = 25
_CHUNK = 900


@dataclass(frozen=True)
class FlagView:
    """What any practitioner may see about a flagged child: the flag, not the record."""

    flag: flagging.Flag
    authority: Agency

    @property
    def label(self) -> str:
        return self.flag.kind.label


def plans_for(person_ids: Iterable[int]) -> dict[int, list[flagging.Plan]]:
    """Every plan that could flag each person, in two queries per 900 persons."""
    ids = sorted(set(person_ids))
    plans: dict[int, list[flagging.Plan]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        _add_plans(ids[start : start + _CHUNK], plans)
    return plans


def _add_plans(ids: list[int], plans: dict[int, list[flagging.Plan]]) -> None:
    # Two indexed queries (one query with OR across the join was ten times slower).
    own = (
        StatusPeriod.objects.filter(
            person_id__in=ids, kind__in=[StatusKind.CHILD_PROTECTION, StatusKind.LOOKED_AFTER]
        )
        .values_list(
            "person_id",
            "kind",
            "started_on",
            "ended_on",
            "recorded_by_agency_id",
            "person__date_of_birth",
        )
        .order_by()
    )
    for person_id, kind, started_on, ended_on, agency_id, born_on in own:
        plan_kind = flagging.plan_kind(kind, born_on=born_on, started_on=started_on)
        if plan_kind is not None:
            plans[person_id].append(flagging.Plan(plan_kind, started_on, ended_on, agency_id))
    _add_unborn_plans(ids, plans)


def _add_unborn_plans(ids: list[int], plans: dict[int, list[flagging.Plan]]) -> None:
    # A child's plan that began before birth flags the mother until the birth, and for 12
    # months after it.
    unborn = (
        StatusPeriod.objects.filter(
            kind=StatusKind.CHILD_PROTECTION,
            started_on__lt=F("person__date_of_birth"),
            person__relationships_in__person_id__in=ids,
            person__relationships_in__person__sex=Sex.FEMALE,
            person__relationships_in__kind=RelationshipKind.PARENT,
        )
        .values_list(
            "person__relationships_in__person_id",
            "started_on",
            "ended_on",
            "recorded_by_agency_id",
            "person__date_of_birth",
        )
        .order_by()
        .distinct()
    )
    for mother_id, started_on, ended_on, agency_id, born_on in unborn:
        if born_on is None:  # pragma: no cover - the filter compares with the birth date
            continue
        until_birth = born_on if ended_on is None else min(ended_on, born_on)
        plans[mother_id].append(
            flagging.Plan(flagging.PlanKind.PRE_BIRTH, started_on, until_birth, agency_id)
        )


def flags_for(persons: Iterable[Person], *, on: dt.date | None = None) -> dict[int, FlagView]:
    """The flag of each flagged person (by primary key); the unflagged are absent."""
    day = on or timezone.localdate()
    found: dict[int, flagging.Flag] = {}
    for person_id, plans in plans_for(p.pk for p in persons).items():
        flag = flagging.flag_on(plans, day)
        if flag is not None:
            found[person_id] = flag
    authorities = Agency.objects.in_bulk({flag.authority for flag in found.values()})
    return {pk: FlagView(flag, authorities[flag.authority]) for pk, flag in found.items()}


def flag_of(
    person: Person,
    status_periods: Iterable[StatusPeriod],
    *,
    may_have_children: bool = True,
    on: dt.date | None = None,
) -> FlagView | None:
    """``flags_for([person])`` for a page that has read ``person``'s status periods
    already (with ``recorded_by_agency``): the same plans, without reading them again.
    ``may_have_children`` False (the page has read the person's relationships and they
    are nobody's parent) skips looking for an unborn child's pre-birth plan, which only
    a parent's relationship can find."""
    day = on or timezone.localdate()
    plans: dict[int, list[flagging.Plan]] = defaultdict(list)
    agencies: dict[int, Agency] = {}
    for period in status_periods:
        if period.kind not in (StatusKind.CHILD_PROTECTION, StatusKind.LOOKED_AFTER):
            continue
        kind = flagging.plan_kind(
            period.kind, born_on=person.date_of_birth, started_on=period.started_on
        )
        if kind is not None:
            plans[person.pk].append(
                flagging.Plan(
                    kind, period.started_on, period.ended_on, period.recorded_by_agency_id
                )
            )
            agencies[period.recorded_by_agency_id] = period.recorded_by_agency
    if may_have_children:
        _add_unborn_plans([person.pk], plans)
    flag = flagging.flag_on(plans[person.pk], day) if plans.get(person.pk) else None
    if flag is None:
        return None
    authority = agencies.get(flag.authority) or Agency.objects.get(pk=flag.authority)
    return FlagView(flag, authority)


def flagged_ids(person_ids: Iterable[int], *, on: dt.date | None = None) -> set[int]:
    day = on or timezone.localdate()
    return {
        person_id
        for person_id, plans in plans_for(person_ids).items()
        if flagging.flag_on(plans, day) is not None
    }


def has_relationship(user: User, person: Person, *, on: dt.date | None = None) -> bool:
    day = on or timezone.localdate()
    return Involvement.objects.filter(relationship_filter(user, day), person=person).exists()


def allocated_workers(person_ids: Iterable[int], *, on: dt.date) -> dict[int, list[User]]:
    """Active allocated social workers of each person, with their teams."""
    workers: dict[int, list[User]] = defaultdict(list)
    involvements = (
        Involvement.objects.active_on(on)
        .filter(
            person_id__in=list(person_ids),
            role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
            practitioner__is_active=True,
        )
        .select_related("practitioner__team")
        .order_by("person_id", "started_on", "pk")
    )
    for involvement in involvements:
        if involvement.practitioner is not None:
            workers[involvement.person_id].append(involvement.practitioner)
    return workers


def recent_lookups(person: Person, *, limit: int = RECENT_LOOKUPS) -> list[Alert]:
    """The last lookups of a flagged child by practitioners without a relationship."""
    return list(
        Alert.objects.filter(person=person, reason=AlertReason.LOOKED_UP)
        .select_related("agency")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class InvolvedRow:
    involvement: Involvement
    last_contact: dt.datetime | None


def involved(person: Person, *, on: dt.date | None = None) -> list[InvolvedRow]:
    """Practitioners and agencies working with the child now, with the date each agency
    last recorded something about the child (contact details, no case detail)."""
    day = on or timezone.localdate()
    last_event = (
        ChronologyEvent.objects.filter(
            person=person, agency_id=OuterRef("agency_id"), superseded_by__isnull=True
        )
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    current = (
        Involvement.objects.active_on(day)
        .filter(person=person)
        .select_related("agency", "practitioner", "practitioner__team")
        .annotate(last_contact=Subquery(last_event))
        .order_by("agency__name", "role", "pk")
    )
    return [InvolvedRow(i, getattr(i, "last_contact", None)) for i in current]


def inbox_for(user: User) -> QuerySet[InboxItem]:
    """A practitioner's own alerts and their team's duty inbox."""
    mine = Q(user=user)
    if user.team_id is not None:
        mine |= Q(team_id=user.team_id)
    return (
        InboxItem.objects.filter(mine)
        .select_related("alert__person", "alert__agency", "alert__referral", "team", "read_by")
        .order_by("-created_at", "-id")
    )


def _unread(values: Mapping[str, Any], has_team: bool) -> QuerySet[InboxItem]:
    mine = Q(user_id=values["user"])
    if has_team:
        mine |= Q(team_id=values["team"])
    return InboxItem.objects.filter(mine, read_at__isnull=True)


_UNREAD = CountStatement("sharing.unread_count", _unread)


def unread_count(user: User) -> int:
    """The navigation's count on every page: ``inbox_for``'s rows, without the joins and
    the order that a COUNT drops anyway (building them cost more than the query), its
    SQL compiled once (``core.statements``)."""
    if user.team_id is None:
        return _UNREAD.count({"user": user.pk}, shape=False)
    return _UNREAD.count({"user": user.pk, "team": user.team_id}, shape=True)


def referral_limits() -> dict[str, clock.Limit]:
    return clock.parse_limits(settings.SIGHTLINE_REFERRAL_LIMITS)


def working_day() -> clock.WorkingDay:
    return clock.WorkingDay.parse(settings.SIGHTLINE_WORKING_HOURS)


def _holds_referrals(user: User) -> bool:
    """Whether ``user`` may see referrals at all (``may_see_referral``'s first test)."""
    return user.is_active and user.role != Role.ADMINISTRATOR


def referrals_to_acknowledge(user: User) -> QuerySet[Referral]:
    if user.team_id is None or not _holds_referrals(user):
        return Referral.objects.none()
    return (
        Referral.objects.filter(
            to_team_id=user.team_id, status=ReferralStatus.AWAITING_ACKNOWLEDGEMENT
        )
        .select_related("person", "from_agency", "referrer", "to_team")
        .order_by("acknowledge_by", "pk")
    )


def referrals_awaiting_outcome(user: User) -> QuerySet[Referral]:
    if user.team_id is None or not _holds_referrals(user):
        return Referral.objects.none()
    return (
        Referral.objects.filter(to_team_id=user.team_id, status=ReferralStatus.ACKNOWLEDGED)
        .select_related("person", "from_agency", "referrer", "to_team")
        .order_by("acknowledge_by", "pk")
    )


def overdue(*, now: dt.datetime | None = None) -> QuerySet[Referral]:
    """Referrals not acknowledged by their deadline."""
    return Referral.objects.filter(
        status=ReferralStatus.AWAITING_ACKNOWLEDGEMENT, acknowledge_by__lt=now or timezone.now()
    )


def overdue_for_team(user: User, *, now: dt.datetime | None = None) -> QuerySet[Referral]:
    if user.team_id is None or not _holds_referrals(user):
        return Referral.objects.none()
    return (
        overdue(now=now)
        .filter(to_team_id=user.team_id)
        .select_related("person", "from_agency", "referrer", "to_team")
        .order_by("acknowledge_by", "pk")
    )


def referrals_sent(user: User) -> QuerySet[Referral]:
    """Referrals ``user`` made and those their team made (the team they were in when they
    raised them), newest first: the referrer's view of status and outcome."""
    if not _holds_referrals(user):
        return Referral.objects.none()
    sent = Q(referrer=user)
    if user.team_id is not None:
        sent |= Q(from_team_id=user.team_id)
    return (
        Referral.objects.filter(sent)
        .select_related(
            "person", "referrer", "from_agency", "to_team__agency", "redirected_to__to_team"
        )
        .order_by("-raised_at", "-pk")
    )


def referrals_received(user: User) -> QuerySet[Referral]:
    """Every referral to ``user``'s team, newest first."""
    if user.team_id is None or not _holds_referrals(user):
        return Referral.objects.none()
    return (
        Referral.objects.filter(to_team_id=user.team_id)
        .select_related("person", "from_agency", "to_team", "redirected_to")
        .order_by("-raised_at", "-pk")
    )


def open_referrals_sent_count(user: User) -> int:
    """Referrals ``user`` or their team sent that still wait for an outcome."""
    return referrals_sent(user).exclude(status=ReferralStatus.CLOSED).count()


def may_see_referral(user: User, referral: Referral) -> bool:
    """The referrer and the members of their team when it was sent (the team follows up
    what it referred, with the referrer away), and members of the receiving team (its
    manager included). Only the receiving team acts on it."""
    if not _holds_referrals(user):
        return False
    return referral.referrer_id == user.pk or (
        user.team_id is not None and user.team_id in {referral.to_team_id, referral.from_team_id}
    )


def may_act_on_referral(user: User, referral: Referral) -> bool:
    """Members of the receiving team acknowledge and record outcomes."""
    return (
        user.is_active
        and user.role != Role.ADMINISTRATOR
        and user.team_id is not None
        and user.team_id == referral.to_team_id
    )


def team_managers(team_id: int) -> list[User]:
    return list(
        User.objects.filter(team_id=team_id, role=Role.TEAM_MANAGER, is_active=True).order_by("pk")
    )


def panels(user: User, person: Person) -> dict[str, object]:
    """The child's page panels: the flag, who else is involved, recent lookups by people
    without a relationship, and whether the user may refer. ``person`` came through
    ``open_record``."""
    found = header_panels(user, person)
    return found | involved_panel(person, flagged=found["flag"] is not None)


def header_panels(
    user: User,
    person: Person,
    *,
    status_periods: Iterable[StatusPeriod] | None = None,
    may_have_children: bool = True,
) -> dict[str, object]:
    """What the child's page shows under the name: the flag, and whether the user may
    refer. ``person`` came through ``open_record``; ``status_periods``, all of the
    person's with their recording agency, if the page has read them already."""
    return {
        "flag": (
            flags_for([person]).get(person.pk)
            if status_periods is None
            else flag_of(person, status_periods, may_have_children=may_have_children)
        ),
        "may_refer": user.agency_id is not None and user.role != Role.ADMINISTRATOR,
    }


def involved_panel(person: Person, *, flagged: bool) -> dict[str, object]:
    """The child's "Agencies involved" panel: who else is involved, and a flagged child's
    recent lookups by people without a relationship. ``person`` came through
    ``open_record``."""
    return {
        "involved": involved(person),
        "lookups": recent_lookups(person) if flagged else [],
    }


def outbox_status() -> dict[str, int]:
    unsent = OutboundEmail.objects.filter(sent_at__isnull=True)
    return {
        "alerts_undelivered": Alert.objects.filter(delivered_at__isnull=True).count(),
        "alerts_delivered": Alert.objects.filter(delivered_at__isnull=False).count(),
        "inbox_items": InboxItem.objects.count(),
        "emails_unsent": unsent.count(),
        "emails_retrying": unsent.filter(attempts__gt=0).count(),
        "emails_sent": OutboundEmail.objects.filter(sent_at__isnull=False).count(),
        "referrals_overdue": overdue().count(),
    }


# Sharing decisions ----------------------------------------------------------------------

# Who sees their agency's report of sharing decisions.
DECISION_REPORT_ROLES = frozenset({Role.SAFEGUARDING_LEAD, Role.TEAM_MANAGER})


def may_see_decision_report(user: User) -> bool:
    return user.is_active and user.agency_id is not None and user.role in DECISION_REPORT_ROLES


def decisions_of_agency(
    agency_id: int, *, start: dt.date, end: dt.date
) -> QuerySet[SharingDecision]:
    """The agency's decisions from ``start`` to ``end`` (local days, both included)."""
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return SharingDecision.objects.filter(
        agency_id=agency_id, decided_at__gte=since, decided_at__lt=until
    )


def decisions_for_api(user: User) -> QuerySet[SharingDecision]:
    """The API's list: the agency's decisions for its leads and managers, otherwise the
    user's own."""
    if may_see_decision_report(user) and user.agency_id is not None:
        return SharingDecision.objects.filter(agency_id=user.agency_id)
    return SharingDecision.objects.filter(decided_by=user)


def referral_decision_step(user: User, referral: Referral) -> DecisionPoint | None:
    """The open "decision on a referral" step that accepting ``referral`` gave ``user``
    (``actions.open_referral_decision``), for the referral page's link to it; None when
    the referral is not accepted or the step is someone else's or already decided."""
    if referral.outcome != ReferralOutcome.ACCEPTED:
        return None
    return (
        DecisionPoint.objects.open()
        .filter(child_id=referral.person_id, step=DecisionStep.REFERRAL_DECISION, responsible=user)
        .order_by("due_on", "pk")
        .first()
    )
