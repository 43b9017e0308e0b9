"""Measuring a resolution against ground truth. Pure.

Pairwise precision and recall count record pairs: a pair is predicted when both records
got the same person, true when the ground truth says they are one person.
"""

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PairwiseScores:
    true_positives: int
    predicted_pairs: int
    true_pairs: int
    # Predicted persons that hold records of more than one true person.
    false_merges: int
    # ... of which some pair of those true persons is a known twin/sibling pair.
    twin_merges: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_scores(
    predicted: Sequence[Hashable],
    truth: Sequence[Hashable],
    twins: AbstractSet[frozenset[Any]] | None = None,
) -> PairwiseScores:
    """Compare a predicted person per record with the true person per record.

    ``twins`` holds pairs of true persons who are twins or siblings (for twin merges).
    """
    if len(predicted) != len(truth):
        raise ValueError("one prediction per record")
    both = Counter(zip(predicted, truth, strict=True))
    predicted_sizes = Counter(predicted)
    true_sizes = Counter(truth)
    members: dict[Hashable, set[Hashable]] = defaultdict(set)
    for cluster, person in both:
        members[cluster].add(person)
    false_merges = 0
    twin_merges = 0
    for persons in members.values():
        if len(persons) > 1:
            false_merges += 1
            if twins and any(
                frozenset((a, b)) in twins for a in persons for b in persons if a != b
            ):
                twin_merges += 1
    return PairwiseScores(
        true_positives=sum(_pairs(n) for n in both.values()),
        predicted_pairs=sum(_pairs(n) for n in predicted_sizes.values()),
        true_pairs=sum(_pairs(n) for n in true_sizes.values()),
        false_merges=false_merges,
        twin_merges=twin_merges,
    )
