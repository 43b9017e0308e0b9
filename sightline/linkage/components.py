"""Constrained clustering of a million records in parts: exact, and fast. Pure.

``clustering.cluster`` joins linked pairs strongest first, refusing a join that would put
together two different NHS numbers, a pair that must stay apart, or (one-to-one linkage)
two records of one source. In Python that is about a microsecond-heavy loop per link: at
1,000,000 records (a million links) it dominated the clustering stage.

Most records never meet a constraint. Split the links into connected components (scipy,
in C): a component holding no conflict (no pair that must stay apart, at most one
distinct NHS number, no source twice) is joined whole by the strongest-first algorithm
too, since every join inside it is allowed, whatever the order. Only the components
with a conflict are handed to the strongest-first algorithm, which never joins across
components. So the result is the same as the algorithm run on everything (a test
compares the two on random problems), with the Python loop on a small part.
"""

from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

from sightline.linkage.comparisons import dates_apart


def component_labels(size: int, pairs: Sequence[tuple[int, int]] | np.ndarray) -> np.ndarray:
    """The connected component of each of ``size`` records, joined by ``pairs`` (or an
    array of them, one row a pair)."""
    if len(pairs) == 0:
        return np.arange(size, dtype=np.int64)
    ends = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    graph = coo_matrix(
        (np.ones(len(ends), dtype=np.int8), (ends[:, 0], ends[:, 1])), shape=(size, size)
    )
    _count, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def conflicted(
    component: np.ndarray,
    *,
    nhs: Sequence[str | None] | None,
    cannot_link: Sequence[tuple[int, int]],
    one_per_source: Sequence[str] | None,
    dates: Sequence[str | None] | None = None,
) -> set[int]:
    """The components holding a conflict: a pair that must stay apart, two different NHS
    numbers, one source twice, or two dates of birth apart (``comparisons.dates_apart``)."""
    found: set[int] = set()
    labels = component.tolist()
    for a, b in cannot_link:
        if labels[a] == labels[b]:
            found.add(labels[a])
    # A record alone in its component holds no conflict: only the others are read.
    shared = np.flatnonzero(np.bincount(component)[component] > 1).tolist()
    if nhs is not None:
        number_of: dict[int, str] = {}
        for record in shared:
            label, number = labels[record], nhs[record]
            if number and number_of.setdefault(label, number) != number:
                found.add(label)
    if dates is not None:
        dates_of: dict[int, set[str]] = {}
        for record in shared:
            label, date = labels[record], dates[record]
            if date:
                dates_of.setdefault(label, set()).add(date)
        for label, found_dates in dates_of.items():
            if len(found_dates) > 1 and label not in found:
                ordered = sorted(found_dates)
                if any(dates_apart(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]):
                    found.add(label)
    if one_per_source is not None:
        seen: set[tuple[int, str]] = set()
        for label, source in zip(labels, one_per_source, strict=True):
            if (label, source) in seen:
                found.add(label)
            seen.add((label, source))
    return found


def split(
    size: int,
    pairs: Sequence[tuple[int, int]],
    *,
    nhs: Sequence[str | None] | None,
    cannot_link: Sequence[tuple[int, int]],
    one_per_source: Sequence[str] | None,
    dates: Sequence[str | None] | None = None,
) -> tuple[list[int], list[int]]:
    """(labels, hard): every record labelled with its component's smallest index (the
    cluster it joins when its component is joined whole), and the records, in order, of
    the components with a conflict, whose labels the caller must work out."""
    component = component_labels(size, pairs)
    hard = conflicted(
        component, nhs=nhs, cannot_link=cannot_link, one_per_source=one_per_source, dates=dates
    )
    smallest = np.full(size, size, dtype=np.int64)
    np.minimum.at(smallest, component, np.arange(size, dtype=np.int64))
    labels: list[int] = smallest[component].tolist()
    if not hard:
        return labels, []
    members = [index for index, label in enumerate(component.tolist()) if label in hard]
    return labels, members
