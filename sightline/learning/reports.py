"""The annual report on themes: how often each theme was found in the reviews of
serious incidents notified in a financial year, with 95% Wilson intervals, small
counts suppressed, and the agreement between coders behind the figures.

A review counts once, with its final coding. Themes are followed across taxonomy
versions by code: a theme's share is out of the reviews coded against a version
that had that theme, so a theme added in version 3 is not diluted by reviews coded
before it existed.
"""

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from sightline.learning import queries, statistics
from sightline.learning.models import (
    AgeBand,
    FinalCoding,
    Nature,
    Region,
    ReviewDocument,
    ReviewKind,
    Taxonomy,
    TaxonomyStatus,
    Theme,
    ThemeGroup,
)


def suppression_threshold() -> int:
    """Counts from 1 up to this minus one are published as ``c``."""
    return int(settings.SIGHTLINE_SUPPRESS_BELOW)


@dataclass(frozen=True)
class ThemeRow:
    code: str
    label: str
    group: str
    count: int
    reviews: int
    shown: statistics.Cell
    share: float | None
    low: float | None
    high: float | None
    previous_share: float | None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(100 * self.share)


@dataclass(frozen=True)
class Breakdown:
    title: str
    rows: list[tuple[str, statistics.Cell]]


@dataclass(frozen=True)
class AnnualReport:
    year: int
    label: str
    reviews: int
    previous_reviews: int
    threshold: int
    breakdowns: list[Breakdown]
    groups: list[tuple[str, list[ThemeRow]]]
    agreement: queries.Agreement | None

    @property
    def practice_themes(self) -> list[ThemeRow]:
        return next((rows for title, rows in self.groups if title == ThemeGroup.PRACTICE.label), [])


def _theme_counts(start: dt.date, end: dt.date) -> tuple[int, Counter[str], Counter[str]]:
    """Reviews with a final coding in the period, and per theme code its count and the
    number of those reviews whose taxonomy version had the theme."""
    finals = FinalCoding.objects.filter(document__notified_on__range=(start, end))
    per_version = dict(
        finals.values("taxonomy_id").annotate(n=Count("id")).values_list("taxonomy_id", "n")
    )
    denominators: Counter[str] = Counter()
    for taxonomy_id, code in Theme.objects.filter(taxonomy_id__in=per_version).values_list(
        "taxonomy_id", "code"
    ):
        denominators[code] += per_version[taxonomy_id]
    through = FinalCoding.themes.through
    counts: Counter[str] = Counter(
        dict(
            through.objects.filter(finalcoding__document__notified_on__range=(start, end))
            .values_list("theme__code")
            .annotate(n=Count("id"))
        )
    )
    return sum(per_version.values()), counts, denominators


def _labels() -> dict[str, tuple[str, str, int]]:
    """Each code's label, group and order, from the newest version that has it."""
    labels: dict[str, tuple[str, str, int]] = {}
    for code, label, group, order in (
        Theme.objects.exclude(taxonomy__status=TaxonomyStatus.DRAFT)
        .order_by("taxonomy__version")
        .values_list("code", "label", "group", "order")
    ):
        labels[code] = (label, group, order)
    return labels


def _breakdown(
    title: str, field: str, choices: list[tuple[str, str]], start: dt.date, end: dt.date, below: int
) -> Breakdown:
    counts = dict(
        ReviewDocument.objects.filter(notified_on__range=(start, end), final_codings__isnull=False)
        .values(field)
        .annotate(n=Count("id"))
        .values_list(field, "n")
    )
    values = [counts.get(value, 0) for value, _ in choices]
    shown = statistics.suppress_table([[v] for v in values], below=below)
    return Breakdown(
        title, [(label, cell[0]) for (_, label), cell in zip(choices, shown, strict=True)]
    )


def annual_report(year: int) -> AnnualReport:
    """The report for the financial year starting in April ``year``."""
    start, end = statistics.financial_year_bounds(year)
    before = statistics.financial_year_bounds(year - 1)
    below = suppression_threshold()
    reviews, counts, denominators = _theme_counts(start, end)
    previous_reviews, previous_counts, previous_denominators = _theme_counts(*before)
    labels = _labels()
    grouped: dict[str, list[ThemeRow]] = defaultdict(list)
    for code in sorted(denominators, key=lambda c: (labels[c][2], c)):
        label, group, _ = labels[code]
        n, count = denominators[code], counts[code]
        shown = statistics.suppress(count, below=below)
        hidden = shown == statistics.SUPPRESSED
        low, high = statistics.wilson_interval(count, n)
        previous_n = previous_denominators[code]
        previous_count = previous_counts[code]
        previous_hidden = 0 < previous_count < below
        grouped[group].append(
            ThemeRow(
                code=code,
                label=label,
                group=group,
                count=count,
                reviews=n,
                shown=shown,
                share=None if hidden else count / n,
                low=None if hidden else low,
                high=None if hidden else high,
                previous_share=(
                    previous_count / previous_n if previous_n and not previous_hidden else None
                ),
            )
        )
    taxonomy = Taxonomy.objects.filter(status=TaxonomyStatus.PUBLISHED).first()
    return AnnualReport(
        year=year,
        label=statistics.financial_year_label(year),
        reviews=reviews,
        previous_reviews=previous_reviews,
        threshold=below,
        breakdowns=[
            _breakdown("Kind of review", "kind", ReviewKind.choices, start, end, below),
            _breakdown("Nature of incident", "nature", Nature.choices, start, end, below),
            _breakdown("Age of child", "age_band", AgeBand.choices, start, end, below),
            _breakdown("Region", "region", Region.choices, start, end, below),
        ],
        groups=[
            (ThemeGroup(group).label, grouped[group])
            for group in ThemeGroup.values
            if group in grouped
        ],
        agreement=(
            queries.agreement(taxonomy, notified_from=start, notified_to=end) if taxonomy else None
        ),
    )


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def annual_report_csv(report: AnnualReport) -> str:
    """One row per figure: ``c`` where a count is suppressed, blank where it follows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "financial_year",
            "section",
            "category",
            "count",
            "reviews",
            "percent",
            "ci95_low",
            "ci95_high",
            "previous_year_percent",
        ]
    )
    writer.writerow(
        [
            report.label,
            "Reviews",
            "All reviews with a final coding",
            report.reviews,
            report.reviews,
            "",
            "",
            "",
            "",
        ]
    )
    for breakdown in report.breakdowns:
        for label, cell in breakdown.rows:
            writer.writerow(
                [report.label, breakdown.title, label, cell, report.reviews, "", "", "", ""]
            )
    for group, rows in report.groups:
        for row in rows:
            writer.writerow(
                [
                    report.label,
                    group,
                    row.label,
                    row.shown,
                    row.reviews,
                    _pct(row.share),
                    _pct(row.low),
                    _pct(row.high),
                    _pct(row.previous_share),
                ]
            )
    return out.getvalue()


def practice_chart(report: AnnualReport, *, fmt: str) -> bytes:
    """The practice themes' shares with intervals; suppressed themes are left out."""
    from sightline.learning import charts  # matplotlib loads only for exports

    bars = [
        charts.Bar(row.label, row.share, row.low, row.high)
        for row in report.practice_themes
        if row.share is not None and row.low is not None and row.high is not None
    ]
    return charts.theme_bars(
        bars, title=f"Practice themes in reviews, {report.label} (n = {report.reviews})", fmt=fmt
    )


def annual_report_pdf(report: AnnualReport) -> bytes:
    from sightline.learning import pdf

    chart = pdf.png_data_uri(practice_chart(report, fmt="png")) if report.reviews else ""
    return pdf.render_pdf("learning/annual_report_pdf.html", {"report": report, "chart": chart})
