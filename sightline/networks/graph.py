"""What one viewer may see of a child's network. Pure: no Django imports.

The rules:

- the child at the centre is shown (the caller has already checked access to them);
- a person is shown by name only if the viewer may see their record; a context (place,
  online space, peer group) is shown if the viewer may see contexts at all;
- the network is walked only through what is shown: someone two steps away, reached only
  through a person the viewer may not see, is left out altogether;
- people and contexts that are not shown appear as a count on the node they are linked
  to ("3 people not shown"), never as names, dates of birth or links between themselves;
- links the query did not read (a busy place's hundreds) appear as a count too.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RawNode:
    key: str  # "p:<id>" or "c:<id>"
    label: str
    kind: str  # "child", "adult", "person" (age unknown), or a context kind
    of_concern: bool = False
    url: str = ""


@dataclass(frozen=True)
class RawEdge:
    id: int
    source: str
    target: str
    nature: str
    nature_label: str
    confidence: str
    agency: str
    started_on: str  # ISO date


@dataclass(frozen=True)
class RawNeighbourhood:
    root: str
    # Hop distance of every node reached: 0 for the root, 1 or 2.
    hops: Mapping[str, int]
    edges: Sequence[RawEdge]
    # Links not read (beyond the query's fan-out), by the node they leave from.
    more: Mapping[str, int] = field(default_factory=dict)


@dataclass
class ViewerGraph:
    nodes: list[dict[str, object]] = field(default_factory=list)
    # What is drawn: one edge per pair of nodes (links between them summed up).
    edges: list[dict[str, object]] = field(default_factory=list)
    # Every shown link, for the table beside the drawing.
    links: list[dict[str, object]] = field(default_factory=list)
    shown_people: list[str] = field(default_factory=list)
    shown_contexts: list[str] = field(default_factory=list)
    people_not_shown: int = 0
    contexts_not_shown: int = 0
    links_not_drawn: int = 0

    @property
    def truncated(self) -> bool:
        return self.links_not_drawn > 0

    def as_json(self) -> dict[str, object]:
        return {
            "nodes": [{"data": node} for node in self.nodes],
            "edges": [{"data": edge} for edge in self.edges],
            "summary": {
                "people_shown": len(self.shown_people),
                "contexts_shown": len(self.shown_contexts),
                "people_not_shown": self.people_not_shown,
                "contexts_not_shown": self.contexts_not_shown,
                "links_not_drawn": self.links_not_drawn,
                "truncated": self.truncated,
            },
        }


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def filter_for_viewer(
    raw: RawNeighbourhood,
    *,
    describe: Callable[[str], RawNode],
    visible_people: Collection[str],
    contexts_visible: bool,
) -> ViewerGraph:
    """The graph ``raw`` as the viewer may see it, ready for cytoscape.js.

    ``describe`` is called only for nodes that are shown, so names of hidden people are
    never even fetched into the result.
    """

    def is_shown(key: str) -> bool:
        if key == raw.root:
            return True
        if key.startswith("c:"):
            return contexts_visible
        return key in visible_people

    adjacency: dict[str, list[RawEdge]] = defaultdict(list)
    for edge in raw.edges:
        adjacency[edge.source].append(edge)
        adjacency[edge.target].append(edge)

    # Walk from the root through shown nodes only, up to two steps.
    reached: dict[str, int] = {raw.root: 0}
    frontier = [raw.root]
    for hop in (1, 2):
        following = []
        for key in frontier:
            for edge in adjacency[key]:
                other = edge.target if edge.source == key else edge.source
                if other in reached or raw.hops.get(other, 3) > hop:
                    continue
                reached[other] = hop
                if is_shown(other):
                    following.append(other)
        frontier = sorted(following)

    shown = sorted((k for k in reached if is_shown(k)), key=lambda k: (reached[k], k))
    shown_set = set(shown)
    graph = ViewerGraph()
    for key in shown:
        node = describe(key)
        graph.nodes.append(
            {
                "id": key,
                "label": node.label,
                "kind": node.kind,
                "hop": reached[key],
                "of_concern": node.of_concern,
                "url": node.url,
                "root": key == raw.root,
            }
        )
        if key == raw.root:
            continue
        (graph.shown_contexts if key.startswith("c:") else graph.shown_people).append(key)

    hidden_people: set[str] = set()
    hidden_contexts: set[str] = set()
    seen_edges: set[int] = set()
    for key in shown:
        hidden_here: set[str] = set()
        for edge in adjacency[key]:
            other = edge.target if edge.source == key else edge.source
            if other not in reached:
                continue
            if other in shown_set:
                if edge.id not in seen_edges:
                    seen_edges.add(edge.id)
                    graph.links.append(
                        {
                            "id": f"e:{edge.id}",
                            "source": edge.source,
                            "target": edge.target,
                            "label": edge.nature_label,
                            "nature": edge.nature,
                            "confidence": edge.confidence,
                            "agency": edge.agency,
                            "started_on": edge.started_on,
                        }
                    )
                continue
            # Count hidden neighbours only where the walk could have reached them from here.
            if reached[other] == reached[key] + 1 or reached[other] <= reached[key]:
                hidden_here.add(other)
        if hidden_here:
            people = sorted(k for k in hidden_here if k.startswith("p:"))
            contexts = sorted(k for k in hidden_here if k.startswith("c:"))
            hidden_people.update(people)
            hidden_contexts.update(contexts)
            words = []
            if people:
                words.append(_plural(len(people), "person", "people"))
            if contexts:
                words.append(_plural(len(contexts), "place or group", "places or groups"))
            hidden_id = f"hidden:{key}"
            graph.nodes.append(
                {
                    "id": hidden_id,
                    "label": f"{' and '.join(words)} not shown",
                    "kind": "hidden",
                    "hop": reached[key] + 1,
                    "of_concern": False,
                    "url": "",
                    "root": False,
                    "count": len(hidden_here),
                }
            )
            graph.edges.append(
                {
                    "id": f"e:{hidden_id}",
                    "source": key,
                    "target": hidden_id,
                    "label": "",
                    "nature": "hidden",
                    "confidence": "",
                    "agency": "",
                    "started_on": "",
                }
            )
    for key in shown:
        extra = raw.more.get(key, 0)
        if not extra:
            continue
        graph.links_not_drawn += extra
        more_id = f"more:{key}"
        graph.nodes.append(
            {
                "id": more_id,
                "label": f"{_plural(extra, 'more link', 'more links')} not drawn",
                "kind": "more",
                "hop": reached[key] + 1,
                "of_concern": False,
                "url": "",
                "root": False,
                "count": extra,
            }
        )
        graph.edges.append(
            {
                "id": f"e:{more_id}",
                "source": key,
                "target": more_id,
                "label": "",
                "nature": "more",
                "confidence": "",
                "agency": "",
                "started_on": "",
            }
        )
    graph.edges[:0] = _drawn(graph.links)
    graph.people_not_shown = len(hidden_people)
    graph.contexts_not_shown = len(hidden_contexts)
    return graph


def hop_distances(root: str, edges: Sequence[tuple[str, str]], *, hops: int = 2) -> dict[str, int]:
    """Breadth-first distances from ``root`` over ``edges``, up to ``hops``."""
    adjacency: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        adjacency[a].add(b)
        adjacency[b].add(a)
    distances = {root: 0}
    frontier = [root]
    for hop in range(1, hops + 1):
        following = []
        for key in frontier:
            for other in sorted(adjacency[key]):
                if other not in distances:
                    distances[other] = hop
                    following.append(other)
        frontier = following
    return distances


_CONFIDENCE_ORDER = {"confirmed": 0, "probable": 1, "possible": 2}


def _drawn(links: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    """One edge per pair of nodes: "Missing from (3), Found at (2)", its most serious
    nature (exploited by, when any) and its firmest confidence."""
    pairs: dict[frozenset[str], list[dict[str, object]]] = {}
    for link in links:
        pair = frozenset((str(link["source"]), str(link["target"])))
        pairs.setdefault(pair, []).append(link)
    drawn = []
    for group in pairs.values():
        first = group[0]
        if len(group) == 1:
            drawn.append({**first, "count": 1})
            continue
        counts: dict[str, int] = {}
        for link in group:
            counts[str(link["label"])] = counts.get(str(link["label"]), 0) + 1
        natures = [str(link["nature"]) for link in group]
        drawn.append(
            {
                **first,
                "label": ", ".join(
                    label if n == 1 else f"{label} ({n})" for label, n in counts.items()
                ),
                "nature": "exploited_by" if "exploited_by" in natures else natures[0],
                "confidence": min(
                    (str(link["confidence"]) for link in group),
                    key=lambda c: _CONFIDENCE_ORDER.get(c, 3),
                ),
                "agency": ", ".join(sorted({str(link["agency"]) for link in group})),
                "started_on": min(str(link["started_on"]) for link in group),
                "count": len(group),
            }
        )
    return drawn


def text_rows(graph: ViewerGraph) -> list[Mapping[str, object]]:
    """The shown links as rows for the table beside the drawing (the accessible version)."""
    labels = {str(node["id"]): str(node["label"]) for node in graph.nodes}
    return [
        {
            "from": labels.get(str(edge["source"]), ""),
            "to": labels.get(str(edge["target"]), ""),
            "nature": edge["label"],
            "confidence": edge["confidence"],
            "agency": edge["agency"],
            "started_on": edge["started_on"],
        }
        for edge in graph.links
    ]
