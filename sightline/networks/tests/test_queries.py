"""The neighbourhood query and the signals read from the database."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from sightline.networks import queries
from sightline.networks.signals import SignalKind
from sightline.networks.tests.conftest import event, flag, link
from sightline.testing import factories

pytestmark = pytest.mark.django_db


def test_the_neighbourhood_reaches_two_hops_and_skips_withdrawn_links(
    agencies, child, peer, adult, place, django_assert_num_queries
):
    police = agencies["POLICE"]
    far = factories.PersonFactory.create()
    too_far = factories.PersonFactory.create()
    link(child, agency=police, other=peer)
    link(peer, agency=police, other=far)  # hop 2
    link(far, agency=police, other=too_far)  # hop 3: not loaded
    link(adult, agency=police, context=place)
    link(child, agency=police, context=place)
    gone = link(child, agency=police, other=too_far)
    gone.withdrawn_at = timezone.now()
    gone.save()
    # Associations: the first step, then every second-step direction in one query on
    # PostgreSQL (elsewhere one per node and direction: peer both ways, place). Plus four
    # small lookups of merged people (none here).
    associations = 2 if connection.vendor == "postgresql" else 1 + 3
    with django_assert_num_queries(associations + 4):
        loaded = queries.load_neighbourhood([child.pk])
    assert loaded.hops == {
        f"p:{child.pk}": 0,
        f"p:{peer.pk}": 1,
        f"c:{place.pk}": 1,
        f"p:{far.pk}": 2,
        f"p:{adult.pk}": 2,
    }
    assert not loaded.truncated


def test_each_node_one_step_out_gives_at_most_its_fanout_and_counts_the_rest(
    agencies, child, peer, place
):
    police = agencies["POLICE"]
    link(child, agency=police, context=place)
    link(child, agency=police, other=peer)
    at_place = [factories.PersonFactory.create() for _ in range(5)]
    links = [link(p, agency=police, context=place) for p in at_place]
    friends = [factories.PersonFactory.create() for _ in range(2)]
    link(peer, agency=police, other=friends[0])
    link(friends[1], agency=police, other=peer)  # the other direction
    loaded = queries.load_neighbourhood([child.pk], fanout=3)
    # The place: its three most recent links (the child's own is older than them).
    reached_at_place = {k for k, h in loaded.hops.items() if h == 2 and k.startswith("p:")}
    assert {f"p:{p.pk}" for p in at_place[-3:]} <= reached_at_place
    assert f"p:{at_place[0].pk}" not in loaded.hops
    assert loaded.more == {f"c:{place.pk}": 2}
    assert loaded.truncated
    # The peer's links, both directions, were all read (under the fan-out).
    assert {f"p:{f.pk}" for f in friends} <= set(loaded.hops)
    assert max(links, key=lambda a: a.pk).pk in loaded.rows
    everything = queries.load_neighbourhood([child.pk])
    assert everything.more == {}
    assert len(everything.hops) == 1 + 2 + 5 + 2
    with pytest.raises(ValueError, match="fanout"):
        queries.load_neighbourhood([child.pk], fanout=0)


def test_merged_people_are_read_as_their_survivors(agencies, child, peer, adult):
    police = agencies["POLICE"]
    person = factories.PersonFactory.create
    survivor = person()
    merged = person(merged_into=survivor)
    link(child, agency=police, other=merged)  # recorded before the merge
    child_duplicate = person(merged_into=child)
    friend = person()
    link(child_duplicate, agency=police, other=friend)  # about the child's duplicate
    self_loop = person(merged_into=child)
    link(child, agency=police, other=self_loop)  # now the child and themselves
    end = person()
    middle = person(merged_into=end)
    first = person(merged_into=middle)
    link(first, agency=police, other=child)  # a chain of merges
    peer_duplicate = person(merged_into=peer)
    link(child, agency=police, other=peer)
    far = person()
    link(peer_duplicate, agency=police, other=far)  # the peer's duplicate's link
    loaded = queries.load_neighbourhood([child.pk])
    keys = {
        f"p:{p.pk}": name
        for p, name in [
            (survivor, "survivor"),
            (friend, "friend"),
            (end, "end of chain"),
            (peer, "peer"),
            (far, "far"),
            (merged, "merged"),
            (child_duplicate, "duplicate"),
            (self_loop, "self"),
            (first, "first"),
            (middle, "middle"),
            (peer_duplicate, "peer dup"),
        ]
    }
    reached = {keys[k]: h for k, h in loaded.hops.items() if k in keys}
    assert reached == {"survivor": 1, "friend": 1, "end of chain": 1, "peer": 1, "far": 2}
    assert all(r.person_id != r.other_person_id for r in loaded.rows.values())


def test_a_child_with_no_links_has_a_network_of_one(social_worker, child):
    network = queries.child_network(social_worker, child)
    assert [n["id"] for n in network.graph.nodes] == [f"p:{child.pk}"]
    assert network.signals == []


def at(day, hour):
    return dt.datetime(2025, 3, day, hour, tzinfo=dt.UTC)


def test_signals_are_read_from_associations_flags_chronology_and_plans(
    agencies, social_worker, child, peer, adult
):
    police, csc = agencies["POLICE"], agencies["CSC"]
    today = timezone.localdate()
    # Missing together: the child from the 1st 20:00 to the 2nd 08:00, the peer overlapping.
    event(child, police, "missing_episode", at=at(1, 20))
    event(child, police, "found_after_missing", at=at(2, 8))
    event(peer, police, "missing_episode", at=at(1, 23))
    event(peer, police, "found_after_missing", at=at(2, 2))
    link(child, agency=police, other=peer, started_on=dt.date(2024, 1, 1))
    # An adult of concern, linked today while the child is on a child protection plan.
    flag(police, person=adult, reason="Grooming")
    link(child, agency=police, other=adult)
    factories.StatusPeriodFactory.create(
        person=child,
        kind="child_protection",
        protection_category="neglect",
        started_on=dt.date(2024, 1, 1),
        recorded_by_agency=csc,
    )
    # A tight group of four children (with the child) with exploitation intelligence.
    group = [
        child,
        peer,
        *(factories.PersonFactory.create(date_of_birth=dt.date(2010, 1, 1)) for _ in range(2)),
    ]
    for i, a in enumerate(group):
        for b in group[i + 1 :]:
            if {a, b} != {child, peer}:
                link(a, agency=police, other=b)
    for member in group[1:]:
        event(
            member,
            police,
            "exploitation_intelligence",
            at=dt.datetime.combine(today - dt.timedelta(days=10), dt.time(12), tzinfo=dt.UTC),
        )

    network = queries.child_network(social_worker, child, today=today)
    kinds = sorted(s.kind for s in network.signals)
    assert kinds == sorted(
        [
            SignalKind.ADULT_OF_CONCERN,
            SignalKind.OVERLAPPING_MISSING,
            SignalKind.EXPLOITATION_CLUSTER,
            SignalKind.NEW_ASSOCIATION_ON_PLAN,  # one, listing the 4 links recorded today
        ]
    )
    missing = next(s for s in network.signals if s.kind == SignalKind.OVERLAPPING_MISSING)
    # The social worker may not see the peer (no involvement): named by words only.
    assert missing.summary == (
        "Jamie Testchild and a person not shown to you were missing at the same time on 1 occasion."
    )
    assert "from 1 March 2025 at 8pm to 2 March 2025 at 8am" in missing.evidence[-1]
    cluster = next(s for s in network.signals if s.kind == SignalKind.EXPLOITATION_CLUSTER)
    assert "where 3 children have exploitation intelligence" in cluster.summary
    fresh = next(s for s in network.signals if s.kind == SignalKind.NEW_ASSOCIATION_ON_PLAN)
    assert fresh.summary.startswith("4 new associations were recorded in the last 28 days")
    assert len(fresh.evidence) == 4
    concern = next(s for s in network.signals if s.kind == SignalKind.ADULT_OF_CONCERN)
    assert "Grooming" not in " ".join(concern.evidence)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="covering indexes are PostgreSQL's")
def test_the_adjacency_indexes_carry_withdrawn_at_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('assoc_person_idx', 'assoc_other_person_idx', 'assoc_context_idx')"
        )
        found = dict(cursor.fetchall())
    assert sorted(found) == ["assoc_context_idx", "assoc_other_person_idx", "assoc_person_idx"]
    assert all("INCLUDE (withdrawn_at)" in definition for definition in found.values())
