"""How likely two records are to match before any field is compared (the prior), and the
probability of a match when deduplicated sources are linked one to one. Pure: no
Django, no Splink, no database.

Three estimates, each from the data rather than an assumption:

- ``rule_recall``: training counts the pairs the deterministic ``PRIOR_RULES`` find and
  divides by their recall (the share of all matches they find). That recall used to be
  assumed (0.8); it follows from the trained model: a rule holds for a matching pair
  when every field it names is present on both records and agrees at the levels the
  rule implies, with probability (share present)² times m for each field. On FEBRL4 the
  rules find 37% of matches, not 80%, and the assumed value halved the prior.
- ``self_consistent_prior``: with m and u fixed, the share of pairs that match is the
  expected number of matches among the scored pairs (the sum of their posteriors) over
  all pairs; that expectation depends on the share itself, so it is iterated to a fixed
  point (expectation maximisation on the prior alone). Unscored pairs are taken as
  non-matches. Used when linking sources one to one, bounded by the most matches there
  can be (each person at most once in each source).
- ``one_to_one_per_record`` (household guards on, Sightline's data): in one-to-one
  linkage a record of source A has *at most one* match in source B, with probability π
  (matches over A's size). The probability that record b is a's match is then
  λ·BF(a,b) / ((1 - π) + λ·Σ_b' BF(a,b')), λ = π / |B|, the sum over every candidate b'
  of B for a (Bayes' rule over "a's match is b', or a has none"). Taken from both ends
  (a's candidates in B, b's in A), the smaller.
- ``one_to_one`` (household guards off, data without households such as FEBRL4): a
  record of source A has *at most one* match in source B, and a record of B at most one
  in A. The probability that a and b are one
  person is then their share of all the ways the candidate pairs around them can be
  matched one to one (a partial matching: no record twice towards one other source):
  a matching weighs the product, over its pairs, of λ·BF(a,b) / ((1 - π_a)(1 - π_b)),
  λ the share of cross-source pairs that match, BF the model's Bayes factor, π_a the
  share of a's source with a match in b's (so 1 - π_a the chance a has none), against
  every record unmatched (weight 1). Worked out exactly on each connected group of
  candidate pairs (``MOST_STEPS``), it reads both ends at once: a lone pair whose two
  records have no other candidate is a match unless *both* lack one, (1 - π)² rather
  than 1 - π when nearly every record has a match; a rival candidate counts as much as
  its own evidence and the chance that its other end is free. The probabilities of one
  record's pairs add up to at most 1. A group too tangled to count exactly (many
  records in one postcode, all blocked against each other) is read by belief
  propagation, exact when the group has no cycle.
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from sightline.linkage import components

Floats = npt.NDArray[np.float64]

# ``comparisons.PRIOR_RULES`` as comparison levels: a matching pair satisfies the rule
# when it falls in one of these levels of every comparison named (``test_priors`` checks
# the two against each other).
PRIOR_RULE_LEVELS: tuple[Mapping[str, tuple[str, ...]], ...] = (
    {"nhs_number": ("exact",)},
    {
        "given_name": ("exact", "first"),
        "family_name": ("exact",),
        "date_of_birth": ("exact",),
    },
)
# The feature column whose absence puts a pair in the comparison's null level.
PRESENCE_COLUMNS: Mapping[str, str] = {
    "nhs_number": "nhs",
    "given_name": "given1",
    "family_name": "family",
    "date_of_birth": "dob",
}
# What training assumed before the recall was estimated; the prior Splink estimates with
# it is rescaled by ``ASSUMED_RECALL / rule_recall``.
ASSUMED_RECALL = 0.8
# Below this the rules find too few matches for their count to say much; the recall is
# not taken lower (the prior not higher than ten times the rules' count).
LEAST_RECALL = 0.1


def rule_recall(model: Mapping[str, Any], present: Mapping[str, float]) -> float:
    """The share of matching pairs the prior rules find, given the trained m
    probabilities and the share of records with each field present (``present``, by
    comparison name). Fields independent given a match, as the model assumes; the rules'
    union as one minus the product of each rule's miss."""
    m_by_level = {
        comparison["output_column_name"]: {
            level.get("label_for_charts"): level.get("m_probability") or 0.0
            for level in comparison["comparison_levels"]
        }
        for comparison in model["comparisons"]
    }
    missed = 1.0
    for rule in PRIOR_RULE_LEVELS:
        found = 1.0
        for name, levels in rule.items():
            share = present[name]
            found *= share * share * sum(m_by_level[name].get(level, 0.0) for level in levels)
        missed *= 1.0 - found
    return min(1.0, max(LEAST_RECALL, 1.0 - missed))


def rescaled_prior(prior: float, recall: float) -> float:
    """Splink's prior estimated with ``ASSUMED_RECALL``, made the one for ``recall``."""
    return min(0.5, prior * ASSUMED_RECALL / recall)


def log_odds(probability: float) -> float:
    return math.log2(probability / (1.0 - probability))


def _posteriors(prior: float, factors: Floats) -> Floats:
    """Pairwise match probabilities for log2 Bayes factors ``factors``."""
    result: Floats = 1.0 / (1.0 + np.exp2(-(factors + log_odds(prior))))
    return result


def self_consistent_prior(
    factors: Floats,
    pairs: float,
    *,
    start: float,
    most: float = 0.5,
    tolerance: float = 1e-9,
    rounds: int = 200,
) -> float:
    """The share λ of ``pairs`` (all candidate pairs, scored or not) that match, given
    the log2 Bayes factors of the scored ones: λ = Σ posterior(λ) / pairs, iterated from
    ``start`` to a fixed point, at most ``most``."""
    if pairs <= 0 or len(factors) == 0:
        return min(start, most)
    ceiling = min(most, 0.5)
    prior = min(max(start, 1e-300), ceiling)
    for _ in range(rounds):
        updated = min(float(_posteriors(prior, factors).sum()) / pairs, ceiling)
        updated = max(updated, 1e-300)
        if abs(updated - prior) <= tolerance * prior:
            return updated
        prior = updated
    return prior


def most_matches(sources: Sequence[str]) -> int:
    """The most matching cross-source pairs there can be when each source holds each
    person at most once: the smaller source's size, for every two sources."""
    sizes = sorted(_sizes(sources).values())
    return sum(sizes[i] * (len(sizes) - 1 - i) for i in range(len(sizes)))


def across_pairs(sources: Sequence[str]) -> int:
    """Pairs of records from different sources."""
    sizes = list(_sizes(sources).values())
    total = sum(sizes)
    return (total * total - sum(n * n for n in sizes)) // 2


def source_pair_priors(
    left_sources: Sequence[str],
    right_sources: Sequence[str],
    factors: Floats,
    sources: Sequence[str],
    *,
    start: float,
) -> dict[tuple[str, str], float]:
    """The share of pairs that match between each two sources (names in order), each at
    its own fixed point (``self_consistent_prior``) on the scored pairs between them
    (``left_sources[i]``, ``right_sources[i]``: the sources of pair i, log2 Bayes factor
    ``factors[i]``), at most the smaller source's size over their pairs. Sources of very
    different sizes share very different parts of their people (a housing register and
    the health register): one share for all would have every record of the smaller
    source matched in the larger."""
    sizes = _sizes(sources)
    names = sorted(sizes)
    keys = np.array(
        [min(a, b) + "\0" + max(a, b) for a, b in zip(left_sources, right_sources, strict=True)]
    )
    result: dict[tuple[str, str], float] = {}
    for index, first in enumerate(names):
        for second in names[index + 1 :]:
            pairs = sizes[first] * sizes[second]
            found = factors[keys == first + "\0" + second] if len(keys) else factors[:0]
            result[(first, second)] = self_consistent_prior(
                found, pairs, start=start, most=min(sizes[first], sizes[second]) / pairs
            )
    return result


def _sizes(sources: Sequence[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for source in sources:
        sizes[source] = sizes.get(source, 0) + 1
    return sizes


# A pair whose weight in a matching is below 2**NEGLIGIBLE moves no other pair's
# probability by more than that share of it: it is left out of the exact count, and its
# odds are its own weight (an upper bound: a pair's odds never exceed its weight).
NEGLIGIBLE = -40.0
# The exact count of a group of pairs stops after this many distinct sub-groups (or
# beyond ``MOST_PAIRS`` pairs) and the group is read by belief propagation instead. On
# FEBRL4 (8,470 blocked pairs, 743 groups of two or more) 29 groups of 25 to 140 pairs
# are; with 20,000 steps 14 would be, and no probability above 0.01 would change by more
# than 1e-13 bits (odds below 2**20), for four times the time (1.6 s, not 0.44 s).
MOST_STEPS = 2_000
MOST_PAIRS = 200
# Rounds of belief propagation at most, for a group too tangled to count exactly.
PROPAGATION_ROUNDS = 500


class _TooTangledError(Exception):
    """A group of pairs too tangled to count exactly in ``MOST_STEPS``."""


def _log2_sum(x: float, y: float) -> float:
    high, low = (x, y) if x >= y else (y, x)
    return high + math.log2(1.0 + 2.0 ** (low - high))


def _group_odds(ends: Sequence[tuple[int, int]], weights: Sequence[float]) -> list[float]:
    """The exact log2 odds of each pair of one group (pairs by their two ends, a record
    towards one other source; log2 weight of each in a matching): the partial matchings
    using no end twice, each weighing 2**(sum of its pairs' weights); a pair's odds are
    those holding it against those not. Raises ``_TooTangledError`` past ``MOST_STEPS``.

    The total weight of a set of pairs is the product of its connected parts'; within one
    part, take the end with the most pairs: none of them, or exactly one of them (each
    time without the pairs sharing an end with it). Sets are bit sets, remembered."""
    if len(weights) > MOST_PAIRS:
        raise _TooTangledError
    by_end: dict[int, int] = {}
    for index, (a, b) in enumerate(ends):
        for end in (a, b):
            by_end[end] = by_end.get(end, 0) | (1 << index)
    end_sets = list(by_end.values())
    # Each pair with every pair sharing one of its ends (itself included), as bit sets.
    touching = [by_end[a] | by_end[b] for a, b in ends]
    memo: dict[int, float] = {0: 0.0}

    def members(pairs: int) -> list[int]:
        found = []
        while pairs:
            low = pairs & -pairs
            found.append(low.bit_length() - 1)
            pairs ^= low
        return found

    def part_of(pairs: int) -> int:
        """The connected part of ``pairs`` holding its first pair."""
        part = pairs & -pairs
        frontier = part
        while frontier:
            reached = 0
            for index in members(frontier):
                reached |= touching[index]
            frontier = reached & pairs & ~part
            part |= frontier
        return part

    def log_z(pairs: int) -> float:
        """log2 of the total weight of the partial matchings of the set ``pairs``."""
        found = memo.get(pairs)
        if found is not None:
            return found
        if len(memo) > MOST_STEPS:
            raise _TooTangledError
        part = part_of(pairs)
        if part != pairs:
            value = log_z(part) + log_z(pairs & ~part)
        else:
            busiest = max(end_sets, key=lambda end: (end & pairs).bit_count()) & pairs
            value = log_z(pairs & ~busiest)
            for index in members(busiest):
                value = _log2_sum(value, weights[index] + log_z(pairs & ~touching[index]))
        memo[pairs] = value
        return value

    every = (1 << len(weights)) - 1
    return [
        weights[index] + log_z(every & ~touching[index]) - log_z(every & ~(1 << index))
        for index in range(len(weights))
    ]


def _propagated_odds(
    ends: npt.NDArray[np.int64], weights: Floats, *, damped: bool = True
) -> Floats:
    """log2 odds of each pair of groups without a cycle (exact), or approximate ones of
    a group too tangled to count exactly (pairs by their two ends, ``ends`` an array of
    shape (2, pairs), dense from 0): belief propagation on the partial matchings
    (sum-product). Each pair tells each of its ends how strongly it claims it: its
    weight times the chance its other end is free of every other claim. A pair's odds
    are its weight times the chance that both its ends are free of the others' claims:
    2**w / ((1 + claims at a) (1 + claims at b)), never more than its weight. Without a
    cycle the claims settle, undamped, within as many rounds as the longest path."""
    terms = np.exp2(np.clip(weights, -500.0, 500.0))
    count = int(ends.max()) + 1
    claims = np.zeros((2, len(weights)))  # claims[k]: each pair's claim on its end k

    # Every claim by its end, whichever side of its pair the end is on (a record is the
    # left of one pair and the right of another).
    at = np.concatenate([ends[0], ends[1]])
    mine = np.arange(2 * len(weights))

    def others_at_both() -> tuple[Floats, Floats]:
        """The other pairs' claims on each pair's two ends, summed without taking a large
        claim away from a sum it dominates (no cancellation)."""
        claim = np.concatenate([claims[0], claims[1]])
        top = np.full(count, -1.0)
        np.maximum.at(top, at, claim)
        # One claim per end holds its top; every other claim is summed apart.
        holder = np.full(count, -1, dtype=np.int64)
        is_top = claim == top[at]
        holder[at[is_top]] = mine[is_top]
        holds = holder[at] == mine
        rest = np.bincount(at, weights=np.where(holds, 0.0, claim), minlength=count)
        result = np.where(holds, rest[at], np.maximum(top[at], 0.0) + rest[at] - claim)
        return result[: len(weights)], result[len(weights) :]

    for _ in range(PROPAGATION_ROUNDS):
        at_left, at_right = others_at_both()
        updated = np.stack([terms / (1.0 + at_right), terms / (1.0 + at_left)])
        # Damped in log space, so a group with cycles settles rather than swings.
        if damped and claims.any():
            updated = np.sqrt(updated * claims)
        settled = np.allclose(updated, claims, rtol=1e-12, atol=0.0)
        claims = updated
        if settled:
            break
    at_left, at_right = others_at_both()
    result: Floats = (
        np.clip(weights, -500.0, 500.0) - np.log2(1.0 + at_left) - np.log2(1.0 + at_right)
    )
    return result


def _sources_coded(
    sources: Sequence[str],
) -> tuple[list[str], dict[str, int], npt.NDArray[np.int64], Floats]:
    """The sources' names in order, each name's number, each record's source number,
    and each source's record count."""
    names = sorted(set(sources))
    code = {name: index for index, name in enumerate(names)}
    source_of = np.array([code[source] for source in sources], dtype=np.int64)
    counts = np.bincount(source_of, minlength=len(names)).astype(np.float64)
    return names, code, source_of, counts


def one_to_one_per_record(
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    factors: Floats,
    sources: Sequence[str],
    prior: float,
) -> Floats:
    """For each scored pair (records ``left[i]``, ``right[i]`` of different sources,
    log2 Bayes factor ``factors[i]``), the log2 odds that the two are one person when
    every source holds each person at most once, with ``prior`` the share of
    cross-source pairs that match, each record's candidates read on their own: the
    probability that the pair is the record's one match among its candidates or none,
    taken from both ends, the smaller (see the module doc). Every candidate of a record
    in the other source must be among the pairs: those left out count as no evidence.

    The reading for Sightline's data (household guards on): a lone candidate is a
    record's match unless that record has none (1 - π), never more certain than either
    end alone. ``one_to_one`` reads both ends at once ((1 - π)², unless *both* have
    none), which assumes each record's match, if any, is among its candidates: false
    where namesakes share a household and the true match was never blocked, so only for
    data without households (FEBRL)."""
    if len(factors) == 0:
        return np.zeros(0)
    names, _code, source_of, counts = _sources_coded(sources)
    # λ·BF for every pair (log2 weights beyond ±1000 do not occur; clipped so 2**x stays
    # finite).
    log_terms = np.clip(factors + math.log2(prior), -1000.0, 1000.0)
    terms = np.exp2(log_terms)

    def end(record: npt.NDArray[np.int64], other: npt.NDArray[np.int64]) -> Floats:
        """log2 odds from ``record``'s end: its candidates in ``other``'s source."""
        own, theirs = source_of[record], source_of[other]
        # 1 - π: π the expected matches between the two sources over the record's
        # source size, at most every record matched and never quite 1.
        size, other_size = counts[own], counts[theirs]
        matches = np.minimum(prior * size * other_size, np.minimum(size, other_size))
        no_match = np.maximum(1.0 - matches / size, 1.0 / (size + 1.0))
        _, inverse = np.unique(record * len(names) + theirs, return_inverse=True)
        others = np.maximum(np.bincount(inverse, weights=terms)[inverse] - terms, 0.0)
        result: Floats = log_terms - np.log2(no_match + others)
        return result

    return np.minimum(end(left, right), end(right, left))


def one_to_one(
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    factors: Floats,
    sources: Sequence[str],
    prior: float | Mapping[tuple[str, str], float],
) -> Floats:
    """For each scored pair (records ``left[i]``, ``right[i]`` of different sources,
    log2 Bayes factor ``factors[i]``), the log2 odds that the two are one person when
    every source holds each person at most once, with ``prior`` the share of
    cross-source pairs that match (one for all, or one per two sources, by their names
    in order: ``source_pair_priors``): both ends read at once, exactly, over the partial
    matchings of the pair's group (see the module doc). Every candidate of a record in
    the other source must be among the pairs: those left out count as no evidence."""
    if len(factors) == 0:
        return np.zeros(0)
    names, code, source_of, counts = _sources_coded(sources)
    own_left, own_right = source_of[left], source_of[right]
    shares = np.full((len(names), len(names)), prior if isinstance(prior, float) else 0.0)
    if not isinstance(prior, float):
        for (first, second), share in prior.items():
            if first in code and second in code:
                shares[code[first], code[second]] = shares[code[second], code[first]] = share
    share_of = shares[own_left, own_right]

    def log2_none(own: npt.NDArray[np.int64], theirs: npt.NDArray[np.int64]) -> Floats:
        """log2 (1 - π): the chance a record of ``own`` has no match in ``theirs``, π the
        expected matches between the two sources over the record's source size, at most
        every record matched and never quite 1."""
        size, other_size = counts[own], counts[theirs]
        matches = np.minimum(share_of * size * other_size, np.minimum(size, other_size))
        result: Floats = np.log2(np.maximum(1.0 - matches / size, 1.0 / (size + 1.0)))
        return result

    # A pair's weight in a matching: λ·BF against both records having no match.
    weights: Floats = (
        np.clip(factors + np.log2(np.maximum(share_of, 1e-300)), -1000.0, 1000.0)
        - log2_none(own_left, own_right)
        - log2_none(own_right, own_left)
    )
    odds = weights.copy()
    # Ends: a record towards one other source (a match in each other source is allowed).
    end_left = left * len(names) + own_right
    end_right = right * len(names) + own_left
    counted = np.flatnonzero(weights >= NEGLIGIBLE)
    if len(counted) == 0:
        return odds
    ends, dense = np.unique(
        np.concatenate([end_left[counted], end_right[counted]]), return_inverse=True
    )
    dense = dense.reshape(2, -1)
    labels = components.component_labels(len(ends), dense.T)
    group = labels[dense[0]]
    # A group without a cycle (one end more than it has pairs, a pair alone included)
    # is read exactly by belief propagation, all such groups at once in numpy; the
    # others are counted one by one.
    tree = (
        np.bincount(group, minlength=len(ends)) == np.bincount(labels, minlength=len(ends)) - 1
    )[group]
    if tree.any():
        chosen = np.flatnonzero(tree)
        _, local = np.unique(dense[:, chosen], return_inverse=True)
        odds[counted[chosen]] = _propagated_odds(
            local.reshape(2, -1), weights[counted[chosen]], damped=False
        )
    loopy = np.flatnonzero(~tree)
    order = loopy[np.argsort(group[loopy], kind="stable")]
    starts = np.flatnonzero(np.diff(group[order], prepend=-1))
    for members in np.split(order, starts[1:]) if len(order) else []:
        pairs = counted[members]
        try:
            odds[pairs] = _group_odds(
                list(zip(dense[0][members].tolist(), dense[1][members].tolist(), strict=True)),
                weights[pairs].tolist(),
            )
        except _TooTangledError:
            _, local = np.unique(dense[:, members], return_inverse=True)
            odds[pairs] = _propagated_odds(local.reshape(2, -1), weights[pairs])
    return odds


# Rounds at most of re-estimating the shares from the one-to-one probabilities, and the
# relative change of every share below which they are taken as settled.
SHARE_ROUNDS = 30
SHARE_TOLERANCE = 1e-4


def one_to_one_shares(
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    factors: Floats,
    sources: Sequence[str],
    start: Mapping[tuple[str, str], float],
) -> tuple[dict[tuple[str, str], float], Floats]:
    """The share of pairs that match between each two sources, re-estimated from the
    one-to-one probabilities themselves (expectation maximisation on the shares: each
    round, the expected matches between two sources are the sum of their pairs'
    ``one_to_one`` probabilities), from ``start`` (``source_pair_priors``); and the log2
    odds of every pair at the shares found.

    ``source_pair_priors`` sums pairwise probabilities, which counts a record with two
    good candidates (namesakes) as two matches: on 28,467 records of five agencies of
    the independent corpus it expected 4,817 matches between housing and health (every
    housing record), where one to one finds 4,122 (truth: 4,037)."""
    sizes = _sizes(sources)
    keys = [
        (min(sources[a], sources[b]), max(sources[a], sources[b]))
        for a, b in zip(left.tolist(), right.tolist(), strict=True)
    ]
    names = sorted(set(keys))
    code = {key: index for index, key in enumerate(names)}
    pair_of = np.array([code[key] for key in keys], dtype=np.int64)
    shares = dict(start)
    odds = one_to_one(left, right, factors, sources, shares)
    for _ in range(SHARE_ROUNDS):
        expected = np.bincount(pair_of, weights=1.0 / (1.0 + np.exp2(-odds)), minlength=len(names))
        updated = {
            key: max(float(expected[code[key]]) / (sizes[key[0]] * sizes[key[1]]), 1e-300)
            if key in code
            else share
            for key, share in shares.items()
        }
        settled = all(
            abs(updated[key] - shares[key]) <= SHARE_TOLERANCE * shares[key] for key in shares
        )
        shares = updated
        odds = one_to_one(left, right, factors, sources, shares)
        if settled:
            break
    return shares, odds
