"""A child's chronology as one reader may see it: frozen rows, already redacted.

Nothing here decides whether the reader may open the record: ``record.access.open_record``
does, and the ``Record`` it returns asks for these rows with the reader's redaction. A
caller cannot get an event's withheld detail by forgetting a step: the rows are built
redacted, and they are frozen.

- An event in a restricted section (``access.sections``) the reader may not see keeps
  its date, agency and category (the duty to share: that something is known, and whom
  to ask); its summary becomes the withheld summary, and the practitioner and the other
  people in it are blanked.
- A referral or contact recorded by another agency names its referrer only to those who
  may see it (the front door, the allocated worker).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, overload

from django.db.models import QuerySet

from sightline.access import sections
from sightline.access.sections import Section
from sightline.chronology.models import ChronologyEvent, Significance
from sightline.chronology.queries import (
    ChronologyFilter,
    Shape,
    count_events,
    events_from,
    filter_values,
)
from sightline.core.statements import ValuesStatement


@dataclass(frozen=True)
class AgencyRef:
    code: str
    name: str


@dataclass(frozen=True)
class CategoryRef:
    code: str
    label: str


@dataclass(frozen=True)
class EventRef:
    """An earlier revision of the same agency's event."""

    event_id: str
    revision: int


@dataclass(frozen=True)
class EventRow:
    """One chronology event as the reader may see it."""

    pk: int
    agency: AgencyRef
    event_id: str
    revision: int
    occurred_at: dt.datetime
    date_only: bool
    recorded_at: dt.datetime
    category: CategoryRef
    summary: str
    significance: str  # low, medium, high, or blank when the agency gave none
    practitioner: str
    is_superseded: bool
    supersedes: EventRef | None
    subject_record_id: str
    other_record_ids: tuple[str, ...]
    # The label of the restricted section whose detail is withheld from this reader.
    withheld_section: str = ""

    @property
    def withheld(self) -> bool:
        return bool(self.withheld_section)

    @property
    def significance_label(self) -> str:
        return Significance(self.significance).label if self.significance else ""


@dataclass(frozen=True)
class Redaction:
    """What one reader may not see of one record's events."""

    # The restricted sections whose detail the reader may see.
    sections: frozenset[sections.Section]
    # The reader's agency: it sees the referrers of its own referrals.
    agency_id: int | None
    # Whether the reader may see who made a referral; asked only when a page of events
    # holds another agency's referral (it may cost a permission query).
    may_see_referrer: Callable[[], bool]

    def withholds(self, category_code: str) -> Section | None:
        """The restricted section of this category whose detail the reader may not see."""
        section = sections.section_of(category_code)
        return section if section is not None and section not in self.sections else None


@dataclass(frozen=True)
class RedactedText:
    """What the reader may see of one event's words (``redact_event``)."""

    summary: str
    practitioner: str
    # The label of the restricted section withheld, else "".
    withheld_section: str


def redact_event(event: ChronologyEvent, redaction: Redaction) -> RedactedText:
    """The words of one loaded event (agency and category selected) as the reader may see
    them, by the same rules as ``read_rows``: for features that show events they loaded
    themselves (a challenge's evidence, an alert's events)."""
    section = redaction.withholds(event.category.code)
    if section is not None:
        return RedactedText(
            sections.withheld_summary(section, event.agency.name), "", section.label
        )
    practitioner = event.practitioner
    if (
        practitioner
        and event.category.code in sections.REFERRER_CATEGORIES
        and event.agency_id != redaction.agency_id
        and not redaction.may_see_referrer()
    ):
        practitioner = sections.WITHHELD_REFERRER
    return RedactedText(event.summary, practitioner, "")


# One row per event: the columns, then the joins the row needs (agency, category, the
# revision it corrects, the subject's record id), in the same SELECT.
_COLUMNS = (
    "pk",
    "agency_id",
    "agency__code",
    "agency__name",
    "event_id",
    "revision",
    "occurred_at",
    "date_only",
    "recorded_at",
    "category__code",
    "category__label",
    "summary",
    "significance",
    "practitioner",
    "is_superseded",
    "supersedes__event_id",
    "supersedes__revision",
    "subject_record__record_id",
)


_PK, _CATEGORY = _COLUMNS.index("pk"), _COLUMNS.index("category__code")


def _links_query(values: Mapping[str, Any], shape: object) -> QuerySet[Any]:
    return (
        ChronologyEvent.other_records.through.objects.filter(chronologyevent_id__in=values["pks"])
        .order_by("chronologyevent_id", "sourcerecord__record_id")
        .values_list("chronologyevent_id", "sourcerecord__record_id")
    )


_LINKS = ValuesStatement("record.chronology.other_records", _links_query)


def _other_record_ids(pks: list[int]) -> dict[int, tuple[str, ...]]:
    """The record ids of the other people in these events, in one query.

    Cheaper than ``prefetch_related``, which builds a queryset per event.
    """
    if not pks:
        return {}
    found: dict[int, list[str]] = defaultdict(list)
    for event_pk, record_id in _LINKS.fetch({"pks": tuple(pks)}):
        found[event_pk].append(record_id)
    return {pk: tuple(ids) for pk, ids in found.items()}


def read_rows(events: QuerySet[ChronologyEvent], redaction: Redaction) -> list[EventRow]:
    """The rows of ``events`` (a queryset from ``chronology.queries.events_for``, sliced
    or not), redacted for the reader: two queries however many events."""
    return _rows(list(events.values_list(*_COLUMNS)), redaction)


def _rows(values: list[tuple[Any, ...]], redaction: Redaction) -> list[EventRow]:
    """Rows of ``_COLUMNS`` values, redacted for the reader."""
    withheld: dict[int, sections.Section] = {}
    for value in values:
        section = redaction.withholds(value[_CATEGORY])
        if section is not None:
            withheld[value[_PK]] = section
    others = _other_record_ids([value[_PK] for value in values if value[_PK] not in withheld])
    referrer: bool | None = None
    rows = []
    for (
        pk,
        agency_id,
        agency_code,
        agency_name,
        event_id,
        revision,
        occurred_at,
        date_only,
        recorded_at,
        category_code,
        category_label,
        summary,
        significance,
        practitioner,
        is_superseded,
        supersedes_event_id,
        supersedes_revision,
        subject_record_id,
    ) in values:
        section = withheld.get(pk)
        if section is not None:
            summary = sections.withheld_summary(section, agency_name)
            practitioner = ""
        elif (
            practitioner
            and category_code in sections.REFERRER_CATEGORIES
            and agency_id != redaction.agency_id
        ):
            if referrer is None:
                referrer = redaction.may_see_referrer()
            if not referrer:
                practitioner = sections.WITHHELD_REFERRER
        rows.append(
            EventRow(
                pk=pk,
                agency=AgencyRef(agency_code, agency_name),
                event_id=event_id,
                revision=revision,
                occurred_at=occurred_at,
                date_only=date_only,
                recorded_at=recorded_at,
                category=CategoryRef(category_code, category_label),
                summary=summary,
                significance=significance,
                practitioner=practitioner,
                is_superseded=is_superseded,
                supersedes=(
                    EventRef(supersedes_event_id, supersedes_revision)
                    if supersedes_event_id is not None
                    else None
                ),
                subject_record_id=subject_record_id,
                other_record_ids=others.get(pk, ()),
                withheld_section=section.label if section is not None else "",
            )
        )
    return rows


def _page_query(values: Mapping[str, Any], shape: tuple[Shape, int, int]) -> QuerySet[Any]:
    filter_shape, start, stop = shape
    return events_from(values, filter_shape)[start:stop].values_list(*_COLUMNS)


_PAGE = ValuesStatement("record.chronology.page", _page_query)


class ChronologyRows(Sequence[EventRow]):
    """The events of an opened record that match a filter, as redacted rows.

    Lazy, as a queryset is: its length is one COUNT and a slice one page of rows, so a
    page and the API paginate it with Django's and DRF's paginators. Iterating reads
    every matching event (exports). The COUNT and the page are compiled once per shape
    of filter and page (``core.statements``): the same SQL, without building it again.
    """

    def __init__(self, person_id: int, filters: ChronologyFilter, redaction: Redaction) -> None:
        self._person_id = person_id
        self._filters = filters
        self._redaction = redaction

    @cached_property
    def _count(self) -> int:
        return count_events(self._person_id, self._filters)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> EventRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[EventRow]: ...

    def __getitem__(self, index: int | slice) -> EventRow | list[EventRow]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("a chronology is read in pages, not every nth event")
            return self._page(start, max(start, stop))
        if index < 0:
            index += len(self)
        found = self._page(index, index + 1) if index >= 0 else []
        if not found:
            raise IndexError("no such event in this chronology")
        return found[0]

    def _page(self, start: int, stop: int) -> list[EventRow]:
        if stop <= start:
            return []
        values, shape = filter_values(self._person_id, self._filters)
        return _rows(_PAGE.fetch(values, shape=(shape, start, stop)), self._redaction)

    def __iter__(self) -> Iterator[EventRow]:
        events = events_from(*filter_values(self._person_id, self._filters))
        return iter(read_rows(events, self._redaction))
