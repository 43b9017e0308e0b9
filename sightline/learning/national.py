"""The national statistics tables of serious incident notifications. No Django imports.

The shape follows the official release: counts of notifications made in a financial
year (not of incidents that happened in it), broken down by the child's details and
cross-tabulated; small cells shown as ``c`` with complementary suppression so none
can be worked back from a total; regional figures rounded to the nearest 10.

A notification may be about more than one child. The breakdowns by the child's
details count children (each child on a notification once); the headline gives both
the number of notifications and of children.
"""

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sightline.learning import statistics
from sightline.learning.statistics import Cell

NOT_PERFORMANCE = (
    "These figures are not a measure of how well any local authority or partnership "
    "protects children: the number of notifications depends on the size of the child "
    "population, on local need and on how readily incidents are notified."
)

NATURE = [("death", "Death"), ("serious_harm", "Serious harm"), ("other", "Other")]
SEX = [("female", "Female"), ("male", "Male"), ("unknown", "Unknown or not recorded")]
AGE = [
    ("under_1", "Under 1"),
    ("1_4", "1 to 4"),
    ("5_9", "5 to 9"),
    ("10_15", "10 to 15"),
    ("16_17", "16 to 17"),
    ("unknown", "Unknown"),
]
ETHNICITY = [
    ("white", "White"),
    ("mixed", "Mixed or multiple"),
    ("asian", "Asian or Asian British"),
    ("black", "Black, Black British, Caribbean or African"),
    ("other", "Other ethnic group"),
    ("unknown", "Unknown or not recorded"),
]
DISABILITY = [("yes", "Disabled"), ("no", "Not disabled"), ("unknown", "Unknown")]
QUARTERS = [
    (1, "April to June"),
    (2, "July to September"),
    (3, "October to December"),
    (4, "January to March"),
]
NOT_RECORDED = "not_recorded"


@dataclass(frozen=True)
class NotifiedChildRow:
    """One child on one notification, in the release's categories."""

    notification: str
    notified_on: dt.date
    local_authority: str
    region: str
    nature: str
    sex: str
    age_group: str
    ethnicity: str
    disability: str
    placement_type: str
    child_in_need: bool
    child_protection_plan: bool
    looked_after: bool
    known_to_any_agency: bool


@dataclass(frozen=True)
class Table:
    title: str
    row_header: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[Cell]]
    note: str = ""

    @property
    def rows(self) -> list[tuple[str, list[Cell]]]:
        return list(zip(self.row_labels, self.cells, strict=True))


@dataclass(frozen=True)
class NationalTables:
    year: int
    label: str
    notifications: int
    children: int
    threshold: int
    tables: list[Table]
    note: str = NOT_PERFORMANCE


def age_group(age: int | None) -> str:
    """The release's age group; an age outside 0-17 is counted as unknown, not dropped."""
    if age is None or age < 0 or age > 17:
        return "unknown"
    for upper, group in ((0, "under_1"), (4, "1_4"), (9, "5_9"), (15, "10_15")):
        if age <= upper:
            return group
    return "16_17"


def ethnic_group(text: str) -> str:
    """The major group of a recorded ethnicity ('White: British', 'Mixed or Multiple: ...')."""
    value = text.strip().lower()
    if not value or value.startswith(("unknown", "not ", "refused", "information not")):
        return "unknown"
    for group, words in (
        ("mixed", ("mixed",)),
        ("white", ("white",)),
        ("asian", ("asian", "indian", "pakistani", "bangladeshi", "chinese")),
        ("black", ("black", "caribbean", "african")),
    ):
        if any(word in value for word in words):
            return group
    return "other"


def disability_group(text: str) -> str:
    value = text.strip().lower()
    if not value or value in {"unknown", "not known", "not recorded"}:
        return "unknown"
    if value in {"no", "none", "not disabled", "no disability"}:
        return "no"
    return "yes"


def _count_table(
    title: str,
    header: str,
    rows: Sequence[NotifiedChildRow],
    key: str,
    choices: Sequence[tuple[object, str]],
    below: int,
    note: str = "",
) -> Table:
    counts = Counter(getattr(row, key) for row in rows)
    raw = [[counts.get(value, 0)] for value, _ in choices]
    return Table(
        title,
        header,
        [label for _, label in choices],
        ["Children"],
        statistics.suppress_table(raw, below=below),
        note,
    )


def _cross_table(
    title: str,
    rows: Sequence[NotifiedChildRow],
    row_key: str,
    row_choices: Sequence[tuple[str, str]],
    column_key: str,
    column_choices: Sequence[tuple[str, str]],
    below: int,
) -> Table:
    counts = Counter((getattr(row, row_key), getattr(row, column_key)) for row in rows)
    raw = [[counts.get((r, c), 0) for c, _ in column_choices] for r, _ in row_choices]
    # Totals are published too, so they are part of the table being protected.
    with_totals = [[*line, sum(line)] for line in raw]
    with_totals.append([sum(column) for column in zip(*with_totals, strict=True)])
    return Table(
        title,
        title.split(" by ")[0],
        [label for _, label in row_choices] + ["Total"],
        [label for _, label in column_choices] + ["Total"],
        statistics.suppress_table(with_totals, below=below),
    )


def national_tables(
    rows: Iterable[NotifiedChildRow], *, year: int, below: int, regions: Sequence[tuple[str, str]]
) -> NationalTables:
    """Every table for the financial year starting in April ``year``.

    ``rows`` may hold other years: only notifications made in the year are counted.
    """
    start, end = statistics.financial_year_bounds(year)
    rows = [row for row in rows if start <= row.notified_on <= end]
    flags = [
        ("child_in_need", "Child in need plan at the time"),
        ("child_protection_plan", "Child protection plan, now or before"),
        ("looked_after", "Looked after"),
        ("known_to_any_agency", "Known to any agency"),
    ]
    flag_cells = statistics.suppress_table(
        [
            [sum(getattr(r, key) for r in rows), sum(not getattr(r, key) for r in rows)]
            for key, _ in flags
        ],
        below=below,
    )
    quarters = Counter(statistics.financial_quarter(r.notified_on) for r in rows)
    placements = Counter(r.placement_type for r in rows if r.looked_after)
    region_counts = Counter(r.region for r in rows)
    region_choices = [*regions, (NOT_RECORDED, "Region not recorded")]
    authorities = Counter(r.local_authority for r in rows)
    tables = [
        _count_table("Nature of incident", "Nature", rows, "nature", NATURE, below),
        _count_table("Sex", "Sex", rows, "sex", SEX, below),
        _count_table("Age group", "Age", rows, "age_group", AGE, below),
        _count_table("Ethnicity", "Ethnic group", rows, "ethnicity", ETHNICITY, below),
        _count_table("Disability", "Disability", rows, "disability", DISABILITY, below),
        Table(
            "Children's social care involvement",
            "At the time of the incident",
            [label for _, label in flags],
            ["Yes", "No"],
            flag_cells,
        ),
        Table(
            "Placement type of looked-after children",
            "Placement",
            sorted(placements) or ["No looked-after children"],
            ["Children"],
            statistics.suppress_table(
                [[placements[p]] for p in sorted(placements)] or [[0]], below=below
            ),
        ),
        Table(
            "Quarter notified",
            "Quarter",
            [label for _, label in QUARTERS],
            ["Children"],
            statistics.suppress_table([[quarters.get(q, 0)] for q, _ in QUARTERS], below=below),
        ),
        Table(
            "Region",
            "Region",
            [label for _, label in region_choices],
            ["Children (nearest 10)"],
            [[statistics.round_to(region_counts.get(code, 0))] for code, _ in region_choices],
            "Rounded to the nearest 10, so they need not add up to the total.",
        ),
        Table(
            "Local authority",
            "Local authority",
            sorted(authorities),
            ["Children"],
            statistics.suppress_table([[authorities[a]] for a in sorted(authorities)], below=below)
            if authorities
            else [],
        ),
        _cross_table("Ethnicity by sex", rows, "ethnicity", ETHNICITY, "sex", SEX, below),
        _cross_table(
            "Ethnicity by age group", rows, "ethnicity", ETHNICITY, "age_group", AGE, below
        ),
        _cross_table("Sex by age group", rows, "sex", SEX, "age_group", AGE, below),
    ]
    return NationalTables(
        year=year,
        label=statistics.financial_year_label(year),
        notifications=len({r.notification for r in rows}),
        children=len(rows),
        threshold=below,
        tables=tables,
    )


def tables_csv(result: NationalTables) -> str:
    """Tidy CSV: one row per published cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["financial_year", "table", "row", "column", "value"])
    writer.writerow([result.label, "Headline", "Notifications", "Number", result.notifications])
    writer.writerow([result.label, "Headline", "Children", "Number", result.children])
    for table in result.tables:
        for label, cells in zip(table.row_labels, table.cells, strict=True):
            for column, cell in zip(table.column_labels, cells, strict=True):
                writer.writerow([result.label, table.title, label, column, cell])
    return out.getvalue()
