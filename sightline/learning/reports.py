"""The annual report on themes: how often each theme was found in the reviews of
serious incidents notified in a financial year (or any period: ``period_report``), with
95% Wilson intervals, small counts suppressed, the agreement between coders behind the
figures, the share of reviews of children known to children's social care, and the
trend across financial years.

A review counts once, with its final coding. Themes are followed across taxonomy
versions by code: a theme's share is out of the reviews coded against a version
that had that theme, so a theme added in version 3 is not diluted by reviews coded
before it existed.
"""

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

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
    # Each row's share of the reviews (None where its count is hidden), where the
    # breakdown gives shares at all.
    shares: tuple[float | None, ...] = ()

    @property
    def rows_with_percent(self) -> list[tuple[str, statistics.Cell, int | None]]:
        shares = self.shares or (None,) * len(self.rows)
        return [
            (label, cell, None if share is None else round(100 * share))
            for (label, cell), share in zip(self.rows, shares, strict=True)
        ]


@dataclass(frozen=True)
class TrendRow:
    """One financial year: its reviews with a final coding, and the share of them about
    a child known to children's social care (None where a count is hidden)."""

    label: str
    reviews: statistics.Cell
    known_to_social_care: statistics.Cell
    share_known_to_social_care: float | None


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
    start: dt.date | None = None
    end: dt.date | None = None
    trend: list[TrendRow] = field(default_factory=list)

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


SOCIAL_CARE = "Known to children's social care"


def _social_care(start: dt.date, end: dt.date, below: int) -> Breakdown:
    """Reviews about a child known to children's social care when the incident happened,
    and not known, with each one's share (the panel's 2018-19 report: 54% known)."""
    counts = dict(
        ReviewDocument.objects.filter(notified_on__range=(start, end), final_codings__isnull=False)
        .values("known_to_social_care")
        .annotate(n=Count("id"))
        .values_list("known_to_social_care", "n")
    )
    values = [counts.get(True, 0), counts.get(False, 0)]
    shown = statistics.suppress_table([[v] for v in values], below=below)
    total = sum(values)
    shares = tuple(
        None if cell[0] == statistics.SUPPRESSED or not total else value / total
        for value, cell in zip(values, shown, strict=True)
    )
    return Breakdown(
        SOCIAL_CARE,
        [("Known", shown[0][0]), ("Not known", shown[1][0])],
        shares,
    )


def _trend(end: dt.date, below: int) -> list[TrendRow]:
    """Every financial year from the first with a coded review to the one ``end`` is in."""
    first = (
        ReviewDocument.objects.filter(final_codings__isnull=False)
        .order_by("notified_on")
        .values_list("notified_on", flat=True)
        .first()
    )
    if first is None or first > end:
        return []
    rows = []
    for year in range(statistics.financial_year(first), statistics.financial_year(end) + 1):
        year_start, year_end = statistics.financial_year_bounds(year)
        coded = ReviewDocument.objects.filter(
            notified_on__range=(year_start, year_end), final_codings__isnull=False
        ).distinct()
        total = coded.count()
        known = coded.filter(known_to_social_care=True).count()
        # The known count is hidden when small, or when it would give away a small
        # "not known" count next to the published total.
        hidden = 0 < known < below or 0 < total - known < below
        rows.append(
            TrendRow(
                label=statistics.financial_year_label(year),
                reviews=statistics.suppress(total, below=below),
                known_to_social_care=statistics.SUPPRESSED if hidden else known,
                share_known_to_social_care=None if hidden or not total else known / total,
            )
        )
    return rows


def period_label(start: dt.date, end: dt.date) -> str:
    """ "July 2018 to December 2019"; "2018-19" for a financial year."""
    year = statistics.financial_year(start)
    if (start, end) == statistics.financial_year_bounds(year):
        return statistics.financial_year_label(year)
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        return f"{start:%B %Y} to {end:%B %Y}"
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"


def annual_report(year: int) -> AnnualReport:
    """The report for the financial year starting in April ``year``; the year before
    is the comparison."""
    start, end = statistics.financial_year_bounds(year)
    return _report(start, end, before=statistics.financial_year_bounds(year - 1))


def period_report(start: dt.date, end: dt.date) -> AnnualReport:
    """The report for incidents notified from ``start`` to ``end`` (both included), with
    the period of the same length just before it as the comparison."""
    if end < start:
        raise ValueError("the period ends before it starts")
    length = end - start
    before_end = start - dt.timedelta(days=1)
    return _report(start, end, before=(before_end - length, before_end))


def _report(start: dt.date, end: dt.date, *, before: tuple[dt.date, dt.date]) -> AnnualReport:
    year = statistics.financial_year(start)
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
        label=period_label(start, end),
        start=start,
        end=end,
        trend=_trend(end, below),
        reviews=reviews,
        previous_reviews=previous_reviews,
        threshold=below,
        breakdowns=[
            _breakdown("Kind of review", "kind", ReviewKind.choices, start, end, below),
            _breakdown("Nature of incident", "nature", Nature.choices, start, end, below),
            _breakdown("Age of child", "age_band", AgeBand.choices, start, end, below),
            _breakdown("Region", "region", Region.choices, start, end, below),
            _social_care(start, end, below),
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
            "period",
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
        shares = breakdown.shares or (None,) * len(breakdown.rows)
        for (label, cell), share in zip(breakdown.rows, shares, strict=True):
            writer.writerow(
                [
                    report.label,
                    breakdown.title,
                    label,
                    cell,
                    report.reviews,
                    _pct(share),
                    "",
                    "",
                    "",
                ]
            )
    for trend in report.trend:
        writer.writerow(
            [
                trend.label,
                f"Trend: {SOCIAL_CARE.lower()}",
                SOCIAL_CARE,
                trend.known_to_social_care,
                trend.reviews,
                _pct(trend.share_known_to_social_care),
                "",
                "",
                "",
            ]
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
