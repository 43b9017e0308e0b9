"""Legal holds in force on a person's record, computed at the time of asking.

Two sources: holds placed by hand (``LegalHold`` not released), and the child's part in a
serious incident that is not finished: a notification without a rapid review, a rapid
review not completed, or a local review decided on and not yet published. The incidents
app's own rows say which; nothing about them is copied here.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sightline.governance.models import LegalHold
from sightline.incidents.models import NotifiedChild


@dataclass(frozen=True)
class Hold:
    reference: str  # HOLD-00001, SIN-2026-00001 ...
    description: str
    since: dt.date
    manual: bool
    hold_id: int | None = None  # a hold by hand's key, to release it


def holds_on(person_ids: Iterable[int]) -> dict[int, list[Hold]]:
    """The holds in force on each of ``person_ids`` (only those with a hold are keys)."""
    ids = list(set(person_ids))
    found: dict[int, list[Hold]] = defaultdict(list)
    if not ids:
        return {}
    for hold in LegalHold.objects.filter(person_id__in=ids, released_at__isnull=True).order_by(
        "placed_at", "id"
    ):
        found[hold.person_id].append(
            Hold(
                reference=hold.reference,
                description=f"Held by hand: {hold.reason}",
                since=hold.placed_at.date(),
                manual=True,
                hold_id=hold.pk,
            )
        )
    # The children's notifications and reviews in one plain join; which incidents are
    # still open is decided on those rows (``_open``) rather than by an OR across the
    # joins, which cost more to build than the query takes to run.
    children = (
        NotifiedChild.objects.filter(person_id__in=ids)
        .select_related(
            "notification",
            "notification__rapid_review",
            "notification__rapid_review__local_review",
        )
        .order_by("notification__aware_on", "id")
    )
    for child in children:
        if _open(child):
            found[child.person_id].append(_incident_hold(child))
    return dict(found)


def _open(child: NotifiedChild) -> bool:
    """No rapid review, a rapid review not completed, or a local review decided on and
    not yet published."""
    review = getattr(child.notification, "rapid_review", None)
    if review is None or review.completed_on is None:
        return True
    if not review.local_review_needed:
        return False
    local = getattr(review, "local_review", None)
    return local is None or local.published_on is None


def _incident_hold(child: NotifiedChild) -> Hold:
    notification = child.notification
    reference = notification.reference
    review = getattr(notification, "rapid_review", None)
    if review is None:
        return Hold(
            reference,
            f"Serious incident notification {reference} is open (no rapid review yet)",
            notification.aware_on,
            manual=False,
        )
    if review.completed_on is None:
        return Hold(
            reference,
            f"Rapid review for serious incident {reference} is open",
            review.opened_at.date(),
            manual=False,
        )
    local = getattr(review, "local_review", None)
    return Hold(
        reference,
        f"Local child safeguarding practice review for serious incident {reference} "
        + ("is decided on but not commissioned" if local is None else "is not yet published"),
        review.decided_on or review.completed_on,
        manual=False,
    )
