"""The prior and one-to-one probabilities (``priors``): pure, no database."""

import itertools
import math

import duckdb
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sightline.linkage import comparisons, engine, priors
from sightline.linkage.features import features
from sightline.linkage.tests.synthetic import households


def model_with_m(m: dict[str, dict[str, float]]) -> dict[str, object]:
    model = comparisons.settings_dict()
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["m_probability"] = m.get(comparison["output_column_name"], {}).get(
                level["label_for_charts"], 0.01
            )
    return model


ALL_PRESENT = dict.fromkeys(priors.PRESENCE_COLUMNS, 1.0)


def test_it_finds_the_rules_recall_from_m_and_the_fields_present():
    model = model_with_m(
        {
            "nhs_number": {"exact": 0.9},
            "given_name": {"exact": 0.6, "first": 0.1},
            "family_name": {"exact": 0.8},
            "date_of_birth": {"exact": 0.9},
        }
    )
    present = {**ALL_PRESENT, "nhs_number": 0.5}
    by_nhs = 0.5 * 0.5 * 0.9
    by_names = 0.7 * 0.8 * 0.9
    expected = 1 - (1 - by_nhs) * (1 - by_names)
    assert priors.rule_recall(model, present) == pytest.approx(expected)
    # Without NHS numbers only the names rule finds matches.
    assert priors.rule_recall(model, {**present, "nhs_number": 0.0}) == pytest.approx(by_names)


def test_it_keeps_the_recall_within_bounds():
    model = model_with_m({name: {"exact": 0.0, "first": 0.0} for name in ALL_PRESENT})
    assert priors.rule_recall(model, ALL_PRESENT) == priors.LEAST_RECALL
    # The prior Splink estimated with the assumed recall, made the one for the estimate.
    assert priors.rescaled_prior(1e-4, 0.4) == pytest.approx(2e-4)
    assert priors.rescaled_prior(0.4, 0.1) == 0.5


def test_its_rule_levels_say_what_the_prior_rules_say():
    """A pair satisfies a ``PRIOR_RULES`` rule (SQL in DuckDB) exactly when its levels
    are those ``PRIOR_RULE_LEVELS`` gives the rule."""
    assert len(priors.PRIOR_RULE_LEVELS) == len(comparisons.PRIOR_RULES)
    records, _siblings, _namesakes = households(12, seed=5, records_per_child=(1, 4))
    rows = [features(r.record, i) for i, r in enumerate(records)]
    connection = duckdb.connect()
    connection.register("t", engine.to_arrow(rows))
    weights = comparisons.Weights.from_model(model_with_m({}))
    by_id = {r["unique_id"]: r for r in rows}
    for rule, rule_levels in zip(comparisons.PRIOR_RULES, priors.PRIOR_RULE_LEVELS, strict=True):
        sql = f"SELECT l.unique_id, r.unique_id, ({rule}) IS TRUE FROM t l, t r "  # noqa: S608
        found = connection.execute(sql + "WHERE l.unique_id < r.unique_id").fetchall()
        assert any(holds for _l, _r, holds in found)
        for left, right, holds in found:
            levels = comparisons.score(weights, by_id[left], by_id[right]).levels
            in_levels = all(levels[name] in keys for name, keys in rule_levels.items())
            assert holds == in_levels, (rule, by_id[left], by_id[right])


def test_it_finds_the_prior_at_its_fixed_point():
    rng = np.random.default_rng(7)
    # 200 clear matches and 5,000 scored non-matches among 1,000,000 pairs.
    factors = np.concatenate([rng.normal(25, 2, 200), rng.normal(-10, 3, 5000)])
    prior = priors.self_consistent_prior(factors, 1e6, start=1e-6)
    assert prior == pytest.approx(200 / 1e6, rel=0.01)
    posteriors = 1 / (1 + np.exp2(-(factors + priors.log_odds(prior))))
    assert posteriors.sum() / 1e6 == pytest.approx(prior, rel=1e-6)
    # Bounded by the most matches there can be.
    assert priors.self_consistent_prior(factors, 1e6, start=1e-6, most=1e-4) == 1e-4
    assert priors.self_consistent_prior(np.zeros(0), 1e6, start=1e-6) == 1e-6


def test_it_counts_pairs_and_matches_across_sources():
    sources = ["A"] * 5 + ["B"] * 3 + ["C"] * 2
    assert priors.across_pairs(sources) == 5 * 3 + 5 * 2 + 3 * 2
    assert priors.most_matches(sources) == 3 + 2 + 2
    assert priors.most_matches(["A", "A"]) == 0


def probability(odds: float) -> float:
    return 1 / (1 + 2 ** (-odds))


def test_a_lone_candidate_is_likely_the_match_when_nearly_every_record_has_one():
    sources = ["A"] * 100 + ["B"] * 100
    left, right = np.array([0]), np.array([100])
    factors = np.array([10.0])  # pairwise: 1024 / 100 odds at λ = 1/100
    nearly_all = priors.one_to_one(left, right, factors, sources, 0.99 / 100)
    few = priors.one_to_one(left, right, factors, sources, 0.01 / 100)
    pairwise = probability(10 + priors.log_odds(0.01 / 100))
    assert probability(float(nearly_all[0])) > 0.99
    # With few matches expected, about the pairwise probability.
    assert probability(float(few[0])) == pytest.approx(pairwise, rel=0.02)


def test_two_candidates_as_good_share_the_probability():
    sources = ["A"] * 100 + ["B"] * 100
    left, right = np.array([0, 0]), np.array([100, 101])
    odds = priors.one_to_one(left, right, np.array([30.0, 30.0]), sources, 0.99 / 100)
    assert [probability(float(o)) for o in odds] == pytest.approx([0.5, 0.5], abs=1e-3)
    # The weaker of two counts against the stronger only as much as its evidence.
    odds = priors.one_to_one(left, right, np.array([30.0, 20.0]), sources, 0.99 / 100)
    assert probability(float(odds[0])) == pytest.approx(1 / (1 + 2**-10), rel=1e-6)
    assert probability(float(odds[1])) < 0.001


def test_a_rival_at_either_end_shares_the_probability():
    # Record 100 of B has a rival in A (record 1); record 0 of A has none in B.
    sources = ["A"] * 100 + ["B"] * 100
    left, right = np.array([0, 1]), np.array([100, 100])
    odds = priors.one_to_one(left, right, np.array([30.0, 30.0]), sources, 0.99 / 100)
    assert [probability(float(o)) for o in odds] == pytest.approx([0.5, 0.5], abs=1e-3)


def test_it_reads_candidates_in_each_other_source_apart():
    # Record 0 of A has one candidate in B and one in C: a match in each is possible.
    sources = ["A"] * 10 + ["B"] * 10 + ["C"] * 10
    left, right = np.array([0, 0]), np.array([10, 20])
    odds = priors.one_to_one(left, right, np.array([30.0, 30.0]), sources, 0.9 / 10)
    assert all(probability(float(o)) > 0.999 for o in odds)


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(6, 11), st.floats(-40, 60)),
        min_size=1,
        max_size=30,
    ),
    st.floats(1e-6, 0.1),
)
def test_its_odds_are_finite_and_no_higher_than_without_rivals(pairs, prior):
    sources = ["A"] * 6 + ["B"] * 6
    seen = {(a, b): f for a, b, f in pairs}
    left = np.array([a for a, _b in seen], dtype=np.int64)
    right = np.array([b for _a, b in seen], dtype=np.int64)
    factors = np.array(list(seen.values()))
    odds = priors.one_to_one(left, right, factors, sources, prior)
    assert np.isfinite(odds).all()
    for index in range(len(factors)):
        alone = priors.one_to_one(
            left[index : index + 1],
            right[index : index + 1],
            factors[index : index + 1],
            sources,
            prior,
        )
        assert odds[index] <= alone[0] + 1e-9
    assert math.isfinite(priors.log_odds(prior))


def test_a_lone_pair_is_a_match_unless_both_its_records_lack_one():
    # 99 of 100 records have a match in the other source. Records 0 and 100 have no
    # other candidate: they are two records without a match (0.01 each) or one person.
    sources = ["A"] * 100 + ["B"] * 100
    left, right = np.array([0]), np.array([100])
    lam = 0.99 / 100
    odds = priors.one_to_one(left, right, np.array([0.0]), sources, lam)
    # λ·BF against both lacking one: 0.0099 / 0.01², not 0.0099 / 0.01 (one end alone).
    assert float(odds[0]) == pytest.approx(math.log2(lam / 0.01**2))
    assert probability(float(odds[0])) == pytest.approx(0.99)


def test_a_rival_counts_as_much_as_the_chance_its_other_record_is_free():
    sources = ["A"] * 100 + ["B"] * 100
    lam = 0.99 / 100
    # Records 0 and 1 of A both fit record 100 of B; 1 has no other candidate.
    left, right = np.array([0, 1]), np.array([100, 100])
    odds = priors.one_to_one(left, right, np.array([10.0, 6.0]), sources, lam)
    weight = [math.log2(lam / 0.01**2) + f for f in (10.0, 6.0)]
    assert float(odds[0]) == pytest.approx(weight[0] - math.log2(1 + 2 ** weight[1]))
    # Record 1 has its own match (record 101) beyond doubt: the rival hardly counts.
    left, right = np.array([0, 1, 1]), np.array([100, 100, 101])
    odds = priors.one_to_one(left, right, np.array([10.0, 6.0, 40.0]), sources, lam)
    assert probability(float(odds[0])) > 0.9999
    assert probability(float(odds[1])) < 1e-6


def matchings_by_enumeration(
    left: np.ndarray, right: np.ndarray, factors: np.ndarray, sources: list[str], prior: float
) -> list[float]:
    """Every partial matching written out (no record twice towards one source), each
    weighing the product of λ·BF / ((1 - π_a)(1 - π_b)) over its pairs: each pair's
    log2 odds of being in one."""
    sizes = {s: sources.count(s) for s in set(sources)}

    def none(own: str, theirs: str) -> float:
        matches = min(prior * sizes[own] * sizes[theirs], min(sizes[own], sizes[theirs]))
        return max(1 - matches / sizes[own], 1 / (sizes[own] + 1))

    weights = [
        2.0 ** (f + math.log2(prior)) / none(sources[a], sources[b]) / none(sources[b], sources[a])
        for a, b, f in zip(left.tolist(), right.tolist(), factors.tolist(), strict=True)
    ]
    ends = [
        ((a, sources[b]), (b, sources[a]))
        for a, b in zip(left.tolist(), right.tolist(), strict=True)
    ]
    holding = [0.0] * len(weights)
    without = [0.0] * len(weights)
    for chosen in itertools.product((False, True), repeat=len(weights)):
        used = [end for index, on in enumerate(chosen) if on for end in ends[index]]
        if len(used) != len(set(used)):
            continue
        weight = math.prod(w for w, on in zip(weights, chosen, strict=True) if on)
        for index, on in enumerate(chosen):
            if on:
                holding[index] += weight
            else:
                without[index] += weight
    return [math.log2(h / w) for h, w in zip(holding, without, strict=True)]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 11), st.integers(0, 11), st.floats(-10, 30)),
        min_size=1,
        max_size=9,
    ),
    st.floats(0.01, 0.24),
)
def test_it_counts_every_one_to_one_matching_of_a_group(pairs, share):
    # Records 0-3 in A, 4-7 in B, 8-11 in C: a record has at most one match per source.
    # A record may be the left of one pair and the right of another.
    sources = ["A"] * 4 + ["B"] * 4 + ["C"] * 4
    seen: dict[tuple[int, int], float] = {}
    for a, b, f in pairs:
        if sources[a] != sources[b] and (b, a) not in seen:
            seen[(a, b)] = f
    assume(seen)
    left = np.array([a for a, _b in seen], dtype=np.int64)
    right = np.array([b for _a, b in seen], dtype=np.int64)
    factors = np.array(list(seen.values()))
    odds = priors.one_to_one(left, right, factors, sources, share)
    expected = matchings_by_enumeration(left, right, factors, sources, share)
    assert odds.tolist() == pytest.approx(expected, abs=1e-6)
    # One record's pairs towards one source are at most one person in all.
    for record in range(12):
        for source in "ABC":
            mine = [
                probability(float(o))
                for a, b, o in zip(left.tolist(), right.tolist(), odds, strict=True)
                if (a == record and sources[b] == source) or (b == record and sources[a] == source)
            ]
            assert sum(mine) <= 1 + 1e-9


def test_a_group_too_tangled_to_count_is_read_by_belief_propagation(monkeypatch):
    sources = ["A"] * 6 + ["B"] * 6
    # A chain 0-6-1-7-2-8 (no cycle): belief propagation is exact there.
    left = np.array([0, 1, 1, 2, 2], dtype=np.int64)
    right = np.array([6, 6, 7, 7, 8], dtype=np.int64)
    factors = np.array([12.0, 9.0, 11.0, 3.0, 7.0])
    counted = priors.one_to_one(left, right, factors, sources, 0.15)
    monkeypatch.setattr(priors, "MOST_STEPS", 1)
    propagated = priors.one_to_one(left, right, factors, sources, 0.15)
    assert propagated.tolist() == pytest.approx(counted.tolist(), abs=1e-9)
    # Every record of A fits every record of B: finite, never above a pair's weight.
    left = np.repeat(np.arange(6), 6)
    right = np.tile(np.arange(6, 12), 6)
    factors = np.linspace(-5.0, 20.0, 36)
    odds = priors.one_to_one(left, right, factors, sources, 0.15)
    alone = [
        priors.one_to_one(left[i : i + 1], right[i : i + 1], factors[i : i + 1], sources, 0.15)[0]
        for i in range(36)
    ]
    assert np.isfinite(odds).all()
    assert (odds <= np.array(alone) + 1e-9).all()


def test_each_two_sources_have_their_own_share_of_matching_pairs():
    # 10 records of A all found in B (100 records); 2 of B's found in C (100 records);
    # one weak pair of A and C.
    sources = ["A"] * 10 + ["B"] * 100 + ["C"] * 100
    left = np.array([*range(10), 10, 11, 0], dtype=np.int64)
    right = np.array([*range(10, 20), 110, 111, 120], dtype=np.int64)
    factors = np.array([40.0] * 12 + [8.0])
    shares = priors.source_pair_priors(
        [sources[i] for i in left], [sources[i] for i in right], factors, sources, start=1e-4
    )
    assert shares[("A", "B")] * 10 * 100 == pytest.approx(10, rel=1e-3)
    assert shares[("B", "C")] * 100 * 100 == pytest.approx(2, rel=1e-3)
    assert shares[("A", "C")] * 10 * 100 < 0.01
    odds = priors.one_to_one(left, right, factors, sources, shares)
    assert probability(float(odds[-1])) < 0.01
    # One share for all two sources (13 matches among 12,000 pairs) reads the weak pair
    # as far likelier.
    overall = priors.one_to_one(left, right, factors, sources, 13 / 12_000)
    assert probability(float(overall[-1])) > 0.1


def test_two_namesakes_of_one_record_count_as_one_match():
    # Record 0 of A fits records 10 and 11 of B alike; 1 and 2 fit 12 and 13.
    sources = ["A"] * 10 + ["B"] * 10
    left = np.array([0, 0, 1, 2], dtype=np.int64)
    right = np.array([10, 11, 12, 13], dtype=np.int64)
    factors = np.full(4, 40.0)
    start = priors.source_pair_priors(
        [sources[i] for i in left], [sources[i] for i in right], factors, sources, start=1e-3
    )
    assert start[("A", "B")] * 100 == pytest.approx(4, rel=1e-3)  # pairwise: counted twice
    shares, odds = priors.one_to_one_shares(left, right, factors, sources, start)
    assert shares[("A", "B")] * 100 == pytest.approx(3, rel=1e-3)
    assert [probability(float(o)) for o in odds[:2]] == pytest.approx([0.5, 0.5], abs=1e-6)


def test_a_record_left_in_one_pair_and_right_in_another_is_one_end():
    # Record 1 of A (source HEALTH) against 4 (EDUCATION) and 5 (EDUCATION): the second
    # pair written the other way round. Its rival counts whichever way it is written.
    sources = ["A"] * 4 + ["B"] * 4
    left = np.array([1, 5], dtype=np.int64)
    right = np.array([4, 1], dtype=np.int64)
    odds = priors.one_to_one(left, right, np.array([10.0, 30.0]), sources, 0.1)
    written_alike = priors.one_to_one(
        np.array([1, 1]), np.array([4, 5]), np.array([10.0, 30.0]), sources, 0.1
    )
    assert odds.tolist() == pytest.approx(written_alike.tolist())
    assert probability(float(odds[0])) < 1e-5


def test_read_per_record_it_takes_the_weaker_of_the_two_ends():
    # Record 100 of B has a rival in A (record 1); record 0 of A has none in B.
    sources = ["A"] * 100 + ["B"] * 100
    left, right = np.array([0, 1]), np.array([100, 100])
    factors = np.array([30.0, 30.0])
    odds = priors.one_to_one_per_record(left, right, factors, sources, 0.99 / 100)
    assert [probability(float(o)) for o in odds] == pytest.approx([0.5, 0.5], abs=1e-3)


def test_read_per_record_a_lone_pair_is_a_match_unless_one_record_lacks_one():
    # As in the joint reading's test, but each end alone: 0.0099 / 0.01, not / 0.01².
    sources = ["A"] * 100 + ["B"] * 100
    lam = 0.99 / 100
    odds = priors.one_to_one_per_record(np.array([0]), np.array([100]), np.zeros(1), sources, lam)
    assert float(odds[0]) == pytest.approx(math.log2(lam / 0.01))
