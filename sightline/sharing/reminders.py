"""Reminders of work waiting for one person: sign-offs waiting for a manager and decision
steps past their due date (issue #15).

``notify_waiting_work`` finds them and tells each person, in the app (an inbox item) and
by e-mail (through the one outbox, ``sharing.outbox``), **once per item per day**: each
reminder is an ``Alert`` with a unique ``key`` naming the item, the person and the day,
so a second run the same day (or a concurrent one) writes nothing. The recipient is
known when the reminder is written, so its inbox item and e-mail are written with it, in
the same transaction as its audit row (no fan-out). The worker runs it every
``SIGHTLINE_REMINDER_INTERVAL_MINUTES`` (``sharing.tasks.remind_waiting_work``);
``sightline notify-waiting-work`` runs it by hand.

Who is told:

- an assessment submitted for sign-off: the team managers of its team (the author's team
  when it has none) who may review it (``assessments.access.can_review``), never its author;
- a rationale recorded against a challenge: the team managers of the decision's team who
  may review it, never the one who made the decision or wrote the rationale;
- an open decision step whose due date has passed: the person responsible for it;
- a rapid review ready for sign-off (meeting, decision and every agency summary
  recorded): for each partner that has not signed, that partner's lead in its agency, or
  its safeguarding leads where it has no partner lead (``incidents.queries.signers``).
  Told as soon as the review becomes ready (``notify_review_sign_offs``, called by the
  incidents action in its transaction) and again each day it waits. Its summary names
  the notification's reference, never the child, so the inbox shows it to the lead
  whether or not they may see the child's record.

Inactive users are not told. The e-mail says only what kind of work waits and links to
the inbox: never the child's name or anything about the child.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from sightline.accounts.models import Role, User
from sightline.assessments import access as assessments_access
from sightline.assessments.models import (
    Assessment,
    AssessmentStatus,
    Challenge,
    ChallengeStatus,
    DecisionPoint,
)
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.incidents import queries as incidents
from sightline.incidents.models import NotifiedChild, RapidReview, SeriousIncidentNotification
from sightline.people.models import Person
from sightline.sharing import outbox
from sightline.sharing.actions import alert_email
from sightline.sharing.models import Alert, AlertReason, InboxItem

JOB = Origin(via="job")


@dataclass(frozen=True)
class Waiting:
    """One item of work waiting for one person."""

    reason: AlertReason
    kind: str  # "assessment", "challenge", "step" or "rapid_review"
    item_id: int
    child: Person
    recipient: User
    summary: str
    due_on: dt.date | None = None

    def key(self, day: dt.date) -> str:
        return f"{self.reason}:{self.kind}:{self.item_id}:to:{self.recipient.pk}:{day.isoformat()}"


@dataclass(frozen=True)
class Reminded:
    sign_offs: int
    overdue_steps: int
    already_told: int


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _managers_by_team() -> dict[int, list[User]]:
    found: dict[int, list[User]] = defaultdict(list)
    for manager in User.objects.filter(
        role=Role.TEAM_MANAGER, is_active=True, team__isnull=False
    ).select_related("agency"):
        if manager.team_id is not None:
            found[manager.team_id].append(manager)
    return found


def review_sign_offs_waiting(reviews: list[RapidReview]) -> Iterator[Waiting]:
    """For each of ``reviews`` ready for sign-off, each partner lead still to sign."""
    children = {
        child.notification_id: child.person
        for child in NotifiedChild.objects.filter(notification__rapid_review__in=reviews)
        .select_related("person")
        .order_by("-id")
    }
    for review in reviews:
        notification = review.notification
        child = children.get(notification.pk)
        if child is None:  # pragma: no cover - a notification always names a child
            continue
        for partner in incidents.partners_to_sign(review):
            for lead in incidents.signers(notification, partner):
                yield Waiting(
                    reason=AlertReason.REVIEW_SIGN_OFF_WAITING,
                    kind="rapid_review",
                    item_id=review.pk,
                    child=child,
                    recipient=lead,
                    summary=(
                        f"The rapid review of notification {notification.reference} is "
                        f"waiting for your sign-off for the {partner.label.lower()}, due by "
                        f"{review.due_on:%-d %B %Y}. Open it from Serious incidents and reviews."
                    ),
                    due_on=review.due_on,
                )


def waiting_work(*, today: dt.date) -> Iterator[Waiting]:
    """Every (item, person) pair to tell of, in a stable order."""
    managers = _managers_by_team()
    assessments = (
        Assessment.objects.filter(status=AssessmentStatus.SUBMITTED)
        .select_related("child", "author")
        .order_by("pk")
    )
    for assessment in assessments:
        team_id = assessment.team_id or assessment.author.team_id
        submitted = assessment.submitted_at or assessment.updated_at
        for manager in managers.get(team_id, []) if team_id is not None else []:
            if manager.pk == assessment.author_id:
                continue
            if not assessments_access.can_review(manager, assessment.child):
                continue
            yield Waiting(
                reason=AlertReason.SIGN_OFF_WAITING,
                kind="assessment",
                item_id=assessment.pk,
                child=assessment.child,
                recipient=manager,
                summary=(
                    f"An assessment by {_name(assessment.author)}, submitted on "
                    f"{timezone.localtime(submitted):%-d %B %Y}, is waiting for your sign-off"
                ),
            )
    challenges = (
        Challenge.objects.filter(status=ChallengeStatus.RATIONALE_RECORDED)
        .select_related("decision__child", "rationale_by")
        .order_by("pk")
    )
    for challenge in challenges:
        decision = challenge.decision
        by = challenge.rationale_by
        for manager in managers.get(decision.team_id, []) if decision.team_id else []:
            if manager.pk in {decision.made_by_id, challenge.rationale_by_id}:
                continue
            if not assessments_access.can_review(manager, decision.child):
                continue
            yield Waiting(
                reason=AlertReason.SIGN_OFF_WAITING,
                kind="challenge",
                item_id=challenge.pk,
                child=decision.child,
                recipient=manager,
                summary=(
                    f"A rationale{f' by {_name(by)}' if by else ''} against the challenge "
                    f"“{challenge.title}” is waiting for a second manager's sign-off"
                )[:300],
            )
    overdue = (
        DecisionPoint.objects.open()
        .filter(due_on__lt=today, responsible__is_active=True)
        .select_related("child", "responsible")
        .order_by("due_on", "pk")
    )
    for point in overdue:
        yield Waiting(
            reason=AlertReason.STEP_OVERDUE,
            kind="step",
            item_id=point.pk,
            child=point.child,
            recipient=point.responsible,
            summary=(
                f"{point.get_step_display()} was due on {point.due_on:%-d %B %Y} "
                "and is not yet decided"
            ),
            due_on=point.due_on,
        )
    yield from review_sign_offs_waiting(
        incidents.ready_for_sign_off(SeriousIncidentNotification.objects.all())
    )


_AUDIT = {
    AlertReason.SIGN_OFF_WAITING: AuditAction.NOTIFY_SIGN_OFF_WAITING,
    AlertReason.REVIEW_SIGN_OFF_WAITING: AuditAction.NOTIFY_SIGN_OFF_WAITING,
    AlertReason.STEP_OVERDUE: AuditAction.NOTIFY_STEP_OVERDUE,
}


@transaction.atomic
def remind(*, waiting: Waiting, day: dt.date, origin: Origin) -> Alert | None:
    """Tell ``waiting.recipient`` of one item: the alert, its inbox item, its e-mail and
    the audit row, together. None if they were already told of it on ``day``."""
    key = waiting.key(day)
    if Alert.objects.filter(key=key).exists():
        return None
    now = timezone.now()
    alert = Alert.objects.create(
        reason=waiting.reason,
        person=waiting.child,
        summary=waiting.summary[:300],
        created_at=now,
        delivered_at=now,  # delivered here: the recipient is known
        key=key,
    )
    InboxItem.objects.create(alert=alert, user=waiting.recipient, created_at=now)
    if waiting.recipient.email:
        outbox.queue([alert_email(alert, waiting.recipient.email.strip().lower())], now=now)
    record_audit(
        actor=None,
        action=_AUDIT[waiting.reason],
        origin=origin,
        person=waiting.child,
        detail={
            "item": waiting.kind,
            "id": waiting.item_id,
            "to": waiting.recipient.username,
            "day": day.isoformat(),
            "alert": str(alert.public_id),
            **({"due_on": waiting.due_on.isoformat()} if waiting.due_on else {}),
        },
    )
    return alert


def notify_waiting_work(*, origin: Origin, today: dt.date | None = None) -> Reminded:
    """Tell each person of each sign-off waiting for them and each step of theirs past its
    due date, once per item per day; one transaction per reminder."""
    day = today or timezone.localdate()
    counts = {
        AlertReason.SIGN_OFF_WAITING: 0,
        AlertReason.REVIEW_SIGN_OFF_WAITING: 0,
        AlertReason.STEP_OVERDUE: 0,
    }
    already = 0
    for waiting in waiting_work(today=day):
        try:
            alert = remind(waiting=waiting, day=day, origin=origin)
        except IntegrityError:  # a concurrent run wrote it first
            alert = None
        if alert is None:
            already += 1
        else:
            counts[waiting.reason] += 1
    return Reminded(
        sign_offs=counts[AlertReason.SIGN_OFF_WAITING]
        + counts[AlertReason.REVIEW_SIGN_OFF_WAITING],
        overdue_steps=counts[AlertReason.STEP_OVERDUE],
        already_told=already,
    )


def notify_review_sign_offs(*, review: RapidReview, origin: Origin) -> int:
    """Tell the partner leads of ``review`` that it waits for their sign-off, if it is
    ready and they were not told today; returns how many were told. Called inside the
    incidents action that made it ready, so the reminders commit with it."""
    ready = [r for r in incidents.ready_for_sign_off([review.notification]) if r.pk == review.pk]
    day = timezone.localdate()
    return sum(
        remind(waiting=waiting, day=day, origin=origin) is not None
        for waiting in review_sign_offs_waiting(ready)
    )
