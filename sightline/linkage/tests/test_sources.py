"""Linking deduplicated sources: the settings Splink gets (pure, no DuckDB)."""

import pytest

from sightline.linkage import comparisons, engine


def test_it_limits_every_blocking_rule_to_pairs_across_sources():
    settings = comparisons.settings_dict()
    limited = engine.across_sources(settings, ["A", "A", "B", "B"])
    rules = [r["blocking_rule"] for r in limited["blocking_rules_to_generate_predictions"]]
    assert len(rules) == len(comparisons.BLOCKING_RULES)
    assert all(rule.endswith(f"AND {engine.ACROSS_SOURCES}") for rule in rules)
    # The model itself is left as it was.
    assert (
        settings["blocking_rules_to_generate_predictions"][0]["blocking_rule"]
        == (comparisons.BLOCKING_RULES[0])
    )


def test_it_raises_the_prior_to_the_share_of_pairs_across_sources_that_match():
    # 5,000 + 5,000 records: 49,995,000 pairs in all, 25,000,000 across the two files.
    sources = ["A"] * 5000 + ["B"] * 5000
    assert engine.pairs_ratio(sources) == pytest.approx(49_995_000 / 25_000_000)
    settings = {**comparisons.settings_dict(), "probability_two_random_records_match": 1e-4}
    limited = engine.across_sources(settings, sources)
    assert limited["probability_two_random_records_match"] == pytest.approx(1.9998e-4)
    assert engine.pairs_ratio(["A", "A"]) == 1.0


def test_it_adds_a_source_column_only_when_asked():
    from sightline.linkage.features import IdentityRecord, features

    rows = [features(IdentityRecord(given_name="Amy"), 0), features(IdentityRecord(), 1)]
    assert "source" not in engine.to_arrow(rows).column_names
    assert engine.to_arrow(rows, ["A", "B"]).column("source").to_pylist() == ["A", "B"]
    with pytest.raises(ValueError, match="one source per row"):
        engine.to_arrow(rows, ["A"])
