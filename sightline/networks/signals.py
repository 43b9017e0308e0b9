"""Signals of harm outside the home, explained and never scored. Pure: no Django imports.

A signal names a pattern practitioners should look at, with the evidence for it:

- a young person linked to an adult of concern, or to a place of concern;
- a peer (a young person they are linked to) missing at the same time as them;
- a cluster: the young person is in, or linked to at least two members of, a community
  of the network (networkx Louvain, seeded so the answer is repeatable) where several
  children have exploitation intelligence recorded;
- new associations recorded while the child is on a plan (child in need, child
  protection, looked after): one signal listing them.

The network is given as plain data (``Network``). Node keys are strings: ``p:<id>`` for
people and ``c:<id>`` for contexts. Deciding who may see which name is not done here:
``explain`` is given a label for every node and words for the ones not shown.
"""

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

ADULT_AGE = 18
NEW_ASSOCIATION_DAYS = 28
CLUSTER_MIN_CHILDREN = 3
# A child outside a cluster's community but linked to this many of its members is linked
# into it (community detection puts a hub child with its other contacts, not its group).
CLUSTER_MIN_LINKS = 2
INTELLIGENCE_LOOKBACK_DAYS = 365
# A missing episode with no "found" event is taken to last this long for overlap checks,
# and the evidence says the end was not recorded.
UNRECORDED_EPISODE_HOURS = 24
# A "found" more than this long after "missing" is not taken to close it.
MAX_EPISODE_DAYS = 30
CONFIDENCE_WEIGHT = {"confirmed": 1.0, "probable": 0.7, "possible": 0.4}


def person_key(person_id: int) -> str:
    return f"p:{person_id}"


def context_key(context_id: int) -> str:
    return f"c:{context_id}"


@dataclass(frozen=True)
class PersonFacts:
    id: int
    date_of_birth: dt.date | None = None
    # Start dates of active concern flags (an adult of concern) and their reasons.
    concerns: tuple["Concern", ...] = ()
    # Dates of exploitation intelligence recorded about the person.
    intelligence_on: tuple[dt.date, ...] = ()
    # Labels of current plans ("Child protection plan"), empty when on none.
    plans: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return person_key(self.id)

    def is_child_on(self, day: dt.date) -> bool | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        age = day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
        return age < ADULT_AGE


@dataclass(frozen=True)
class ContextFacts:
    id: int
    is_location: bool = True
    concerns: tuple["Concern", ...] = ()

    @property
    def key(self) -> str:
        return context_key(self.id)


@dataclass(frozen=True)
class Concern:
    agency: str
    started_on: dt.date
    reason: str


@dataclass(frozen=True)
class Link:
    """An association: ``person`` ``nature`` ``other`` (a node key)."""

    id: int
    person: int
    other: str
    nature: str
    confidence: str
    agency: str
    started_on: dt.date
    recorded_on: dt.date

    @property
    def ends(self) -> tuple[str, str]:
        return person_key(self.person), self.other

    def touches(self, key: str) -> bool:
        return key in self.ends

    def far_end(self, key: str) -> str:
        a, b = self.ends
        return b if key == a else a


@dataclass(frozen=True)
class MissingReport:
    """A missing or found chronology event about one person."""

    person: int
    at: dt.datetime
    found: bool
    agency: str
    event_id: int


@dataclass(frozen=True)
class Episode:
    person: int
    started_at: dt.datetime
    ended_at: dt.datetime | None
    agency: str

    def assumed_end(self) -> dt.datetime:
        if self.ended_at is not None:
            return self.ended_at
        return self.started_at + dt.timedelta(hours=UNRECORDED_EPISODE_HOURS)

    def overlaps(self, other: "Episode") -> bool:
        return self.started_at <= other.assumed_end() and other.started_at <= self.assumed_end()


@dataclass(frozen=True)
class Network:
    persons: Mapping[int, PersonFacts]
    contexts: Mapping[int, ContextFacts]
    links: Sequence[Link]
    episodes: Sequence[Episode] = ()

    @cached_property
    def _links_by_node(self) -> dict[str, list[Link]]:
        index: dict[str, list[Link]] = defaultdict(list)
        for link in self.links:
            a, b = link.ends
            index[a].append(link)
            if b != a:
                index[b].append(link)
        return index

    @cached_property
    def _episodes_by_person(self) -> dict[int, list[Episode]]:
        index: dict[int, list[Episode]] = defaultdict(list)
        for episode in self.episodes:
            index[episode.person].append(episode)
        return index

    def links_of(self, key: str) -> list[Link]:
        return list(self._links_by_node.get(key, ()))

    def episodes_of(self, person: int) -> list[Episode]:
        return list(self._episodes_by_person.get(person, ()))


class SignalKind(enum.StrEnum):
    ADULT_OF_CONCERN = "adult_of_concern"
    CONTEXT_OF_CONCERN = "context_of_concern"
    OVERLAPPING_MISSING = "overlapping_missing"
    EXPLOITATION_CLUSTER = "exploitation_cluster"
    NEW_ASSOCIATION_ON_PLAN = "new_association_on_plan"


SIGNAL_TITLES = {
    SignalKind.ADULT_OF_CONCERN: "Linked to an adult of concern",
    SignalKind.CONTEXT_OF_CONCERN: "Linked to a place or group of concern",
    SignalKind.OVERLAPPING_MISSING: "Missing at the same time as a peer",
    SignalKind.EXPLOITATION_CLUSTER: "In a network where several children have exploitation intelligence",
    SignalKind.NEW_ASSOCIATION_ON_PLAN: "New association while on a plan",
}


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    child: int
    # The other node the signal is about (the adult, place or peer), if one.
    about: str | None
    links: tuple[Link, ...] = ()
    concerns: tuple[Concern, ...] = ()
    episodes: tuple[tuple[Episode, Episode], ...] = ()
    # For clusters: every node in the community, and the children with intelligence.
    members: frozenset[str] = frozenset()
    intelligence: tuple[tuple[int, dt.date], ...] = ()
    # For clusters the child is linked into rather than part of: the members linked to.
    linked_to: frozenset[str] = frozenset()
    plans: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cluster:
    members: frozenset[str]
    # Children in the community with exploitation intelligence, with its latest date.
    intelligence: tuple[tuple[int, dt.date], ...]


# --- missing episodes -----------------------------------------------------------------


def missing_episodes(reports: Iterable[MissingReport]) -> list[Episode]:
    """Pair each "missing" report with the first "found" after it for the same person.

    A second "missing" before any "found" starts a new episode (the first one's end was
    not recorded). A "found" with no open episode is ignored, as is one more than
    ``MAX_EPISODE_DAYS`` after the start.
    """
    by_person: dict[int, list[MissingReport]] = defaultdict(list)
    for report in reports:
        by_person[report.person].append(report)
    episodes: list[Episode] = []
    limit = dt.timedelta(days=MAX_EPISODE_DAYS)
    for person, items in sorted(by_person.items()):
        items.sort(key=lambda r: (r.at, r.found, r.event_id))
        open_report: MissingReport | None = None
        for report in items:
            if not report.found:
                if open_report is not None:
                    episodes.append(Episode(person, open_report.at, None, open_report.agency))
                open_report = report
            elif open_report is not None:
                if report.at - open_report.at <= limit:
                    episodes.append(Episode(person, open_report.at, report.at, open_report.agency))
                else:
                    episodes.append(Episode(person, open_report.at, None, open_report.agency))
                open_report = None
        if open_report is not None:
            episodes.append(Episode(person, open_report.at, None, open_report.agency))
    return episodes


# --- the graph and its communities ----------------------------------------------------


def build_graph(network: Network) -> "nx.Graph[str]":
    """Undirected, weighted by confidence; parallel links add their weights."""
    graph: nx.Graph[str] = nx.Graph()
    for person in network.persons.values():
        graph.add_node(person.key)
    for context in network.contexts.values():
        graph.add_node(context.key)
    for link in network.links:
        a, b = link.ends
        weight = CONFIDENCE_WEIGHT.get(link.confidence, 0.4)
        if graph.has_edge(a, b):
            graph[a][b]["weight"] += weight
        else:
            graph.add_edge(a, b, weight=weight)
    return graph


def exploitation_clusters(
    network: Network,
    *,
    today: dt.date,
    min_children: int = CLUSTER_MIN_CHILDREN,
    lookback_days: int = INTELLIGENCE_LOOKBACK_DAYS,
    seed: int = 0,
) -> list[Cluster]:
    """Communities (Louvain, fixed seed) with at least ``min_children`` children who have
    exploitation intelligence dated within ``lookback_days`` before ``today``.

    Only the part of the network within two links of such children is partitioned."""
    if min_children < 1:
        raise ValueError("min_children must be at least 1")
    since = today - dt.timedelta(days=lookback_days)
    flagged_children = [
        person.key
        for person in network.persons.values()
        if person.is_child_on(today) and any(since <= d <= today for d in person.intelligence_on)
    ]
    if len(flagged_children) < min_children:
        return []
    graph = build_graph(network)
    if graph.number_of_edges() == 0:
        return []
    # Communities are found among what lies within two links of a child with
    # intelligence: far parts of a large network cannot hold such a cluster, and leaving
    # them out keeps a meeting's union of networks quick.
    near: set[str] = set()
    for key in sorted(flagged_children):
        near.update(nx.single_source_shortest_path_length(graph, key, cutoff=2))
    around = graph.subgraph(sorted(near))
    communities = nx.community.louvain_communities(around, weight="weight", seed=seed)
    # A node on the edge of that part lost links to what was left out; it counts as a
    # member only if most of its links (by weight, in the whole network) are inside.
    edge_nodes = {n for n in around if around.degree(n) < graph.degree(n)}
    communities = [
        {n for n in community if n not in edge_nodes or _mostly_inside(graph, n, community)}
        for community in communities
    ]
    clusters = []
    for community in communities:
        flagged: list[tuple[int, dt.date]] = []
        for key in community:
            if not key.startswith("p:"):
                continue
            person = network.persons[int(key[2:])]
            dates = [d for d in person.intelligence_on if since <= d <= today]
            if dates and person.is_child_on(today):
                flagged.append((person.id, max(dates)))
        if len(flagged) >= min_children:
            clusters.append(Cluster(frozenset(community), tuple(sorted(flagged))))
    clusters.sort(key=lambda c: sorted(c.members))
    return clusters


def _mostly_inside(graph: "nx.Graph[str]", node: str, community: set[str]) -> bool:
    total = inside = 0.0
    for other, data in graph[node].items():
        weight = float(data.get("weight", 1.0))
        total += weight
        if other in community:
            inside += weight
    return inside * 2 > total


# --- signals --------------------------------------------------------------------------


def signals_for(
    child: int,
    network: Network,
    *,
    today: dt.date,
    clusters: Sequence[Cluster] | None = None,
    new_within_days: int = NEW_ASSOCIATION_DAYS,
) -> list[Signal]:
    """Every signal for ``child``, in a stable order (kind, then the node it is about).

    ``clusters`` may be passed when signals are wanted for many children of one network,
    so communities are found once.
    """
    if child not in network.persons:
        raise ValueError(f"person {child} is not in the network")
    key = person_key(child)
    links = network.links_of(key)
    signals: list[Signal] = []
    signals.extend(_concern_signals(child, key, links, network, today))
    signals.extend(_missing_signals(child, key, links, network))
    if clusters is None:
        clusters = exploitation_clusters(network, today=today)
    neighbours = {link.far_end(key) for link in links}
    for cluster in clusters:
        inside = key in cluster.members
        linked = neighbours & cluster.members
        if inside or len(linked) >= CLUSTER_MIN_LINKS:
            signals.append(
                Signal(
                    kind=SignalKind.EXPLOITATION_CLUSTER,
                    child=child,
                    about=None,
                    members=cluster.members,
                    intelligence=cluster.intelligence,
                    linked_to=frozenset() if inside else frozenset(linked),
                )
            )
    signals.extend(_new_on_plan_signals(child, links, network, today, new_within_days))
    return signals


def _concern_signals(
    child: int, key: str, links: Sequence[Link], network: Network, today: dt.date
) -> list[Signal]:
    by_other: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        by_other[link.far_end(key)].append(link)
    signals = []
    for other in sorted(by_other):
        kind_id = int(other[2:])
        if other.startswith("p:"):
            facts = network.persons[kind_id]
            concerns = [c for c in facts.concerns if c.started_on <= today]
            # An adult of concern: flagged and not known to be a child.
            if not concerns or facts.is_child_on(today):
                continue
            kind = SignalKind.ADULT_OF_CONCERN
        else:
            context = network.contexts[kind_id]
            concerns = [c for c in context.concerns if c.started_on <= today]
            if not concerns:
                continue
            kind = SignalKind.CONTEXT_OF_CONCERN
        signals.append(
            Signal(
                kind=kind,
                child=child,
                about=other,
                links=tuple(sorted(by_other[other], key=lambda x: (x.started_on, x.id))),
                concerns=tuple(concerns),
            )
        )
    return signals


def _missing_signals(child: int, key: str, links: Sequence[Link], network: Network) -> list[Signal]:
    mine = network.episodes_of(child)
    if not mine:
        return []
    peers: dict[int, list[Link]] = defaultdict(list)
    for link in links:
        other = link.far_end(key)
        if other.startswith("p:"):
            peers[int(other[2:])].append(link)
    signals = []
    for peer in sorted(peers):
        theirs = network.episodes_of(peer)
        pairs = tuple((a, b) for a in mine for b in theirs if a.overlaps(b))
        if pairs:
            signals.append(
                Signal(
                    kind=SignalKind.OVERLAPPING_MISSING,
                    child=child,
                    about=person_key(peer),
                    links=tuple(peers[peer]),
                    episodes=pairs,
                )
            )
    return signals


def _new_on_plan_signals(
    child: int, links: Sequence[Link], network: Network, today: dt.date, within_days: int
) -> list[Signal]:
    facts = network.persons[child]
    if not facts.plans:
        return []
    since = today - dt.timedelta(days=within_days)
    fresh = [link for link in links if since <= link.recorded_on <= today]
    if not fresh:
        return []
    key = person_key(child)
    fresh.sort(key=lambda x: (x.recorded_on, x.id))
    others = {link.far_end(key) for link in fresh}
    # One signal, with every new link as its evidence; "about" names the other end when
    # there is only one.
    return [
        Signal(
            kind=SignalKind.NEW_ASSOCIATION_ON_PLAN,
            child=child,
            about=others.pop() if len(others) == 1 else None,
            links=tuple(fresh),
            plans=facts.plans,
        )
    ]


# --- explanation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Explained:
    kind: SignalKind
    title: str
    summary: str
    evidence: tuple[str, ...] = field(default_factory=tuple)


NATURE_WORDS = {
    "associates_with": "associates with",
    "seen_with": "seen with",
    "exploited_by": "exploited by",
    "victim_at": "victim at",
    "missing_from": "missing from",
    "found_at": "found at",
}


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _moment(at: dt.datetime) -> str:
    """ "4 December 2026 at 3:05pm" (as ``core.dates`` writes it; this module stays pure)."""
    if (at.hour, at.minute) in {(0, 0), (12, 0)}:
        time = "midnight" if at.hour == 0 else "midday"
    else:
        suffix = "am" if at.hour < 12 else "pm"
        time = f"{at.hour % 12 or 12}{f':{at.minute:02d}' if at.minute else ''}{suffix}"
    return f"{_date(at.date())} at {time}"


def explain(
    signal: Signal,
    *,
    label: Callable[[str], str],
    shown: Callable[[str], bool],
) -> Explained:
    """Words for ``signal``. ``label`` names a node (or says it is not shown); free text
    written about a node (a concern's reason) is included only when ``shown(node)``."""
    title = SIGNAL_TITLES[signal.kind]
    child = label(person_key(signal.child))
    about = label(signal.about) if signal.about is not None else ""
    evidence: list[str] = []
    for link in signal.links:
        a, b = link.ends
        evidence.append(
            f"{label(a)} {NATURE_WORDS.get(link.nature, link.nature)} {label(b)}: "
            f"{link.confidence}, recorded by {link.agency}, since {_date(link.started_on)}"
            f" (recorded {_date(link.recorded_on)})."
        )
    if signal.kind in (SignalKind.ADULT_OF_CONCERN, SignalKind.CONTEXT_OF_CONCERN):
        summary = f"{child} is linked to {about}, who is of concern to {_agencies(signal)}."
        if signal.kind == SignalKind.CONTEXT_OF_CONCERN:
            summary = f"{child} is linked to {about}, a context of concern to {_agencies(signal)}."
        for concern in signal.concerns:
            reason = f": {concern.reason}" if signal.about and shown(signal.about) else ""
            evidence.append(
                f"Concern raised by {concern.agency} on {_date(concern.started_on)}{reason}."
            )
    elif signal.kind == SignalKind.OVERLAPPING_MISSING:
        peer = about
        summary = (
            f"{child} and {peer} were missing at the same time on "
            f"{len(signal.episodes)} occasion{'s' if len(signal.episodes) != 1 else ''}."
        )
        for mine, theirs in signal.episodes:
            evidence.append(
                f"{child} missing {_span(mine)}; {peer} missing {_span(theirs)} "
                f"(reported by {_both(mine.agency, theirs.agency)})."
            )
    elif signal.kind == SignalKind.EXPLOITATION_CLUSTER:
        people = sum(1 for m in signal.members if m.startswith("p:"))
        places = len(signal.members) - people
        where = (
            "is in" if not signal.linked_to else f"is linked to {len(signal.linked_to)} members of"
        )
        summary = (
            f"{child} {where} a closely linked group of {people} people and {places} places "
            f"or groups, where {len(signal.intelligence)} children have exploitation "
            f"intelligence recorded in the last year."
        )
        evidence.extend(
            f"Exploitation intelligence about {label(person_key(pid))}, latest {_date(on)}."
            for pid, on in signal.intelligence
        )
        named = sorted(label(m) for m in signal.members if m.startswith("c:") and shown(m))
        if named:
            evidence.append(f"Places and groups in it: {', '.join(named)}.")
    else:
        plans = ", ".join(signal.plans)
        if signal.about is not None and len(signal.links) == 1:
            summary = f"A new association with {about} was recorded while {child} is on: {plans}."
        else:
            summary = (
                f"{len(signal.links)} new associations were recorded in the last "
                f"{NEW_ASSOCIATION_DAYS} days while {child} is on: {plans}."
            )
    return Explained(signal.kind, title, summary, tuple(evidence))


def _both(first: str, second: str) -> str:
    """ "West Yorkshire Police", or "West Yorkshire Police and Leeds Health"."""
    return first if first == second else f"{first} and {second}"


def _agencies(signal: Signal) -> str:
    names = sorted({c.agency for c in signal.concerns})
    return " and ".join(names)


def _span(episode: Episode) -> str:
    if episode.ended_at is None:
        return f"from {_moment(episode.started_at)} (return not recorded)"
    return f"from {_moment(episode.started_at)} to {_moment(episode.ended_at)}"
