import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sightline.linkage import clustering, components
from sightline.linkage.clustering import Edge


def _problem(seed: int, size: int) -> dict[str, object]:
    """Random links among ``size`` records, with twins kept apart, a few NHS numbers
    (some clashing), confirmed pairs and, in one of two problems, sources."""
    rng = random.Random(seed)
    edges = [
        Edge(a, b, rng.choice([5.0, 10.0, 12.5, rng.uniform(0, 30)]))
        for a, b in (sorted(rng.sample(range(size), 2)) for _ in range(rng.randint(0, 2 * size)))
    ]
    nhs = [
        rng.choice([None, None, None, "9990000018", "9990000026", "9990000034"])
        for _ in range(size)
    ]
    cannot = [tuple(sorted(rng.sample(range(size), 2))) for _ in range(rng.randint(0, size // 3))]
    must = [tuple(sorted(rng.sample(range(size), 2))) for _ in range(rng.randint(0, 2))]
    sources = [rng.choice("ABC") for _ in range(size)] if seed % 2 else None
    # Dates of birth: missing, one date, that date mistyped, and a date years apart.
    dates = (
        [
            rng.choice([None, None, "2015-03-04", "2015-04-03", "2015-03-05", "2019-08-01"])
            for _ in range(size)
        ]
        if seed % 3
        else None
    )
    return {
        "edges": edges,
        "nhs": nhs,
        "cannot_link": cannot,
        "must_link": must,
        "one_per_source": sources,
        "dates": dates,
    }


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), size=st.integers(2, 60))
def test_it_clusters_in_parts_exactly_as_strongest_first_on_everything(
    seed: int, size: int
) -> None:
    problem = _problem(seed, size)
    whole = clustering._strongest_first(
        size,
        problem["edges"],  # type: ignore[arg-type]
        problem["nhs"],  # type: ignore[arg-type]
        problem["cannot_link"],  # type: ignore[arg-type]
        problem["must_link"],  # type: ignore[arg-type]
        problem["one_per_source"],  # type: ignore[arg-type]
        problem["dates"],  # type: ignore[arg-type]
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clustering, "SPLIT_AT", 0)
        parts = clustering.cluster(size, **problem)  # type: ignore[arg-type]
    assert parts == whole


def test_it_leaves_to_strongest_first_only_components_with_a_conflict() -> None:
    # 0-1-2 hold twins 0 and 2; 3-4 clash on NHS numbers; 5-6 share a source; 7-8 are free.
    pairs = [(0, 1), (1, 2), (3, 4), (5, 6), (7, 8)]
    labels, hard = components.split(
        10,
        pairs,
        nhs=[None, None, None, "9990000018", "9990000026", None, None, "1", "1", None],
        cannot_link=[(0, 2), (7, 9)],
        one_per_source=["A", "B", "C", "A", "B", "S", "S", "A", "B", "C"],
    )
    assert hard == [0, 1, 2, 3, 4, 5, 6]
    assert labels[7:] == [7, 7, 9]


def test_a_large_batch_keeps_twins_apart_through_a_chain() -> None:
    size = clustering.SPLIT_AT + 10
    edges = [Edge(i, i + 1, 20.0) for i in range(0, size - 1, 2)]  # pairs 0-1, 2-3, ...
    # Twins 0 and 2 both link to the nameless record 1 (the weaker link loses).
    edges += [Edge(1, 2, 19.0)]
    labels = clustering.cluster(size, edges, cannot_link=[(0, 2)])
    assert labels[:4] == [0, 0, 2, 2]
    assert labels[size - 2] == labels[size - 1] == size - 2


def test_a_component_with_two_dates_of_birth_apart_is_left_to_strongest_first() -> None:
    # 0-1-2: two dates years apart (two children) through an undated record; 3-4: one
    # date and its day/month swap (one child).
    pairs = [(0, 1), (1, 2), (3, 4)]
    dates = ["2020-06-09", None, "2023-12-30", "2015-03-04", "2015-04-03"]
    labels, hard = components.split(
        5, pairs, nhs=None, cannot_link=[], one_per_source=None, dates=dates
    )
    assert hard == [0, 1, 2]
    assert labels[3:] == [3, 3]
