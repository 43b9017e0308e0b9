"""The SSDA903 return (children looked after), as the DfE's CSV tables: read and write.

A return is a directory of CSV files. Each table is recognised by its exact column set,
never by its file name (as the DfE's own tools do); dates are ``dd/mm/yyyy``. Header,
Episodes, Reviews, Missing, SWEpisodes and UASC are read into typed rows; the outcome and
adoption tables (OC2, OC3, AD1, PlacedAdoption, PrevPerm, DoLo) are recognised and carried
through as they came, so a return read and written again loses nothing.

``read_directory`` is all-or-nothing: the first problem raises ``ReturnError`` naming the
file, the line and the column (a table with a missing column, an unknown code, an
impossible date, an end before its start, overlapping episodes of one child, a row of a
child the Header does not list). Pure: no Django.
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

from sightline.returns import codes
from sightline.returns.errors import ReturnError

T = TypeVar("T")

#: Each table's columns in the DfE's order.
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "Episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "Reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "UASC": ("CHILD", "SEX", "DOB", "DUC"),
    "Missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "SWEpisodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    "OC2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "OC3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": (
        "CHILD",
        "DOB",
        "DATE_INT",
        "DATE_MATCH",
        "FOSTER_CARE",
        "NB_ADOPTR",
        "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "PlacedAdoption": (
        "CHILD",
        "DOB",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "REASON_PLACED_CEASED",
    ),
    "PrevPerm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "DoLo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
}

#: The file each table is written to.
FILE_NAMES: Mapping[str, str] = {
    "Header": "header.csv",
    "Episodes": "episodes.csv",
    "Reviews": "reviews.csv",
    "UASC": "uasc.csv",
    "Missing": "missing.csv",
    "SWEpisodes": "sw_episodes.csv",
    "OC2": "oc2.csv",
    "OC3": "oc3.csv",
    "AD1": "ad1.csv",
    "PlacedAdoption": "placed_for_adoption.csv",
    "PrevPerm": "previous_permanence.csv",
    "DoLo": "dolo.csv",
}

TYPED_TABLES = ("Header", "Episodes", "Reviews", "UASC", "Missing", "SWEpisodes")


@dataclass(frozen=True, slots=True)
class HeaderRow:
    child: str
    sex: str
    dob: dt.date
    ethnic: str
    upn: str | None = None
    mother: str | None = None
    mc_dob: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Episode:
    """A period with one legal status and one placement."""

    child: str
    decom: dt.date
    rne: str
    ls: str
    cin: str
    place: str
    place_provider: str | None = None
    dec: dt.date | None = None
    rec: str | None = None
    reason_place_change: str | None = None
    home_post: str | None = None
    pl_post: str | None = None
    urn: str | None = None


@dataclass(frozen=True, slots=True)
class Review:
    child: str
    dob: dt.date
    review: dt.date
    review_code: str | None = None


@dataclass(frozen=True, slots=True)
class UASCRow:
    child: str
    sex: str
    dob: dt.date
    duc: dt.date


@dataclass(frozen=True, slots=True)
class MissingRow:
    child: str
    dob: dt.date
    missing: str
    mis_start: dt.date
    mis_end: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SWEpisode:
    child: str
    dob: dt.date
    sw_id: str
    sw_decom: dt.date
    sw_dec: dt.date | None = None
    sw_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Return903:
    header: tuple[HeaderRow, ...] = ()
    episodes: tuple[Episode, ...] = ()
    reviews: tuple[Review, ...] = ()
    uasc: tuple[UASCRow, ...] = ()
    missing: tuple[MissingRow, ...] = ()
    sw_episodes: tuple[SWEpisode, ...] = ()
    #: The tables carried as they came: table name → rows of cells in COLUMNS order.
    other: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)


# --- reading -------------------------------------------------------------------------


def format_date(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def parse_date(value: str) -> dt.date:
    parts = value.split("/")
    if len(parts) != 3 or [len(part) for part in parts] != [2, 2, 4]:
        raise ValueError("a date (dd/mm/yyyy)")
    if not all(part.isdigit() for part in parts):
        raise ValueError("a date (dd/mm/yyyy)")
    try:
        return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise ValueError("a date that exists") from None


class _Row:
    """One CSV line's cells by column, with typed access that names file, line and column."""

    def __init__(self, file: str, line: int, cells: Mapping[str, str]) -> None:
        self.file, self.line, self.cells = file, line, cells

    def error(self, column: str, problem: str) -> ReturnError:
        return ReturnError(self.file, problem, field=column, line=self.line)

    def text(self, column: str) -> str | None:
        return self.cells[column].strip() or None

    def required(self, column: str) -> str:
        value = self.text(column)
        if value is None:
            raise self.error(column, "is required")
        return value

    def date(self, column: str) -> dt.date | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError as error:
            raise self.error(column, f"{value!r} is not {error}") from error

    def required_date(self, column: str) -> dt.date:
        value = self.date(column)
        if value is None:
            raise self.error(column, "is required")
        return value

    def code(self, column: str, code_list: Iterable[str]) -> str | None:
        value = self.text(column)
        if value is not None and value not in code_list:
            raise self.error(column, f"unknown code {value!r}")
        return value

    def required_code(self, column: str, code_list: Iterable[str]) -> str:
        value = self.code(column, code_list)
        if value is None:
            raise self.error(column, "is required")
        return value

    def not_before(self, later: str, value: dt.date | None, earlier: str, start: dt.date) -> None:
        if value is not None and value < start:
            raise self.error(
                later, f"{format_date(value)} is before {earlier} {format_date(start)}"
            )


def _header(row: _Row) -> HeaderRow:
    dob = row.required_date("DOB")
    return HeaderRow(
        child=row.required("CHILD"),
        sex=row.required_code("SEX", codes.SEX),
        dob=dob,
        ethnic=row.required_code("ETHNIC", codes.ETHNICITY),
        upn=row.text("UPN"),
        mother=row.code("MOTHER", {"0", "1"}),
        mc_dob=row.date("MC_DOB"),
    )


def _episode(row: _Row) -> Episode:
    decom, dec = row.required_date("DECOM"), row.date("DEC")
    if dec is not None:
        row.not_before("DEC", dec, "DECOM", decom)
    rec = row.code("REC", codes.REASON_EPISODE_CEASED)
    if (dec is None) != (rec is None):
        raise row.error("REC", "DEC and REC are given together or not at all")
    return Episode(
        child=row.required("CHILD"),
        decom=decom,
        rne=row.required_code("RNE", codes.REASON_NEW_EPISODE),
        ls=row.required_code("LS", codes.LEGAL_STATUS),
        cin=row.required_code("CIN", codes.PRIMARY_NEED_903),
        place=row.required_code("PLACE", codes.PLACEMENT),
        place_provider=row.code("PLACE_PROVIDER", codes.PLACEMENT_PROVIDER),
        dec=dec,
        rec=rec,
        reason_place_change=row.code("REASON_PLACE_CHANGE", codes.REASON_PLACE_CHANGE),
        home_post=row.text("HOME_POST"),
        pl_post=row.text("PL_POST"),
        urn=row.text("URN"),
    )


def _review(row: _Row) -> Review:
    return Review(
        child=row.required("CHILD"),
        dob=row.required_date("DOB"),
        review=row.required_date("REVIEW"),
        review_code=row.code("REVIEW_CODE", codes.REVIEW_PARTICIPATION),
    )


def _uasc(row: _Row) -> UASCRow:
    return UASCRow(
        child=row.required("CHILD"),
        sex=row.required_code("SEX", codes.SEX),
        dob=row.required_date("DOB"),
        duc=row.required_date("DUC"),
    )


def _missing(row: _Row) -> MissingRow:
    start, end = row.required_date("MIS_START"), row.date("MIS_END")
    row.not_before("MIS_END", end, "MIS_START", start)
    return MissingRow(
        child=row.required("CHILD"),
        dob=row.required_date("DOB"),
        missing=row.required_code("MISSING", codes.MISSING_KIND),
        mis_start=start,
        mis_end=end,
    )


def _sw_episode(row: _Row) -> SWEpisode:
    start, end = row.required_date("SW_DECOM"), row.date("SW_DEC")
    row.not_before("SW_DEC", end, "SW_DECOM", start)
    return SWEpisode(
        child=row.required("CHILD"),
        dob=row.required_date("DOB"),
        sw_id=row.required("SW_ID"),
        sw_decom=start,
        sw_dec=end,
        sw_reason=row.code("SW_REASON", codes.SW_REASON),
    )


_READERS: Mapping[str, Callable[[_Row], object]] = {
    "Header": _header,
    "Episodes": _episode,
    "Reviews": _review,
    "UASC": _uasc,
    "Missing": _missing,
    "SWEpisodes": _sw_episode,
}


def recognise(file: str, columns: list[str]) -> str:
    """The table whose column set ``columns`` is, or ``ReturnError`` naming what is missing."""
    given = {column.strip() for column in columns}
    for table, expected in COLUMNS.items():
        if given == set(expected):
            return table
    # The nearest table: the one sharing most columns; name what it lacks and what is extra.
    table, expected = max(COLUMNS.items(), key=lambda item: len(given & set(item[1])))
    missing = [column for column in expected if column not in given]
    extra = sorted(given - set(expected))
    problems = []
    if missing:
        problems.append("missing column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing))
    if extra:
        problems.append("unexpected column" + ("s " if len(extra) > 1 else " ") + ", ".join(extra))
    raise ReturnError(
        file,
        f"not a 903 table: nearest is {table}, with " + " and ".join(problems),
        field=(missing or extra)[0],
        line=1,
    )


def read_directory(directory: Path) -> Return903:
    """The return in the CSV files of ``directory`` (any names, ending .csv)."""
    files = sorted(path for path in directory.iterdir() if path.suffix.lower() == ".csv")
    if not files:
        raise ReturnError(str(directory), "no CSV files")
    return read_files({path.name: path.read_bytes() for path in files})


def read_files(files: Mapping[str, bytes]) -> Return903:
    """The return in ``files`` (file name → contents)."""
    tables: dict[str, list[object]] = {}
    other: dict[str, tuple[tuple[str, ...], ...]] = {}
    lines: dict[tuple[str, int], tuple[str, int]] = {}  # (table, row index) → (file, line)
    seen_in: dict[str, str] = {}
    for name, content in files.items():
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ReturnError(name, "is not UTF-8 text") from error
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            columns = next(reader)
        except StopIteration:
            raise ReturnError(name, "is empty: a table needs its header line", line=1) from None
        except csv.Error as error:
            raise ReturnError(name, f"is not CSV ({error})", line=1) from error
        table = recognise(name, columns)
        if table in seen_in:
            raise ReturnError(name, f"a second {table} table (the first is {seen_in[table]})")
        seen_in[table] = name
        columns = [column.strip() for column in columns]
        rows: list[object] = []
        raw: list[tuple[str, ...]] = []
        try:
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(columns):
                    raise ReturnError(
                        name,
                        f"has {len(cells)} cells where the header has {len(columns)}",
                        line=reader.line_num,
                    )
                by_column = dict(zip(columns, cells, strict=True))
                if table in _READERS:
                    lines[(table, len(rows))] = (name, reader.line_num)
                    rows.append(_READERS[table](_Row(name, reader.line_num, by_column)))
                else:
                    raw.append(tuple(by_column[column].strip() for column in COLUMNS[table]))
        except csv.Error as error:
            raise ReturnError(name, f"is not CSV ({error})", line=reader.line_num) from error
        if table in _READERS:
            tables[table] = rows
        else:
            other[table] = tuple(raw)
    result = Return903(
        header=tuple(_typed(tables, "Header", HeaderRow)),
        episodes=tuple(_typed(tables, "Episodes", Episode)),
        reviews=tuple(_typed(tables, "Reviews", Review)),
        uasc=tuple(_typed(tables, "UASC", UASCRow)),
        missing=tuple(_typed(tables, "Missing", MissingRow)),
        sw_episodes=tuple(_typed(tables, "SWEpisodes", SWEpisode)),
        other=other,
    )
    _check_children(result, lines)
    _check_overlaps(result.episodes, lines)
    return result


def _typed(tables: Mapping[str, list[object]], table: str, kind: type[T]) -> list[T]:
    return [row for row in tables.get(table, []) if isinstance(row, kind)]


def _check_children(result: Return903, lines: Mapping[tuple[str, int], tuple[str, int]]) -> None:
    """Every row of a child (an episode, a review…) needs the child in the Header."""
    children: dict[str, int] = {}
    for index, header in enumerate(result.header):
        if header.child in children:
            file, line = lines[("Header", index)]
            raise ReturnError(
                file, f"child {header.child!r} is listed twice", field="CHILD", line=line
            )
        children[header.child] = index
    for table, ids in (
        ("Episodes", [row.child for row in result.episodes]),
        ("Reviews", [row.child for row in result.reviews]),
        ("UASC", [row.child for row in result.uasc]),
        ("Missing", [row.child for row in result.missing]),
        ("SWEpisodes", [row.child for row in result.sw_episodes]),
    ):
        for index, child in enumerate(ids):
            if child not in children:
                file, line = lines[(table, index)]
                raise ReturnError(
                    file,
                    f"child {child!r} is not in the Header table",
                    field="CHILD",
                    line=line,
                )


def _check_overlaps(
    episodes: tuple[Episode, ...], lines: Mapping[tuple[str, int], tuple[str, int]]
) -> None:
    """A child's episodes follow one another: the next starts on or after the last ends."""
    by_child: dict[str, list[tuple[int, Episode]]] = {}
    for index, episode in enumerate(episodes):
        by_child.setdefault(episode.child, []).append((index, episode))
    for child, listed in by_child.items():
        listed.sort(key=lambda item: item[1].decom)
        for (_, before), (index, after) in pairwise(listed):
            if before.dec is None or after.decom < before.dec:
                file, line = lines[("Episodes", index)]
                ended = "is still open" if before.dec is None else f"ends {format_date(before.dec)}"
                raise ReturnError(
                    file,
                    f"child {child!r}: this episode starts {format_date(after.decom)} while the "
                    f"episode from {format_date(before.decom)} {ended} (episodes overlap)",
                    field="DECOM",
                    line=line,
                )


# --- writing -------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


def write_files(result: Return903) -> dict[str, bytes]:
    """The return as CSV files (file name → contents), one per table that has rows, plus
    Header and Episodes always."""
    typed: dict[str, tuple[object, ...]] = {
        "Header": result.header,
        "Episodes": result.episodes,
        "Reviews": result.reviews,
        "UASC": result.uasc,
        "Missing": result.missing,
        "SWEpisodes": result.sw_episodes,
    }
    out: dict[str, bytes] = {}
    for table, rows in typed.items():
        if not rows and table not in {"Header", "Episodes"}:
            continue
        out[FILE_NAMES[table]] = _csv(
            COLUMNS[table],
            ([_cell(getattr(row, f.name)) for f in fields(row)] for row in rows),  # type: ignore[arg-type]
        )
    for table, raw in result.other.items():
        out[FILE_NAMES[table]] = _csv(COLUMNS[table], (list(cells) for cells in raw))
    return out


def _csv(columns: Iterable[str], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_directory(result: Return903, directory: Path) -> list[Path]:
    """Write the return's CSV files into ``directory`` (created if absent)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in write_files(result).items():
        path = directory / name
        path.write_bytes(content)
        written.append(path)
    return written
