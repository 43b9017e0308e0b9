"""A batch of records normalised into the feature table, in parts, in parallel. Pure.

Normalising is Python, one record at a time (``features.features``): at 1,000,000
records about 30 s on one core, while the other cores wait. The records are cut into
parts of ``PART`` records, normalised by worker processes (one per core), and the parts'
tables put back together in input order. Each record's row depends on the record alone,
so the table is the same as normalising in one process, whatever the number of workers
(a test compares the two); only the ``unique_id`` column (a record's position among the
records that can be matched) is counted across parts, by the caller.

The workers are started fresh (``spawn``), not forked: a fork of the process holding a
million records would count their memory again in each worker.
"""

import atexit
import gc
import multiprocessing
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from sightline.linkage.features import (
    ARRAY_COLUMNS,
    COLUMNS,
    IdentityRecord,
    Problems,
    features,
    has_identity,
)
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


# Records normalised into Python rows at a time, then made Arrow columns: the rows of
# one chunk are all that is held as Python objects.
CHUNK = 10_000
# Records per part handed to a worker.
PART = 25_000
# Fewer records than this are normalised in this process (starting workers costs more).
PARALLEL_FROM = 2 * PART


@dataclass
class Part:
    """A part's feature table (``unique_id`` counted from 0 within the part), the
    positions in the part of the records that can be matched and of those that cannot,
    and what normalisation dropped."""

    table: pa.Table
    positions: list[int]
    unmatchable: list[int]
    problems: Problems = field(default_factory=Problems)


@collector_paused()
def normalise(identities: Sequence[IdentityRecord]) -> Part:
    """``identities`` normalised in this process."""
    problems = Problems()
    positions: list[int] = []
    unmatchable: list[int] = []
    pieces: list[pa.Table] = []
    chunk: list[dict[str, Any]] = []
    for position, identity in enumerate(identities):
        if not has_identity(identity):
            features(identity, -1, problems)  # counts its invalid values all the same
            unmatchable.append(position)
            continue
        chunk.append(features(identity, len(positions), problems))
        positions.append(position)
        if len(chunk) >= CHUNK:
            pieces.append(feature_table(chunk))
            chunk = []
    if chunk or not pieces:
        pieces.append(feature_table(chunk))
    del chunk
    problems.unmatchable = len(unmatchable)
    table = pa.concat_tables(pieces) if len(pieces) > 1 else pieces[0]
    return Part(table, positions, unmatchable, problems)


@collector_paused()
def _normalise_values(values: list[tuple[Any, ...]]) -> Part:
    """A worker's task: records as tuples of their fields (quicker to send)."""
    return normalise([IdentityRecord(*record) for record in values])


def _worker_started() -> None:
    """A worker only normalises (nothing it makes holds a reference cycle): no cyclic
    garbage collection, which, while a part's 25,000 records were unpickled, took 20
    times the unpickling. Nor at its exit: Python collects once more when it finishes,
    over every object the normalisation caches hold (about 1 s of CPU a worker); frozen
    objects are left to the process's end."""
    gc.disable()
    atexit.register(gc.freeze)


def default_workers(records: int) -> int:
    """Worker processes for ``records``: one per core this process may use, none for a
    small batch. ``SIGHTLINE_NORMALISE_WORKERS`` sets the number (1: no workers)."""
    configured = os.environ.get("SIGHTLINE_NORMALISE_WORKERS", "").strip()
    if configured:
        return max(1, int(configured))
    if records < PARALLEL_FROM:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores)


def normalise_all(identities: Sequence[IdentityRecord], *, workers: int | None = None) -> Part:
    """Every record normalised, in parts of ``PART`` records by ``workers`` processes
    (``default_workers`` when None; 1: in this process): one part, ``unique_id``
    counted across parts, positions in ``identities``."""
    workers = default_workers(len(identities)) if workers is None else workers
    if workers <= 1 or len(identities) <= PART:
        return normalise(identities)
    starts = range(0, len(identities), PART)

    def values() -> Iterator[list[tuple[Any, ...]]]:
        for start in starts:
            yield [tuple(record) for record in identities[start : start + PART]]

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_started) as pool:
        parts = list(pool.map(_normalise_values, values()))
    return _joined(parts, list(starts))


def _joined(parts: Sequence[Part], starts: Sequence[int]) -> Part:
    """The parts as one: ``unique_id`` and positions counted on from the parts before."""
    problems = Problems()
    positions: list[int] = []
    unmatchable: list[int] = []
    tables = []
    for part, start in zip(parts, starts, strict=True):
        table = part.table
        if positions:
            ids = pc.add(table.column("unique_id"), pa.scalar(len(positions), pa.int64()))
            table = table.set_column(0, SCHEMA.field("unique_id"), ids)
        tables.append(table)
        positions.extend(start + position for position in part.positions)
        unmatchable.extend(start + position for position in part.unmatchable)
        problems.invalid_nhs_numbers += part.problems.invalid_nhs_numbers
        problems.invalid_dates_of_birth += part.problems.invalid_dates_of_birth
        problems.invalid_postcodes += part.problems.invalid_postcodes
    problems.unmatchable = len(unmatchable)
    return Part(pa.concat_tables(tables), positions, unmatchable, problems)
