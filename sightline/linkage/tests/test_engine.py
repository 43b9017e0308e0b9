"""Scoring in batch: guarded pairs below the threshold kept only where they can matter."""

import random
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from sightline.linkage import batch, engine, normalising, priors
from sightline.linkage.features import COLUMNS
from sightline.linkage.tests.synthetic import households

CONFIG = engine.EngineConfig(memory_limit="1GB")


def _one_component(
    connection: Any, _predictions: str, _threshold: float, size: int, _joined: Any
) -> None:
    """Every record in one component: every guarded pair is kept (the plain rule)."""
    connection.register(
        "sightline_components",
        pa.table(
            {"unique_id": np.arange(size, dtype=np.int64), "component": np.zeros(size, np.int64)}
        ),
    )


def _pairs(scored: engine.ScoredPairs) -> dict[tuple[int, int], tuple[float, bool]]:
    return {
        (a, b): (p, g)
        for a, b, p, g in zip(
            scored.left, scored.right, scored.probability, scored.guarded, strict=True
        )
    }


@pytest.mark.parametrize("seed", [5, 17])
def test_it_clusters_the_same_as_with_every_guarded_pair(trained_model, monkeypatch, seed):
    records, _siblings, _namesakes = households(150, seed=seed)
    identities = [r.record for r in records]
    prepared = batch.prepare(identities)
    rows = prepared.rows
    chance = random.Random(seed)
    must_link = []
    for _ in range(15):
        a, b = chance.sample(range(len(rows)), 2)
        must_link.append((a, b))

    def run() -> tuple[batch.Resolution, engine.ScoredPairs]:
        scored = engine.score_all(
            rows,
            trained_model,
            config=CONFIG,
            threshold=0.5,
            joined=must_link,
            table=prepared.table,
        )
        resolution = batch.resolve(
            rows,
            trained_model,
            config=CONFIG,
            auto_threshold=0.99,
            review_threshold=0.5,
            must_link=must_link,
            table=prepared.table,
        )
        return resolution, scored

    fewer, kept = run()
    monkeypatch.setattr(engine, "_register_components", _one_component)
    every, all_kept = run()

    assert fewer.labels == every.labels
    # Pairs come back in no set order.
    assert sorted(fewer.review, key=repr) == sorted(every.review, key=repr)
    kept_pairs, all_pairs = _pairs(kept), _pairs(all_kept)
    assert kept_pairs.items() <= all_pairs.items()
    # Only guarded pairs below the threshold are left out, and some are.
    left_out = all_pairs.keys() - kept_pairs.keys()
    assert left_out
    assert all(all_pairs[pair][1] and all_pairs[pair][0] < 0.5 for pair in left_out)


def test_it_makes_the_same_table_as_column_by_column():
    records, _siblings, _namesakes = households(30, seed=2)
    rows = batch.prepare([r.record for r in records]).rows
    expected = pa.Table.from_pydict(
        {name: [row[name] for row in rows] for name in COLUMNS}, normalising.SCHEMA
    )
    assert engine.to_arrow(rows).equals(expected)
    assert engine.to_arrow([]).schema == normalising.SCHEMA


def _scored(left: list[int], right: list[int], weights: list[float]) -> pa.Table:
    """Blocked pairs as ``_one_to_one`` receives them (none guarded)."""
    weight = np.array(weights)
    return pa.table(
        {
            "unique_id_l": np.array(left, np.int64),
            "unique_id_r": np.array(right, np.int64),
            "match_weight": weight,
            "match_probability": 1.0 / (1.0 + np.exp2(-weight)),
            "guarded": np.zeros(len(weight), bool),
        }
    )


@pytest.mark.parametrize("household_guards", [True, False])
def test_one_to_one_reads_each_record_apart_with_household_guards(household_guards):
    # 90 of 100 records of A and B plainly one person each; records 95 and 195 a lone
    # pair of modest evidence (namesakes of one household, one record undated). Read
    # both ends at once, the pair is a match unless both lack one, (1 - π)²: certain.
    # With household guards on (Sightline's data, where the true match of an undated
    # namesake may never have been blocked), each end is read apart, 1 - π: not.
    sources = ["A"] * 100 + ["B"] * 100
    left = [*range(90), 95]
    right = [*range(100, 190), 195]
    prior = 1e-4
    weights = [40.0 + priors.log_odds(prior)] * 90 + [8.0 + priors.log_odds(prior)]
    settings = {"probability_two_random_records_match": prior}
    kept = engine._one_to_one(
        _scored(left, right, weights),
        sources,
        settings,
        0.0,
        lambda _message: None,
        joint=not household_guards,
    )
    odds = np.asarray(kept.column("match_weight").to_numpy())
    factors = np.array(weights) - priors.log_odds(prior)
    ends = np.array(left, np.int64), np.array(right, np.int64)
    if household_guards:
        across = priors.across_pairs(sources)
        share = priors.self_consistent_prior(
            factors, across, start=prior, most=priors.most_matches(sources) / across
        )
        expected = priors.one_to_one_per_record(*ends, factors, sources, share)
    else:
        start = priors.source_pair_priors(
            [sources[i] for i in left], [sources[i] for i in right], factors, sources, start=prior
        )
        _shares, expected = priors.one_to_one_shares(*ends, factors, sources, start)
    assert odds.tolist() == pytest.approx(expected.tolist())
    lone = 1.0 / (1.0 + 2.0 ** -float(odds[-1]))
    assert (lone < 0.99) if household_guards else (lone > 0.99)


@pytest.mark.parametrize("household_guards", [True, False])
def test_resolve_passes_household_guards_to_one_to_one(
    trained_model, monkeypatch, household_guards
):
    records, _siblings, _namesakes = households(40, seed=3)
    prepared = batch.prepare([r.record for r in records])
    seen: list[bool] = []
    one_to_one = engine._one_to_one

    def spy(*args: Any, joint: bool = False) -> pa.Table:
        seen.append(joint)
        return one_to_one(*args, joint=joint)

    monkeypatch.setattr(engine, "_one_to_one", spy)
    batch.resolve(
        prepared.rows,
        trained_model,
        config=CONFIG,
        auto_threshold=0.99,
        review_threshold=0.5,
        household_guards=household_guards,
        sources=["A" if i % 2 else "B" for i in range(len(prepared.rows))],
        table=prepared.table,
    )
    assert seen == [not household_guards]


def test_the_pairs_between_two_clusters_are_those_at_the_threshold_across_them():
    pairs = engine.ScoredPairs(
        left=[0, 1, 2, 0],
        right=[1, 2, 3, 3],
        weight=[9.0, -1.0, 1.0, 0.0],
        probability=[0.999, 0.3, 0.6, 0.5],
        guarded=[False, False, False, False],
    )
    # 0 and 1 one cluster; 2 and 3 one each.
    assert pairs.between([0, 0, 2, 3], 0.5) == [(2, 3), (0, 3)]
    assert pairs.between([0, 0, 2, 3], 0.55) == [(2, 3)]
    assert engine.ScoredPairs().between([], 0.5) == []
