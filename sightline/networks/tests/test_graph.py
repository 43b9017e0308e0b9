"""What a viewer may see of a network: the pure filtering rules."""

import pytest

from sightline.networks.graph import (
    RawEdge,
    RawNeighbourhood,
    RawNode,
    filter_for_viewer,
    hop_distances,
    text_rows,
)

# root p:1 - p:2 (visible) - p:4 (visible, hop 2)
#          - p:3 (hidden)  - p:5 (visible, hop 2, reached only through p:3)
#          - c:9 (place)   - p:6 (hidden, hop 2)
#                          - p:2 (also at the place)
PAIRS = [("p:1", "p:2"), ("p:1", "p:3"), ("p:1", "c:9"), ("p:2", "p:4"), ("p:3", "p:5")]
PAIRS += [("c:9", "p:6"), ("p:2", "c:9")]


def edges():
    return [
        RawEdge(i, a, b, "associates_with", "Associates with", "probable", "POLICE", "2024-01-01")
        for i, (a, b) in enumerate(PAIRS, start=1)
    ]


def raw():
    return RawNeighbourhood(root="p:1", hops=hop_distances("p:1", PAIRS), edges=edges())


def describe_only(allowed):
    def describe(key):
        if key not in allowed:
            raise AssertionError(f"described {key}, which the viewer may not see")
        kind = "park" if key.startswith("c:") else "child"
        return RawNode(key=key, label=f"name of {key}", kind=kind, url=f"/x/{key}")

    return describe


def ids(graph, kind=None):
    return sorted(n["id"] for n in graph.nodes if kind is None or n["kind"] == kind)


def test_hop_distances_are_breadth_first():
    assert hop_distances("p:1", PAIRS) == {
        "p:1": 0,
        "p:2": 1,
        "p:3": 1,
        "c:9": 1,
        "p:4": 2,
        "p:5": 2,
        "p:6": 2,
    }
    assert hop_distances("p:1", PAIRS, hops=1) == {"p:1": 0, "p:2": 1, "p:3": 1, "c:9": 1}


def test_a_viewer_who_sees_everyone_sees_the_whole_two_hop_network():
    everyone = {"p:2", "p:3", "p:4", "p:5", "p:6"}
    graph = filter_for_viewer(
        raw(),
        describe=describe_only(everyone | {"p:1", "c:9"}),
        visible_people=everyone,
        contexts_visible=True,
    )
    assert ids(graph) == ["c:9", "p:1", "p:2", "p:3", "p:4", "p:5", "p:6"]
    assert len(graph.edges) == len(PAIRS)
    assert graph.people_not_shown == 0
    root = next(n for n in graph.nodes if n["root"])
    assert root["id"] == "p:1"
    assert root["hop"] == 0


def test_people_the_viewer_may_not_see_are_counts_and_are_not_walked_through():
    visible = {"p:2", "p:4", "p:5"}
    graph = filter_for_viewer(
        raw(),
        describe=describe_only(visible | {"p:1", "c:9"}),
        visible_people=visible,
        contexts_visible=True,
    )
    # p:3 is hidden; p:5 is visible but reached only through p:3, so it is left out.
    assert ids(graph, "child") == ["p:1", "p:2", "p:4"]
    assert "p:5" not in ids(graph)
    hidden = {n["id"]: n for n in graph.nodes if n["kind"] == "hidden"}
    assert hidden["hidden:p:1"]["label"] == "1 person not shown"
    assert hidden["hidden:c:9"]["label"] == "1 person not shown"
    assert set(hidden) == {"hidden:p:1", "hidden:c:9"}
    assert graph.people_not_shown == 2
    # No edge touches a hidden person: only the count nodes.
    touched = {e["source"] for e in graph.edges} | {e["target"] for e in graph.edges}
    assert not touched & {"p:3", "p:6", "p:5"}
    assert graph.as_json()["summary"] == {
        "people_shown": 2,
        "contexts_shown": 1,
        "people_not_shown": 2,
        "contexts_not_shown": 0,
        "links_not_drawn": 0,
        "truncated": False,
    }


def test_without_context_access_places_are_counts_too():
    visible = {"p:2", "p:3", "p:4", "p:5", "p:6"}
    graph = filter_for_viewer(
        raw(),
        describe=describe_only(visible | {"p:1"}),
        visible_people=visible,
        contexts_visible=False,
    )
    assert "c:9" not in ids(graph)
    assert "p:6" not in ids(graph)  # reached only through the place
    root_count = next(n for n in graph.nodes if n["id"] == "hidden:p:1")
    assert root_count["label"] == "1 place or group not shown"
    assert graph.contexts_not_shown == 1


def test_a_viewer_who_sees_only_the_child_sees_counts_only():
    graph = filter_for_viewer(
        raw(), describe=describe_only({"p:1"}), visible_people=set(), contexts_visible=False
    )
    assert ids(graph) == ["hidden:p:1", "p:1"]
    assert graph.nodes[1]["label"] == "2 people and 1 place or group not shown"
    assert graph.nodes[1]["count"] == 3


def test_links_not_read_are_a_count_on_shown_nodes_only():
    cut = RawNeighbourhood(
        root="p:1",
        hops=hop_distances("p:1", PAIRS),
        edges=edges(),
        more={"c:9": 1200, "p:3": 7},  # p:3 is hidden: its count is not shown
    )
    graph = filter_for_viewer(
        cut,
        describe=describe_only({"p:1", "p:2", "p:4", "c:9"}),
        visible_people={"p:2", "p:4"},
        contexts_visible=True,
    )
    more = [n for n in graph.nodes if n["kind"] == "more"]
    assert [(n["id"], n["label"]) for n in more] == [("more:c:9", "1200 more links not drawn")]
    assert graph.truncated is True
    assert graph.links_not_drawn == 1200
    assert all(r["nature"] for r in text_rows(graph))


@pytest.mark.parametrize("contexts_visible", [True, False])
def test_the_table_rows_name_only_what_is_drawn(contexts_visible):
    visible = {"p:2"}
    allowed = visible | {"p:1"} | ({"c:9"} if contexts_visible else set())
    graph = filter_for_viewer(
        raw(),
        describe=describe_only(allowed),
        visible_people=visible,
        contexts_visible=contexts_visible,
    )
    rows = text_rows(graph)
    names = {r["from"] for r in rows} | {r["to"] for r in rows}
    assert names == {f"name of {k}" for k in allowed}


def test_parallel_links_are_drawn_once_and_listed_each():
    links = [
        RawEdge(
            1, "p:1", "c:9", "missing_from", "Missing from", "probable", "POLICE", "2025-01-02"
        ),
        RawEdge(
            2, "p:1", "c:9", "missing_from", "Missing from", "possible", "POLICE", "2025-01-05"
        ),
        RawEdge(3, "p:1", "c:9", "found_at", "Found at", "confirmed", "CSC", "2025-01-01"),
        RawEdge(
            4, "p:2", "p:1", "exploited_by", "Exploited by", "possible", "POLICE", "2025-02-01"
        ),
        RawEdge(5, "p:1", "p:2", "seen_with", "Seen with", "probable", "POLICE", "2025-03-01"),
    ]
    raw_graph = RawNeighbourhood(root="p:1", hops={"p:1": 0, "c:9": 1, "p:2": 1}, edges=links)
    graph = filter_for_viewer(
        raw_graph,
        describe=describe_only({"p:1", "p:2", "c:9"}),
        visible_people={"p:2"},
        contexts_visible=True,
    )
    drawn = {frozenset((e["source"], e["target"])): e for e in graph.edges}
    place = drawn[frozenset(("p:1", "c:9"))]
    assert place["label"] == "Missing from (2), Found at"
    assert (place["confidence"], place["agency"], place["started_on"], place["count"]) == (
        "confirmed",
        "CSC, POLICE",
        "2025-01-01",
        3,
    )
    peer = drawn[frozenset(("p:1", "p:2"))]
    assert (peer["nature"], peer["label"]) == ("exploited_by", "Exploited by, Seen with")
    assert len(graph.edges) == 2
    assert len(text_rows(graph)) == 5
