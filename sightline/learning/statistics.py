"""Agreement, intervals and disclosure control for learning from reviews.

Pure: no Django imports. Every function raises ``ValueError`` naming the argument when
its input makes no sense, rather than returning a number that looks like an answer.

- Cohen's kappa and percent agreement between two coders;
- Wilson score interval for a proportion (for "41% of reviews cited weak risk assessment");
- small-cell suppression (primary and complementary) and rounding, the way the official
  serious incident notification release publishes its tables;
- financial years and their quarters (April to March), which the release counts by.
"""

import datetime as dt
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

#: The value published in place of a suppressed count.
SUPPRESSED = "c"
#: Two-sided 95% normal quantile, 1.959963984540054.
Z_95 = NormalDist().inv_cdf(0.975)

Cell = int | str


# --- agreement -----------------------------------------------------------------------


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa with the two proportions it is made of.

    ``kappa`` is None when chance agreement is 1 (both coders gave every item the same
    single category): agreement is then perfect but kappa is 0/0, undefined.
    """

    n: int
    observed: float
    expected: float
    kappa: float | None

    @property
    def band(self) -> str:
        return landis_koch_band(self.kappa)


def percent_agreement(first: Sequence[Hashable], second: Sequence[Hashable]) -> float:
    """The share of items on which two coders gave the same category (0 to 1)."""
    _check_pair(first, second)
    return sum(a == b for a, b in zip(first, second, strict=True)) / len(first)


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> Kappa:
    """Cohen's kappa for two coders who each put the same items into categories."""
    _check_pair(first, second)
    return kappa_from_table(Counter(zip(first, second, strict=True)))


def binary_kappa(*, both: int, first_only: int, second_only: int, neither: int) -> Kappa:
    """Kappa for one theme coded present/absent, from the four cells of the 2x2 table."""
    for name, value in (
        ("both", both),
        ("first_only", first_only),
        ("second_only", second_only),
        ("neither", neither),
    ):
        _check_count(name, value)
    return kappa_from_table(
        {
            (True, True): both,
            (True, False): first_only,
            (False, True): second_only,
            (False, False): neither,
        }
    )


def kappa_from_table(table: Mapping[tuple[Hashable, Hashable], int]) -> Kappa:
    """Kappa from a contingency table: ``{(first's category, second's category): count}``."""
    for key, count in table.items():
        _check_count(f"table[{key!r}]", count)
    n = sum(table.values())
    if n == 0:
        raise ValueError("table: no items were coded by both coders")
    first_margin: Counter[Hashable] = Counter()
    second_margin: Counter[Hashable] = Counter()
    agreed = 0
    for (a, b), count in table.items():
        first_margin[a] += count
        second_margin[b] += count
        if a == b:
            agreed += count
    observed = agreed / n
    expected = sum(first_margin[c] * second_margin[c] for c in first_margin) / (n * n)
    if math.isclose(expected, 1.0):
        return Kappa(n=n, observed=observed, expected=1.0, kappa=None)
    return Kappa(
        n=n, observed=observed, expected=expected, kappa=(observed - expected) / (1 - expected)
    )


def landis_koch_band(kappa: float | None) -> str:
    """Landis and Koch's (1977) words for a kappa: a convention, not a test."""
    if kappa is None:
        return "undefined"
    if kappa < 0:
        return "poor"
    for upper, word in ((0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial")):
        if kappa <= upper:
            return word
    return "almost perfect"


def _check_pair(first: Sequence[Hashable], second: Sequence[Hashable]) -> None:
    if len(first) != len(second):
        raise ValueError(
            f"second: {len(second)} codes for {len(first)} items; both coders must code every item"
        )
    if not first:
        raise ValueError("first: no items to compare")


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}: a count must be a whole number, not {value!r}")
    if value < 0:
        raise ValueError(f"{name}: a count cannot be negative ({value})")


# --- intervals -----------------------------------------------------------------------


def wilson_interval(successes: int, n: int, *, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for ``successes`` out of ``n`` (95% unless ``z`` says otherwise).

    Unlike the textbook p ± z·√(p(1-p)/n) it stays inside [0, 1] and does not collapse
    to a single point at 0% or 100%, which matters for small local counts.
    """
    _check_count("successes", successes)
    _check_count("n", n)
    if n == 0:
        raise ValueError("n: no items, so no proportion to estimate")
    if successes > n:
        raise ValueError(f"successes: {successes} is more than n ({n})")
    if not z > 0:
        raise ValueError(f"z: must be positive, not {z}")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # Exact at the ends: rounding must not put 0/n above 0 or n/n below 1.
    low = 0.0 if successes == 0 else max(0.0, centre - margin)
    high = 1.0 if successes == n else min(1.0, centre + margin)
    return low, high


# --- disclosure control --------------------------------------------------------------


def suppress(count: int, *, below: int) -> Cell:
    """``count``, or ``"c"`` when it is at least 1 and below ``below``. Zeros are shown."""
    _check_count("count", count)
    _check_threshold(below)
    return SUPPRESSED if 0 < count < below else count


def round_to(count: int, *, base: int = 10) -> int:
    """Round to the nearest ``base``, halves upwards (5 → 10, 15 → 20, 25 → 30).

    Python's ``round`` rounds halves to even (``round(25, -1) == 20``), which is not how
    published statistics round.
    """
    _check_count("count", count)
    if isinstance(base, bool) or not isinstance(base, int) or base < 1:
        raise ValueError(f"base: must be a whole number of at least 1, not {base!r}")
    return (count + base // 2) // base * base if base > 1 else count


def suppress_table(rows: Sequence[Sequence[int]], *, below: int) -> list[list[Cell]]:
    """Suppress a table's small cells, then enough others that none can be worked back.

    Primary suppression hides every count from 1 to ``below`` - 1. If a row or column
    then has exactly one hidden cell, its value could be recovered by subtracting the
    others from the published total, so the smallest other non-zero cell in that row or
    column is hidden too (complementary suppression; a zero only if no other cell is
    left); this repeats until no row or column has a lone hidden cell or none is left
    to hide. A table of one column is a list of categories: its rows have nothing to
    pair with, so only the column is protected.
    """
    _check_threshold(below)
    width = len(rows[0]) if rows else 0
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"rows[{i}]: {len(row)} cells where row 0 has {width}")
        for j, value in enumerate(row):
            _check_count(f"rows[{i}][{j}]", value)
    hidden = {(i, j) for i, row in enumerate(rows) for j, v in enumerate(row) if 0 < v < below}
    lines = [[(i, j) for j in range(width)] for i in range(len(rows))]
    lines += [[(i, j) for i in range(len(rows))] for j in range(width)]
    changed = bool(hidden)
    while changed:
        changed = False
        for line in lines:
            if sum(cell in hidden for cell in line) != 1:
                continue
            # The smallest other non-zero cell; a zero only when nothing else is left.
            candidates = [c for c in line if c not in hidden]
            if candidates:
                hidden.add(
                    min(candidates, key=lambda c: (rows[c[0]][c[1]] == 0, rows[c[0]][c[1]], c))
                )
                changed = True
    return [
        [SUPPRESSED if (i, j) in hidden else value for j, value in enumerate(row)]
        for i, row in enumerate(rows)
    ]


def _check_threshold(below: int) -> None:
    if isinstance(below, bool) or not isinstance(below, int) or below < 1:
        raise ValueError(
            f"below: the suppression threshold must be a whole number of at least 1, not {below!r}"
        )


# --- financial years -----------------------------------------------------------------


def financial_year(day: dt.date) -> int:
    """The year in which ``day``'s financial year starts (1 April): 2024-03-31 → 2023."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start_year: int) -> str:
    """``2023`` → ``"2023-24"``."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def financial_year_bounds(start_year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the financial year starting in ``start_year``."""
    if not 1900 <= start_year <= 2999:
        raise ValueError(f"year: {start_year} is not a plausible financial year")
    return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)


def financial_quarter(day: dt.date) -> int:
    """Quarter of the financial year, 1 (April-June) to 4 (January-March)."""
    return (day.month - 4) % 12 // 3 + 1


# --- agreement across many themes ----------------------------------------------------


@dataclass(frozen=True)
class ThemeTable:
    """The 2x2 table of one theme across the reviews both coders coded."""

    both: int
    first_only: int
    second_only: int
    neither: int

    @property
    def n(self) -> int:
        return self.both + self.first_only + self.second_only + self.neither

    @property
    def kappa(self) -> Kappa:
        return binary_kappa(
            both=self.both,
            first_only=self.first_only,
            second_only=self.second_only,
            neither=self.neither,
        )

    @property
    def percent_agreement(self) -> float:
        return (self.both + self.neither) / self.n


def theme_tables(
    pairs: Sequence[tuple[frozenset[str], frozenset[str]]], codes: Sequence[str]
) -> dict[str, ThemeTable]:
    """For each theme code, how often the first and second coder chose it.

    ``pairs`` holds, for each review coded twice, the two coders' sets of theme codes.
    A theme neither coder chose still counts as agreement (``neither``): absence is a
    coding decision too.
    """
    if not pairs:
        raise ValueError("pairs: no review has been coded twice")
    wanted = set(codes)
    counts = {code: [0, 0, 0] for code in codes}  # both, first only, second only
    for first, second in pairs:
        for code in first & wanted:
            counts[code][0 if code in second else 1] += 1
        for code in (second - first) & wanted:
            counts[code][2] += 1
    n = len(pairs)
    tables = {
        code: ThemeTable(both, first_only, second_only, n - both - first_only - second_only)
        for code, (both, first_only, second_only) in counts.items()
    }
    return tables


def pooled_kappa(tables: Iterable[ThemeTable]) -> Kappa:
    """Kappa of the summed 2x2 tables (de Vries et al., 2008): one figure for a set of
    themes that, unlike the mean of per-theme kappas, is defined for rare themes too."""
    total = [0, 0, 0, 0]
    for table in tables:
        for i, value in enumerate((table.both, table.first_only, table.second_only, table.neither)):
            total[i] += value
    return binary_kappa(both=total[0], first_only=total[1], second_only=total[2], neither=total[3])
