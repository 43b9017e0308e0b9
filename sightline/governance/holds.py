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
from typing import NamedTuple

from sightline.core.statements import ValuesStatement
from sightline.governance.models import LegalHold
from sightline.incidents.models import NotifiedChild


@dataclass(frozen=True)
class Hold:
    reference: str  # HOLD-00001, SIN-2026-00001 ...
    description: str
    since: dt.date
    manual: bool
    hold_id: int | None = None  # a hold by hand's key, to release it


# Compiled once per number of people asked about (``core.statements``): the child's page
# asks on every request.
_MANUAL = ValuesStatement(
    "governance.holds.manual",
    lambda values, shape: (
        LegalHold.objects.filter(person_id__in=values["ids"], released_at__isnull=True)
        .order_by("placed_at", "id")
        .values_list("pk", "person_id", "reason", "placed_at")
    ),
)
_CHILDREN = ValuesStatement(
    "governance.holds.children",
    lambda values, shape: (
        NotifiedChild.objects.filter(person_id__in=values["ids"])
        .order_by("notification__aware_on", "id")
        .values_list(
            "person_id",
            "notification_id",
            "notification__aware_on",
            "notification__rapid_review__id",
            "notification__rapid_review__opened_at",
            "notification__rapid_review__local_review_needed",
            "notification__rapid_review__decided_on",
            "notification__rapid_review__completed_on",
            "notification__rapid_review__local_review__id",
            "notification__rapid_review__local_review__published_on",
        )
    ),
)


def holds_on(person_ids: Iterable[int]) -> dict[int, list[Hold]]:
    """The holds in force on each of ``person_ids`` (only those with a hold are keys)."""
    ids = list(set(person_ids))
    found: dict[int, list[Hold]] = defaultdict(list)
    if not ids:
        return {}
    # Plain columns rather than model instances: the child's page asks on every request,
    # and building the models (three deep for the incidents) cost more than the queries.
    manual = _MANUAL.fetch({"ids": tuple(ids)})
    for pk, person_id, reason, placed_at in manual:
        found[person_id].append(
            Hold(
                reference=f"HOLD-{pk:05d}",  # LegalHold.reference
                description=f"Held by hand: {reason}",
                since=placed_at.date(),
                manual=True,
                hold_id=pk,
            )
        )
    # The children's notifications and reviews in one plain join; which incidents are
    # still open is decided on those rows (``_open``) rather than by an OR across the
    # joins, which cost more to build than the query takes to run.
    children = _CHILDREN.fetch({"ids": tuple(ids)})
    for row in children:
        incident = _Incident._make(row[1:])
        if _open(incident):
            found[row[0]].append(_incident_hold(incident))
    return dict(found)


class _Incident(NamedTuple):
    """A notified child's incident and its reviews, as far as the holds need them."""

    notification_id: int
    aware_on: dt.date
    review_id: int | None
    opened_at: dt.datetime | None
    local_review_needed: bool | None
    decided_on: dt.date | None
    completed_on: dt.date | None
    local_review_id: int | None
    published_on: dt.date | None

    @property
    def reference(self) -> str:
        # SeriousIncidentNotification.reference
        return f"SIN-{self.aware_on:%Y}-{self.notification_id:05d}"


def _open(incident: _Incident) -> bool:
    """No rapid review, a rapid review not completed, or a local review decided on and
    not yet published."""
    if incident.review_id is None or incident.completed_on is None:
        return True
    if not incident.local_review_needed:
        return False
    return incident.local_review_id is None or incident.published_on is None


def _incident_hold(incident: _Incident) -> Hold:
    reference = incident.reference
    if incident.review_id is None or incident.opened_at is None:
        return Hold(
            reference,
            f"Serious incident notification {reference} is open (no rapid review yet)",
            incident.aware_on,
            manual=False,
        )
    if incident.completed_on is None:
        return Hold(
            reference,
            f"Rapid review for serious incident {reference} is open",
            incident.opened_at.date(),
            manual=False,
        )
    return Hold(
        reference,
        f"Local child safeguarding practice review for serious incident {reference} "
        + (
            "is decided on but not commissioned"
            if incident.local_review_id is None
            else "is not yet published"
        ),
        incident.decided_on or incident.completed_on,
        manual=False,
    )
