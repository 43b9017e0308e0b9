"""A batch's feature rows held once, as the Arrow table handed to DuckDB. Pure.

A million feature rows as Python dicts (24 columns each, about 3 KB a row) took about
3 GB beside the Arrow table with the same values. Batch linkage now keeps only the table:
``FeatureRows`` reads it as a sequence of rows for the code that wants rows (the guards,
clustering, pre-birth proposals), and hands whole columns as Python lists to the code
that scans every record (``column_of``), each string value one shared object.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

Row = Mapping[str, Any]


class FeatureRows(Sequence[Row]):
    """The rows of ``table`` (``engine.to_arrow``'s schema), read from it when asked."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self._columns: dict[str, list[Any]] = {}

    def __len__(self) -> int:
        return int(self.table.num_rows)

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | Sequence[Row]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return at(self, [index])[index]

    def __iter__(self) -> Iterator[Row]:
        for batch in self.table.to_batches(max_chunksize=65_536):
            yield from batch.to_pylist()

    def column(self, name: str, *, keep: bool = True) -> list[Any]:
        """The column ``name`` as a Python list (kept for the next call with ``keep``)."""
        found = self._columns.get(name)
        if found is None:
            found = python_list(self.table.column(name))
            if keep:
                self._columns[name] = found
        return found


def python_list(column: pa.ChunkedArray) -> list[Any]:
    """``column.to_pylist()``; a string column with each distinct value one object (a
    million given names are a few thousand strings, not a million)."""
    if not pa.types.is_string(column.type) or len(column) == 0:
        return list(column.to_pylist())
    encoded = pc.dictionary_encode(column.combine_chunks())
    values: list[Any] = encoded.dictionary.to_pylist()
    values.append(None)  # index -1: a missing value
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).tolist()
    return list(map(values.__getitem__, indices))


def column_of(rows: Sequence[Row], name: str, *, keep: bool = True) -> list[Any]:
    """The values of ``name`` in each row, in order."""
    if isinstance(rows, FeatureRows):
        return rows.column(name, keep=keep)
    return [row[name] for row in rows]


def at(
    rows: Sequence[Row], indices: Iterable[int], columns: Sequence[str] | None = None
) -> dict[int, Row]:
    """The rows at ``indices`` (by position), each read once; only ``columns`` of them
    when given."""
    wanted = sorted(set(indices))
    if not isinstance(rows, FeatureRows):
        if columns is None:
            return {index: rows[index] for index in wanted}
        return {index: {name: rows[index][name] for name in columns} for index in wanted}
    if not wanted:
        return {}
    table = rows.table if columns is None else rows.table.select(list(columns))
    taken = table.take(pa.array(wanted, pa.int64())).to_pylist()
    return dict(zip(wanted, taken, strict=True))


def present(rows: Sequence[Row], name: str) -> npt.NDArray[np.bool_]:
    """Whether each row has a value in the column ``name``."""
    if not isinstance(rows, FeatureRows):
        return np.array([row[name] is not None for row in rows], dtype=bool)
    column = rows.table.column(name)
    return np.asarray(pc.is_valid(column).to_numpy(zero_copy_only=False), dtype=bool)


def with_values(rows: Sequence[Row], wanted: Mapping[str, set[str]]) -> list[int]:
    """The positions of the rows whose value of one of the string columns of ``wanted``
    is among that column's wanted values (found in Arrow for a batch's table)."""
    if not isinstance(rows, FeatureRows):
        return [
            index
            for index, row in enumerate(rows)
            if any(row[name] in values for name, values in wanted.items())
        ]
    hit = None
    for name, values in wanted.items():
        found = pc.is_in(rows.table.column(name), value_set=pa.array(sorted(values), pa.string()))
        hit = found if hit is None else pc.or_(hit, found)
    if hit is None:
        return []
    return list(pc.indices_nonzero(pc.fill_null(hit, False)).to_pylist())
