"""Normalising a batch one distinct value at a time: the table, positions and problems
that normalising record by record (``features.features``) makes."""

import datetime as dt

import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from sightline.linkage import batch, normalising
from sightline.linkage.corpus import generator
from sightline.linkage.features import MAX_NAME_KEYS, IdentityRecord, Problems
from sightline.linkage.tests.synthetic import households

# Every kind of value normalisation treats apart, each at least twice (one distinct value
# shared by records, and combined with others).
EDGES = [
    IdentityRecord(),  # nothing to match on
    IdentityRecord(sex="F", postcode="nowhere"),  # nothing to match on, an invalid postcode
    IdentityRecord(given_name="Amy", nhs_number="1234567890"),  # an invalid NHS number
    IdentityRecord(nhs_number="9990000018"),  # a valid number alone
    IdentityRecord(nhs_number=" 999 000 0018 ", given_name="Amy"),
    IdentityRecord(date_of_birth="31/02/2010"),  # not a date: nothing to match on
    IdentityRecord(date_of_birth="04/03/2011", family_name="Okafor"),
    IdentityRecord(date_of_birth=dt.date(2011, 3, 4), family_name="Okafor"),  # a date
    IdentityRecord(date_of_birth=None, given_name="Unborn", family_name="Okafor"),
    IdentityRecord(given_name="Baby", date_of_birth="2026-01-05"),  # unborn, no family name
    IdentityRecord(given_name="Lee-Anne", family_name="O'Brien-Smith", sex=" f "),
    IdentityRecord(given_name="Zoë", family_name="Ångström", sex="x"),
    IdentityRecord(given_name="Tom Jnr", family_name="Walsh", other_names="Thomas Walsh"),
    IdentityRecord(given_name="Tom", family_name="Walsh Snr"),
    IdentityRecord(given_name="Nicolq", family_name="Rogers", other_names="Jones"),
    IdentityRecord(given_name="Rogers", family_name="Andrea", other_names="Drea Rogers"),
    IdentityRecord(
        given_name="Ann",
        family_name="Lee",
        other_names="; ".join(f"G{i} F{i}" for i in range(MAX_NAME_KEYS)),
    ),
    IdentityRecord(given_name="Ann", family_name="Lee", other_names="Jay"),
    IdentityRecord(family_name="Lee", other_names="Jay Smith"),
    IdentityRecord(address="12 High Street LS1 4AP", postcode="LS1 4AP", given_name="Jo"),
    IdentityRecord(address="Flat 3, 12a High St", postcode="LS1", given_name="Jo"),
    IdentityRecord(address="Rue de Rivoli", postcode="75008", given_name="Jo"),
    IdentityRecord(address="  ", postcode="D02 X285", given_name="Jo"),
]


def _record_by_record(identities: list[IdentityRecord]) -> normalising.Normalised:
    problems = Problems()
    rows, positions, unmatchable = batch.matchable_rows(identities, problems)
    return normalising.Normalised(normalising.feature_table(rows), positions, unmatchable, problems)


@pytest.mark.parametrize(
    "identities",
    [
        pytest.param([r.record for r in households(40, seed=5)[0]] + EDGES * 2, id="households"),
        pytest.param(
            [
                IdentityRecord(*(row[name] for name in IdentityRecord._fields))
                for row in (
                    {
                        "given_name": r["given_name"],
                        "family_name": r["family_name"],
                        "other_names": r["other_names"],
                        "date_of_birth": r["date_of_birth"],
                        "sex": r["sex"],
                        "nhs_number": r["nhs_number"],
                        "address": r["address"],
                        "postcode": r["postcode"],
                    }
                    for r in generator.generate(records=3000, seed=11).rows
                )
            ]
            + EDGES,
            id="independent corpus",
        ),
        pytest.param(EDGES[:2], id="none can be matched"),
        pytest.param([], id="no records"),
    ],
)
def test_a_batch_is_normalised_as_record_by_record(identities):
    alone = _record_by_record(identities)
    # As tuples, and as the Arrow columns a file is read into (``linkfile.Records``).
    for together in (
        normalising.normalise(identities),
        normalising.normalise(_columns(identities)),
    ):
        assert together.table.schema == normalising.SCHEMA
        assert together.table.equals(alone.table)
        assert together.positions == alone.positions
        assert together.unmatchable == alone.unmatchable
        assert together.problems.as_dict() == alone.problems.as_dict()


def _columns(identities: list[IdentityRecord]) -> normalising.IdentityColumns:
    return normalising.IdentityColumns(
        [
            pa.array(
                [v.isoformat() if isinstance(v, dt.date) else (v or "") for v in values],
                pa.large_string(),
            )
            for values in (zip(*identities, strict=True) if identities else [()] * 8)
        ]
    )


def test_identity_columns_give_records_on_demand():
    columns = _columns(EDGES)
    assert len(columns) == len(EDGES)
    assert columns[7] == EDGES[7]._replace(date_of_birth="2011-03-04")
    assert columns[0] == IdentityRecord()
    assert columns[-1] == EDGES[-1]
    assert list(columns[8:10]) == EDGES[8:10]
    with pytest.raises(IndexError):
        columns[len(EDGES)]
    with pytest.raises(ValueError, match="one column per field"):
        normalising.IdentityColumns(columns.columns[:7])


def test_unmatchable_records_and_invalid_values_are_counted():
    normalised = normalising.normalise(EDGES)
    assert normalised.unmatchable == [0, 1, 5]
    assert normalised.problems.as_dict() == {
        "invalid_nhs_numbers": 1,
        "invalid_dates_of_birth": 1,
        "invalid_postcodes": 2,  # "nowhere", and "LS1" (a district, not a postcode)
        "unmatchable": 3,
    }
    assert normalised.table.column("unique_id").to_pylist() == list(range(len(EDGES) - 3))
