"""Batch resolution: score all pairs, then cluster under constraints. Pure of Django.

Used by ``sightline link`` (records from the database), ``sightline link-file`` (a file)
and the benchmarks, so all three resolve records the same way.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from sightline.linkage import (
    clustering,
    comparisons,
    engine,
    moves,
    normalising,
    prebirth,
    unique_names,
)
from sightline.linkage.features import (
    IdentityRecord,
    Problems,
    clear_caches,
    features,
    has_identity,
)
from sightline.linkage.gcpause import collector_paused, release_free_memory
from sightline.linkage.rows import FeatureRows, at, column_of


@dataclass(frozen=True)
class ReviewPair:
    left: int
    right: int
    probability: float
    guard: str


@dataclass
class Resolution:
    labels: list[int]
    pairs_scored: int
    auto_links: int
    review: list[ReviewPair] = field(default_factory=list)
    # (unborn, born) pairs joined by the pre-birth rule (``prebirth.link``), not a score.
    prebirth_links: list[tuple[int, int]] = field(default_factory=list)
    # (record, record, reason): two clusters joined after clustering by a rule
    # (``unique_names.REASON``, ``moves.REASON``), one record of each.
    rule_links: list[tuple[int, int, str]] = field(default_factory=list)


def resolve(
    rows: Sequence[Mapping[str, Any]],
    splink_model: dict[str, Any],
    *,
    config: engine.EngineConfig,
    auto_threshold: float,
    review_threshold: float,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    household_guards: bool = True,
    sources: Sequence[str] | None = None,
    table: pa.Table | None = None,
    progress: engine.Progress | None = None,
    agencies: Sequence[str] | None = None,
) -> Resolution:
    """Cluster ``rows`` into persons (``table``: ``engine.to_arrow(rows)``, if made).

    ``sources`` (one per row) links deduplicated sources one to one: only pairs of
    records from different sources are scored, and no person holds two records of one
    source (best link first). Without it, all records are deduplicated together.
    ``agencies`` (one per row, when known): the agency that holds each record, read by
    the unique-name rule (``unique_names``); unlike ``sources``, an agency may hold
    duplicates.

    Linked automatically: unguarded pairs at or above ``auto_threshold``; and an unborn
    record to the one born child of its household that fits its expected date
    (``prebirth.link``: a rule, never a score). Put forward for review, when they ended up
    in different clusters: unguarded pairs at or above ``review_threshold``, guarded
    pairs at or above ``auto_threshold``, and an unborn record with each born child when
    two or more fit. ``household_guards=False`` turns off the twins/siblings/namesakes
    guard and the pre-birth rule: only for benchmark data that has no households (FEBRL),
    never for Sightline's own records.
    """
    say = progress or (lambda _message: None)
    must_link = list(must_link)
    pairs = engine.score_all(
        rows,
        splink_model,
        config=config,
        threshold=review_threshold,
        sources=sources,
        joined=must_link,
        table=table,
        progress=progress,
        household_guards=household_guards,
    )
    say(f"clustering {len(pairs):,} scored pairs")
    edges = []
    decided = list(cannot_link)
    held_apart: list[tuple[int, int]] = []
    given1 = column_of(rows, "given1")
    unborn = column_of(rows, "unborn") if household_guards else [None] * len(rows)
    if household_guards:
        counts = comparisons.given_name_counts(rows)
        common = comparisons.common_given_names(rows, counts=counts)
        # The guard reads whole rows only for pairs of two different common names.
        maybe = [
            index
            for index in range(len(pairs))
            if not pairs.guarded[index]
            and (a := given1[pairs.left[index]]) != (b := given1[pairs.right[index]])
            and a in common
            and b in common
        ]
        found = at(rows, (i for index in maybe for i in (pairs.left[index], pairs.right[index])))
        for index in maybe:
            if comparisons.common_names_guard(
                found[pairs.left[index]], found[pairs.right[index]], common, counts
            ):
                pairs.guarded[index] = True
        del found
    possible = []
    for index in range(len(pairs)):
        left, right = pairs.left[index], pairs.right[index]
        if household_guards and pairs.guarded[index]:
            # An unborn record's pairs are all guarded: never linked on a score, but not
            # held apart either (it joins its child by the pre-birth rule, and a
            # practitioner's confirmed link must not keep the child's records out).
            if not (unborn[left] or unborn[right]):
                held_apart.append((left, right))
        elif pairs.probability[index] >= auto_threshold:
            edges.append(clustering.Edge(left, right, pairs.weight[index]))
        elif pairs.probability[index] >= review_threshold:
            possible.append(clustering.Edge(left, right, pairs.weight[index]))
    nhs = column_of(rows, "nhs")
    held_apart = clustering.overruled_by_number(held_apart, edges, nhs)
    apart = decided + held_apart

    dates = column_of(rows, "dob")
    # An expected date is not a date of birth: the pre-birth rule reads it.
    born_dates = [None if u else d for u, d in zip(unborn, dates, strict=True)]
    weak: set[int] = set()
    if household_guards:
        weak = {
            index
            for index, (given, dob) in enumerate(zip(given1, dates, strict=True))
            if dob is None or not given or len(given) <= comparisons.INITIAL_LENGTH
        }
        ambiguous = clustering.ambiguous_records(
            edges, nhs=nhs, cannot_link=apart, weak=weak, possible=possible
        )
        edges = [e for e in edges if e.left not in ambiguous and e.right not in ambiguous]
        # The same on the persons the other records make (dates of birth, NHS numbers
        # and guarded pairs read on whole clusters, not on the two records linked).
        ambiguous = clustering.fits_two_persons(
            len(rows),
            edges,
            weak=weak,
            nhs=nhs,
            cannot_link=apart,
            must_link=must_link,
            one_per_source=sources,
            dates=dates,
        )
        edges = [e for e in edges if e.left not in ambiguous and e.right not in ambiguous]
    say("ambiguous records found; clustering")
    labels = clustering.cluster(
        len(rows),
        edges,
        nhs=nhs,
        cannot_link=apart,
        must_link=must_link,
        one_per_source=sources,
        dates=born_dates if household_guards else None,
        weak=weak,
    )
    say("clustered; unique names, household addresses and pre-birth links")
    rule_links: list[tuple[int, int, str]] = []
    if household_guards and sources is None:
        joined = unique_names.join_by_unique_name(
            rows,
            labels,
            pairs.between(labels, review_threshold),
            cannot_link=apart,
            agencies=agencies,
        )
        rule_links += joins(labels, joined, unique_names.REASON)
        labels = joined
        joined = moves.join_at_household_address(
            rows,
            labels,
            pairs.between(labels, review_threshold),
            cannot_link=apart,
        )
        rule_links += joins(labels, joined, moves.REASON)
        labels = joined
    outcome = prebirth.Outcome(labels=labels)
    if household_guards:
        outcome = prebirth.link(
            rows, labels, cannot_link=decided, held_apart=held_apart, sources=sources
        )
        labels = outcome.labels
    say("review pairs")
    review: list[ReviewPair] = []
    reasons: list[int] = []
    for index in range(len(pairs)):
        left, right = pairs.left[index], pairs.right[index]
        probability = pairs.probability[index]
        if labels[left] == labels[right]:
            continue
        guarded = household_guards and pairs.guarded[index]
        # A guarded pair is put to a person only when the model alone would have linked it.
        if probability >= (auto_threshold if guarded else review_threshold):
            if guarded:
                reasons.append(len(review))
            review.append(ReviewPair(left, right, probability, ""))
    if reasons:
        found = at(rows, (i for n in reasons for i in (review[n].left, review[n].right)))
        for n in reasons:
            pair = review[n]
            guard = _guard_reason(found[pair.left], found[pair.right])
            review[n] = ReviewPair(pair.left, pair.right, pair.probability, guard)
        del found
    say("review pairs found; pre-birth proposals")
    if outcome.review:
        review = _with_prebirth(review, outcome.review, labels, pairs, review_threshold)
    return Resolution(
        labels=labels,
        pairs_scored=len(pairs),
        auto_links=len(edges),
        review=review,
        prebirth_links=outcome.links,
        rule_links=rule_links,
    )


def joins(before: Sequence[int], after: Sequence[int], reason: str) -> list[tuple[int, int, str]]:
    """The clusters of ``before`` that ``after`` joins to another, each as a pair of
    records (one of the cluster it joined, one of its own) with ``reason``.

    Cluster numbers are a member's position (as ``clustering.cluster`` numbers them, and
    the rules keep): a record whose number changed is in a joined cluster, its old number
    is a record of that cluster, and its new one a record of the cluster it joined."""
    old = np.asarray(before, dtype=np.int64)
    new = np.asarray(after, dtype=np.int64)
    changed = np.flatnonzero(old != new)
    if not changed.size:
        return []
    found = np.unique(np.stack([new[changed], old[changed]], axis=1), axis=0)
    return [(int(a), int(b), reason) for a, b in found.tolist()]


def cannot_tell_apart(row: Mapping[str, Any]) -> bool:
    """A record that cannot tell two guarded records apart by itself: no date of birth,
    no given name, or only an initial (two relatives, or twins, fit it alike)."""
    given = row["given1"]
    return row["dob"] is None or not given or len(given) <= comparisons.INITIAL_LENGTH


def _with_prebirth(
    review: list[ReviewPair],
    proposed: Sequence[tuple[int, int, str]],
    labels: Sequence[int],
    pairs: engine.ScoredPairs,
    review_threshold: float,
) -> list[ReviewPair]:
    """``review`` with the pre-birth rule's pairs (``prebirth.link``): an unborn record
    with each born child it was put to review with, one pair per child, in place of the
    model's pairs between the unborn record and that child's records."""
    children: dict[int, set[int]] = {}
    for unborn, born, _reason in proposed:
        children.setdefault(unborn, set()).add(labels[born])

    def replaced(left: int, right: int) -> bool:
        return labels[right] in children.get(left, ()) or labels[left] in children.get(right, ())

    kept = [p for p in review if not replaced(p.left, p.right)]
    wanted = {(min(u, b), max(u, b)) for u, b, _reason in proposed}
    scored = {
        (pairs.left[i], pairs.right[i]): pairs.probability[i]
        for i in range(len(pairs))
        if (pairs.left[i], pairs.right[i]) in wanted  # left < right
    }
    for unborn, born, reason in proposed:
        pair = (min(unborn, born), max(unborn, born))
        # Not scored above the review threshold by the model (a name, a sex missing):
        # proposed at the threshold, as a rule found it, not the model.
        probability = max(scored.get(pair, 0.0), review_threshold)
        kept.append(ReviewPair(pair[0], pair[1], probability, reason))
    return kept


def _guard_reason(left: Mapping[str, Any], right: Mapping[str, Any]) -> str:
    """The guard's wording for a pair (recomputed in Python for the review pairs)."""
    return comparisons.guard_of(left, right) or comparisons.COMMON_NAMES_GUARD


@dataclass
class RecordsResolution:
    """A person label for every input record, in input order, and what was dropped."""

    labels: list[int]
    problems: Problems
    resolution: Resolution
    # Input positions of rows with nothing to match on (each is its own person).
    unmatchable: list[int]


@collector_paused()
def matchable_rows(
    identities: Sequence[IdentityRecord], problems: Problems
) -> tuple[list[dict[str, Any]], list[int], list[int]]:
    """Feature rows for the records that can be matched, their input positions, and the
    positions of those that cannot (no name, date of birth or valid NHS number)."""
    rows: list[dict[str, Any]] = []
    positions: list[int] = []
    unmatchable: list[int] = []
    for position, identity in enumerate(identities):
        if not has_identity(identity):
            features(identity, -1, problems)  # counts its invalid values all the same
            unmatchable.append(position)
            continue
        rows.append(features(identity, len(rows), problems))
        positions.append(position)
    problems.unmatchable = len(unmatchable)
    return rows, positions, unmatchable


@dataclass
class Prepared:
    """Records normalised once, for training and linking in one run: the feature rows
    held once, as the Arrow table (``rows`` reads it)."""

    rows: FeatureRows
    positions: list[int]
    unmatchable: list[int]
    problems: Problems

    @property
    def table(self) -> pa.Table:
        return self.rows.table


@collector_paused()
def prepare(identities: Iterable[IdentityRecord]) -> Prepared:
    """The feature rows of the records that can be matched, as one Arrow table, their
    input positions, and the positions of those that cannot (as ``matchable_rows``;
    ``normalising.normalise``). ``engine.train(prepared.rows)`` and
    ``resolve_identities(..., prepared=prepared)`` then share them."""
    records = identities if isinstance(identities, Sequence) else list(identities)
    normalised = normalising.normalise(records)
    # The normalisation caches hold the columns of every distinct value seen.
    clear_caches()
    release_free_memory()
    return Prepared(
        FeatureRows(normalised.table),
        normalised.positions,
        normalised.unmatchable,
        normalised.problems,
    )


@collector_paused()
def resolve_identities(
    identities: Sequence[IdentityRecord],
    splink_model: dict[str, Any],
    *,
    config: engine.EngineConfig,
    auto_threshold: float,
    review_threshold: float,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    household_guards: bool = True,
    sources: Sequence[str] | None = None,
    prepared: Prepared | None = None,
    progress: engine.Progress | None = None,
    agencies: Sequence[str] | None = None,
) -> RecordsResolution:
    """``resolve`` for records as submitted; constraints, sources and results by input
    position.

    Rows that cannot be matched are not dropped: each becomes a person of its own and is
    listed in ``unmatchable``. ``prepared``: ``prepare(identities)``, when already made.
    """
    if sources is not None and len(sources) != len(identities):
        raise ValueError("one source per record")
    if agencies is not None and len(agencies) != len(identities):
        raise ValueError("one agency per record")
    prepared = prepared or prepare(identities)
    rows, positions, unmatchable = prepared.rows, prepared.positions, prepared.unmatchable
    problems = prepared.problems
    index_of = {position: index for index, position in enumerate(positions)}

    def translate(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        return [(index_of[a], index_of[b]) for a, b in pairs if a in index_of and b in index_of]

    resolution = resolve(
        rows,
        splink_model,
        config=config,
        auto_threshold=auto_threshold,
        review_threshold=review_threshold,
        must_link=translate(must_link),
        cannot_link=translate(cannot_link),
        household_guards=household_guards,
        sources=[sources[position] for position in positions] if sources is not None else None,
        table=prepared.table,
        progress=progress,
        agencies=[agencies[position] for position in positions] if agencies is not None else None,
    )
    labels = list(range(len(identities)))
    for index, position in enumerate(positions):
        labels[position] = positions[resolution.labels[index]]
    resolution.review = [
        ReviewPair(positions[p.left], positions[p.right], p.probability, p.guard)
        for p in resolution.review
    ]
    resolution.prebirth_links = [(positions[u], positions[b]) for u, b in resolution.prebirth_links]
    resolution.rule_links = [
        (positions[a], positions[b], reason) for a, b, reason in resolution.rule_links
    ]
    return RecordsResolution(
        labels=labels, problems=problems, resolution=resolution, unmatchable=unmatchable
    )
