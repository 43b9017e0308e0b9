"""Normalising in parts, in worker processes: the same table, positions and problems as
in one process."""

from sightline.linkage import batch, normalising
from sightline.linkage.features import IdentityRecord
from sightline.linkage.tests.synthetic import households


def _identities() -> list[IdentityRecord]:
    records, _siblings, _namesakes = households(40, seed=5)
    identities = [r.record for r in records]
    # Records with nothing to match on, and invalid values, among them.
    identities[3:3] = [IdentityRecord(), IdentityRecord(sex="F", postcode="nowhere")]
    identities.insert(50, IdentityRecord(given_name="Amy", nhs_number="1234567890"))
    identities.append(IdentityRecord(date_of_birth="31/02/2010"))
    return identities


def test_parts_normalised_by_workers_make_the_table_one_process_makes(monkeypatch):
    identities = _identities()
    alone = batch.prepare(identities, workers=1)
    monkeypatch.setattr(normalising, "PART", 13)
    parallel = batch.prepare(identities, workers=2)
    assert parallel.table.equals(alone.table)
    assert parallel.table.column("unique_id").to_pylist() == list(range(len(alone.positions)))
    assert (parallel.positions, parallel.unmatchable) == (alone.positions, alone.unmatchable)
    assert alone.unmatchable == [3, 4, len(identities) - 1]
    assert parallel.problems.as_dict() == alone.problems.as_dict()
    assert alone.problems.invalid_nhs_numbers > 0
    assert alone.problems.invalid_dates_of_birth > 0


def test_a_small_batch_is_normalised_in_this_process(monkeypatch):
    monkeypatch.delenv("SIGHTLINE_NORMALISE_WORKERS", raising=False)
    assert normalising.default_workers(normalising.PARALLEL_FROM - 1) == 1
    assert normalising.default_workers(normalising.PARALLEL_FROM) >= 1
    monkeypatch.setenv("SIGHTLINE_NORMALISE_WORKERS", "3")
    assert normalising.default_workers(10) == 3
