"""Reading and validating the interchange formats (/work/shared/formats). Pure: no Django.

``parse_person_record`` and ``parse_event`` check one row given as a mapping of column
name to text (a CSV row, a JSON object or an API request). ``read_person_records`` and
``read_events`` read whole files. Every function collects every problem it finds, each
with the physical line number a person sees in an editor (the header is line 1) and the
column, rather than stopping at the first. A caller must treat any error as a rejection
of the whole file: the rows returned alongside errors are only the ones that were valid.
"""

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from zoneinfo import ZoneInfo

from sightline.importing.rows import EventRow, PersonRecordRow, RowError
from sightline.people import normalise

LONDON = ZoneInfo("Europe/London")

PERSON_COLUMNS = (
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
PERSON_REQUIRED = ("record_id", "agency")

EVENT_COLUMNS = (
    "event_id",
    "agency",
    "subject_record_id",
    "occurred_at",
    "category",
    "summary",
    "significance",
    "practitioner",
    "other_record_ids",
)
EVENT_REQUIRED = ("event_id", "agency", "subject_record_id", "occurred_at", "category", "summary")

SEXES = ("F", "M", "X")
SIGNIFICANCES = ("low", "medium", "high")
SUMMARY_MAX_CHARS = 4000

# Longest value each column may hold (the database's limits, checked here so that a
# long value is a row error rather than a failed write).
_MAX_CHARS = {
    "record_id": 100,
    "agency": 32,
    "given_name": 100,
    "family_name": 100,
    "other_names": 500,
    "address": 300,
    "event_id": 100,
    "subject_record_id": 100,
    "category": 64,
    "summary": SUMMARY_MAX_CHARS,
    "practitioner": 200,
    "other_record_ids": 100,  # each id
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
)
_CATEGORY = re.compile(r"^[-a-zA-Z0-9_]+$")
# How often the file readers report progress, in rows.
_PROGRESS_EVERY = 1000

ProgressCallback = Callable[[int, int], None]
"""Called with (lines read, lines in the file) while a file is read."""


# -- one row ---------------------------------------------------------------------------


def _values(
    fields: Mapping[str, str], *, line: int, columns: tuple[str, ...], required: tuple[str, ...]
) -> tuple[dict[str, str], list[RowError]]:
    """Strip every value; report unknown columns and missing required values."""
    errors = [
        RowError(line, name, f"unknown column {name!r}") for name in fields if name not in columns
    ]
    values = {name: (fields.get(name) or "").strip() for name in columns}
    errors.extend(
        RowError(line, name, f"{name} is required") for name in required if not values[name]
    )
    for name, limit in _MAX_CHARS.items():
        if name in values and name != "other_record_ids" and len(values[name]) > limit:
            errors.append(
                RowError(
                    line, name, f"{name} is {len(values[name]):,} characters; at most {limit:,}"
                )
            )
    return values, errors


def _today() -> dt.date:
    return dt.datetime.now(LONDON).date()


def _parse_date_of_birth(text: str, *, line: int) -> tuple[dt.date | None, list[RowError]]:
    if not text:
        return None, []
    if not _DATE.match(text):
        return None, [RowError(line, "date_of_birth", f"{text!r} is not a date as YYYY-MM-DD")]
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None, [RowError(line, "date_of_birth", f"{text!r} is not a real date")]
    if day > _today():
        return None, [RowError(line, "date_of_birth", f"{text} is in the future")]
    return day, []


def _parse_nhs_number(text: str, *, line: int) -> tuple[str, list[RowError]]:
    if not text:
        return "", []
    digits = normalise.nhs_digits(text)
    if not (len(digits) == 10 and digits.isdigit()):
        return "", [RowError(line, "nhs_number", f"{text!r} is not 10 digits (spaces are allowed)")]
    if not normalise.is_valid_nhs_number(digits):
        return "", [
            RowError(line, "nhs_number", f"{text!r} is not a valid NHS number (check digit)")
        ]
    return digits, []


def _parse_postcode(text: str, *, line: int) -> tuple[str, list[RowError]]:
    if not text:
        return "", []
    if not normalise.is_valid_postcode(text):
        return "", [RowError(line, "postcode", f"{text!r} is not a UK postcode")]
    formatted = normalise.postcode(text)
    if formatted == "GIR0AA":
        formatted = "GIR 0AA"
    return formatted, []


def parse_person_record(
    fields: Mapping[str, str], *, line: int
) -> tuple[PersonRecordRow | None, list[RowError]]:
    """Validate one row of the person-records format; the row is None if it has errors."""
    values, errors = _values(fields, line=line, columns=PERSON_COLUMNS, required=PERSON_REQUIRED)
    date_of_birth, problems = _parse_date_of_birth(values["date_of_birth"], line=line)
    errors += problems
    nhs_number, problems = _parse_nhs_number(values["nhs_number"], line=line)
    errors += problems
    postcode, problems = _parse_postcode(values["postcode"], line=line)
    errors += problems
    if values["sex"] and values["sex"] not in SEXES:
        errors.append(RowError(line, "sex", f"{values['sex']!r} is not one of F, M, X"))
    other_names = ";".join(
        part.strip() for part in values["other_names"].split(";") if part.strip()
    )
    has_name = values["given_name"] or values["family_name"] or other_names
    if not (has_name or values["date_of_birth"] or values["nhs_number"]):
        errors.append(
            RowError(
                line,
                "",
                "the row has no name, date of birth or NHS number, so it cannot be matched",
            )
        )
    if errors:
        return None, errors
    return (
        PersonRecordRow(
            line=line,
            record_id=values["record_id"],
            agency=values["agency"],
            given_name=values["given_name"],
            family_name=values["family_name"],
            other_names=other_names,
            date_of_birth=date_of_birth,
            sex=values["sex"],
            nhs_number=nhs_number,
            address=values["address"],
            postcode=postcode,
        ),
        [],
    )


def parse_occurred_at(
    text: str, *, line: int, now: dt.datetime
) -> tuple[tuple[dt.datetime, bool] | None, list[RowError]]:
    """An ISO 8601 date or date-time as (datetime in UTC, date_only).

    Without an offset the time is Europe/London local time; a date alone is midnight
    local time. A local time that does not exist (the hour the clocks go forward) and a
    time after ``now`` are errors.
    """
    column = "occurred_at"
    if _DATE.match(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return None, [RowError(line, column, f"{text!r} is not a real date")]
        when = dt.datetime.combine(day, dt.time(), tzinfo=LONDON)
        date_only = True
    elif _DATE_TIME.match(text):
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            return None, [RowError(line, column, f"{text!r} is not a real date and time")]
        if parsed.tzinfo is None:
            when = parsed.replace(tzinfo=LONDON)
            round_trip = when.astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None)
            if round_trip != parsed:
                return None, [
                    RowError(
                        line,
                        column,
                        f"{text} does not exist in UK local time (the clocks went forward); "
                        "give the offset, e.g. +00:00",
                    )
                ]
        else:
            when = parsed
        date_only = False
    else:
        return None, [
            RowError(
                line,
                column,
                f"{text!r} is not an ISO 8601 date or date-time "
                "(e.g. 2025-03-14 or 2025-03-14T09:30 or 2025-03-14T09:30:00+00:00)",
            )
        ]
    if when > now:
        return None, [RowError(line, column, f"{text} is in the future")]
    # In UTC: an aware time in the repeated autumn hour compares unequal to every time
    # in another zone (PEP 495), which would make an unchanged event look changed.
    return (when.astimezone(dt.UTC), date_only), []


def parse_event(
    fields: Mapping[str, str], *, line: int, now: dt.datetime
) -> tuple[EventRow | None, list[RowError]]:
    """Validate one row of the chronology-events format; the row is None if it has errors.

    ``now`` must be timezone-aware: events after it are rejected.
    """
    values, errors = _values(fields, line=line, columns=EVENT_COLUMNS, required=EVENT_REQUIRED)
    occurred: tuple[dt.datetime, bool] | None = None
    if values["occurred_at"]:
        occurred, problems = parse_occurred_at(values["occurred_at"], line=line, now=now)
        errors += problems
    category = values["category"]
    if category and not _CATEGORY.match(category):
        errors.append(
            RowError(line, "category", f"{category!r} is not a category code (e.g. home_visit)")
        )
    if values["significance"] and values["significance"] not in SIGNIFICANCES:
        errors.append(
            RowError(
                line, "significance", f"{values['significance']!r} is not one of low, medium, high"
            )
        )
    others: list[str] = []
    for part in values["other_record_ids"].split(";"):
        other = part.strip()
        if not other or other in others:
            continue
        if len(other) > _MAX_CHARS["other_record_ids"]:
            errors.append(
                RowError(
                    line,
                    "other_record_ids",
                    f"record id {other[:20]!r}... is longer than {_MAX_CHARS['other_record_ids']} characters",
                )
            )
        others.append(other)
    if errors or occurred is None:
        return None, errors
    occurred_at, date_only = occurred
    return (
        EventRow(
            line=line,
            event_id=values["event_id"],
            agency=values["agency"],
            subject_record_id=values["subject_record_id"],
            occurred_at=occurred_at,
            date_only=date_only,
            category=category,
            summary=values["summary"],
            significance=values["significance"],
            practitioner=values["practitioner"],
            other_record_ids=tuple(others),
        ),
        [],
    )


# -- whole files -----------------------------------------------------------------------


def _decode(content: bytes, *, max_bytes: int) -> tuple[str | None, list[RowError]]:
    """The file as text, or the file-level errors (too large, empty, not UTF-8)."""
    if len(content) > max_bytes:
        return None, [
            RowError(0, "", f"the file is {len(content):,} bytes; the limit is {max_bytes:,}")
        ]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, _encoding_errors(content)
    if not text.strip():
        return None, [RowError(0, "", "the file is empty")]
    return text, []


def _encoding_errors(content: bytes, *, limit: int = 100) -> list[RowError]:
    """One error per line holding bytes that are not UTF-8 (at most ``limit``)."""
    errors: list[RowError] = []
    position = 0
    last_line = 0
    while len(errors) < limit:
        try:
            content[position:].decode("utf-8")
            break
        except UnicodeDecodeError as error:
            start = position + error.start
            line = content.count(b"\n", 0, start) + 1
            if line != last_line:
                line_start = content.rfind(b"\n", 0, start) + 1
                errors.append(
                    RowError(
                        line,
                        "",
                        f"not UTF-8: byte 0x{content[start]:02x} at byte {start + 1:,} of the "
                        f"file ({start - line_start + 1} on the line); save the file as UTF-8",
                    )
                )
                last_line = line
            position = position + error.end
    return errors


def _count_lines(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def _csv_rows(
    text: str, *, progress: ProgressCallback | None
) -> Iterator[tuple[int, list[str] | None, RowError | None]]:
    """(first physical line, fields, None) per CSV record, or (line, None, error)."""
    total = _count_lines(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 0
    count = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            start = previous_end + 1
            previous_end = max(reader.line_num, start)
            yield start, None, RowError(start, "", f"malformed CSV: {error}")
            continue
        start = previous_end + 1
        previous_end = reader.line_num
        count += 1
        if progress is not None and count % _PROGRESS_EVERY == 0:
            progress(previous_end, total)
        yield start, fields, None
    if progress is not None:
        progress(total, total)


def _read_csv(
    text: str,
    *,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    progress: ProgressCallback | None,
) -> Iterator[tuple[int, dict[str, str] | None, list[RowError]]]:
    """Each data row as a mapping, with the header's and the row's shape errors.

    A header error with no usable rows is yielded as (1, None, errors) and ends the file.
    """
    rows = _csv_rows(text, progress=progress)
    header: list[str] | None = None
    for line, fields, error in rows:
        if error is not None:
            yield line, None, [error]
            if line == 1:
                return
            continue
        if fields is None or not any(field.strip() for field in fields):
            if header is None:
                yield line, None, [RowError(line, "", "the first line must be the header row")]
                return
            continue  # blank lines between rows are ignored
        if header is None:
            header = [name.strip() for name in fields]
            header_errors = _check_header(header, line=line, columns=columns, required=required)
            if header_errors:
                yield line, None, header_errors
            if any(not e.message.startswith("unknown column") for e in header_errors):
                return  # every row would repeat the same problem
            continue
        if len(fields) != len(header):
            yield (
                line,
                None,
                [
                    RowError(
                        line,
                        "",
                        f"the row has {len(fields)} fields but the header has {len(header)}",
                    )
                ],
            )
            continue
        yield (
            line,
            {name: value for name, value in zip(header, fields, strict=True) if name in columns},
            [],
        )
    if header is None:
        yield 0, None, [RowError(0, "", "the file is empty")]


def _check_header(
    header: list[str], *, line: int, columns: tuple[str, ...], required: tuple[str, ...]
) -> list[RowError]:
    if not any(name in columns for name in header):
        return [
            RowError(
                line,
                "",
                "the first line must be the header row naming the columns "
                f"({','.join(columns)}); it names none of them",
            )
        ]
    errors: list[RowError] = []
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            errors.append(RowError(line, "", f"column {position} of the header has no name"))
        elif name in seen:
            errors.append(RowError(line, name, f"column {name!r} appears twice in the header"))
        elif name not in columns:
            errors.append(
                RowError(
                    line,
                    name,
                    f"unknown column {name!r}; the columns are {', '.join(columns)}",
                )
            )
        seen.add(name)
    errors.extend(
        RowError(line, name, f"required column {name!r} is missing from the header")
        for name in required
        if name not in seen
    )
    return errors


def _duplicate(
    seen: dict[tuple[str, str], int], fields: Mapping[str, str], *, line: int, column: str
) -> RowError | None:
    """An error if this row's (agency, id) already appeared in the file, valid or not."""
    agency = (fields.get("agency") or "").strip()
    key = (fields.get(column) or "").strip()
    if not (agency and key):
        return None
    first = seen.setdefault((agency, key), line)
    if first == line:
        return None
    return RowError(line, column, f"{column} {key!r} for {agency} already appears on line {first}")


def read_person_records(
    content: bytes, *, max_bytes: int, progress: ProgressCallback | None = None
) -> tuple[list[PersonRecordRow], list[RowError]]:
    """Read a person-records CSV file. Any error rejects the whole file."""
    text, errors = _decode(content, max_bytes=max_bytes)
    if text is None:
        return [], errors
    records: list[PersonRecordRow] = []
    seen: dict[tuple[str, str], int] = {}
    saw_row = False
    for line, fields, problems in _read_csv(
        text, columns=PERSON_COLUMNS, required=PERSON_REQUIRED, progress=progress
    ):
        errors += problems
        if fields is None:
            continue
        saw_row = True
        record, problems = parse_person_record(fields, line=line)
        errors += problems
        duplicate = _duplicate(seen, fields, line=line, column="record_id")
        if duplicate:
            errors.append(duplicate)
        elif record is not None:
            records.append(record)
    if not saw_row and not errors:
        errors.append(RowError(0, "", "the file has a header but no rows"))
    return records, errors


def _is_json_lines(text: str, filename: str) -> bool:
    return filename.lower().endswith((".jsonl", ".ndjson")) or text.lstrip().startswith("{")


def _json_lines(
    text: str, *, progress: ProgressCallback | None
) -> Iterator[tuple[int, dict[str, str] | None, list[RowError]]]:
    # Lines end at "\n" (or "\r\n") only: a JSON string may hold U+2028 and the like,
    # which str.splitlines would also split at.
    lines = [raw.removesuffix("\r") for raw in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    total = len(lines)
    for number, raw in enumerate(lines, start=1):
        if progress is not None and number % _PROGRESS_EVERY == 0:
            progress(number, total)
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as error:
            yield (
                number,
                None,
                [RowError(number, "", f"not valid JSON: {error.msg} at character {error.colno}")],
            )
            continue
        if not isinstance(value, dict):
            yield number, None, [RowError(number, "", "each line must be one JSON object {...}")]
            continue
        fields, errors = json_fields(value, line=number)
        yield number, fields, errors
    if progress is not None:
        progress(total, total)


def json_fields(value: dict[str, object], *, line: int) -> tuple[dict[str, str], list[RowError]]:
    """A JSON object's values as text, as the row parsers take them (files and the API).

    Strings as they are, null as blank, whole numbers as digits, and a list of strings
    for ``other_record_ids``; any other value is an error naming the field.
    """
    fields: dict[str, str] = {}
    errors: list[RowError] = []
    for name, item in value.items():
        if item is None:
            fields[name] = ""
        elif isinstance(item, str):
            fields[name] = item
        elif isinstance(item, int) and not isinstance(item, bool):
            fields[name] = str(item)
        elif (
            name == "other_record_ids"
            and isinstance(item, list)
            and all(isinstance(part, str) for part in item)
        ):
            fields[name] = ";".join(item)
        else:
            errors.append(
                RowError(line, name, f"{name} must be a string, not {type(item).__name__}")
            )
    return fields, errors


def read_events(
    content: bytes,
    *,
    filename: str,
    max_bytes: int,
    now: dt.datetime,
    progress: ProgressCallback | None = None,
) -> tuple[list[EventRow], list[RowError]]:
    """Read a chronology-events file: CSV, or JSON lines when the name ends .jsonl or
    .ndjson or the content starts with "{". Any error rejects the whole file."""
    text, errors = _decode(content, max_bytes=max_bytes)
    if text is None:
        return [], errors
    json_lines = _is_json_lines(text, filename)
    source = (
        _json_lines(text, progress=progress)
        if json_lines
        else _read_csv(text, columns=EVENT_COLUMNS, required=EVENT_REQUIRED, progress=progress)
    )
    events: list[EventRow] = []
    seen: dict[tuple[str, str], int] = {}
    saw_row = False
    for line, fields, problems in source:
        errors += problems
        if fields is None:
            continue
        saw_row = True
        event, row_problems = parse_event(fields, line=line, now=now)
        # A JSON value of the wrong type is reported once, not again as missing.
        reported = {(e.line, e.column) for e in problems}
        errors += [e for e in row_problems if (e.line, e.column) not in reported]
        duplicate = _duplicate(seen, fields, line=line, column="event_id")
        if duplicate:
            errors.append(duplicate)
        elif event is not None and not problems:
            events.append(event)
    if not saw_row and not errors:
        empty = "the file has no rows" if json_lines else "the file has a header but no rows"
        errors.append(RowError(0, "", empty))
    return events, errors


# The API module used the name before it was public.
_json_fields = json_fields
