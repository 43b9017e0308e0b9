"""Reads for learning from reviews that take more than one line: agreement between
coders, the review list with coding progress, training data for suggestions, and the
facts a de-identified research extract is built from."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from sightline.accounts.models import User
from sightline.agencies.models import AgencyKind
from sightline.chronology.models import Category, ChronologyEvent
from sightline.incidents.models import NotifiedChild
from sightline.learning import extract, statistics
from sightline.learning.models import (
    AuthorityRegion,
    Coding,
    CodingStatus,
    FinalCoding,
    ReviewDocument,
    Taxonomy,
    Theme,
)
from sightline.people.models import Involvement, Person, SourceRecord, StatusPeriod


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


# --- research extracts ----------------------------------------------------------------


@dataclass(frozen=True)
class ResearchSource:
    """Everything ``learning.extract.build_extract`` needs, minimised at the query."""

    children: list[extract.ChildFacts]
    regions: dict[str, str]
    agency_kinds: list[str]
    categories: list[str]


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def research_population(period: extract.Period) -> QuerySet[Person]:
    """The children an extract covers: persons (not merged into another) under 18 at the
    end of the period, with a status period overlapping it, a current chronology event in
    it, or an involvement overlapping it. A person with no date of birth is counted only
    with a status period (those are recorded only for children)."""
    start, end = period.start, period.end
    overlapping = Q(started_on__lte=end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    statuses = StatusPeriod.objects.filter(overlapping, person=OuterRef("pk"))
    involvements = Involvement.objects.filter(overlapping, person=OuterRef("pk"))
    events = ChronologyEvent.objects.current().filter(
        person=OuterRef("pk"),
        occurred_at__gte=_day_start(start),
        occurred_at__lt=_day_start(end + dt.timedelta(days=1)),
    )
    eighteen_years_before = _years_before(end, 18)
    return (
        Person.objects.alias(
            has_status=Exists(statuses),
            has_event=Exists(events),
            has_involvement=Exists(involvements),
        )
        .filter(merged_into__isnull=True)
        .filter(
            Q(date_of_birth__isnull=True, has_status=True)
            | Q(
                Q(has_status=True) | Q(has_event=True) | Q(has_involvement=True),
                date_of_birth__lte=end,
                date_of_birth__gt=eighteen_years_before,
            )
        )
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def research_children(period: extract.Period) -> ResearchSource:
    """The facts of every child in ``research_population``: seven queries, whatever the
    number of children. Names, NHS numbers, addresses and postcodes are not selected."""
    population = research_population(period)
    ids = population.values("pk")
    start, end = period.start, period.end
    persons = list(population.values_list("pk", "date_of_birth", "sex", "ethnicity"))

    statuses: dict[int, list[extract.StatusFacts]] = defaultdict(list)
    # The local authority: the children's social care agency of the latest status period
    # or involvement begun by the end of the period, else of a source record.
    authority: dict[int, tuple[dt.date, str]] = {}
    for person_id, kind, category, started, ended, code, agency_kind in StatusPeriod.objects.filter(
        person_id__in=ids, started_on__lte=end
    ).values_list(
        "person_id",
        "kind",
        "protection_category",
        "started_on",
        "ended_on",
        "recorded_by_agency__code",
        "recorded_by_agency__kind",
    ):
        statuses[person_id].append(extract.StatusFacts(kind, category, started, ended))
        if agency_kind == AgencyKind.CHILDRENS_SOCIAL_CARE:
            _latest(authority, person_id, started, code)
    for person_id, started, code in Involvement.objects.filter(
        person_id__in=ids,
        started_on__lte=end,
        agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
    ).values_list("person_id", "started_on", "agency__code"):
        _latest(authority, person_id, started, code)
    for person_id, code in SourceRecord.objects.filter(
        person_id__in=ids, agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE
    ).values_list("person_id", "agency__code"):
        _latest(authority, person_id, dt.date.min, code)

    by_kind: dict[int, dict[str, int]] = defaultdict(dict)
    by_category: dict[int, dict[str, int]] = defaultdict(dict)
    first: dict[int, dt.datetime] = {}
    last: dict[int, dt.datetime] = {}
    counted = (
        ChronologyEvent.objects.current()
        .filter(
            person_id__in=ids,
            occurred_at__gte=_day_start(start),
            occurred_at__lt=_day_start(end + dt.timedelta(days=1)),
        )
        .values("person_id", "agency__kind", "category__code")
        .annotate(n=Count("id"), first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by()
    )
    zone = timezone.get_current_timezone()
    for group in counted:
        person_id = group["person_id"]
        kinds, categories = by_kind[person_id], by_category[person_id]
        kinds[group["agency__kind"]] = kinds.get(group["agency__kind"], 0) + group["n"]
        code = group["category__code"]
        categories[code] = categories.get(code, 0) + group["n"]
        first[person_id] = min(first.get(person_id, group["first"]), group["first"])
        last[person_id] = max(last.get(person_id, group["last"]), group["last"])

    themes: dict[int, set[str]] = defaultdict(set)
    notified = defaultdict(set)
    for person_id, notification_id in NotifiedChild.objects.filter(person_id__in=ids).values_list(
        "person_id", "notification_id"
    ):
        notified[notification_id].add(person_id)
    documents = dict(
        ReviewDocument.objects.filter(
            notification_id__in=list(notified), notified_on__lte=end
        ).values_list("pk", "notification_id")
    )
    for document_id, code in FinalCoding.themes.through.objects.filter(
        finalcoding__document_id__in=list(documents)
    ).values_list("finalcoding__document_id", "theme__code"):
        for person_id in notified[documents[document_id]]:
            themes[person_id].add(code)

    children = [
        extract.ChildFacts(
            date_of_birth=date_of_birth,
            sex=sex,
            ethnicity=ethnicity,
            la_code=authority[pk][1] if pk in authority else "",
            statuses=tuple(statuses[pk]),
            events_by_agency_kind=by_kind.get(pk, {}),
            events_by_category=by_category.get(pk, {}),
            first_event_on=first[pk].astimezone(zone).date() if pk in first else None,
            last_event_on=last[pk].astimezone(zone).date() if pk in last else None,
            review_themes=frozenset(themes.get(pk, ())),
        )
        for pk, date_of_birth, sex, ethnicity in persons
    ]
    return ResearchSource(
        children=children,
        regions=dict(AuthorityRegion.objects.values_list("local_authority__code", "region")),
        agency_kinds=list(AgencyKind.values),
        categories=sorted(Category.objects.values_list("code", flat=True)),
    )


def _latest(found: dict[int, tuple[dt.date, str]], person_id: int, on: dt.date, code: str) -> None:
    if person_id not in found or on >= found[person_id][0]:
        found[person_id] = (on, code)
