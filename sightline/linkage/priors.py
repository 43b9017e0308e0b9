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
- ``one_to_one``: in one-to-one linkage a record of source A has *at most one* match in
  source B, with probability π (matches over A's size). The probability that record b
  is a's match is then λ·BF(a,b) / ((1 - π) + λ·Σ_b' BF(a,b')), λ = π / |B|, the sum
  over every candidate b' of B for a (Bayes' rule over "a's match is b', or a has
  none"). When nearly every record has a match (π near 1), a lone candidate with modest
  evidence is likely a's match; a second candidate as good halves it. Taken from both
  ends (a's candidates in B, b's in A), the smaller.
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

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


def _sizes(sources: Sequence[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for source in sources:
        sizes[source] = sizes.get(source, 0) + 1
    return sizes


def one_to_one(
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    factors: Floats,
    sources: Sequence[str],
    prior: float,
) -> Floats:
    """For each scored pair (records ``left[i]``, ``right[i]`` of different sources,
    log2 Bayes factor ``factors[i]``), the log2 odds that the two are one person when
    every source holds each person at most once, with ``prior`` the share of
    cross-source pairs that match (see the module doc). Every candidate of a record in
    the other source must be among the pairs: those left out count as no evidence."""
    if len(factors) == 0:
        return np.zeros(0)
    names = sorted(set(sources))
    code = {name: index for index, name in enumerate(names)}
    source_of = np.array([code[source] for source in sources], dtype=np.int64)
    counts = np.bincount(source_of, minlength=len(names)).astype(np.float64)
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
