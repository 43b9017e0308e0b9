"""Reads for learning from reviews that take more than one line: agreement between
coders, the review list with coding progress, training data for suggestions."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from sightline.accounts.models import User
from sightline.learning import statistics
from sightline.learning.models import (
    Coding,
    CodingStatus,
    FinalCoding,
    ReviewDocument,
    Taxonomy,
    Theme,
)


@dataclass(frozen=True)
class ThemeAgreement:
    code: str
    label: str
    group: str
    table: statistics.ThemeTable
    kappa: statistics.Kappa


@dataclass(frozen=True)
class Agreement:
    taxonomy_version: int
    reviews: int
    identical: int
    themes: list[ThemeAgreement]
    pooled: statistics.Kappa

    @property
    def identical_share(self) -> float:
        return self.identical / self.reviews


def coding_pairs(
    taxonomy: Taxonomy, *, notified_from: dt.date | None = None, notified_to: dt.date | None = None
) -> list[tuple[frozenset[str], frozenset[str]]]:
    """For every review with two submitted codings against ``taxonomy``, the theme codes
    of the first two submitted (later ones are a third opinion, not part of the pair)."""
    codings = Coding.objects.filter(taxonomy=taxonomy, status=CodingStatus.SUBMITTED)
    if notified_from:
        codings = codings.filter(document__notified_on__gte=notified_from)
    if notified_to:
        codings = codings.filter(document__notified_on__lte=notified_to)
    firsts: dict[int, list[int]] = defaultdict(list)
    for coding_id, document_id in codings.order_by("document_id", "submitted_at", "id").values_list(
        "id", "document_id"
    ):
        if len(firsts[document_id]) < 2:
            firsts[document_id].append(coding_id)
    # The same filter as a join, not a list of ids: thousands of ids in an IN clause
    # are slower than reading a few rows too many.
    codes_by_id = dict(Theme.objects.filter(taxonomy=taxonomy).values_list("id", "code"))
    codes: dict[int, set[str]] = defaultdict(set)
    through = Coding.themes.through
    for coding_id, theme_id in through.objects.filter(coding__in=codings).values_list(
        "coding_id", "theme_id"
    ):
        codes[coding_id].add(codes_by_id[theme_id])
    return [
        (frozenset(codes[ids[0]]), frozenset(codes[ids[1]]))
        for ids in firsts.values()
        if len(ids) == 2
    ]


def agreement(
    taxonomy: Taxonomy, *, notified_from: dt.date | None = None, notified_to: dt.date | None = None
) -> Agreement | None:
    """Per-theme and pooled kappa between the two coders of each review; None when no
    review has been coded twice."""
    pairs = coding_pairs(taxonomy, notified_from=notified_from, notified_to=notified_to)
    if not pairs:
        return None
    themes = list(taxonomy.themes.all())
    tables = statistics.theme_tables(pairs, [theme.code for theme in themes])
    rows = [
        ThemeAgreement(
            theme.code,
            theme.label,
            theme.get_group_display(),
            tables[theme.code],
            tables[theme.code].kappa,
        )
        for theme in themes
    ]
    return Agreement(
        taxonomy_version=taxonomy.version,
        reviews=len(pairs),
        identical=sum(first == second for first, second in pairs),
        themes=rows,
        pooled=statistics.pooled_kappa(tables.values()),
    )


def double_coded_version(document: ReviewDocument) -> Taxonomy | None:
    """The newest taxonomy version against which two analysts have submitted codings."""
    return (
        Taxonomy.objects.filter(codings__document=document, codings__status=CodingStatus.SUBMITTED)
        .annotate(submitted=Count("codings"))
        .filter(submitted__gte=2)
        .order_by("-version")
        .first()
    )


def reviews_for_coding(user: User) -> QuerySet[ReviewDocument]:
    """Reviews with how many codings are submitted, whether ``user`` has submitted one,
    and whether a final coding exists."""
    mine = Coding.objects.filter(document=OuterRef("pk"), coder=user, status=CodingStatus.SUBMITTED)
    return ReviewDocument.objects.annotate(
        submitted=Count("codings", filter=Q(codings__status=CodingStatus.SUBMITTED)),
        mine_submitted=Exists(mine),
        has_final=Exists(FinalCoding.objects.filter(document=OuterRef("pk"))),
    ).order_by("has_final", "-notified_on", "reference")


def training_data(limit: int | None = None) -> tuple[list[str], list[frozenset[str]]]:
    """Finally coded reviews' texts with their themes' codes (the ``limit`` most
    recently decided, if given), for the suggestions."""
    finals = FinalCoding.objects.order_by("-decided_at", "-id")
    if limit is not None:
        finals = finals[:limit]
    rows = list(finals.values_list("id", "document__text"))
    codes: dict[int, set[str]] = defaultdict(set)
    through = FinalCoding.themes.through
    for final_id, code in through.objects.filter(
        finalcoding_id__in=[final_id for final_id, _ in rows]
    ).values_list("finalcoding_id", "theme__code"):
        codes[final_id].add(code)
    return [text for _, text in rows], [frozenset(codes[final_id]) for final_id, _ in rows]


def latest_coded_year() -> int:
    """The latest financial year with a finally coded review, else the last full one."""
    latest = FinalCoding.objects.aggregate(latest=Max("document__notified_on"))["latest"]
    if latest is not None:
        return statistics.financial_year(latest)
    return statistics.financial_year(timezone.localdate()) - 1


def themes_by_group(taxonomy: Taxonomy) -> list[tuple[str, list[Theme]]]:
    groups: dict[str, list[Theme]] = defaultdict(list)
    for theme in taxonomy.themes.all():
        groups[theme.get_group_display()].append(theme)
    return list(groups.items())
