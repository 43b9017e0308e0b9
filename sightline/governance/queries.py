"""Reads for retention: the facts the schedule needs, and what falls due on a day."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Max, QuerySet
from django.utils import timezone

from sightline.chronology.models import ChronologyEvent
from sightline.governance import schedule
from sightline.governance.holds import Hold, holds_on
from sightline.governance.models import DisposalProposal, ProposalStatus, RetentionRule
from sightline.people.models import Person, SourceRecord, StatusPeriod

_CHUNK = 500


@dataclass(frozen=True)
class Due:
    """One record that has fallen due (``holds`` empty) or would have but for its holds."""

    person_id: int
    person_ref: str
    kind: schedule.RecordKind
    rule: RetentionRule
    due_on: dt.date
    holds: tuple[Hold, ...]
    proposal: str  # the open proposal's reference, or ""


def _day(value: dt.datetime | dt.date | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date()
    return value


def facts_for(person_ids: Iterable[int]) -> dict[int, schedule.Facts]:
    """The schedule's facts about each person: their date of birth, the kinds of status
    they have had, and their last activity (the latest of their events, their status
    periods' starts and ends, and their source records' updates). No death date is held
    anywhere in Sightline yet, so ``died_on`` is None (docs/governance.md).

    A source record's first receipt is not activity with the person when its agency has
    sent events about them: the day Sightline got a copy of the record (an authority's
    go-live load of its closed cases, say) says nothing of when the agency last worked
    with them, and its events do. A record changed after its receipt counts from the
    change, and a record whose agency has sent no event about the person counts from its
    receipt (nothing else dates it: the schedule errs towards keeping)."""
    ids = list(person_ids)
    births = dict(Person.objects.filter(pk__in=ids).values_list("pk", "date_of_birth"))
    kinds: dict[int, set[str]] = defaultdict(set)
    latest: dict[int, dt.date] = {}

    def touch(pk: int, value: dt.datetime | dt.date | None) -> None:
        day = _day(value)
        if day is not None and (pk not in latest or day > latest[pk]):
            latest[pk] = day

    for chunk in [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]:
        for pk, kind, started, ended in StatusPeriod.objects.filter(
            person_id__in=chunk
        ).values_list("person_id", "kind", "started_on", "ended_on"):
            kinds[pk].add(kind)
            touch(pk, started)
            touch(pk, ended)
        with_events: set[tuple[int, int]] = set()
        for pk, agency_id, last in (
            ChronologyEvent.objects.filter(person_id__in=chunk)
            .values("person_id", "agency_id")
            .annotate(last=Max("occurred_at"))
            .values_list("person_id", "agency_id", "last")
        ):
            with_events.add((pk, agency_id))
            touch(pk, last)
        for pk, agency_id, received, updated in SourceRecord.objects.filter(
            person_id__in=chunk
        ).values_list("person_id", "agency_id", "received_at", "updated_at"):
            if updated > received or (pk, agency_id) not in with_events:
                touch(pk, updated)
    return {
        pk: schedule.Facts.of(
            date_of_birth=births.get(pk),
            status_kinds=kinds.get(pk, set()),
            last_activity=latest.get(pk),
        )
        for pk in ids
    }


def current_people() -> QuerySet[Person]:
    """Every person who is not a merged husk (a husk goes with its survivor)."""
    return Person.objects.filter(merged_into__isnull=True)


def falling_due(as_of: dt.date, people: QuerySet[Person] | None = None) -> list[Due]:
    """Every record due for disposal on ``as_of``, held or not, in order of due date."""
    rules = {rule.kind: rule for rule in RetentionRule.objects.all()}
    found: list[Due] = []
    for chunk in _chunked(
        (people if people is not None else current_people()).values_list("pk", "public_id")
    ):
        refs = dict(chunk)
        facts = facts_for(refs)
        due: list[tuple[int, schedule.RecordKind, RetentionRule, dt.date]] = []
        for pk, fact in facts.items():
            kind = schedule.kind_of_record(fact)
            rule = rules.get(kind.value)
            if rule is None:
                continue
            day = schedule.due_on(rule.as_rule(), fact)
            if day is not None and day <= as_of:
                due.append((pk, kind, rule, day))
        held = holds_on(pk for pk, *_ in due)
        proposals = dict(
            DisposalProposal.objects.filter(
                person_id__in=[pk for pk, *_ in due], status=ProposalStatus.PROPOSED
            ).values_list("person_id", "pk")
        )
        found.extend(
            Due(
                person_id=pk,
                person_ref=str(refs[pk]),
                kind=kind,
                rule=rule,
                due_on=day,
                holds=tuple(held.get(pk, ())),
                proposal=f"DISP-{proposals[pk]:05d}" if pk in proposals else "",
            )
            for pk, kind, rule, day in due
        )
    return sorted(found, key=lambda d: (d.due_on, d.person_ref))


def _chunked(rows: Iterable[tuple[int, object]]) -> Iterator[list[tuple[int, object]]]:
    chunk: list[tuple[int, object]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def open_proposals() -> QuerySet[DisposalProposal]:
    return DisposalProposal.objects.filter(status=ProposalStatus.PROPOSED).select_related("rule")
