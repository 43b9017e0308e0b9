"""Validated rows of the interchange formats (shared/formats). Pure: no Django imports.

The parsers in ``formats.py`` turn files into these; the actions write them.
"""

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PersonRecordRow:
    """One row of the person-records format, validated and normalised."""

    line: int
    record_id: str
    agency: str
    given_name: str = ""
    family_name: str = ""
    other_names: str = ""
    date_of_birth: dt.date | None = None
    sex: str = ""
    nhs_number: str = ""  # ten digits, valid, or blank
    address: str = ""
    postcode: str = ""  # normalised "LS1 4AP" form, or blank


@dataclass(frozen=True)
class EventRow:
    """One row of the chronology-events format, validated and normalised."""

    line: int
    event_id: str
    agency: str
    subject_record_id: str
    occurred_at: dt.datetime  # timezone-aware
    date_only: bool
    category: str
    summary: str
    significance: str = ""
    practitioner: str = ""
    other_record_ids: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RowError:
    """A problem with one row (line 0 for the file as a whole)."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"
