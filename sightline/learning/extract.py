"""De-identified research extracts: one row per child, k-anonymous on the quasi-identifiers.
Pure: no Django imports (the rows come from ``learning.queries.research_children``).

What goes in is already minimised: a child's date of birth (for the age band), recorded
sex and ethnicity, the local authority's agency code, status periods and counts of
chronology events. Names, NHS numbers, addresses and postcodes are never read.

What comes out (``columns_for``):
- ``child_id``: a random id (``secrets.token_hex``) drawn afresh for every extract,
  never derived from the person's key; rows are shuffled, so their order says nothing;
- the quasi-identifiers (``QUASI_IDENTIFIERS``): age band at the end of the period, sex,
  ethnicity (a closed list of categories; free text never passes through), local
  authority code;
- counts and codes: status periods by kind in the period, child protection categories,
  chronology event counts by agency kind and by category, review themes;
- dates coarsened to months (``YYYY-MM``).

k-anonymity (Sweeney 2002) by full-domain generalisation and then suppression, as in
Sweeney's Datafly and Samarati's minimal generalisation: each quasi-identifier has a
hierarchy of levels (``hierarchies``: age bands merged into wider bands, ethnicity to
its major group, local authority to its region, then ``*``); of the 72 combinations of
levels, the one with the least precision loss (ties: fewer columns at ``*``, then widen
age band first, then ethnicity, then local authority, then sex) that leaves at most ``suppression_limit``
rows in classes smaller than k is used, and those rows are suppressed. Every
combination of quasi-identifiers in the output occurs at least k times. (A greedy walk
up the lattice, one column at a time, widened both sex and ethnicity to ``*`` on the
demonstration data where this search widens ethnicity and a step of age band.)
k-anonymity protects against re-identification by those columns, not against
learning a sensitive value shared by a whole class (l-diversity); the other columns are
not quasi-identifiers and are released as they are.
"""

import datetime as dt
import itertools
import secrets
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sightline.learning.national import ethnic_group

QUASI_IDENTIFIERS: tuple[str, ...] = ("age_band", "sex", "ethnicity", "la_code")
TOP = "*"
NOT_RECORDED = "not_recorded"
MIN_K = 2

AGE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "under_1"),
    (4, "1_4"),
    (9, "5_9"),
    (15, "10_15"),
    (17, "16_17"),
)
UNKNOWN_AGE = "unknown"

# Status kinds (people.StatusKind values) and the column counting each.
EPISODE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("child_in_need", "child_in_need_episodes"),
    ("child_protection", "child_protection_episodes"),
    ("looked_after", "looked_after_spells"),
)
_SEX = {"F": "female", "M": "male"}

# The ethnic categories of the 2021 census in England, by major group: (group, code,
# words in the part after the colon that pick it). Checked in order within a group.
_ETHNIC_CATEGORIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("white", "white_gypsy_traveller", ("gypsy", "traveller")),
    ("white", "white_roma", ("roma",)),
    ("white", "white_british", ("british", "english", "welsh", "scottish")),
    ("white", "white_irish", ("irish",)),
    ("white", "white_other", ("other",)),
    ("mixed", "mixed_white_black_caribbean", ("caribbean",)),
    ("mixed", "mixed_white_black_african", ("african",)),
    ("mixed", "mixed_white_asian", ("asian",)),
    ("mixed", "mixed_other", ("other",)),
    ("asian", "asian_indian", ("indian",)),
    ("asian", "asian_pakistani", ("pakistani",)),
    ("asian", "asian_bangladeshi", ("bangladeshi",)),
    ("asian", "asian_chinese", ("chinese",)),
    ("asian", "asian_other", ("other",)),
    ("black", "black_african", ("african",)),
    ("black", "black_caribbean", ("caribbean",)),
    ("black", "black_other", ("other",)),
    ("other", "other_arab", ("arab",)),
    ("other", "other_any", ("other", "any")),
)
ETHNIC_GROUP_OF: Mapping[str, str] = {
    **{code: group for group, code, _ in _ETHNIC_CATEGORIES},
    **{f"{group}_unlisted": group for group in ("white", "mixed", "asian", "black", "other")},
    "unknown_not_stated": "unknown",
    NOT_RECORDED: "unknown",
}


class ExtractError(ValueError):
    """Input that cannot be accepted; ``field`` names what to correct."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


# --- the child's facts, coarsened ---------------------------------------------------------


def age_band(date_of_birth: dt.date | None, on: dt.date) -> str | None:
    """The band of the age on ``on``; ``unknown`` without a date of birth; ``None`` for
    someone not yet born or 18 or over (not a child, so not in the extract)."""
    if date_of_birth is None:
        return UNKNOWN_AGE
    age = (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )
    for upper, band in AGE_BANDS:
        if 0 <= age <= upper:
            return band
    return None


def sex_code(recorded: str) -> str:
    return _SEX.get(recorded.strip().upper()[:1], "unknown")


def ethnic_category(text: str) -> str:
    """A code from the closed list (``ETHNIC_GROUP_OF``) for recorded ethnicity: the free
    text itself never reaches the extract."""
    if not text.strip():
        return NOT_RECORDED
    group = ethnic_group(text)
    if group == "unknown":
        return "unknown_not_stated"
    detail = text.lower().rsplit(":", 1)[-1]
    for category_group, code, words in _ETHNIC_CATEGORIES:
        if category_group == group and any(word in detail for word in words):
            return code
    return f"{group}_unlisted"


def month(day: dt.date | None) -> str:
    return f"{day:%Y-%m}" if day is not None else ""


# --- generalisation hierarchies ---------------------------------------------------------


@dataclass(frozen=True)
class Hierarchy:
    """A quasi-identifier's generalisation levels: level 0 is the value as coarsened
    above, each ``steps`` entry maps a level-0 value one level wider (a value it does not
    name stays as it was, or becomes ``otherwise`` if set), and the level after the last
    step is ``*``."""

    column: str
    steps: tuple[Mapping[str, str], ...] = ()
    otherwise: str | None = None

    @property
    def height(self) -> int:
        return len(self.steps) + 1

    def lift(self, value: str, level: int) -> str:
        if level <= 0:
            return value
        if level >= self.height:
            return TOP
        return self.steps[level - 1].get(value, self.otherwise or value)

    def describe(self) -> list[str]:
        """The levels in words, for the sidecar and the documentation."""
        words = ["as recorded"]
        for step in self.steps:
            wider = sorted({*step.values(), *([self.otherwise] if self.otherwise else [])})
            words.append(", ".join(wider) if len(wider) <= 12 else f"{len(wider)} values")
        return [*words, TOP]


AGE_HIERARCHY = Hierarchy(
    "age_band",
    (
        {"under_1": "0_4", "1_4": "0_4", "10_15": "10_17", "16_17": "10_17"},
        {"under_1": "0_9", "1_4": "0_9", "5_9": "0_9", "10_15": "10_17", "16_17": "10_17"},
    ),
)
SEX_HIERARCHY = Hierarchy("sex")
ETHNICITY_HIERARCHY = Hierarchy("ethnicity", (dict(ETHNIC_GROUP_OF),))


def la_hierarchy(regions: Mapping[str, str]) -> Hierarchy:
    """Local authority code, then its region (``AuthorityRegion``; ``region:not_recorded``
    where none is set), then ``*``."""
    return Hierarchy(
        "la_code",
        ({code: f"region:{region}" for code, region in regions.items()},),
        otherwise=f"region:{NOT_RECORDED}",
    )


def hierarchies(regions: Mapping[str, str]) -> dict[str, Hierarchy]:
    return {
        "age_band": AGE_HIERARCHY,
        "sex": SEX_HIERARCHY,
        "ethnicity": ETHNICITY_HIERARCHY,
        "la_code": la_hierarchy(regions),
    }


# --- Datafly ------------------------------------------------------------------------------

# Which column is widened when two steps leave as many rows in small classes.
_PREFERENCE = ("age_band", "ethnicity", "la_code", "sex")


def _rank(column: str) -> int:
    return _PREFERENCE.index(column) if column in _PREFERENCE else len(_PREFERENCE)


def _classes(
    rows: Sequence[Mapping[str, str]],
    columns: Sequence[str],
    levels: Mapping[str, int],
    hierarchy: Mapping[str, Hierarchy],
) -> tuple[list[tuple[str, ...]], Counter[tuple[str, ...]]]:
    keys = [tuple(hierarchy[c].lift(row[c], levels[c]) for c in columns) for row in rows]
    return keys, Counter(keys)


def _outliers(sizes: Counter[tuple[str, ...]], k: int) -> int:
    return sum(n for n in sizes.values() if n < k)


def _loss(levels: Mapping[str, int], hierarchy: Mapping[str, Hierarchy]) -> tuple[float, ...]:
    """Sweeney's precision loss (the mean of level / height); then how many columns are
    ``*`` (a column lost entirely costs more than two widened a step); then the columns'
    levels in the reverse of ``_PREFERENCE``: of two nodes otherwise alike, the one that
    widened age band rather than local authority or sex comes first."""
    precision = sum(levels[c] / hierarchy[c].height for c in levels) / len(levels)
    tops = sum(levels[c] >= hierarchy[c].height for c in levels)
    return (precision, tops, *(levels.get(c, 0) for c in reversed(_PREFERENCE)))


def suppression_limit(rows: int, k: int) -> int:
    """At most this many rows are suppressed rather than widening further: k rows (as in
    Sweeney's Datafly) or 1% of the extract, whichever is more."""
    return max(k, rows // 100)


@dataclass(frozen=True)
class Anonymised:
    """The rows kept (quasi-identifiers generalised), and what it took."""

    rows: list[dict[str, str]]
    levels: dict[str, int]
    generalised: int  # rows kept with at least one quasi-identifier widened
    suppressed: int
    classes: int
    smallest_class: int | None


def k_anonymise(
    rows: Sequence[Mapping[str, str]],
    *,
    k: int,
    hierarchy: Mapping[str, Hierarchy],
    columns: Sequence[str] = QUASI_IDENTIFIERS,
    max_suppressed: int | None = None,
) -> Anonymised:
    """Full-domain generalisation at the least loss that leaves at most ``max_suppressed``
    rows in classes smaller than ``k``; those rows are then suppressed.

    Every combination of levels is tried (the lattice has 4 x 2 x 3 x 3 = 72 nodes), in
    the order of ``_loss``: the first that suppresses few enough rows is taken. The top
    node (every column ``*``) puts all rows in one class, so it always qualifies when
    there are at least k rows."""
    if k < MIN_K:
        raise ExtractError("k", f"must be at least {MIN_K} (got {k})")
    limit = suppression_limit(len(rows), k) if max_suppressed is None else max_suppressed
    nodes = [
        dict(zip(columns, combination, strict=True))
        for combination in itertools.product(*(range(hierarchy[c].height + 1) for c in columns))
    ]
    nodes.sort(key=lambda node: _loss(node, hierarchy))
    for levels in nodes:
        current, sizes = _classes(rows, columns, levels, hierarchy)
        if _outliers(sizes, k) <= limit:
            break

    kept: list[dict[str, str]] = []
    generalised = 0
    for row, key in zip(rows, current, strict=True):
        if sizes[key] < k:
            continue
        out = dict(row)
        out.update(zip(columns, key, strict=True))
        generalised += any(out[c] != row[c] for c in columns)
        kept.append(out)
    big = [n for n in sizes.values() if n >= k]
    return Anonymised(
        rows=kept,
        levels=levels,
        generalised=generalised,
        suppressed=len(rows) - len(kept),
        classes=len(big),
        smallest_class=min(big) if big else None,
    )


# --- the extract --------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusFacts:
    kind: str
    protection_category: str
    started_on: dt.date
    ended_on: dt.date | None


@dataclass(frozen=True)
class ChildFacts:
    """What the extract reads of one child (no name, NHS number, address or postcode)."""

    date_of_birth: dt.date | None
    sex: str
    ethnicity: str
    la_code: str
    statuses: tuple[StatusFacts, ...] = ()
    events_by_agency_kind: Mapping[str, int] = field(default_factory=dict)
    events_by_category: Mapping[str, int] = field(default_factory=dict)
    first_event_on: dt.date | None = None
    last_event_on: dt.date | None = None
    review_themes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ExtractError("--from", f"{self.start} is after --to {self.end}")

    def overlaps(self, start: dt.date, end: dt.date | None) -> bool:
        return start <= self.end and (end is None or end >= self.start)


@dataclass(frozen=True)
class Extract:
    period: Period
    k: int
    columns: list[str]
    rows: list[dict[str, str]]
    read: int  # children read
    not_children: int  # 18 or over at the end of the period, or not yet born
    anonymised: Anonymised
    hierarchy: Mapping[str, Hierarchy]

    def report(self) -> dict[str, object]:
        """Counts only: for the sidecar, the audit row and the command's output."""
        a = self.anonymised
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "k": self.k,
            "quasi_identifiers": list(QUASI_IDENTIFIERS),
            "children_read": self.read,
            "not_children_at_end": self.not_children,
            "rows_considered": self.read - self.not_children,
            "rows_out": len(self.rows),
            "rows_generalised": a.generalised,
            "rows_suppressed": a.suppressed,
            "classes": a.classes,
            "smallest_class": a.smallest_class,
            "levels": dict(a.levels),
            "hierarchy": {c: h.describe() for c, h in self.hierarchy.items()},
        }


def columns_for(agency_kinds: Sequence[str], categories: Sequence[str]) -> list[str]:
    return [
        "child_id",
        *QUASI_IDENTIFIERS,
        *(column for _, column in EPISODE_COLUMNS),
        "plan_categories",
        "first_event_month",
        "last_event_month",
        "events_total",
        *(f"events_agency_{kind}" for kind in agency_kinds),
        *(f"events_category_{code}" for code in categories),
        "review_themes",
    ]


def child_row(
    child: ChildFacts,
    *,
    period: Period,
    agency_kinds: Sequence[str],
    categories: Sequence[str],
    child_id: str,
) -> dict[str, str] | None:
    """The child's row at level 0, or ``None`` if not a child at the end of the period."""
    band = age_band(child.date_of_birth, period.end)
    if band is None:
        return None
    statuses = [s for s in child.statuses if period.overlaps(s.started_on, s.ended_on)]
    row = {
        "child_id": child_id,
        "age_band": band,
        "sex": sex_code(child.sex),
        "ethnicity": ethnic_category(child.ethnicity),
        "la_code": child.la_code or NOT_RECORDED,
    }
    for kind, column in EPISODE_COLUMNS:
        row[column] = str(sum(s.kind == kind for s in statuses))
    row["plan_categories"] = ";".join(
        sorted({s.protection_category for s in statuses if s.protection_category})
    )
    row["first_event_month"] = month(child.first_event_on)
    row["last_event_month"] = month(child.last_event_on)
    row["events_total"] = str(sum(child.events_by_agency_kind.values()))
    for kind in agency_kinds:
        row[f"events_agency_{kind}"] = str(child.events_by_agency_kind.get(kind, 0))
    for code in categories:
        row[f"events_category_{code}"] = str(child.events_by_category.get(code, 0))
    row["review_themes"] = ";".join(sorted(child.review_themes))
    return row


def new_child_id() -> str:
    return secrets.token_hex(8)


def build_extract(
    children: Sequence[ChildFacts],
    *,
    period: Period,
    k: int,
    regions: Mapping[str, str],
    agency_kinds: Sequence[str],
    categories: Sequence[str],
    new_id: Callable[[], str] = new_child_id,
) -> Extract:
    """The de-identified, k-anonymous extract of ``children``, rows in random order."""
    if k < MIN_K:
        raise ExtractError("--k", f"must be at least {MIN_K}: k = {k} would not de-identify")
    ids: set[str] = set()
    rows = []
    for child in children:
        child_id = new_id()
        while child_id in ids:
            child_id = new_id()
        row = child_row(
            child,
            period=period,
            agency_kinds=agency_kinds,
            categories=categories,
            child_id=child_id,
        )
        if row is not None:
            ids.add(child_id)
            rows.append(row)
    secrets.SystemRandom().shuffle(rows)
    hierarchy = hierarchies(regions)
    anonymised = k_anonymise(rows, k=k, hierarchy=hierarchy)
    return Extract(
        period=period,
        k=k,
        columns=columns_for(agency_kinds, categories),
        rows=anonymised.rows,
        read=len(children),
        not_children=len(children) - len(rows),
        anonymised=anonymised,
        hierarchy=hierarchy,
    )
