"""Reading a person-records file for linkage, and writing ``record_id,person_id``. Pure.

Unlike import, linkage does not reject a file for an invalid NHS number, postcode or date
of birth: the value is treated as missing and counted. What it does reject, before any
output is written: an empty file, a missing header or required column, unknown columns,
a row without ``record_id`` or ``agency``, a row with the wrong number of fields, or a
column whose values are mostly of the wrong kind (names in the date-of-birth column, dates
in the NHS number column: columns in the wrong order), naming the column.

A file is read into Arrow columns (``Records``). A well-formed file is parsed by Arrow's
CSV reader (the whole read, values trimmed and columns checked, about 3-4 s for a
million records, where the ``csv`` module and a tuple per record took about 6-7 s).
Anything that reader cannot take as it is (a row with the wrong number of fields, a
blank line, a blank ``record_id`` or ``agency``, a bad header, bytes that are not UTF-8)
is read again by the ``csv`` module (``parse``), which names every problem by line.
Both give the same records (a test reads tricky files both ways).
"""

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import NamedTuple, overload

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]

from sightline.linkage.features import IdentityRecord
from sightline.linkage.gcpause import collector_paused
from sightline.linkage.normalising import IdentityColumns

COLUMNS = (
    "record_id",
    "agency",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "nhs_number",
    "address",
    "postcode",
)
REQUIRED = ("record_id", "agency")
_IDENTITY_COLUMNS = COLUMNS[2:]  # in the order of ``IdentityRecord``'s fields


class LinkFileError(Exception):
    """The input file cannot be linked; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__(
            "; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")
        )
        self.errors = list(errors)


class InputRecord(NamedTuple):
    """One row of the file (a named tuple: a million are made, see ``IdentityRecord``)."""

    line: int
    agency: str
    record_id: str
    identity: IdentityRecord


class Records(Sequence[InputRecord]):
    """A file's records, column by column: an Arrow string array per column of
    ``COLUMNS`` (values trimmed as ``str.strip`` trims, "" for a blank or a column the
    file lacks), and each record's line in the file (the line it ends on, as the ``csv``
    module counts). A record is made as an ``InputRecord`` only when one is asked for."""

    def __init__(self, columns: Mapping[str, pa.Array], lines: Sequence[int] | np.ndarray) -> None:
        self.columns = {name: columns[name] for name in COLUMNS}
        self.lines = np.asarray(lines, np.int64)
        if any(len(column) != len(self.lines) for column in self.columns.values()):
            raise ValueError("one line number per record")

    @classmethod
    def of(cls, records: Sequence[InputRecord]) -> "Records":
        """``records`` held as columns."""
        values = {
            name: pa.array([getattr(r.identity, name) or "" for r in records], pa.large_string())
            for name in _IDENTITY_COLUMNS
        }
        values["record_id"] = pa.array([r.record_id for r in records], pa.large_string())
        values["agency"] = pa.array([r.agency for r in records], pa.large_string())
        return cls(values, [r.line for r in records])

    def __len__(self) -> int:
        return len(self.lines)

    @overload
    def __getitem__(self, index: int) -> InputRecord: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[InputRecord]: ...

    def __getitem__(self, index: int | slice) -> InputRecord | Sequence[InputRecord]:
        if isinstance(index, slice):
            return Records(
                {name: column[index] for name, column in self.columns.items()}, self.lines[index]
            )
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return InputRecord(
            line=int(self.lines[index]),
            agency=self.columns["agency"][index].as_py(),
            record_id=self.columns["record_id"][index].as_py(),
            identity=self.identities[index],
        )

    def __iter__(self) -> Iterator[InputRecord]:
        return map(
            InputRecord._make,
            zip(self.lines.tolist(), self.agencies, self.record_ids, self.identities, strict=True),
        )

    @cached_property
    def identities(self) -> IdentityColumns:
        """The records' identity fields (normalised from the columns, ``normalising``)."""
        return IdentityColumns([self.columns[name] for name in _IDENTITY_COLUMNS])

    @cached_property
    def agencies(self) -> list[str]:
        return list(self.columns["agency"].to_pylist())

    @cached_property
    def record_ids(self) -> list[str]:
        return list(self.columns["record_id"].to_pylist())


@collector_paused()  # a million records are millions of small objects
def read_records(path: Path) -> Records:
    """The records of a person-records file (see the module doc); ``LinkFileError``
    lists every problem of a file that cannot be linked."""
    try:
        records = _read_well_formed(path)
        if records is not None:
            errors = wrong_kinds(records)
            if errors:
                raise LinkFileError(errors)
            return records
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return Records.of(list(parse(handle)))
    except FileNotFoundError:
        raise LinkFileError([f"{path}: no such file"]) from None
    except UnicodeDecodeError:
        raise LinkFileError([f"{path}: not UTF-8 text"]) from None


def _header(path: Path) -> tuple[list[str], int]:
    """The header's values as written, and the line it ends on."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        return next(reader), reader.line_num


@cache
def _white_space() -> str:
    """What ``str.strip`` takes off a value: every character Python counts as white space."""
    return "".join(chr(code) for code in range(0x110000) if chr(code).isspace())


def _read_well_formed(path: Path) -> Records | None:
    """The file's records by Arrow's CSV reader, or None when the file is not one it can
    take as it is (``parse`` then reads it and names the problems)."""
    try:
        header, header_lines = _header(path)
    except (csv.Error, StopIteration, UnicodeDecodeError):
        return None
    if header_errors([name.strip() for name in header]):
        return None
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(use_threads=True),
            # Quoting as the csv module's default dialect; an empty line is a row of the
            # wrong width (the csv module skips it: ``parse`` reads such a file).
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.large_string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    if table.column_names != header or not table.num_rows:
        return None
    raw = {name.strip(): table.column(name).combine_chunks() for name in header}
    # Each record's last line: the lines before it, and the line breaks in its values.
    breaks = np.zeros(table.num_rows, np.int64)
    for column in raw.values():
        breaks += pc.count_substring_regex(column, "\r\n|\r|\n").to_numpy()
    lines = header_lines + 1 + np.arange(table.num_rows) + np.cumsum(breaks)
    blank = pa.array([""] * table.num_rows, pa.large_string())
    columns = {
        name: pc.utf8_trim(raw[name], characters=_white_space()) if name in raw else blank
        for name in COLUMNS
    }
    # A row of blanks is skipped, as ``parse`` skips it.
    filled = np.zeros(table.num_rows, bool)
    for column in columns.values():
        filled |= pc.not_equal(column, "").to_numpy(zero_copy_only=False)
    if not filled.all():
        keep = pa.array(filled)
        columns = {name: column.filter(keep) for name, column in columns.items()}
        lines = lines[filled]
    if not len(lines) or any(pc.any(pc.equal(columns[name], "")).as_py() for name in REQUIRED):
        return None
    return Records(columns, lines)


def header_errors(names: Sequence[str]) -> list[str]:
    """What is wrong with a header's column names (stripped), if anything."""
    errors = []
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        errors.append(
            f"unknown columns: {', '.join(unknown)} (expected some of {', '.join(COLUMNS)})"
        )
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        errors.append(f"missing required columns: {', '.join(missing)}")
    if len(set(names)) != len(names):
        errors.append("a column appears twice in the header")
    return errors


def parse(handle: io.TextIOBase | Iterator[str]) -> Iterator[InputRecord]:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise LinkFileError(
            ["the file is empty: a header row and at least one record are needed"]
        ) from None
    except csv.Error as error:
        raise LinkFileError([f"line 1: not valid CSV ({error})"]) from None
    names = [name.strip() for name in header]
    errors = header_errors(names)
    if errors:
        raise LinkFileError(errors)
    records = []
    # Each value is read by its column's position (a million rows: a dict per row, and a
    # look-up per field, were most of the time to read the file).
    position = {name: index for index, name in enumerate(names)}
    record_id_at, agency_at = position["record_id"], position["agency"]
    identity_at = [position.get(name) for name in _IDENTITY_COLUMNS]
    width = len(names)
    try:
        for values in reader:
            line = reader.line_num
            stripped = list(map(str.strip, values))
            if not any(stripped):
                continue
            if len(values) != width:
                errors.append(f"line {line}: {len(values)} fields, the header has {width}")
                continue
            record_id, agency = stripped[record_id_at], stripped[agency_at]
            if not record_id or not agency:
                errors.extend(
                    f"line {line}: {c} is blank" for c in REQUIRED if not stripped[position[c]]
                )
            given, family, other, born, sex, nhs, address, postcode = (
                "" if at is None else stripped[at] for at in identity_at
            )
            records.append(
                InputRecord(
                    line=line,
                    agency=agency,
                    record_id=record_id,
                    identity=IdentityRecord(
                        given_name=given,
                        family_name=family,
                        other_names=other,
                        date_of_birth=born or None,
                        sex=sex,
                        nhs_number=nhs,
                        address=address,
                        postcode=postcode,
                    ),
                )
            )
    except csv.Error as error:
        errors.append(f"line {reader.line_num}: not valid CSV ({error})")
    if errors:
        raise LinkFileError(errors)
    if not records:
        raise LinkFileError(["the file has a header but no records"])
    errors = wrong_kinds(Records.of(records))
    if errors:
        raise LinkFileError(errors)
    yield from records


# What a value of each column looks like, leniently: an impossible date (31 February) or
# an NHS number failing its check is still of the right kind (treated as missing and
# counted); a family name in the date-of-birth column is not.
_KINDS: dict[str, tuple[str, re.Pattern[str]]] = {
    "date_of_birth": ("dates", re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$")),
    "nhs_number": ("NHS numbers (ten digits)", re.compile(r"^[\d\s-]{8,14}$")),
    "postcode": ("postcodes", re.compile(r"^(?=.*\d)[A-Za-z\d -]{2,10}$")),
    "sex": ("sexes (F, M or not known)", re.compile(r"^[A-Za-z ]{1,13}$")),
    "given_name": ("names", re.compile(r"[^\W\d_]")),
    "family_name": ("names", re.compile(r"[^\W\d_]")),
}
# A column is refused when more than half its values are of the wrong kind, and at least
# this many (or all of them, in a small file).
_WRONG_AT_LEAST = 5


def wrong_kinds(records: Records) -> list[str]:
    """One error per column whose values are mostly not of its kind, naming the column,
    how many values are wrong and the first of them (a column the file lacks is blank).

    Each distinct value is checked once (a million records hold a few hundred thousand
    distinct NHS numbers and tens of thousands of distinct names and dates)."""
    errors = []
    for column, (kind, pattern) in _KINDS.items():
        values = records.columns[column]
        counts = pc.value_counts(values)
        distinct = counts.field("values").to_pylist()
        wrong_values = [v for v in distinct if v and not pattern.search(v)]
        tally = dict(zip(distinct, counts.field("counts").to_pylist(), strict=True))
        given = len(values) - tally.get("", 0)
        wrong = sum(tally[value] for value in wrong_values)
        if wrong and 2 * wrong > given and (wrong >= _WRONG_AT_LEAST or wrong == given):
            hits = pc.is_in(values, value_set=pa.array(wrong_values, pa.large_string()))
            first = int(pc.index(hits, True).as_py())
            value = str(values[first].as_py())
            errors.append(
                f"column {column}: {wrong:,} of {given:,} values are not {kind} "
                f"(line {records.lines[first]}: {value[:40]!r}); is it the right column?"
            )
    return errors


def output_ids(records: Records) -> list[str]:
    """Bare record ids, or ``AGENCY:record_id`` for every row when bare ids collide."""
    seen: dict[str, str] = {}
    for record_id, agency in zip(records.record_ids, records.agencies, strict=True):
        if seen.setdefault(record_id, agency) != agency:
            return [f"{a}:{r}" for r, a in zip(records.record_ids, records.agencies, strict=True)]
    return list(records.record_ids)


def person_ids(labels: Sequence[int]) -> list[str]:
    """Opaque person ids, numbered in order of first appearance."""
    numbers: dict[int, int] = {}
    return [f"P{numbers.setdefault(label, len(numbers) + 1):07d}" for label in labels]


def write_output(path: Path, record_ids: Sequence[str], persons: Sequence[str]) -> None:
    """Write ``record_id,person_id`` atomically: the file appears complete or not at all."""
    if len(record_ids) != len(persons):
        raise ValueError("one person id per record")
    directory = path.resolve().parent
    handle, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["record_id", "person_id"])
            rows = zip(record_ids, persons, strict=True)
            if not any("\r" in record_id for record_id in record_ids):
                writer.writerows(rows)
            else:
                # The csv module quotes a value holding a line terminator's characters,
                # and "\n" alone is ours: a bare carriage return would be written
                # unquoted, and read back as the end of a line.
                quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
                for row in rows:
                    (quoted if "\r" in row[0] else writer).writerow(row)
        Path(temp_name).replace(path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
