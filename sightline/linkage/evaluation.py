"""Measuring a resolution against ground truth. Pure.

Pairwise precision and recall count record pairs: a pair is predicted when both records
got the same person, true when the ground truth says they are one person.

``evidence_ceiling`` measures the corpus, not the matcher: the share of true pairs that
any matcher needing one fact beyond a name could join.
"""

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import jellyfish

from sightline.linkage import components
from sightline.linkage.comparisons import dates_apart


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


@dataclass(frozen=True)
class EvidenceCeiling:
    true_pairs: int
    # True pairs whose two records are joined by a chain of evidence (``evidence_ceiling``).
    reachable_pairs: int
    # Of those, the pairs a resolution put in one person (when one was given).
    resolved_pairs: int | None = None
    # The chain of each record (records in one chain hold one person's evidence).
    chains: Sequence[int] = field(default=(), repr=False, compare=False)

    @property
    def recall(self) -> float:
        return self.reachable_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def recall_within(self) -> float | None:
        """The resolution's recall of the reachable pairs: what it missed that the
        records could show."""
        if self.resolved_pairs is None:
            return None
        return self.resolved_pairs / self.reachable_pairs if self.reachable_pairs else 1.0


# The normalised columns ``evidence_ceiling`` reads (``features``' names).
EVIDENCE_COLUMNS = ("nhs", "dob", "address", "postcode", "district", "given", "family")
# Address lines this many edits apart, and postcodes one apart, are one mistyped.
_ADDRESS_EDITS = 2
_POSTCODE_EDITS = 1


def _near(left: str | None, right: str | None, edits: int) -> bool:
    if not left or not right:
        return False
    return left == right or jellyfish.damerau_levenshtein_distance(left, right) <= edits


def evidence_between(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    """Whether two records hold a fact in common beyond a name, counted generously: one
    NHS number; dates of birth that are one date (the same, swapped, a digit apart, a
    placeholder, within a week or in one year: ``comparisons.dates_apart``); an address
    line within two edits; a postcode within one edit; or the same given and family name
    in one postcode district."""
    if left["nhs"] and left["nhs"] == right["nhs"]:
        return True
    if left["dob"] and right["dob"] and not dates_apart(left["dob"], right["dob"]):
        return True
    if _near(left["address"], right["address"], _ADDRESS_EDITS):
        return True
    if _near(left["postcode"], right["postcode"], _POSTCODE_EDITS):
        return True
    return bool(
        left["given"]
        and left["family"]
        and left["district"]
        and (left["given"], left["family"], left["district"])
        == (right["given"], right["family"], right["district"])
    )


def evidence_ceiling(
    records: Sequence[Mapping[str, Any] | None],
    truth: Sequence[Hashable],
    predicted: Sequence[Hashable] | None = None,
) -> EvidenceCeiling:
    """The pairwise recall no matcher that needs a fact beyond a name can pass on a
    corpus: a true pair counts as reachable when a chain of the person's records, each
    two neighbours holding a fact in common (``evidence_between``), joins its two
    records. ``records``: the normalised columns (``EVIDENCE_COLUMNS``) per record, None
    for a record that cannot be matched at all; ``truth``: the true person per record;
    ``predicted``, when given: a resolution's person per record (``resolved_pairs``).

    It ignores every risk (twins, namesakes, a shared household address, a shared year of
    birth): a matcher that joined all these chains would merge many different people. It
    is an upper bound, and a generous one, for a matcher that needs a fact beyond a name:
    where a target recall is above it, reaching the target takes joins on a name alone
    (a name no one else in the batch bears, ``unique_names``) beyond every chain."""
    if len(records) != len(truth) or (predicted is not None and len(predicted) != len(truth)):
        raise ValueError("one true person per record")
    persons: dict[Hashable, list[int]] = defaultdict(list)
    for index, person in enumerate(truth):
        persons[person].append(index)
    joined: list[tuple[int, int]] = []
    for members in persons.values():
        known = [index for index in members if records[index] is not None]
        for position, left in enumerate(known):
            joined.extend(
                (left, right)
                for right in known[position + 1 :]
                if evidence_between(records[left] or {}, records[right] or {})
            )
    chains = components.component_labels(len(records), joined).tolist()
    return EvidenceCeiling(
        true_pairs=sum(_pairs(n) for n in Counter(truth).values()),
        reachable_pairs=sum(_pairs(n) for n in Counter(zip(truth, chains, strict=True)).values()),
        resolved_pairs=None
        if predicted is None
        else sum(_pairs(n) for n in Counter(zip(truth, chains, predicted, strict=True)).values()),
        chains=chains,
    )


def missed_pairs_by_errors(
    predicted: Sequence[Hashable],
    truth: Sequence[Hashable],
    errors: Sequence[AbstractSet[str]],
    chains: Sequence[int],
) -> list[dict[str, Any]]:
    """The true pairs a resolution missed (two records of one true person in two
    predicted persons), by what the corpus did to the two records: ``errors`` per record
    (a corpus's error tags, ``missing_date_of_birth``, ``nickname``...), a pair's key
    the tags of both, sorted and joined by ";" ("" when neither record was changed).
    Each key counts the pairs ``within`` the evidence ceiling (one chain,
    ``evidence_ceiling``'s ``chains``) and ``beyond`` it; most pairs first."""
    if not len(predicted) == len(truth) == len(errors) == len(chains):
        raise ValueError("one true person, error set and chain per record")
    persons: dict[Hashable, dict[Hashable, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, (person, label) in enumerate(zip(truth, predicted, strict=True)):
        persons[person][label].append(index)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for clusters in persons.values():
        if len(clusters) < 2:
            continue
        parts = list(clusters.values())
        for number, left_part in enumerate(parts):
            for right_part in parts[number + 1 :]:
                for left in left_part:
                    for right in right_part:
                        key = ";".join(sorted(errors[left] | errors[right]))
                        counts[key][0 if chains[left] == chains[right] else 1] += 1
    return [
        {"errors": key, "within": within, "beyond": beyond}
        for key, (within, beyond) in _most_first(counts)
    ]


def missed_pairs_by_tag(missed: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``missed_pairs_by_errors`` by single error tag: the missed pairs with the tag on
    either record (a pair counts once for each of its tags; "" for pairs with none)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for kind in missed:
        for tag in str(kind["errors"]).split(";") if kind["errors"] else [""]:
            counts[tag][0] += int(kind["within"])
            counts[tag][1] += int(kind["beyond"])
    return [
        {"error": tag, "within": within, "beyond": beyond}
        for tag, (within, beyond) in _most_first(counts)
    ]


def _most_first(counts: Mapping[str, list[int]]) -> list[tuple[str, list[int]]]:
    """(key, [within, beyond]) most pairs first, then by key."""
    return sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0]))
