"""Feature rows held once, as the Arrow table: the same rows, scores and persons as the
Python rows they replaced."""

import pyarrow as pa  # type: ignore[import-untyped]

from sightline.linkage import batch, comparisons, engine, prebirth
from sightline.linkage.features import IdentityRecord, Problems
from sightline.linkage.rows import FeatureRows, at, column_of, python_list, with_values
from sightline.linkage.tests.synthetic import households

CONFIG = engine.EngineConfig(memory_limit="1GB")


def _identities(count: int, seed: int) -> list[IdentityRecord]:
    records, _siblings, _namesakes = households(count, seed=seed)
    return [r.record for r in records]


def _in_chunks(rows: FeatureRows, size: int) -> FeatureRows:
    """The rows' table cut into Arrow chunks of ``size`` rows (as a table read or
    concatenated in parts is)."""
    return FeatureRows(pa.Table.from_batches(rows.table.to_batches(max_chunksize=size)))


def test_prepared_in_chunks_holds_the_rows_python_made():
    identities = _identities(60, seed=3)
    rows, positions, unmatchable = batch.matchable_rows(identities, Problems())
    prepared = batch.prepare(identities)
    assert prepared.table.num_rows == len(rows)
    assert prepared.table.equals(engine.to_arrow(rows))
    assert (prepared.positions, prepared.unmatchable) == (positions, unmatchable)
    held = _in_chunks(prepared.rows, 7)
    assert len(held.table.column("given1").chunks) > 1
    assert list(held) == rows
    assert [held[i] for i in (0, len(rows) - 1, -1)] == [rows[0], rows[-1], rows[-1]]
    assert at(held, [5, 2, 5]) == {2: rows[2], 5: rows[5]}
    names = ("postcode", "house")
    part = {i: {name: rows[i][name] for name in names} for i in (2, 5)}
    assert at(held, [5, 2], names) == at(rows, [5, 2], names) == part
    wanted = {"postcode": {rows[3]["postcode"]}, "address": {rows[8]["address"], "nowhere"}}
    found = with_values(held, wanted)
    assert found == with_values(rows, wanted)
    assert {3, 8} <= set(found)
    assert found == [
        i
        for i, row in enumerate(rows)
        if row["postcode"] in wanted["postcode"] or row["address"] in wanted["address"]
    ]
    for name in ("given1", "dob", "nhs", "given_formal", "address_words"):
        assert column_of(held, name) == [row[name] for row in rows]
    assert comparisons.common_given_names(held) == comparisons.common_given_names(rows)
    assert comparisons.TermFrequencies.of(held) == comparisons.TermFrequencies.of(rows)
    labels = list(range(len(rows)))
    assert prebirth.candidates(held) == prebirth.candidates(rows)
    assert prebirth.link(held, labels) == prebirth.link(rows, labels)


def test_a_string_column_shares_each_value():
    column = pa.chunked_array([["amy", None, "amy"], ["bo", "amy"]], pa.string())
    values = python_list(column)
    assert values == ["amy", None, "amy", "bo", "amy"]
    assert values[0] is values[2] is values[4]
    assert python_list(pa.chunked_array([], pa.string())) == []


def test_persons_and_review_are_the_same_as_from_python_rows(trained_model):
    identities = _identities(150, seed=11)
    rows, _positions, _unmatchable = batch.matchable_rows(identities, Problems())
    held = _in_chunks(batch.prepare(identities).rows, 100)
    assert len(held.table.column("given1").chunks) > 1
    results = [
        batch.resolve(
            these, trained_model, config=CONFIG, auto_threshold=0.99, review_threshold=0.5
        )
        for these in (rows, held)
    ]
    python, arrow = results
    assert python.labels == arrow.labels
    assert python.auto_links == arrow.auto_links
    assert sorted(python.review, key=repr) == sorted(arrow.review, key=repr)
    assert any(pair.guard for pair in arrow.review)
