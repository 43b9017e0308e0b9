"""Reading a person-records file for linkage, and writing ``record_id,person_id``. Pure.

Unlike import, linkage does not reject a file for an invalid NHS number, postcode or date
of birth: the value is treated as missing and counted. What it does reject, before any
output is written: an empty file, a missing header or required column, unknown columns,
a row without ``record_id`` or ``agency``, a row with the wrong number of fields, or a
column whose values are mostly of the wrong kind (names in the date-of-birth column, dates
in the NHS number column: columns in the wrong order), naming the column.
"""

import csv
import io
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from sightline.linkage.features import IdentityRecord
from sightline.linkage.gcpause import collector_paused

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


@collector_paused()  # a million records are millions of small objects
def read_records(path: Path) -> list[InputRecord]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(parse(handle))
    except FileNotFoundError:
        raise LinkFileError([f"{path}: no such file"]) from None
    except UnicodeDecodeError:
        raise LinkFileError([f"{path}: not UTF-8 text"]) from None


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
    errors = wrong_kinds(records, names)
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


def wrong_kinds(records: Sequence[InputRecord], names: Sequence[str]) -> list[str]:
    """One error per column whose values are mostly not of its kind, naming the column,
    how many values are wrong and the first of them.

    Each distinct value is checked once (a million records hold a few hundred thousand
    distinct NHS numbers and tens of thousands of distinct names and dates)."""
    errors = []
    identities = [record.identity for record in records]
    values = zip(*identities, strict=True) if identities else [()] * len(IdentityRecord._fields)
    columns = dict(zip(IdentityRecord._fields, values, strict=True))
    for column, (kind, pattern) in _KINDS.items():
        if column not in names:
            continue
        counts = Counter(columns[column])
        wrong_values = {v for v in counts if v and not pattern.search(str(v))}
        given = sum(count for value, count in counts.items() if value)
        wrong = sum(counts[value] for value in wrong_values)
        if wrong and 2 * wrong > given and (wrong >= _WRONG_AT_LEAST or wrong == given):
            first = next(
                record for record in records if getattr(record.identity, column) in wrong_values
            )
            value = str(getattr(first.identity, column))
            errors.append(
                f"column {column}: {wrong:,} of {given:,} values are not {kind} "
                f"(line {first.line}: {value[:40]!r}); is it the right column?"
            )
    return errors


def output_ids(records: Sequence[InputRecord]) -> list[str]:
    """Bare record ids, or ``AGENCY:record_id`` for every row when bare ids collide."""
    seen: dict[str, str] = {}
    collide = False
    for record in records:
        agency = seen.setdefault(record.record_id, record.agency)
        if agency != record.agency:
            collide = True
            break
    if collide:
        return [f"{record.agency}:{record.record_id}" for record in records]
    return [record.record_id for record in records]


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
            writer.writerows(zip(record_ids, persons, strict=True))
        Path(temp_name).replace(path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
