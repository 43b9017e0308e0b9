"""Reading networks: the 2-hop neighbourhood, what a viewer may see of it, and signals.

Callers pass a person they obtained through ``record.access.open_record``; the other
people reached are filtered here with ``record.queries.visible_to`` (the same rule as
``people.view_person``), contexts with ``networks.rules.may_view_contexts``.

The neighbourhood is read with two indexed queries, never by loading the whole graph:
the live associations touching the seed people, then the live associations touching
the people and contexts those reach, newest first along the (column, id) indexes.
"""

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import User
from sightline.chronology.models import ChronologyEvent
from sightline.core import dates
from sightline.networks import graph as graph_mod
from sightline.networks import signals as sig
from sightline.networks.models import (
    LOCATION_KINDS,
    ActionStatus,
    Association,
    ConcernFlag,
    Context,
    ContextEvent,
    ContextPlan,
    EventLocation,
    MeetingAction,
    Nature,
)
from sightline.networks.rules import may_view_contexts
from sightline.people.models import Person, StatusPeriod
from sightline.record.access import Record
from sightline.record.queries import visible_to

# Links read from each person or place one step out (the most recent first).
FANOUT = 50
MEETING_CHILDREN_LIMIT = 300
_PLACEHOLDER = uuid.UUID(int=0)
NOT_SHOWN_PERSON = "a person not shown to you"
NOT_SHOWN_CONTEXT = "a place or group not shown to you"

_CONTEXT_NATURE_LABELS = {
    Nature.ASSOCIATES_WITH: "Spends time at",
    Nature.SEEN_WITH: "Seen at",
}


def nature_label(nature: str, *, to_context: bool) -> str:
    if to_context and nature in _CONTEXT_NATURE_LABELS:
        return _CONTEXT_NATURE_LABELS[Nature(nature)]
    return Nature(nature).label


@dataclass(frozen=True)
class Row:
    id: int
    person_id: int
    other_person_id: int | None
    context_id: int | None
    nature: str
    confidence: str
    agency: str
    started_on: dt.date
    recorded_at: dt.datetime

    @property
    def source(self) -> str:
        return sig.person_key(self.person_id)

    @property
    def target(self) -> str:
        if self.other_person_id is not None:
            return sig.person_key(self.other_person_id)
        assert self.context_id is not None  # noqa: S101 (database constraint)
        return sig.context_key(self.context_id)


_ROW_FIELDS = (
    "id",
    "person_id",
    "other_person_id",
    "context_id",
    "nature",
    "confidence",
    "source_agency__name",
    "started_on",
    "recorded_at",
)


def ids_in(ids: Collection[int]) -> "list[int] | RawSQL":
    """The right-hand side of an ``__in`` filter over many ids.

    On PostgreSQL the ids travel as one array parameter (``IN (SELECT unnest(...))``)
    rather than one placeholder each: with two thousand ids the placeholders alone cost
    more than the query.
    """
    values = sorted(ids)
    if connection.vendor == "postgresql" and len(values) > 50:
        return RawSQL("SELECT unnest(%s::bigint[])", (values,))
    return values


def _rows(queryset: QuerySet[Association]) -> list[Row]:
    return [Row(*values) for values in queryset.values_list(*_ROW_FIELDS)]


@dataclass
class Loaded:
    seeds: tuple[int, ...]
    rows: dict[int, Row]
    hops: dict[str, int]
    # Nodes one step out with more links than were read: node key -> links not read.
    more: dict[str, int] = field(default_factory=dict)

    @property
    def truncated(self) -> bool:
        return bool(self.more)

    @property
    def person_ids(self) -> set[int]:
        return {int(k[2:]) for k in self.hops if k.startswith("p:")}

    @property
    def context_ids(self) -> set[int]:
        return {int(k[2:]) for k in self.hops if k.startswith("c:")}


def load_neighbourhood(seeds: Collection[int], *, fanout: int = FANOUT) -> Loaded:
    """Live associations within two steps of ``seeds`` (people ids).

    First step: every live association of the seeds (one query). Second step: for each
    person and place reached, its ``fanout`` most recent live associations, read along
    the indexes ``assoc_*_idx`` (one query on PostgreSQL, with LATERAL joins; one per
    node elsewhere), so a busy place such as a school costs no more than
    a quiet one. How many links were not read is counted, per node, in ``more``.
    """
    if fanout < 1:
        raise ValueError("fanout must be at least 1")
    hops: dict[str, int] = {sig.person_key(s): 0 for s in seeds}
    # Associations stay on the person they were recorded about; a person merged into
    # another is read as the survivor, and the survivor's links include theirs.
    survivor = _merged_into(seeds)
    live = Association.objects.filter(withdrawn_at__isnull=True)
    seed_ids = ids_in([*seeds, *survivor])
    first = _rows(live.filter(Q(person_id__in=seed_ids) | Q(other_person_id__in=seed_ids)))
    read = {row.id: row for row in first}
    survivor.update(_survivors(_people_in(first) - set(survivor)))
    rows: dict[int, Row] = {}
    for row in _resolved(first, survivor):
        rows[row.id] = row
        for key in (row.source, row.target):
            hops.setdefault(key, 1)
    people = sorted(int(k[2:]) for k, h in hops.items() if h == 1 and k.startswith("p:"))
    contexts = sorted(int(k[2:]) for k, h in hops.items() if h == 1 and k.startswith("c:"))
    if not people and not contexts:
        return Loaded(tuple(sorted(seeds)), rows, hops)
    aliases = _merged_into(people) if people else {}
    survivor.update(aliases)
    near = sorted({*people, *aliases})
    if connection.vendor == "postgresql":
        second = _second_step_postgresql(near, contexts, fanout)
    else:
        second = _second_step_portable(near, contexts, fanout)
    full: set[str] = set()
    second_rows: list[Row] = []
    for via, found in second.items():
        if len(found) > fanout:
            full.add(via)
        second_rows.extend(found[:fanout])
    for row in second_rows:
        read.setdefault(row.id, row)
    survivor.update(_survivors(_people_in(second_rows) - set(survivor)))
    for row in _resolved(second_rows, survivor):
        rows.setdefault(row.id, row)
        for key in (row.source, row.target):
            hops.setdefault(key, 2)
    more: dict[str, int] = {}
    for key, count in (_links_not_read(full, read) if full else {}).items():
        pk = int(key[2:])
        target = sig.person_key(survivor.get(pk, pk)) if key.startswith("p:") else key
        more[target] = more.get(target, 0) + count
    return Loaded(tuple(sorted(seeds)), rows, hops, more)


def _people_in(rows: Iterable[Row]) -> set[int]:
    found = set()
    for row in rows:
        found.add(row.person_id)
        if row.other_person_id is not None:
            found.add(row.other_person_id)
    return found


_MAX_MERGE_DEPTH = 20


def _merged_into(ids: Collection[int]) -> dict[int, int]:
    """People merged (directly or through others) into one of ``ids``: merged -> survivor."""
    result: dict[int, int] = {}
    frontier = {pk: pk for pk in ids}  # person -> the survivor in ``ids`` it leads to
    for _ in range(_MAX_MERGE_DEPTH):
        if not frontier:
            break
        found = Person.objects.filter(merged_into__in=ids_in(frontier)).values_list(
            "pk", "merged_into"
        )
        following = {}
        for pk, into in found:
            if pk not in result and into is not None:
                result[pk] = frontier[into]
                following[pk] = frontier[into]
        frontier = following
    return result


def _survivors(ids: Collection[int]) -> dict[int, int]:
    """For those of ``ids`` who were merged into someone: the person they now are."""
    if not ids:
        return {}
    merged = Person.objects.filter(pk__in=ids_in(ids), merged_into__isnull=False)
    into: dict[int, int] = {
        pk: target for pk, target in merged.values_list("pk", "merged_into") if target is not None
    }
    chain: dict[int, int | None] = dict(into)
    result: dict[int, int] = {}
    for pk, first in into.items():
        target = first
        for _ in range(_MAX_MERGE_DEPTH):
            if target not in chain:
                chain[target] = (
                    Person.objects.filter(pk=target).values_list("merged_into", flat=True).first()
                )
            following = chain[target]
            if following is None:
                break
            target = following
        result[pk] = target
    return result


def _resolved(rows: Iterable[Row], survivor: dict[int, int]) -> list[Row]:
    """``rows`` with merged people replaced by their survivors (links that now join a
    person to themselves are left out)."""
    resolved = []
    for row in rows:
        person = survivor.get(row.person_id, row.person_id)
        other = row.other_person_id
        if other is not None:
            other = survivor.get(other, other)
            if other == person:
                continue
        if person != row.person_id or other != row.other_person_id:
            row = replace(row, person_id=person, other_person_id=other)
        resolved.append(row)
    return resolved


# (column, node kind) for each direction a link is read from a node.
_DIRECTIONS = (("person_id", "p"), ("other_person_id", "p"), ("context_id", "c"))


def _second_step_portable(
    people: Sequence[int], contexts: Sequence[int], fanout: int
) -> dict[str, list[Row]]:
    live = Association.objects.filter(withdrawn_at__isnull=True)
    found: dict[str, list[Row]] = {}
    for column, kind in _DIRECTIONS:
        for node in people if kind == "p" else contexts:
            key = f"{kind}:{node}"
            rows = _rows(live.filter(**{column: node}).order_by("-id")[: fanout + 1])
            found[key + ":" + column] = rows
    return found


# One direction of the second step: each node's most recent live links. The ids come
# from a backward index-only scan of (column, id) INCLUDE (withdrawn_at) that stops at
# the limit; only those rows are then read from the table.
_LATERAL = """
    SELECT %s::text || n.id::text, a.id, a.person_id, a.other_person_id, a.context_id,
           a.nature, a.confidence, g.name, a.started_on, a.recorded_at
    FROM unnest(%s::bigint[]) AS n(id)
    CROSS JOIN LATERAL (
        SELECT x.id FROM networks_association x
        WHERE x.{column} = n.id AND x.withdrawn_at IS NULL
        ORDER BY x.id DESC
        LIMIT %s
    ) k
    JOIN networks_association a ON a.id = k.id
    JOIN agencies_agency g ON g.id = a.source_agency_id
"""


def _second_step_postgresql(
    people: Sequence[int], contexts: Sequence[int], fanout: int
) -> dict[str, list[Row]]:
    parts = []
    params: list[Any] = []
    for column, kind in _DIRECTIONS:
        ids = people if kind == "p" else contexts
        if ids:
            parts.append(_LATERAL.format(column=column))
            params.extend([f"{column}:{kind}:", list(ids), fanout + 1])
    found: dict[str, list[Row]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for via, *values in cursor.fetchall():
            column, kind, node = via.split(":")
            found.setdefault(f"{kind}:{node}:{column}", []).append(Row(*values))
    for rows in found.values():
        rows.sort(key=lambda r: -r.id)
    return found


def _links_not_read(full: set[str], rows: dict[int, Row]) -> dict[str, int]:
    """For nodes whose links were cut at the fan-out: how many live links were not read."""
    nodes = {via.rsplit(":", 1)[0] for via in full}
    people = [int(k[2:]) for k in nodes if k.startswith("p:")]
    contexts = [int(k[2:]) for k in nodes if k.startswith("c:")]
    totals: dict[str, int] = dict.fromkeys(nodes, 0)
    live = Association.objects.filter(withdrawn_at__isnull=True).order_by()
    for column, kind in _DIRECTIONS:
        ids = people if kind == "p" else contexts
        if not ids:
            continue
        for node, count in (
            live.filter(**{f"{column}__in": ids_in(ids)})
            .values_list(column)
            .annotate(n=Count("id"))
            .values_list(column, "n")
        ):
            totals[f"{kind}:{node}"] += count
    read: dict[str, int] = dict.fromkeys(nodes, 0)
    for row in rows.values():
        for key in (row.source, row.target):
            if key in read:
                read[key] += 1
    return {key: totals[key] - read[key] for key in sorted(nodes) if totals[key] > read[key]}


# --- what a viewer sees ---------------------------------------------------------------


@dataclass
class Labels:
    """Names for what the viewer may see; words for what they may not."""

    people: dict[int, tuple[str, str, dt.date | None]]  # id -> (name, public id, dob)
    contexts: dict[int, tuple[str, str, str]]  # id -> (name, public id, kind)
    contexts_visible: bool
    concern_people: set[int] = field(default_factory=set)
    concern_contexts: set[int] = field(default_factory=set)

    def shown(self, key: str) -> bool:
        if key.startswith("c:"):
            return self.contexts_visible and int(key[2:]) in self.contexts
        return int(key[2:]) in self.people

    def label(self, key: str) -> str:
        if key.startswith("c:"):
            found = self.contexts.get(int(key[2:])) if self.contexts_visible else None
            return found[0] if found else NOT_SHOWN_CONTEXT
        person = self.people.get(int(key[2:]))
        return person[0] if person else NOT_SHOWN_PERSON


def _labels(viewer: User, loaded: Loaded, *, also: Iterable[Person], today: dt.date) -> Labels:
    people: dict[int, tuple[str, str, dt.date | None]] = {}
    ids = loaded.person_ids
    for pk, public_id, given, family, dob in (
        visible_to(viewer, on=today)
        .filter(pk__in=ids_in(ids))
        .order_by()
        .values_list("pk", "public_id", "given_name", "family_name", "date_of_birth")
    ):
        people[pk] = (f"{given} {family}".strip() or f"Person {pk}", str(public_id), dob)
    for person in also:
        people[person.pk] = (str(person), str(person.public_id), person.date_of_birth)
    contexts: dict[int, tuple[str, str, str]] = {}
    contexts_visible = may_view_contexts(viewer)
    if contexts_visible and loaded.context_ids:
        for pk, name, public_id, kind in Context.objects.filter(
            pk__in=ids_in(loaded.context_ids)
        ).values_list("pk", "name", "public_id", "kind"):
            contexts[pk] = (name, str(public_id), kind)
    labels = Labels(people, contexts, contexts_visible)
    if people or contexts:
        for person_id, context_id in (
            ConcernFlag.objects.active_on(today)
            .filter(Q(person_id__in=ids_in(people)) | Q(context_id__in=ids_in(contexts)))
            .values_list("person_id", "context_id")
        ):
            if person_id is not None:
                labels.concern_people.add(person_id)
            if context_id is not None:
                labels.concern_contexts.add(context_id)
    return labels


def _kind_of_person(dob: dt.date | None, today: dt.date) -> str:
    if dob is None:
        return "person"
    age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    return "child" if age < sig.ADULT_AGE else "adult"


def viewer_graph(
    viewer: User, root: Person, loaded: Loaded, labels: Labels, *, today: dt.date
) -> graph_mod.ViewerGraph:
    raw = graph_mod.RawNeighbourhood(
        root=sig.person_key(root.pk),
        hops=loaded.hops,
        edges=[
            graph_mod.RawEdge(
                id=row.id,
                source=row.source,
                target=row.target,
                nature=row.nature,
                nature_label=nature_label(row.nature, to_context=row.context_id is not None),
                confidence=row.confidence,
                agency=row.agency,
                started_on=row.started_on.isoformat(),
            )
            for row in sorted(loaded.rows.values(), key=lambda r: r.id)
        ],
        more=loaded.more,
    )

    # reverse() once per kind of page, not once per node.
    person_url = reverse("person-detail", kwargs={"public_id": _PLACEHOLDER})
    context_url = reverse("networks:context-detail", kwargs={"public_id": _PLACEHOLDER})

    def describe(key: str) -> graph_mod.RawNode:
        pk = int(key[2:])
        if key.startswith("c:"):
            name, public_id, kind = labels.contexts[pk]
            return graph_mod.RawNode(
                key=key,
                label=name,
                kind=kind,
                of_concern=pk in labels.concern_contexts,
                url=context_url.replace(str(_PLACEHOLDER), public_id),
            )
        name, public_id, dob = labels.people[pk]
        return graph_mod.RawNode(
            key=key,
            label=name,
            kind=_kind_of_person(dob, today),
            of_concern=pk in labels.concern_people,
            url=person_url.replace(str(_PLACEHOLDER), public_id),
        )

    return graph_mod.filter_for_viewer(
        raw,
        describe=describe,
        visible_people={sig.person_key(pk) for pk in labels.people},
        contexts_visible=labels.contexts_visible,
    )


# --- signals --------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def network_facts(loaded: Loaded, *, today: dt.date) -> sig.Network:
    """The plain-data network the signal functions work on (no visibility applied)."""
    person_ids = sorted(loaded.person_ids)
    context_ids = sorted(loaded.context_ids)
    concerns_p: dict[int, list[sig.Concern]] = {}
    concerns_c: dict[int, list[sig.Concern]] = {}
    flags = ConcernFlag.objects.active_on(today).filter(
        Q(person_id__in=ids_in(person_ids)) | Q(context_id__in=ids_in(context_ids))
    )
    for person_id, context_id, agency, started_on, reason in flags.values_list(
        "person_id", "context_id", "agency__name", "started_on", "reason"
    ):
        concern = sig.Concern(agency, started_on, reason)
        if person_id is not None:
            concerns_p.setdefault(person_id, []).append(concern)
        else:
            concerns_c.setdefault(context_id, []).append(concern)
    since = today - dt.timedelta(days=sig.INTELLIGENCE_LOOKBACK_DAYS)
    intelligence: dict[int, list[dt.date]] = {}
    for person_id, occurred_at in ChronologyEvent.objects.filter(
        person_id__in=ids_in(person_ids),
        category__code="exploitation_intelligence",
        occurred_at__gte=_day_start(since),
        occurred_at__lt=_day_start(today + dt.timedelta(days=1)),
        superseded_by__isnull=True,
    ).values_list("person_id", "occurred_at"):
        intelligence.setdefault(person_id, []).append(timezone.localtime(occurred_at).date())
    plans: dict[int, list[str]] = {}
    for period in StatusPeriod.objects.filter(person_id__in=loaded.seeds):
        if period.is_current_on(today):
            plans.setdefault(period.person_id, []).append(period.get_kind_display())
    persons = {
        pk: sig.PersonFacts(
            id=pk,
            date_of_birth=dob,
            concerns=tuple(concerns_p.get(pk, ())),
            intelligence_on=tuple(sorted(intelligence.get(pk, ()))),
            plans=tuple(plans.get(pk, ())),
        )
        for pk, dob in Person.objects.filter(pk__in=ids_in(person_ids)).values_list(
            "pk", "date_of_birth"
        )
    }
    contexts = {
        pk: sig.ContextFacts(
            id=pk, is_location=kind in LOCATION_KINDS, concerns=tuple(concerns_c.get(pk, ()))
        )
        for pk, kind in Context.objects.filter(pk__in=ids_in(context_ids)).values_list("pk", "kind")
    }
    links = [
        sig.Link(
            id=row.id,
            person=row.person_id,
            other=row.target,
            nature=row.nature,
            confidence=row.confidence,
            agency=row.agency,
            started_on=row.started_on,
            recorded_on=timezone.localtime(row.recorded_at).date(),
        )
        for row in sorted(loaded.rows.values(), key=lambda r: r.id)
        if row.source in loaded.hops
        and row.target in loaded.hops
        and int(row.target[2:]) in (persons if row.target.startswith("p:") else contexts)
    ]
    # Missing episodes for the seeds and the people one step from them (their peers).
    near = sorted({int(k[2:]) for k, h in loaded.hops.items() if h <= 1 and k.startswith("p:")})
    reports = [
        sig.MissingReport(
            person=person_id,
            at=timezone.localtime(occurred_at).replace(tzinfo=None),
            found=code == "found_after_missing",
            agency=agency,
            event_id=pk,
        )
        for pk, person_id, occurred_at, code, agency in ChronologyEvent.objects.filter(
            person_id__in=ids_in(near),
            category__code__in=("missing_episode", "found_after_missing"),
            superseded_by__isnull=True,
        ).values_list("pk", "person_id", "occurred_at", "category__code", "agency__name")
    ]
    return sig.Network(persons, contexts, links, tuple(sig.missing_episodes(reports)))


@dataclass
class ChildNetwork:
    graph: graph_mod.ViewerGraph
    signals: list[sig.Explained]
    loaded: Loaded


def child_network(
    viewer: User, person: Person, *, today: dt.date | None = None, with_signals: bool = True
) -> ChildNetwork:
    """``person``'s network as ``viewer`` may see it, and its explained signals."""
    today = today or timezone.localdate()
    loaded = load_neighbourhood([person.pk])
    labels = _labels(viewer, loaded, also=[person], today=today)
    graph = viewer_graph(viewer, person, loaded, labels, today=today)
    explained: list[sig.Explained] = []
    if with_signals:
        network = network_facts(loaded, today=today)
        explained = [
            sig.explain(s, label=labels.label, shown=labels.shown)
            for s in sig.signals_for(person.pk, network, today=today)
        ]
    return ChildNetwork(graph, explained, loaded)


PLACE_CATEGORIES = (
    "missing_episode",
    "found_after_missing",
    "victim_of_crime",
    "exploitation_intelligence",
    "concern_for_welfare",
    "arrest",
)


def events_without_place(person: Person, *, limit: int = 10) -> QuerySet[ChronologyEvent]:
    """The child's latest current events of the kinds that usually happen somewhere,
    with no place recorded yet (for "where did this happen?")."""
    return (
        ChronologyEvent.objects.filter(
            person=person,
            category__code__in=PLACE_CATEGORIES,
            superseded_by__isnull=True,
            network_location__isnull=True,
        )
        .select_related("category", "agency")
        .order_by("-occurred_at", "-id")[:limit]
    )


def child_panel(record: Record, *, today: dt.date | None = None) -> dict[str, object]:
    """Template context for ``networks/_child_panel.html`` on the child's page, for a
    record opened by ``record.access.open_record``."""
    person = record.person
    network = child_network(record.user, person, today=today)
    return {
        "person": person,
        "signals": network.signals,
        "summary": network.graph.as_json()["summary"],
        "network_url": reverse("networks:child-network", kwargs={"public_id": person.public_id}),
    }


# --- contexts -------------------------------------------------------------------------


def contexts_visible_to(user: User) -> QuerySet[Context]:
    """The queryset form of ``networks.view_context``."""
    if not may_view_contexts(user):
        return Context.objects.none()
    return Context.objects.live()


@dataclass(frozen=True)
class LinkedPerson:
    name: str
    public_id: str
    nature: str
    confidence: str
    agency: str
    started_on: dt.date


@dataclass
class ContextPage:
    people: list[LinkedPerson]
    people_not_shown: int
    chronology: list[ContextEvent]
    events_here: list[tuple[ChronologyEvent, str]]
    events_here_not_shown: int
    concerns: list[ConcernFlag]
    open_plan: ContextPlan | None


def context_page(viewer: User, context: Context, *, today: dt.date | None = None) -> ContextPage:
    """Everything on a context's page, with people the viewer may not see counted only."""
    today = today or timezone.localdate()
    associations = list(
        Association.objects.live()
        .filter(context=context)
        .select_related("source_agency")
        .order_by("-started_on", "id")
    )
    survivor = _survivors({a.person_id for a in associations})
    people_ids = {survivor.get(a.person_id, a.person_id) for a in associations}
    visible = {p.pk: p for p in visible_to(viewer, on=today).filter(pk__in=ids_in(people_ids))}
    linked = []
    for a in associations:
        shown = visible.get(survivor.get(a.person_id, a.person_id))
        if shown is not None:
            linked.append(
                LinkedPerson(
                    name=str(shown),
                    public_id=str(shown.public_id),
                    nature=nature_label(a.nature, to_context=True),
                    confidence=a.get_confidence_display(),
                    agency=a.source_agency.name,
                    started_on=a.started_on,
                )
            )
    located = list(
        EventLocation.objects.filter(context=context)
        .select_related("event__agency", "event__category", "event__person")
        .order_by("event__occurred_at", "event_id")
    )
    event_people = {loc.event.person_id for loc in located}
    visible_event_people = set(
        visible_to(viewer, on=today)
        .filter(pk__in=ids_in(event_people))
        .values_list("pk", flat=True)
    )
    events_here = [
        (loc.event, str(loc.event.person))
        for loc in located
        if loc.event.person_id in visible_event_people
    ]
    return ContextPage(
        people=linked,
        people_not_shown=len(people_ids - set(visible)),
        chronology=list(context.events.select_related("agency").order_by("occurred_on", "id")),
        events_here=events_here,
        events_here_not_shown=len(located) - len(events_here),
        concerns=list(ConcernFlag.objects.active_on(today).filter(context=context)),
        open_plan=context.plans.filter(ended_on__isnull=True).first(),
    )


# --- the exploitation meeting ---------------------------------------------------------


@dataclass(frozen=True)
class ChildItem:
    person: Person
    signals: list[sig.Explained]


@dataclass(frozen=True)
class ContextItem:
    context: Context
    reasons: list[str]


@dataclass
class MeetingList:
    children: list[ChildItem]
    contexts: list[ContextItem]
    children_considered: int
    truncated: bool


def meeting_candidates(viewer: User, *, today: dt.date) -> QuerySet[Person]:
    """Children the viewer may see who have associations or exploitation intelligence."""
    adult_born_before = (
        today.replace(year=today.year - sig.ADULT_AGE)
        if not (today.month == 2 and today.day == 29)
        else dt.date(today.year - sig.ADULT_AGE, 3, 1)
    )
    has_links = Association.objects.filter(withdrawn_at__isnull=True).filter(
        Q(person_id=OuterRef("pk")) | Q(other_person_id=OuterRef("pk"))
    )
    intelligence = ChronologyEvent.objects.filter(
        person_id=OuterRef("pk"), category__code="exploitation_intelligence"
    )
    return (
        visible_to(viewer, on=today)
        .filter(Q(date_of_birth__isnull=True) | Q(date_of_birth__gt=adult_born_before))
        .filter(Exists(has_links) | Exists(intelligence))
        .order_by("family_name", "given_name", "pk")
    )


def meeting_list(viewer: User, *, today: dt.date | None = None) -> MeetingList:
    """Children and contexts to discuss at the exploitation meeting, with their signals.

    Signals are computed over the union of the candidates' 2-hop neighbourhoods, so a
    cluster is found once for all of them. Only what the viewer may see is named.
    """
    today = today or timezone.localdate()
    candidates = list(meeting_candidates(viewer, today=today)[: MEETING_CHILDREN_LIMIT + 1])
    truncated = len(candidates) > MEETING_CHILDREN_LIMIT
    candidates = candidates[:MEETING_CHILDREN_LIMIT]
    children: list[ChildItem] = []
    if candidates:
        loaded = load_neighbourhood([p.pk for p in candidates])
        labels = _labels(viewer, loaded, also=candidates, today=today)
        network = network_facts(loaded, today=today)
        clusters = sig.exploitation_clusters(network, today=today)
        for person in candidates:
            found = sig.signals_for(person.pk, network, today=today, clusters=clusters)
            if found:
                explained = [sig.explain(s, label=labels.label, shown=labels.shown) for s in found]
                children.append(ChildItem(person, explained))
    contexts: list[ContextItem] = []
    if may_view_contexts(viewer):
        contexts = _contexts_to_discuss(today)
    return MeetingList(children, contexts, len(candidates), truncated)


def _contexts_to_discuss(today: dt.date) -> list[ContextItem]:
    flagged: dict[int, ConcernFlag] = {}
    for flag in (
        ConcernFlag.objects.active_on(today).filter(context__isnull=False).select_related("agency")
    ):
        if flag.context_id is not None:
            flagged.setdefault(flag.context_id, flag)
    plans = {plan.context_id: plan for plan in ContextPlan.objects.filter(ended_on__isnull=True)}
    recent = today - dt.timedelta(days=90)
    referred = set(
        ContextEvent.objects.filter(kind="referral", occurred_on__gte=recent).values_list(
            "context_id", flat=True
        )
    )
    ids = set(flagged) | set(plans) | referred
    items = []
    for context in Context.objects.live().filter(pk__in=ids).order_by("name", "pk"):
        reasons = []
        if context.pk in flagged:
            flag = flagged[context.pk]
            reasons.append(
                f"Of concern to {flag.agency.name} since {dates.long_date(flag.started_on)}"
            )
        if context.pk in plans:
            plan = plans[context.pk]
            review = (
                "overdue" if plan.review_on < today else f"due {dates.long_date(plan.review_on)}"
            )
            reasons.append(f"On a plan; review {review}")
        if context.pk in referred:
            reasons.append("Referred in the last 90 days")
        items.append(ContextItem(context, reasons))
    return items


def actions_visible_to(
    viewer: User, actions: QuerySet[MeetingAction], *, today: dt.date
) -> tuple[list[MeetingAction], int]:
    """The meeting actions about children the viewer may see, or about contexts if they may
    see contexts; and how many others there are."""
    rows = list(actions.select_related("person", "context", "owner", "meeting"))
    person_ids = [pid for pid in (a.person_id for a in rows) if pid is not None]
    visible = set(
        visible_to(viewer, on=today).filter(pk__in=ids_in(person_ids)).values_list("pk", flat=True)
    )
    contexts_ok = may_view_contexts(viewer)
    shown = [
        a
        for a in rows
        if (a.person_id is not None and a.person_id in visible)
        or (a.context_id is not None and contexts_ok)
    ]
    return shown, len(rows) - len(shown)


def open_actions() -> QuerySet[MeetingAction]:
    return MeetingAction.objects.filter(status=ActionStatus.OPEN).order_by("due_on", "id")
