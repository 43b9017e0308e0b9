"""A batch of records normalised into the feature table, column by column. Pure.

A record's columns are each decided by one of its fields (the given name's columns by the
given name, the address's by the address), or, for the names it is known by, by its
given, family and other names together (``features``: one function per field, the same
ones ``features.features`` calls for one record). A million records hold tens of
thousands of distinct names and dates and a few hundred thousand distinct addresses and
NHS numbers, so a batch is normalised one distinct value at a time: each field's values
are dictionary-encoded in Arrow, each distinct value normalised once in Python, and its
columns taken back to every record in Arrow. The table is the one normalising record by
record makes (a test compares the two on every kind of record). At 1,000,000 records
this takes about 8-10 s in one process, where two worker processes normalising record
by record took about 18-23 s.
"""

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, overload

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from sightline.linkage import features as f
from sightline.linkage.features import ARRAY_COLUMNS, COLUMNS, IdentityRecord, Problems
from sightline.linkage.gcpause import collector_paused

SCHEMA = pa.schema(
    [
        pa.field(name, pa.int64())
        if name == "unique_id"
        else pa.field(name, pa.list_(pa.string()) if name in ARRAY_COLUMNS else pa.string())
        for name in COLUMNS
    ]
)


def feature_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Feature rows as a table of ``SCHEMA``."""
    # Each row's values taken in one pass, then turned into columns: visiting each of a
    # million dicts once, not once per column, halves the time (1,000,000 rows: ~10 s).
    columns = list(zip(*map(itemgetter(*COLUMNS), rows), strict=True)) or [()] * len(COLUMNS)
    return pa.Table.from_arrays(
        [
            pa.array(column, schema_field.type)
            for column, schema_field in zip(columns, SCHEMA, strict=True)
        ],
        schema=SCHEMA,
    )


@dataclass
class Normalised:
    """The feature table of the records that can be matched (``unique_id`` counted
    from 0), their positions among the records given and the positions of those that
    cannot be matched (no name, date of birth or valid NHS number), and what
    normalisation dropped."""

    table: pa.Table
    positions: list[int]
    unmatchable: list[int]
    problems: Problems = field(default_factory=Problems)


class IdentityColumns(Sequence[IdentityRecord]):
    """Records' identity fields held column by column: one Arrow string array per field
    of ``IdentityRecord``, in its order, "" for a blank. A file read into columns
    (``linkfile.read_records``) is normalised from them directly; a record is made as
    an ``IdentityRecord`` only when one is asked for (a blank date of birth as None)."""

    def __init__(self, columns: Sequence[pa.Array]) -> None:
        if len(columns) != len(IdentityRecord._fields):
            raise ValueError(f"one column per field of IdentityRecord: {IdentityRecord._fields}")
        if len({len(column) for column in columns}) > 1:
            raise ValueError("the columns differ in length")
        self.columns = tuple(columns)

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, index: int) -> IdentityRecord: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[IdentityRecord]: ...

    def __getitem__(self, index: int | slice) -> IdentityRecord | Sequence[IdentityRecord]:
        if isinstance(index, slice):
            return IdentityColumns([column[index] for column in self.columns])
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return _identity([column[index].as_py() for column in self.columns])

    def __iter__(self) -> Iterator[IdentityRecord]:
        return map(_identity, zip(*(column.to_pylist() for column in self.columns), strict=True))


def _identity(values: Sequence[str]) -> IdentityRecord:
    record = IdentityRecord(*values)
    return record._replace(date_of_birth=None) if not record.date_of_birth else record


class _Field:
    """One field's values as codes into its distinct values (Arrow dictionary encoding:
    hashing a million strings in C, not in a Python dict)."""

    def __init__(self, values: Sequence[str | None] | pa.Array) -> None:
        # Large strings: a national batch's addresses may pass 2 GB, which plain
        # strings' 32-bit offsets cannot hold in one array.
        array = (
            values.cast(pa.large_string())
            if isinstance(values, pa.Array)
            else pa.array(values, pa.large_string())
        )
        encoded = pc.dictionary_encode(array.fill_null(""))
        self.codes: np.ndarray[Any, Any] = encoded.indices.to_numpy()
        self.distinct: list[str] = encoded.dictionary.to_pylist()

    def at(self, positions: np.ndarray[Any, Any]) -> pa.Array:
        """Codes of the records at ``positions``."""
        return pa.array(self.codes[positions])


def _taken(
    distinct_columns: Sequence[dict[str, Any]], names: Sequence[str], codes: pa.Array
) -> dict[str, pa.Array]:
    """Each of ``names`` from the columns of each distinct value, taken to the records
    (``codes``: each record's distinct value)."""
    return {
        name: pa.array(
            [columns[name] for columns in distinct_columns], SCHEMA.field(name).type
        ).take(codes)
        for name in names
    }


def _per_record(per_distinct: Iterable[bool | int], field: _Field) -> np.ndarray[Any, Any]:
    """A number or flag of each distinct value, for every record."""
    values = np.fromiter(per_distinct, np.int64, len(field.distinct))
    per_record: np.ndarray[Any, Any] = values[field.codes]
    return per_record


def _combined(first: np.ndarray[Any, Any], second: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """One code per distinct pair of codes, for each record. Codes are below the number
    of records, so the pair's key stays within 64 bits up to billions of records."""
    keys = first.astype(np.int64) * (int(second.max(initial=0)) + 1) + second
    inverse: np.ndarray[Any, Any] = np.unique(keys, return_inverse=True)[1]
    return inverse.reshape(-1)


def _known_by(
    given: _Field,
    family: _Field,
    other: _Field,
    positions: np.ndarray[Any, Any],
    given1: pa.Array,
    family_name: pa.Array,
) -> dict[str, pa.Array]:
    """``features.NAME_COLUMNS`` of the records at ``positions``.

    Most records have no other names: their name words and generation come from the
    given and the family name alone (``name_columns`` of each distinct name with the
    others blank), and the one name they are known by is ``given1|family``
    (``features.name_keys``), joined in Arrow. A record with other names has them worked
    out once per distinct combination of its three names, and put in its place."""
    by_given = _taken(
        [f.name_columns(value, "", "") for value in given.distinct],
        ("given_names", "generation"),
        given.at(positions),
    )
    by_family = _taken(
        [f.name_columns("", value, "") for value in family.distinct],
        ("family_names", "generation"),
        family.at(positions),
    )
    key = pc.binary_join_element_wise(given1, family_name, f.NAME_KEY_SEPARATOR)
    has_key = key.is_valid()
    offsets = np.zeros(len(key) + 1, np.int32)
    np.cumsum(has_key.to_numpy(zero_copy_only=False), out=offsets[1:])
    columns = {
        "given_names": by_given["given_names"],
        "family_names": by_family["family_names"],
        "name_keys": pa.ListArray.from_arrays(
            pa.array(offsets), key.drop_null(), mask=pc.invert(has_key)
        ),
        "generation": pc.coalesce(by_given["generation"], by_family["generation"]),
    }
    blank = other.distinct.index("") if "" in other.distinct else -1
    aliased = np.flatnonzero(other.codes[positions] != blank)
    if not len(aliased):
        return columns
    records = positions[aliased]
    triples = _combined(
        _combined(given.codes[records], family.codes[records]), other.codes[records]
    )
    _triples, first, at = np.unique(triples, return_index=True, return_inverse=True)
    firsts = records[first]
    known = _taken(
        [
            f.name_columns(given.distinct[g], family.distinct[n], other.distinct[o])
            for g, n, o in zip(
                given.codes[firsts].tolist(),
                family.codes[firsts].tolist(),
                other.codes[firsts].tolist(),
                strict=True,
            )
        ],
        f.NAME_COLUMNS,
        pa.array(at.reshape(-1)),
    )
    # Each aliased record's row taken from after the others'.
    order = np.arange(len(positions))
    order[aliased] = len(positions) + np.arange(len(aliased))
    return {
        name: pa.concat_arrays([columns[name], known[name]]).take(pa.array(order))
        for name in f.NAME_COLUMNS
    }


@collector_paused()
def normalise(identities: Sequence[IdentityRecord]) -> Normalised:
    """``identities`` normalised, one distinct value of each field at a time
    (``IdentityColumns``: from their Arrow columns, no record made)."""
    if not identities:
        return Normalised(SCHEMA.empty_table(), [], [])
    values: list[Sequence[Any] | pa.Array]
    if isinstance(identities, IdentityColumns):
        values = list(identities.columns)
    else:
        values = list(zip(*identities, strict=True))
        # A date may be given as a date: the same columns as its ISO text.
        values[3] = [v.isoformat() if isinstance(v, dt.date) else v for v in values[3]]
    given, family, other, born, sex, nhs, address, postcode = map(_Field, values)

    dates = [f.date_of_birth_columns(value) for value in born.distinct]
    numbers = [f.nhs_number_columns(value) for value in nhs.distinct]
    postcodes = [f.postcode_columns(value) for value in postcode.distinct]
    # A record can be matched when it has a name, a date of birth or a valid NHS number
    # (``features.has_identity``).
    matchable = (
        _per_record(map(f.has_name, given.distinct), given)
        | _per_record(map(f.has_name, family.distinct), family)
        | _per_record((columns["dob"] is not None for columns, _bad in dates), born)
        | _per_record((columns["nhs"] is not None for columns, _bad in numbers), nhs)
    ).astype(bool)
    positions = np.flatnonzero(matchable)
    problems = Problems(
        # Counted over every record, those that cannot be matched too.
        invalid_nhs_numbers=int(_per_record((bad for _c, bad in numbers), nhs).sum()),
        invalid_dates_of_birth=int(_per_record((bad for _c, bad in dates), born).sum()),
        invalid_postcodes=int(_per_record((bad for _c, bad in postcodes), postcode).sum()),
        unmatchable=len(identities) - len(positions),
    )

    columns = {"unique_id": pa.array(np.arange(len(positions)), pa.int64())}
    for distinct_columns, names, codes in (
        (map(f.given_name_columns, given.distinct), f.GIVEN_NAME_COLUMNS, given.at(positions)),
        (map(f.family_name_columns, family.distinct), f.FAMILY_NAME_COLUMNS, family.at(positions)),
        ((columns for columns, _bad in dates), f.DATE_OF_BIRTH_COLUMNS, born.at(positions)),
        (map(f.sex_columns, sex.distinct), f.SEX_COLUMNS, sex.at(positions)),
        ((columns for columns, _bad in numbers), f.NHS_NUMBER_COLUMNS, nhs.at(positions)),
        ((columns for columns, _bad in postcodes), f.POSTCODE_COLUMNS, postcode.at(positions)),
        (map(f.address_columns, address.distinct), f.ADDRESS_COLUMNS, address.at(positions)),
    ):
        columns |= _taken(list(distinct_columns), names, codes)
    columns |= _known_by(given, family, other, positions, columns["given1"], columns["family"])
    table = pa.Table.from_arrays([columns[name] for name in COLUMNS], schema=SCHEMA)
    return Normalised(table, positions.tolist(), np.flatnonzero(~matchable).tolist(), problems)
