"""What one recipient sees of their alerts, composed each time the alerts are shown.

An alert is stored once and reaches many inboxes (the allocated worker's, their team's
duty inbox, a team's managers'), and relationships change after it is queued. So nothing
about the child is decided when it is queued: each time an inbox is shown, each alert is
composed for the reader who is looking, through the read side's rules:

- an alert about a child (an event recorded, a lookup) names the child, and says what
  happened, only to a reader who may see the child's record now (the person-view rule,
  ``record.queries.visible_to``). Its events are the chronology's events, their
  summaries redacted by the reader's own sections (``record.access.redaction_for``), as
  the chronology redacts them;
- an alert about a referral names the child only to a reader who may see the referral
  (``queries.may_see_referral``);
- a reminder whose summary names no child (a rapid review waiting for a partner's
  sign-off names only the notification's reference) is shown to its one recipient as
  it is, without the child;
- anyone else (a teammate without a relationship reading the team's duty inbox, a
  worker no longer allocated) is told only that there is something, and whom to ask:
  no name, no date of birth, no summary, no link to the record.

The rows are frozen and already redacted: the page and the API only lay them out.
"""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from sightline.access import sections
from sightline.accounts.models import User
from sightline.chronology.models import ChronologyEvent
from sightline.people.models import Person
from sightline.record.access import redaction_for
from sightline.record.chronology import Redaction
from sightline.record.queries import visible_to
from sightline.sharing import queries
from sightline.sharing.models import (
    REMINDER_REASONS,
    UNNAMED_REMINDER_REASONS,
    Alert,
    AlertReason,
    InboxItem,
)

# Alerts about the child (rather than about a referral).
CHILD_REASONS = frozenset({AlertReason.EVENT_RECORDED, AlertReason.LOOKED_UP})
# Alerts that name the child only to a reader who may see the child's record now.
NAMED_BY_RECORD = CHILD_REASONS | REMINDER_REASONS
GENERIC_CHILD = "A new event for a child your team holds."
GENERIC_REMINDER = "Work is waiting for you on a child's record you can no longer see."
GENERIC_REFERRAL = "An update on a referral you can no longer see."
ASK_MANAGER = "Ask your team manager if you need to know more."
# Event lines shown under one alert; the rest are counted ("and 3 more").
EVENT_LINES = 5


@dataclass(frozen=True)
class EventLine:
    """One event an alert reports, as this reader may see it."""

    occurred_at: dt.datetime
    date_only: bool
    agency: str
    category: str
    summary: str
    # The section's label when its summary is withheld from this reader, else "".
    withheld: str
    # A later revision corrects it (that revision is alerted too).
    corrected: bool


@dataclass(frozen=True)
class AlertRow:
    """One inbox item as its reader may see it."""

    item_id: int
    reason: str
    reason_label: str
    created_at: dt.datetime
    inbox: str  # "mine", or the team's name (its duty inbox)
    read_at: dt.datetime | None
    read_by: str
    # Whether this reader may see the child: only then are the fields below filled.
    named: bool
    person_public_id: uuid.UUID | None
    person_name: str
    referral_public_id: uuid.UUID | None
    summary: str
    events: tuple[EventLine, ...]
    more_events: int
    # For those not named: whom to ask.
    ask: str
    # The child's key, for the audit row of the list (never shown).
    audit_person_id: int


def alert_rows(user: User, items: Sequence[InboxItem]) -> list[AlertRow]:
    """Compose ``items`` (from ``queries.inbox_for(user)``) for ``user``, now."""
    alerts = [item.alert for item in items]
    about = {alert.person_id for alert in alerts if alert.reason in NAMED_BY_RECORD}
    visible = (
        set(visible_to(user).filter(pk__in=about).values_list("pk", flat=True)) if about else set()
    )
    named = {
        alert.pk
        for alert in alerts
        if (
            alert.person_id in visible
            if alert.reason in NAMED_BY_RECORD
            else alert.referral is not None and queries.may_see_referral(user, alert.referral)
        )
    }
    lines = _event_lines(
        user,
        [a for a in alerts if a.pk in named and a.reason == AlertReason.EVENT_RECORDED],
    )
    workers = queries.allocated_workers(
        {a.person_id for a in alerts if a.pk not in named and a.reason in CHILD_REASONS},
        on=timezone.localdate(),
    )
    rows = []
    for item in items:
        alert = item.alert
        shown = alert.pk in named
        unnamed = alert.reason in UNNAMED_REMINDER_REASONS
        events = lines.get(alert.pk, [])
        rows.append(
            AlertRow(
                item_id=item.pk,
                reason=alert.reason,
                reason_label=alert.get_reason_display(),
                created_at=alert.created_at,
                inbox=item.team.name if item.team else "mine",
                read_at=item.read_at,
                read_by=str(item.read_by) if item.read_by else "",
                named=shown,
                person_public_id=alert.person.public_id if shown else None,
                person_name=alert.person.full_name if shown else "",
                referral_public_id=(
                    alert.referral.public_id if shown and alert.referral is not None else None
                ),
                summary=alert.summary if shown or unnamed else _generic(alert),
                events=tuple(events[:EVENT_LINES]),
                more_events=max(0, len(events) - EVENT_LINES),
                ask="" if shown or unnamed else _ask(alert, workers),
                audit_person_id=alert.person_id,
            )
        )
    return rows


def _generic(alert: Alert) -> str:
    if alert.reason in REMINDER_REASONS:
        return GENERIC_REMINDER
    return GENERIC_CHILD if alert.reason in CHILD_REASONS else GENERIC_REFERRAL


def _ask(alert: Alert, workers: dict[int, list[User]]) -> str:
    allocated = workers.get(alert.person_id, []) if alert.reason in CHILD_REASONS else []
    if not allocated:
        return ASK_MANAGER
    names = " or ".join(worker.get_full_name() or worker.username for worker in allocated)
    return f"Ask {names} (allocated social worker) if you need to know more."


def _event_lines(user: User, alerts: Sequence[Alert]) -> dict[int, list[EventLine]]:
    """The events of each alert, redacted by ``user``'s sections for its child.

    Only events still about the alert's child are shown (a record moved to another
    person by an unmerge takes its events with it)."""
    if not alerts:
        return {}
    persons: dict[int, Person] = {alert.person_id: alert.person for alert in alerts}
    through = Alert.events.through
    links = (
        through.objects.filter(alert_id__in=[alert.pk for alert in alerts])
        .select_related("chronologyevent__agency", "chronologyevent__category")
        .annotate(
            corrected=Exists(
                ChronologyEvent.objects.filter(supersedes_id=OuterRef("chronologyevent_id"))
            )
        )
        .order_by("chronologyevent__occurred_at", "chronologyevent_id")
    )
    alert_person = {alert.pk: alert.person_id for alert in alerts}
    views: dict[int, Redaction] = {}
    found: dict[int, list[EventLine]] = defaultdict(list)
    for link in links:
        event: ChronologyEvent = link.chronologyevent
        person_id = alert_person[link.alert_id]
        if event.person_id != person_id:
            continue
        section = sections.section_of(event.category.code)
        withheld = ""
        summary = event.summary
        if section is not None:
            if person_id not in views:  # asked only for restricted sections
                views[person_id] = redaction_for(user, persons[person_id])
            if views[person_id].withholds(event.category.code) is not None:
                withheld = section.label
                summary = sections.withheld_summary(section, event.agency.name)
        found[link.alert_id].append(
            EventLine(
                occurred_at=event.occurred_at,
                date_only=event.date_only,
                agency=event.agency.name,
                category=event.category.label,
                summary=summary,
                withheld=withheld,
                corrected=bool(getattr(link, "corrected", False)),
            )
        )
    return found
