"""The pure signal module, on small hand-made networks and on synthetic networks with
planted clusters."""

import datetime as dt
import random

import pytest

from sightline.networks import signals as sig

TODAY = dt.date(2025, 6, 1)
CHILD_DOB = dt.date(2009, 5, 1)
ADULT_DOB = dt.date(1990, 1, 1)
POLICE_CONCERN = sig.Concern("POLICE", dt.date(2025, 1, 10), "Suspected of running a county line")


def link(i, person, other, *, nature="associates_with", recorded_on=dt.date(2024, 1, 1)):
    return sig.Link(
        id=i,
        person=person,
        other=other,
        nature=nature,
        confidence="probable",
        agency="POLICE",
        started_on=dt.date(2024, 1, 1),
        recorded_on=recorded_on,
    )


def child(pk, **kwargs):
    return sig.PersonFacts(id=pk, date_of_birth=CHILD_DOB, **kwargs)


def adult(pk, **kwargs):
    return sig.PersonFacts(id=pk, date_of_birth=ADULT_DOB, **kwargs)


def at(day, hour=12):
    """Local wall-clock time, as the query layer hands it over (naive, Europe/London)."""
    return dt.datetime(2025, 3, day, hour)  # noqa: DTZ001


def test_it_keys_people_and_contexts_apart():
    assert sig.person_key(3) == "p:3"
    assert sig.context_key(3) == "c:3"


# --- missing episodes -----------------------------------------------------------------


def report(pk, person, when, *, found=False):
    return sig.MissingReport(person=person, at=when, found=found, agency="POLICE", event_id=pk)


def test_it_pairs_missing_with_the_next_found():
    episodes = sig.missing_episodes(
        [report(2, 1, at(2), found=True), report(1, 1, at(1)), report(3, 2, at(5))]
    )
    assert episodes == [
        sig.Episode(1, at(1), at(2), "POLICE"),
        sig.Episode(2, at(5), None, "POLICE"),
    ]


def test_it_starts_a_new_episode_when_missing_again_before_found():
    episodes = sig.missing_episodes(
        [report(1, 1, at(1)), report(2, 1, at(3)), report(3, 1, at(4), found=True)]
    )
    assert episodes == [
        sig.Episode(1, at(1), None, "POLICE"),
        sig.Episode(1, at(3), at(4), "POLICE"),
    ]


def test_it_ignores_a_found_with_no_open_episode():
    assert sig.missing_episodes([report(1, 1, at(1), found=True)]) == []


def test_it_does_not_let_a_found_weeks_later_close_an_episode():
    late = at(1) + dt.timedelta(days=sig.MAX_EPISODE_DAYS + 1)
    episodes = sig.missing_episodes([report(1, 1, at(1)), report(2, 1, late, found=True)])
    assert episodes == [sig.Episode(1, at(1), None, "POLICE")]


def test_an_unrecorded_return_is_assumed_to_last_a_day_for_overlaps():
    open_episode = sig.Episode(1, at(1, 10), None, "POLICE")
    assert open_episode.overlaps(sig.Episode(2, at(2, 9), at(2, 11), "POLICE"))
    assert not open_episode.overlaps(sig.Episode(2, at(2, 11), at(2, 12), "POLICE"))


# --- overlapping missing --------------------------------------------------------------


def missing_network(peer_episodes, *, linked=True):
    links = [link(1, 1, "p:2")] if linked else [link(1, 1, "p:3")]
    return sig.Network(
        persons={1: child(1), 2: child(2), 3: child(3)},
        contexts={},
        links=links,
        episodes=(sig.Episode(1, at(1, 20), at(2, 8), "POLICE"), *peer_episodes),
    )


def test_it_signals_a_peer_missing_at_the_same_time():
    overlapping = sig.Episode(2, at(1, 22), at(2, 6), "POLICE")
    found = sig.signals_for(1, missing_network([overlapping]), today=TODAY)
    assert [s.kind for s in found] == [sig.SignalKind.OVERLAPPING_MISSING]
    assert found[0].about == "p:2"
    assert found[0].episodes == ((sig.Episode(1, at(1, 20), at(2, 8), "POLICE"), overlapping),)


def test_it_does_not_signal_missing_on_different_days():
    apart = sig.Episode(2, at(10), at(11), "POLICE")
    assert sig.signals_for(1, missing_network([apart]), today=TODAY) == []


def test_it_does_not_signal_someone_missing_who_is_not_linked():
    overlapping = sig.Episode(2, at(1, 22), at(2, 6), "POLICE")
    assert sig.signals_for(1, missing_network([overlapping], linked=False), today=TODAY) == []


# --- adults and contexts of concern ---------------------------------------------------


def concern_network(*, other):
    return sig.Network(
        persons={1: child(1), 2: other},
        contexts={
            7: sig.ContextFacts(7, concerns=(POLICE_CONCERN,)),
            8: sig.ContextFacts(8),
        },
        links=[link(1, 1, "p:2", nature="exploited_by"), link(2, 1, "c:7"), link(3, 1, "c:8")],
    )


def test_it_signals_an_adult_and_a_place_of_concern():
    found = sig.signals_for(
        1, concern_network(other=adult(2, concerns=(POLICE_CONCERN,))), today=TODAY
    )
    assert [(s.kind, s.about) for s in found] == [
        (sig.SignalKind.CONTEXT_OF_CONCERN, "c:7"),
        (sig.SignalKind.ADULT_OF_CONCERN, "p:2"),
    ]
    adult_signal = found[1]
    assert [x.id for x in adult_signal.links] == [1]
    assert adult_signal.concerns == (POLICE_CONCERN,)


def test_it_does_not_call_a_flagged_child_an_adult_of_concern():
    found = sig.signals_for(
        1, concern_network(other=child(2, concerns=(POLICE_CONCERN,))), today=TODAY
    )
    assert [s.kind for s in found] == [sig.SignalKind.CONTEXT_OF_CONCERN]


def test_a_person_of_unknown_age_who_is_flagged_counts_as_an_adult_of_concern():
    unknown = sig.PersonFacts(id=2, concerns=(POLICE_CONCERN,))
    found = sig.signals_for(1, concern_network(other=unknown), today=TODAY)
    assert sig.SignalKind.ADULT_OF_CONCERN in [s.kind for s in found]


def test_it_ignores_a_concern_raised_after_the_day_asked_about():
    later = sig.Concern("POLICE", TODAY + dt.timedelta(days=1), "later")
    found = sig.signals_for(1, concern_network(other=adult(2, concerns=(later,))), today=TODAY)
    assert sig.SignalKind.ADULT_OF_CONCERN not in [s.kind for s in found]


def test_it_refuses_a_child_not_in_the_network():
    with pytest.raises(ValueError, match="person 9 is not in the network"):
        sig.signals_for(9, concern_network(other=adult(2)), today=TODAY)


# --- new association while on a plan --------------------------------------------------


def plan_network(*, plans, recorded_on):
    return sig.Network(
        persons={1: child(1, plans=plans), 2: child(2)},
        contexts={},
        links=[link(1, 1, "p:2", recorded_on=recorded_on)],
    )


def test_it_signals_a_new_association_for_a_child_on_a_plan():
    recent = TODAY - dt.timedelta(days=sig.NEW_ASSOCIATION_DAYS)
    found = sig.signals_for(
        1, plan_network(plans=("Child protection plan",), recorded_on=recent), today=TODAY
    )
    assert [(s.kind, s.about, s.plans) for s in found] == [
        (sig.SignalKind.NEW_ASSOCIATION_ON_PLAN, "p:2", ("Child protection plan",))
    ]


def test_several_new_associations_make_one_signal_with_each_as_evidence():
    network = sig.Network(
        persons={1: child(1, plans=("Looked after",)), 2: child(2), 3: adult(3)},
        contexts={7: sig.ContextFacts(7)},
        links=[
            link(1, 1, "p:2", recorded_on=TODAY),
            link(2, 3, "p:1", recorded_on=TODAY - dt.timedelta(days=3)),
            link(3, 1, "c:7", recorded_on=TODAY - dt.timedelta(days=90)),  # not new
        ],
    )
    (found,) = sig.signals_for(1, network, today=TODAY)
    assert found.kind == sig.SignalKind.NEW_ASSOCIATION_ON_PLAN
    assert found.about is None
    assert [x.id for x in found.links] == [2, 1]
    text = sig.explain(found, label=lambda k: k, shown=lambda k: True)
    assert text.summary == (
        "2 new associations were recorded in the last 28 days while p:1 is on: Looked after."
    )
    assert len(text.evidence) == 2


def test_it_does_not_signal_an_old_association_or_a_child_on_no_plan():
    old = TODAY - dt.timedelta(days=sig.NEW_ASSOCIATION_DAYS + 1)
    assert (
        sig.signals_for(1, plan_network(plans=("Looked after",), recorded_on=old), today=TODAY)
        == []
    )
    assert sig.signals_for(1, plan_network(plans=(), recorded_on=TODAY), today=TODAY) == []


# --- planted clusters -----------------------------------------------------------------


def planted_network(rng, *, groups, size, intelligence, p_in=0.5, bridges=3, adults_with_intel=()):
    """``groups`` groups of ``size`` children, dense inside, a few bridges between groups;
    ``intelligence`` maps group index to how many of its children have intelligence."""
    persons = {}
    members = []
    links = []
    next_link = iter(range(1, 100_000))
    for g in range(groups):
        ids = list(range(g * 100 + 1, g * 100 + size + 1))
        members.append({sig.person_key(i) for i in ids})
        flagged = set(rng.sample(ids, intelligence.get(g, 0)))
        for i in ids:
            intel = (dt.date(2025, 3, 1),) if i in flagged else ()
            persons[i] = child(i, intelligence_on=intel)
        # A ring keeps every child attached to the group; chords make it dense.
        for a in ids:
            for b in ids:
                ring = b == a + 1 or (a == ids[0] and b == ids[-1])
                if a < b and (ring or rng.random() < p_in):
                    links.append(link(next(next_link), a, sig.person_key(b)))
        # A place each group meets at.
        links.extend(link(next(next_link), i, f"c:{g}") for i in ids[:4])
    for _ in range(bridges):
        g1, g2 = rng.sample(range(groups), 2)
        a = rng.choice(sorted(members[g1]))
        b = rng.choice(sorted(members[g2]))
        links.append(link(next(next_link), int(a[2:]), b))
    for pk in adults_with_intel:
        persons[pk] = adult(pk, intelligence_on=(dt.date(2025, 3, 1),))
        links.append(link(next(next_link), 1, sig.person_key(pk)))
    contexts = {g: sig.ContextFacts(g) for g in range(groups)}
    for g in range(groups):
        members[g].add(f"c:{g}")
    return sig.Network(persons, contexts, links), members


@pytest.mark.parametrize("graph_seed", range(20))
def test_it_finds_the_planted_cluster_and_only_it(graph_seed):
    rng = random.Random(graph_seed)
    network, members = planted_network(rng, groups=4, size=10, intelligence={0: 4, 1: 2, 3: 1})
    clusters = sig.exploitation_clusters(network, today=TODAY)
    assert len(clusters) == 1
    (cluster,) = clusters
    assert cluster.members == members[0]
    assert len(cluster.intelligence) == 4
    assert all(sig.person_key(pk) in members[0] for pk, _ in cluster.intelligence)


def test_two_planted_clusters_are_both_found():
    network, members = planted_network(
        random.Random(11), groups=5, size=8, intelligence={1: 3, 4: 5, 2: 1}
    )
    clusters = sig.exploitation_clusters(network, today=TODAY)
    assert sorted(len(c.intelligence) for c in clusters) == [3, 5]
    assert {c.members for c in clusters} == {frozenset(members[1]), frozenset(members[4])}


def test_children_in_the_cluster_get_the_signal_and_others_do_not():
    network, members = planted_network(random.Random(3), groups=3, size=9, intelligence={0: 3})
    inside = min(int(k[2:]) for k in members[0] if k.startswith("p:"))
    outside = min(int(k[2:]) for k in members[1] if k.startswith("p:"))
    kinds_inside = [s.kind for s in sig.signals_for(inside, network, today=TODAY)]
    kinds_outside = [s.kind for s in sig.signals_for(outside, network, today=TODAY)]
    assert sig.SignalKind.EXPLOITATION_CLUSTER in kinds_inside
    assert sig.SignalKind.EXPLOITATION_CLUSTER not in kinds_outside


def test_a_child_linked_to_two_members_of_a_cluster_gets_the_signal_one_link_does_not():
    inner = ["p:1", "p:2", "p:3"]
    cluster = sig.Cluster(frozenset(inner), ((1, TODAY), (2, TODAY), (3, TODAY)))
    persons = {i: child(i) for i in (1, 2, 3, 9)}
    two = sig.Network(persons, {}, [link(1, 9, "p:1"), link(2, 9, "p:2")])
    (found,) = sig.signals_for(9, two, today=TODAY, clusters=[cluster])
    assert found.kind == sig.SignalKind.EXPLOITATION_CLUSTER
    assert found.linked_to == {"p:1", "p:2"}
    text = sig.explain(found, label=lambda k: k, shown=lambda k: True)
    assert text.summary.startswith("p:9 is linked to 2 members of a closely linked group of 3")
    one = sig.Network(persons, {}, [link(1, 9, "p:1")])
    assert sig.signals_for(9, one, today=TODAY, clusters=[cluster]) == []


def test_a_hub_child_whose_group_louvain_separates_is_linked_into_it():
    # The child is linked to a tight group of three with intelligence and to an adult:
    # Louvain puts the child with the adult, and the signal still reaches the child.
    persons = {1: child(1), 5: adult(5)}
    persons |= {i: child(i, intelligence_on=(TODAY,)) for i in (2, 3, 4)}
    pairs = [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4), (1, 5)]
    network = sig.Network(persons, {}, [link(i, a, f"p:{b}") for i, (a, b) in enumerate(pairs)])
    (cluster,) = sig.exploitation_clusters(network, today=TODAY)
    assert cluster.members == {"p:2", "p:3", "p:4"}
    kinds = [s.kind for s in sig.signals_for(1, network, today=TODAY)]
    assert kinds == [sig.SignalKind.EXPLOITATION_CLUSTER]


def test_old_intelligence_and_adults_do_not_make_a_cluster():
    network, _ = planted_network(random.Random(5), groups=3, size=9, intelligence={0: 2})
    # Two adults with intelligence join group 0: still only two children.
    network, _ = planted_network(
        random.Random(5), groups=3, size=9, intelligence={0: 2}, adults_with_intel=(900, 901)
    )
    assert sig.exploitation_clusters(network, today=TODAY) == []
    network, _ = planted_network(random.Random(5), groups=3, size=9, intelligence={0: 4})
    much_later = TODAY + dt.timedelta(days=sig.INTELLIGENCE_LOOKBACK_DAYS + 90)
    assert sig.exploitation_clusters(network, today=much_later) == []


def test_the_answer_is_the_same_every_time():
    network, _ = planted_network(random.Random(8), groups=4, size=10, intelligence={2: 4})
    first = sig.exploitation_clusters(network, today=TODAY)
    assert all(sig.exploitation_clusters(network, today=TODAY) == first for _ in range(3))


def test_a_network_with_no_links_has_no_clusters():
    network = sig.Network({1: child(1, intelligence_on=(TODAY,))}, {}, [])
    assert sig.exploitation_clusters(network, today=TODAY, min_children=1) == []
    with pytest.raises(ValueError, match="min_children"):
        sig.exploitation_clusters(network, today=TODAY, min_children=0)


def test_confidence_weights_the_graph_and_parallel_links_add_up():
    network = sig.Network(
        {1: child(1), 2: child(2)},
        {},
        [link(1, 1, "p:2"), sig.Link(2, 2, "p:1", "seen_with", "confirmed", "CSC", TODAY, TODAY)],
    )
    graph = sig.build_graph(network)
    assert graph["p:1"]["p:2"]["weight"] == pytest.approx(1.7)


# --- explanation ----------------------------------------------------------------------


def labels(shown):
    names = {"p:1": "Jamie Testchild", "p:2": "Dale Adult", "c:7": "Canal towpath"}

    def label(key):
        return names[key] if key in shown else "a person not shown to you"

    return label, (lambda key: key in shown)


def test_it_explains_an_adult_of_concern_with_its_evidence():
    network = concern_network(other=adult(2, concerns=(POLICE_CONCERN,)))
    signal = next(s for s in sig.signals_for(1, network, today=TODAY) if s.about == "p:2")
    label, shown = labels({"p:1", "p:2"})
    explained = sig.explain(signal, label=label, shown=shown)
    assert explained.title == "Linked to an adult of concern"
    assert (
        explained.summary == "Jamie Testchild is linked to Dale Adult, who is of concern to POLICE."
    )
    assert explained.evidence == (
        "Jamie Testchild exploited by Dale Adult: probable, recorded by POLICE, "
        "since 1 January 2024 (recorded 1 January 2024).",
        "Concern raised by POLICE on 10 January 2025: Suspected of running a county line.",
    )


def test_it_does_not_name_or_quote_about_someone_the_viewer_may_not_see():
    network = concern_network(other=adult(2, concerns=(POLICE_CONCERN,)))
    signal = next(s for s in sig.signals_for(1, network, today=TODAY) if s.about == "p:2")
    label, shown = labels({"p:1"})
    explained = sig.explain(signal, label=label, shown=shown)
    text = " ".join([explained.summary, *explained.evidence])
    assert "Dale" not in text
    assert "county line" not in text
    assert "a person not shown to you" in text
    assert "Concern raised by POLICE on 10 January 2025." in explained.evidence


def test_it_explains_each_kind_of_signal():
    label, shown = labels({"p:1", "p:2", "c:7"})
    overlapping = sig.Episode(2, at(1, 22), None, "POLICE")
    missing = sig.signals_for(1, missing_network([overlapping]), today=TODAY)[0]
    text = sig.explain(missing, label=label, shown=shown)
    assert (
        text.summary
        == "Jamie Testchild and Dale Adult were missing at the same time on 1 occasion."
    )
    assert "Dale Adult missing from 1 March 2025 at 10pm (return not recorded)" in text.evidence[-1]

    plan = sig.signals_for(
        1, plan_network(plans=("Looked after",), recorded_on=TODAY), today=TODAY
    )[0]
    assert sig.explain(plan, label=label, shown=shown).summary == (
        "A new association with Dale Adult was recorded while Jamie Testchild is on: Looked after."
    )

    network, members = planted_network(random.Random(3), groups=3, size=9, intelligence={0: 3})
    inside = min(int(k[2:]) for k in members[0] if k.startswith("p:"))
    cluster = next(
        s
        for s in sig.signals_for(inside, network, today=TODAY)
        if s.kind == sig.SignalKind.EXPLOITATION_CLUSTER
    )
    cluster_text = sig.explain(cluster, label=lambda k: k, shown=lambda k: True)
    assert "group of 9 people and 1 places or groups, where 3 children" in cluster_text.summary
    assert len([e for e in cluster_text.evidence if e.startswith("Exploitation intelligence")]) == 3
    assert cluster_text.evidence[-1] == "Places and groups in it: c:0."
