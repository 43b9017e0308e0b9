"""Scoring in batch: guarded pairs below the threshold kept only where they can matter."""

import random
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from sightline.linkage import batch, engine, normalising
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
