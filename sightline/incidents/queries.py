"""Reads for incidents: the child's details for a notification, the agencies to ask for
a rapid review summary, and the dashboard rows.

Callers pass persons they obtained through ``record.access.open_record`` (notification)
or notifications obtained through ``incidents.access`` (everything else).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from sightline import calendars
from sightline.accounts.models import PARTNER_LEAD_FOR, Role, User
from sightline.agencies.models import Agency
from sightline.chronology.models import ChronologyEvent
from sightline.chronology.vocabulary import ACT_CODES
from sightline.deadlines.queries import local_closures
from sightline.incidents import access, reporting
from sightline.incidents.models import (
    AgencySummary,
    LocalReview,
    Milestone,
    Partner,
    RapidReview,
    SafetyAction,
    SeriousIncidentNotification,
)
from sightline.people.models import Involvement, Person, Relationship, StatusKind, StatusPeriod

LOOK_BACK = relativedelta(years=2)


@dataclass(frozen=True)
class ChildSnapshot:
    name: str
    date_of_birth: dt.date | None
    sex: str
    age_at_incident: int | None
    ethnicity: str
    child_in_need: bool
    child_protection_plan: bool
    protection_category: str
    looked_after: bool
    agencies_known: list[str]
    key_relationships: list[dict[str, object]]


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def agencies_known(
    persons: Iterable[Person], since: dt.date, until: dt.date
) -> dict[int, set[str]]:
    """Agency id -> why ("involvement", "chronology") for agencies that knew the children
    between ``since`` and ``until``: an involvement overlapping the window, or a current
    chronology event in it. Sightline's own record of what practitioners did in it (a
    notification, a referral acknowledged: ``ACT_CODES``) is not an agency knowing the child."""
    ids = [person.pk for person in persons]
    reasons: dict[int, set[str]] = {}
    involvements = Involvement.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=since),
        person_id__in=ids,
        started_on__lte=until,
    ).values_list("agency_id", flat=True)
    for agency_id in involvements:
        reasons.setdefault(agency_id, set()).add("involvement")
    events = (
        ChronologyEvent.objects.current()
        .filter(
            person_id__in=ids,
            occurred_at__gte=_day_start(since),
            occurred_at__lt=_day_start(until + dt.timedelta(days=1)),
        )
        .exclude(category__code__in=ACT_CODES)
        .values_list("agency_id", flat=True)
        .distinct()
    )
    for agency_id in events:
        reasons.setdefault(agency_id, set()).add("chronology")
    return reasons


def _relationship_phrase(relationship: Relationship, child: Person) -> dict[str, object]:
    if relationship.relative_id == child.pk:
        other = relationship.person
        description = f"{relationship.get_kind_display()} of the child"
    else:
        other = relationship.relative
        description = f"the child is {relationship.get_kind_display().lower()} of them"
    return {
        "name": other.full_name,
        "relationship": description,
        "lives_with": relationship.lives_with,
    }


def child_snapshot(person: Person, incident_on: dt.date) -> ChildSnapshot:
    """What the notification form asks about the child, from the person record as it is."""
    on_the_day = Q(started_on__lte=incident_on) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=incident_on)
    )
    statuses = list(StatusPeriod.objects.filter(on_the_day, person=person))
    kinds = {status.kind for status in statuses}
    categories = sorted(
        status.get_protection_category_display()
        for status in statuses
        if status.kind == StatusKind.CHILD_PROTECTION and status.protection_category
    )
    relationships = (
        Relationship.objects.filter(Q(person=person) | Q(relative=person))
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=incident_on))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=incident_on))
        .select_related("person", "relative")
        .order_by("kind", "id")
    )
    known = agencies_known([person], incident_on - LOOK_BACK, incident_on)
    names = sorted(Agency.objects.filter(pk__in=known).values_list("name", flat=True))
    return ChildSnapshot(
        name=person.full_name,
        date_of_birth=person.date_of_birth,
        sex=person.get_sex_display() if person.sex else "",
        age_at_incident=person.age_on(incident_on),
        ethnicity=person.ethnicity,
        child_in_need=StatusKind.CHILD_IN_NEED in kinds,
        child_protection_plan=StatusKind.CHILD_PROTECTION in kinds,
        protection_category=", ".join(categories),
        looked_after=StatusKind.LOOKED_AFTER in kinds,
        agencies_known=names,
        key_relationships=[_relationship_phrase(rel, person) for rel in relationships],
    )


def are_siblings(first: Person, second: Person) -> bool:
    """Recorded as siblings, or sharing a recorded parent."""
    direct = Relationship.objects.filter(
        Q(person=first, relative=second) | Q(person=second, relative=first),
        kind="sibling",
    ).exists()
    if direct:
        return True
    parents_of_first = Relationship.objects.filter(relative=first, kind="parent").values(
        "person_id"
    )
    return Relationship.objects.filter(
        relative=second, kind="parent", person_id__in=parents_of_first
    ).exists()


# Dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    """One thing with a deadline: a notification, a review, a summary, an action."""

    kind: str
    key: str  # unique across items, e.g. "summary:12": reminders are sent once per key
    label: str
    notification: SeriousIncidentNotification
    due_on: dt.date
    done_on: dt.date | None
    owner: User | None
    rule_version: str = ""

    @property
    def owner_name(self) -> str:
        return str(self.owner) if self.owner else "Not yet named"

    def status(self, today: dt.date) -> reporting.Status:
        return reporting.status(self.due_on, self.done_on, today)

    def working_days_left(self, today: dt.date) -> int:
        return calendars.working_days_between(today, self.due_on, local_closures())


def due_items(notifications: Iterable[SeriousIncidentNotification]) -> list[DueItem]:
    """Every deadline on the given notifications and what hangs off them."""
    items: list[DueItem] = []
    notes = list(notifications)
    reviews = {
        review.notification_id: review
        for review in RapidReview.objects.filter(notification__in=notes).select_related("opened_by")
    }
    summaries = AgencySummary.objects.filter(review__in=reviews.values()).select_related(
        "agency", "contributor", "review__opened_by"
    )
    actions = SafetyAction.objects.filter(review__in=reviews.values()).select_related(
        "owner", "review"
    )
    local_reviews = {
        lr.review_id: lr
        for lr in LocalReview.objects.filter(review__in=reviews.values()).select_related(
            "commissioned_by"
        )
    }
    milestones = Milestone.objects.filter(local_review__in=local_reviews.values())
    by_review: dict[int, SeriousIncidentNotification] = {}
    for notification in notes:
        items.append(
            DueItem(
                "notification",
                f"notification:{notification.pk}",
                "Serious incident notification sent",
                notification,
                notification.due_on,
                notification.submitted_on,
                notification.notifier,
                notification.due_rule_version,
            )
        )
        review = reviews.get(notification.pk)
        if review is None:
            continue
        by_review[review.pk] = notification
        items.append(
            DueItem(
                "rapid_review",
                f"rapid_review:{review.pk}",
                "Rapid review signed off",
                notification,
                review.due_on,
                review.completed_on,
                review.opened_by,
                review.due_rule_version,
            )
        )
        local_review = local_reviews.get(review.pk)
        if local_review is not None:
            items.append(
                DueItem(
                    "local_review_send_to_panel",
                    f"local_review_send_to_panel:{local_review.pk}",
                    "Local review sent to the panel and Secretary of State",
                    notification,
                    local_review.send_to_panel_due_on,
                    local_review.sent_to_panel_on,
                    local_review.commissioned_by,
                    local_review.due_rule_version,
                )
            )
            items.append(
                DueItem(
                    "local_review_publication",
                    f"local_review_publication:{local_review.pk}",
                    "Local review published",
                    notification,
                    local_review.publication_due_on,
                    local_review.published_on,
                    local_review.commissioned_by,
                    local_review.due_rule_version,
                )
            )
    items.extend(
        DueItem(
            "summary",
            f"summary:{summary.pk}",
            f"Summary from {summary.agency.name}",
            by_review[summary.review_id],
            summary.due_on,
            timezone.localdate(summary.submitted_at) if summary.submitted_at else None,
            summary.contributor or summary.review.opened_by,
        )
        for summary in summaries
    )
    items.extend(
        DueItem(
            "safety_action",
            f"safety_action:{action.pk}",
            f"Safety action: {action.description[:60]}",
            by_review[action.review_id],
            action.due_on,
            action.completed_on,
            action.owner,
        )
        for action in actions
    )
    review_of_local = {lr.pk: lr.review_id for lr in local_reviews.values()}
    local_reviews_by_pk = {lr.pk: lr for lr in local_reviews.values()}
    items.extend(
        DueItem(
            "milestone",
            f"milestone:{milestone.pk}",
            f"Local review milestone: {milestone.name}",
            by_review[review_of_local[milestone.local_review_id]],
            milestone.due_on,
            milestone.completed_on,
            local_reviews_by_pk[milestone.local_review_id].commissioned_by,
        )
        for milestone in milestones
    )
    items.sort(key=lambda item: (item.done_on is not None, item.due_on, item.label))
    return items


def on_time_rates(
    notifications: Iterable[SeriousIncidentNotification],
) -> list[reporting.QuarterRate]:
    """Per quarter of the due date: notifications sent and rapid reviews signed off on time."""
    notes = list(notifications)
    outcomes: list[tuple[str, dt.date, bool]] = [
        ("notification", n.due_on, n.submitted_on <= n.due_on)
        for n in notes
        if n.submitted_on is not None
    ]
    outcomes += [
        ("rapid_review", r.due_on, r.completed_on <= r.due_on)
        for r in RapidReview.objects.filter(notification__in=notes, completed_on__isnull=False)
        if r.completed_on is not None
    ]
    return reporting.quarterly_rates(outcomes)


def partner_leads(notification: SeriousIncidentNotification) -> list[User]:
    """Safeguarding leads of the three partners: whom overdue items escalate to."""
    return list(
        User.objects.filter(
            is_active=True,
            role="safeguarding_lead",
            agency_id__in=[
                notification.local_authority_id,
                notification.police_id,
                notification.integrated_care_board_id,
            ],
        ).order_by("pk")
    )


# Sign-off -------------------------------------------------------------------------------


def sign_off_blockers(review: RapidReview) -> list[str]:
    """What must be done before the partners can sign ``review`` off, in order; empty
    when it is ready (or already signed off by all three)."""
    blockers: list[str] = []
    if review.meeting_held_on is None:
        blockers.append("the review meeting is recorded")
    if review.local_review_needed is None:
        blockers.append("the decision on a local review is recorded")
    awaited = [
        summary.agency.name
        for summary in review.summaries.select_related("agency").order_by("agency__name")
        if summary.submitted_at is None
    ]
    if awaited:
        blockers.append(f"the summaries from {', '.join(awaited)} are in")
    return blockers


def ready_for_sign_off(
    notifications: Iterable[SeriousIncidentNotification],
) -> list[RapidReview]:
    """Open rapid reviews on ``notifications`` that nothing stops the partners signing."""
    reviews = (
        RapidReview.objects.filter(
            notification__in=list(notifications),
            completed_on__isnull=True,
            local_review_needed__isnull=False,
            meeting_held_on__isnull=False,
        )
        .exclude(
            Exists(AgencySummary.objects.filter(review=OuterRef("pk"), submitted_at__isnull=True))
        )
        .select_related("notification")
        .prefetch_related("sign_offs")
        .order_by("due_on", "pk")
    )
    return list(reviews)


def partners_to_sign(review: RapidReview) -> list[Partner]:
    """The partners who have not yet signed ``review`` off."""
    signed = {sign_off.partner for sign_off in review.sign_offs.all()}
    return [partner for partner in Partner if partner.value not in signed]


def summaries_awaited(reviews: Iterable[RapidReview]) -> list[AgencySummary]:
    """Agency summaries not yet written on open ``reviews``."""
    return list(
        AgencySummary.objects.filter(
            review__in=list(reviews), review__completed_on__isnull=True, submitted_at__isnull=True
        )
        .select_related("agency", "contributor", "review__notification")
        .order_by("due_on", "pk")
    )


def panel_responses_to_record(
    notifications: Iterable[SeriousIncidentNotification],
) -> list[RapidReview]:
    """Signed-off rapid reviews on ``notifications`` with no panel response recorded."""
    return list(
        RapidReview.objects.filter(
            notification__in=list(notifications),
            completed_on__isnull=False,
            panel_response__isnull=True,
        )
        .select_related("notification")
        .order_by("completed_on", "pk")
    )


def signers(notification: SeriousIncidentNotification, partner: Partner) -> list[User]:
    """Whom to ask for ``partner``'s sign-off: that partner's active partner leads in its
    agency or, where it has none, the agency's safeguarding leads (who may also sign)."""
    agency_id = {
        Partner.LOCAL_AUTHORITY: notification.local_authority_id,
        Partner.POLICE: notification.police_id,
        Partner.INTEGRATED_CARE_BOARD: notification.integrated_care_board_id,
    }[partner]
    people = User.objects.filter(is_active=True, agency_id=agency_id).order_by("pk")
    roles = [role for role, value in PARTNER_LEAD_FOR.items() if value == partner.value]
    leads = list(people.filter(role__in=roles))
    return leads or list(people.filter(role=Role.SAFEGUARDING_LEAD))


# What waits for one user (the dashboard's "Waiting for you", the home page's counts) ----


@dataclass(frozen=True)
class SignOffWaiting:
    review: RapidReview
    partners: list[Partner]  # the partners this user may still sign for


def sign_offs_waiting_for(user: User) -> list[SignOffWaiting]:
    """Rapid reviews ready for sign-off that ``user`` may sign for a partner still to sign."""
    found = []
    for review in ready_for_sign_off(access.visible_to(user)):
        partners = [
            partner
            for partner in partners_to_sign(review)
            if access.can_sign_off(user, review.notification, partner)
        ]
        if partners:
            found.append(SignOffWaiting(review, partners))
    return found


def summaries_to_write_for(user: User) -> list[AgencySummary]:
    """Agency summaries awaited on open rapid reviews that ``user`` may write."""
    reviews = RapidReview.objects.filter(notification__in=access.visible_to(user))
    return [s for s in summaries_awaited(reviews) if access.can_contribute(user, s)]


def panel_responses_for(user: User) -> list[RapidReview]:
    """Signed-off rapid reviews whose panel response ``user`` may record and nobody has."""
    if not access.may_record_panel_response(user):
        return []
    return panel_responses_to_record(access.visible_to(user))


def local_reviews_to_commission_for(user: User) -> list[RapidReview]:
    """Signed-off rapid reviews that decided on a local review not yet commissioned, on
    notifications ``user`` may change."""
    reviews = (
        RapidReview.objects.filter(
            notification__in=access.visible_to(user),
            completed_on__isnull=False,
            local_review_needed=True,
            local_review__isnull=True,
        )
        .select_related("notification")
        .order_by("decided_on", "pk")
    )
    return [review for review in reviews if access.is_partner(user, review.notification)]


def notifications_to_send_for(user: User) -> list[SeriousIncidentNotification]:
    """Notifications not yet recorded as sent to the national panel, that ``user`` may
    record as sent."""
    notifications = access.visible_to(user).filter(submitted_on__isnull=True).order_by("due_on")
    return [n for n in notifications if access.is_partner(user, n)]


def reviews_to_start_for(user: User) -> list[SeriousIncidentNotification]:
    """Notifications sent to the panel with no rapid review yet, that ``user`` may start."""
    notifications = (
        access.visible_to(user)
        .filter(submitted_on__isnull=False, rapid_review__isnull=True)
        .order_by("submitted_on")
    )
    return [n for n in notifications if access.is_partner(user, n)]
