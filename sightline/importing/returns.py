"""The national returns to and from the case record: the CIN census and the SSDA903.

The pure readers and writers are ``sightline.returns``; this module maps their dataclasses
onto the case app's models (``sightline.cases``) and back.

Export (``export_cin_census``, ``export_ssda903``) reads the current rows (no superseded
or withdrawn row) that the social care agency recorded and that touch the collection
year, a few queries for the whole return, and builds the return's dataclasses. A child is
named by the agency's own record id for the person (``people.SourceRecord.record_id``),
which is what ``LAchildID``/``CHILD`` is; what a return carries that a person record does
not (UPN, ethnicity code, disabilities...) is read from ``importing.ReturnChild``.
"""

import datetime as dt
import hashlib
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sightline.accounts.models import User
from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.cases import actions as case_actions
from sightline.cases.bulk import Pending, create_in_bulk
from sightline.cases.models import (
    Allocation,
    CaseRecord,
    ChildProtectionPlan,
    ChildProtectionReview,
    CINAssessment,
    CINPlan,
    EpisodeOfNeed,
    LookedAfterEpisode,
    LookedAfterReview,
    MissingEpisode,
    Section47,
)
from sightline.importing.models import ImportBatch, ImportKind, ReturnChild
from sightline.importing.rows import PersonRecordRow
from sightline.importing.submissions import submit_person_records
from sightline.people.models import Person, SourceRecord
from sightline.returns import cin_census as cin
from sightline.returns import codes
from sightline.returns import ssda903 as s903
from sightline.returns.errors import ReturnError
from sightline.returns.years import CollectionYear

T = TypeVar("T")

SOFTWARE_CODE = "Sightline"
# The ``source`` of the case rows each return's import writes. One per return, not per
# year: an episode open across two years is in both years' files and is one row.
CIN_SOURCE = "cin-census"
SSDA903_SOURCE = "ssda903"
# The CIN census header's LA number when none is given (the DfE's three-digit LA number).
DEFAULT_LEA = "201"
RELEASE = "1"
# Person.sex → the returns' Sex (from 2024/25: M, F or U).
_SEX = {"F": "F", "M": "M", "X": "U", "": "U"}


def social_care_agency(code: str | None = None) -> Agency:
    """The agency whose returns these are: ``code``, or the one children's social care."""
    if code:
        return Agency.objects.get(code=code)
    return Agency.objects.get(kind=AgencyKind.CHILDRENS_SOCIAL_CARE)


@dataclass(frozen=True)
class _ChildIds:
    la_child_id: str
    person: Person
    details: ReturnChild | None


def _children(agency: Agency, person_ids: Iterable[int]) -> dict[int, _ChildIds]:
    """Each person's id in the agency (its source record's id), with the return's details."""
    ids = sorted(set(person_ids))
    persons = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    records: dict[int, list[str]] = defaultdict(list)
    for person_id, record_id in SourceRecord.objects.filter(
        agency=agency, person_id__in=ids
    ).values_list("person_id", "record_id"):
        records[person_id].append(record_id)
    every_record = [record for listed in records.values() for record in listed]
    details = {
        row.la_child_id: row
        for row in ReturnChild.objects.filter(agency=agency, la_child_id__in=every_record)
    }
    found: dict[int, _ChildIds] = {}
    for person_id in ids:
        listed = sorted(records.get(person_id, []))
        # Prefer the id a return came with; else the agency's first record id; else ours.
        chosen = next((r for r in listed if r in details), listed[0] if listed else "")
        found[person_id] = _ChildIds(
            la_child_id=chosen or f"SL{person_id:08d}",
            person=persons[person_id],
            details=details.get(chosen),
        )
    return found


def _in_year(start: str, end: str, year: CollectionYear) -> Q:
    return Q(**{f"{start}__lte": year.end}) & (
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": year.start})
    )


def _section47_in(year: CollectionYear) -> Q:
    """A section 47 enquiry a return of ``year`` holds: its initial conference in the year
    (CIN 8715), or without one, its start in the year."""
    return Q(date_of_initial_cpc__gte=year.start, date_of_initial_cpc__lte=year.end) | Q(
        date_of_initial_cpc__isnull=True, start_date__gte=year.start, start_date__lte=year.end
    )


def _by(rows: Iterable[object], key: str) -> dict[int, list[object]]:
    grouped: dict[int, list[object]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def export_cin_census(
    *, agency: Agency, year: CollectionYear, lea: str, at: dt.datetime | None = None
) -> cin.Message:
    """The agency's CIN census for ``year``: every child with an episode of need open at any
    time in the year, with what happened in it during the year."""
    episodes = list(
        EpisodeOfNeed.objects.current()
        .filter(recording_agency=agency)
        .filter(_in_year("referral_date", "closure_date", year))
        .order_by("child_id", "referral_date", "pk")
    )
    episode_ids = [e.pk for e in episodes]
    assessments = _by(
        CINAssessment.objects.current()
        .filter(episode_id__in=episode_ids)
        .filter(_in_year("start_date", "authorisation_date", year))
        .order_by("start_date", "pk"),
        "episode_id",
    )
    cin_plans = _by(
        CINPlan.objects.current()
        .filter(episode_id__in=episode_ids)
        .filter(_in_year("start_date", "end_date", year))
        .order_by("start_date", "pk"),
        "episode_id",
    )
    section47s = _by(
        Section47.objects.current()
        .filter(_section47_in(year), episode_id__in=episode_ids)
        .order_by("start_date", "pk"),
        "episode_id",
    )
    plans = list(
        ChildProtectionPlan.objects.current()
        .filter(episode_id__in=episode_ids)
        .filter(_in_year("start_date", "end_date", year))
        .order_by("start_date", "pk")
    )
    cp_plans = _by(plans, "episode_id")
    reviews = _by(
        ChildProtectionReview.objects.current()
        .filter(plan_id__in=[p.pk for p in plans], review_date__lte=year.end)
        .order_by("review_date", "pk"),
        "plan_id",
    )
    children = _children(agency, (e.child_id for e in episodes))
    by_child: dict[int, list[cin.CINDetails]] = defaultdict(list)
    for episode in episodes:
        by_child[episode.child_id].append(
            cin.CINDetails(
                referral_date=episode.referral_date,
                referral_source=episode.referral_source,
                referral_nfa=episode.referral_nfa,
                primary_need=episode.primary_need or None,
                closure_date=episode.closure_date,
                closure_reason=episode.closure_reason or None,
                initial_cpc_date=episode.date_of_initial_cpc,
                assessments=tuple(
                    cin.Assessment(
                        start_date=a.start_date,
                        internal_review_date=a.internal_review_date,
                        authorisation_date=a.authorisation_date,
                        factors=tuple(a.factors),
                    )
                    for a in _typed(assessments.get(episode.pk, []), CINAssessment)
                ),
                cin_plans=tuple(
                    cin.CINPlan(start_date=p.start_date, end_date=p.end_date)
                    for p in _typed(cin_plans.get(episode.pk, []), CINPlan)
                ),
                section47s=tuple(
                    cin.Section47(
                        start_date=s.start_date,
                        icpc_target=s.initial_cpc_target,
                        icpc_date=s.date_of_initial_cpc,
                        icpc_not_required=s.icpc_not_required,
                    )
                    for s in _typed(section47s.get(episode.pk, []), Section47)
                ),
                cp_plans=tuple(
                    cin.CPPlan(
                        start_date=p.start_date,
                        end_date=p.end_date,
                        initial_category=p.initial_category,
                        latest_category=p.latest_category,
                        previous_plans=p.number_of_previous_cpp,
                        review_dates=tuple(
                            r.review_date
                            for r in _typed(reviews.get(p.pk, []), ChildProtectionReview)
                        ),
                    )
                    for p in _typed(cp_plans.get(episode.pk, []), ChildProtectionPlan)
                ),
            )
        )
    census_children = []
    for person_id, details in by_child.items():
        ids = children[person_id]
        census_children.append(_census_child(ids, tuple(details)))
    census_children.sort(key=lambda c: c.la_child_id)
    return cin.Message(
        header=cin.Header(
            year=year.end_year,
            reference_date=year.end,
            lea=lea,
            software_code=SOFTWARE_CODE,
            release=RELEASE,
            serial_no="001",
            date_time=(at or timezone.localtime()).replace(tzinfo=None, microsecond=0),
        ),
        children=tuple(census_children),
    )


def _typed(rows: list[object], kind: type[T]) -> list[T]:
    return [row for row in rows if isinstance(row, kind)]


def _census_child(ids: _ChildIds, episodes: tuple[cin.CINDetails, ...]) -> cin.Child:
    person, details = ids.person, ids.details
    if details is None:
        return cin.Child(
            la_child_id=ids.la_child_id,
            sex=_SEX.get(person.sex, "U"),
            ethnicity="NOBT",
            birth_date=person.date_of_birth,
            episodes=episodes,
        )
    return cin.Child(
        la_child_id=ids.la_child_id,
        sex=details.sex or _SEX.get(person.sex, "U"),
        ethnicity=details.ethnicity or "NOBT",
        upn=details.upn or None,
        former_upn=details.former_upn or None,
        upn_unknown=details.upn_unknown or None,
        birth_date=details.birth_date or person.date_of_birth,
        expected_birth_date=details.expected_birth_date,
        death_date=details.death_date,
        disabilities=tuple(details.disabilities),
        episodes=episodes,
    )


def export_ssda903(*, agency: Agency, year: CollectionYear) -> s903.Return903:
    """The agency's SSDA903 for ``year``: every child looked after at any time in the year,
    with the episodes, reviews, missing episodes and allocated workers of the year."""
    episodes = list(
        LookedAfterEpisode.objects.current()
        .filter(recording_agency=agency)
        .filter(_in_year("decom", "dec", year))
        .order_by("child_id", "decom", "pk")
    )
    child_ids = sorted({e.child_id for e in episodes})
    children = _children(agency, child_ids)
    reviews = (
        LookedAfterReview.objects.current()
        .filter(child_id__in=child_ids, review__gte=year.start, review__lte=year.end)
        .order_by("child_id", "review", "pk")
    )
    missing = (
        MissingEpisode.objects.current()
        .filter(child_id__in=child_ids)
        .filter(_in_year("mis_start", "mis_end", year))
        .order_by("child_id", "mis_start", "pk")
    )
    allocations = (
        Allocation.objects.current()
        .filter(child_id__in=child_ids, worker__isnull=False)
        .filter(_in_year("start_date", "end_date", year))
        .select_related("worker")
        .order_by("child_id", "start_date", "pk")
    )
    header: list[s903.HeaderRow] = []
    uasc: list[s903.UASCRow] = []
    dob: dict[int, dt.date] = {}
    for person_id in child_ids:
        ids = children[person_id]
        details, person = ids.details, ids.person
        birth = (details.birth_date if details else None) or person.date_of_birth
        if birth is None:
            continue  # a 903 child needs a date of birth: see the export's report
        dob[person_id] = birth
        sex = (details.sex if details else "") or _SEX.get(person.sex, "U")
        header.append(
            s903.HeaderRow(
                child=ids.la_child_id,
                sex=sex,
                dob=birth,
                ethnic=(details.ethnicity if details else "") or "NOBT",
                upn=((details.upn or details.upn_unknown) if details else "") or None,
                mother=(details.mother if details else "") or None,
                mc_dob=details.mother_child_dob if details else None,
            )
        )
        if details is not None and details.uasc_ceased is not None:
            uasc.append(s903.UASCRow(ids.la_child_id, sex, birth, details.uasc_ceased))
    name = {pid: children[pid].la_child_id for pid in dob}
    return s903.Return903(
        header=tuple(sorted(header, key=lambda h: h.child)),
        episodes=tuple(
            s903.Episode(
                child=name[e.child_id],
                decom=e.decom,
                rne=e.rne,
                ls=e.ls,
                cin=e.cin,
                place=e.place,
                place_provider=e.place_provider or None,
                dec=e.dec,
                rec=e.rec or None,
                reason_place_change=e.reason_place_change or None,
                home_post=e.home_post or None,
                pl_post=e.pl_post or None,
                urn=e.urn or None,
            )
            for e in sorted(episodes, key=lambda e: (_key(name, e.child_id), e.decom))
            if e.child_id in name
        ),
        reviews=tuple(
            s903.Review(name[r.child_id], dob[r.child_id], r.review, r.review_code or None)
            for r in sorted(reviews, key=lambda r: (_key(name, r.child_id), r.review))
            if r.child_id in name
        ),
        uasc=tuple(sorted(uasc, key=lambda u: u.child)),
        missing=tuple(
            s903.MissingRow(name[m.child_id], dob[m.child_id], m.missing, m.mis_start, m.mis_end)
            for m in sorted(missing, key=lambda m: (_key(name, m.child_id), m.mis_start))
            if m.child_id in name
        ),
        sw_episodes=_sw_episodes(
            [a for a in allocations if a.child_id in name], name=name, dob=dob
        ),
    )


def _sw_id(worker: User) -> str:
    """A worker's SW_ID. Sightline holds no Social Work England registration number
    (``SW`` and digits), so a worker is given as ``XX`` and their user number, the prefix
    the DfE accepts for an id that is not one (903 SW02STG1)."""
    return f"XX{worker.pk:06d}"


def _sw_episodes(
    allocations: Iterable[Allocation], *, name: Mapping[int, str], dob: Mapping[int, dt.date]
) -> tuple[s903.SWEpisode, ...]:
    """The allocated workers as SWEpisodes. The 903 gives the reason for a change of
    worker on the new episode, where ``cases.Allocation`` keeps it on the one that ended:
    an episode's SW_REASON is the reason its predecessor ended, if that is a SW_REASON
    code; otherwise (a free-text reason, or a first allocation, which the code list has
    no value for) ``OTHERS``: every episode needs one (SW03STG1, SW13STG1)."""
    episodes = []
    before: dict[int, Allocation] = {}
    for a in sorted(allocations, key=lambda a: (_key(name, a.child_id), a.start_date, a.pk)):
        previous = before.get(a.child_id)
        reason = previous.reason_for_change if previous is not None else ""
        episodes.append(
            s903.SWEpisode(
                child=name[a.child_id],
                dob=dob[a.child_id],
                sw_id=_sw_id(a.worker) if a.worker else "",
                sw_decom=a.start_date,
                sw_dec=a.end_date,
                sw_reason=reason if reason in codes.SW_REASON else "OTHERS",
            )
        )
        before[a.child_id] = a
    return tuple(episodes)


def _key(name: Mapping[int, str], person_id: int) -> str:
    return name.get(person_id, "")


# --- import ------------------------------------------------------------------------------
#
# A return is imported whole or not at all. Its children are placed on persons through the
# person-record submission path (``importing.submissions.submit_person_records``, identity
# resolution): a child id the agency has submitted before keeps its person (the census has
# no names, so a known record is never overwritten by the return's blank ones); an unknown
# child becomes a new social care record. Every case row is written by the case app's
# actions (each audits and chronicles itself) with ``source`` naming the return and year and
# ``external_id`` naming the element (the child id and the element's start date), so a
# re-import finds it again: what changed is corrected (superseded), what vanished from the
# file is withdrawn with the import named as the reason, and nothing is duplicated.


@dataclass(frozen=True)
class ReturnImportReport:
    kind: str  # ImportKind value
    filename: str
    sha256: str
    dry_run: bool
    year: int | None = None
    children: int = 0
    persons_created: int = 0
    created: int = 0
    corrected: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    # Children or rows that could not be placed.
    unplaced: tuple[str, ...] = ()
    # Tables of the return read but deliberately not imported, one line each saying why
    # (the 903's SWEpisodes: ``skipped_sw_episodes``).
    skipped: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    batch: ImportBatch | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return not self.errors


class _DryRunDoneError(Exception):
    """Raised at the end of a dry run to roll it back."""


class _RejectedError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _Tally:
    created: int = 0
    corrected: int = 0
    withdrawn: int = 0
    unchanged: int = 0


def _place_children(
    *, agency: Agency, children: Mapping[str, tuple[dt.date | None, str]], origin: Origin
) -> tuple[dict[str, Person], int]:
    """Each child id's person: the agency's existing record's person, or a new record
    submitted through identity resolution. ``children`` maps id → (date of birth, sex)."""
    existing = dict(
        SourceRecord.objects.filter(agency=agency, record_id__in=list(children)).values_list(
            "record_id", "person_id"
        )
    )
    unknown = [
        PersonRecordRow(
            line=index,
            record_id=child_id,
            agency=agency.code,
            date_of_birth=birth,
            sex={"M": "M", "F": "F"}.get(sex, "X"),
        )
        for index, (child_id, (birth, sex)) in enumerate(sorted(children.items()), start=1)
        if child_id not in existing
    ]
    persons_created = 0
    if unknown:
        result = submit_person_records(actor=None, agency=agency, rows=unknown, origin=origin)
        persons_created = result.persons_created
        existing.update(
            SourceRecord.objects.filter(
                agency=agency, record_id__in=[row.record_id for row in unknown]
            ).values_list("record_id", "person_id")
        )
    persons = Person.objects.in_bulk(set(existing.values()))
    return {child_id: persons[existing[child_id]] for child_id in children}, persons_created


def _save_details(agency: Agency, details: Mapping[str, Mapping[str, Any]]) -> None:
    """Keep what the return says of each child (child id → fields) that a person record
    does not hold: the held rows updated, the others created, a few statements in all."""
    now = timezone.now()
    held = {
        row.la_child_id: row
        for row in ReturnChild.objects.filter(agency=agency, la_child_id__in=list(details))
    }
    fields = sorted({name for values in details.values() for name in values})
    changed = []
    for child_id, row in held.items():
        values = details[child_id]
        if all(getattr(row, name) == value for name, value in values.items()):
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
        changed.append(row)
    ReturnChild.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=500)
    ReturnChild.objects.bulk_create(
        [
            ReturnChild(agency=agency, la_child_id=child_id, updated_at=now, **values)
            for child_id, values in details.items()
            if child_id not in held
        ],
        batch_size=1000,
    )


def _reconcile(
    *,
    model: type[CaseRecord],
    agency: Agency,
    source: str,
    wanted: Mapping[str, tuple[Mapping[str, object], Callable[[], object]]],
    origin: Origin,
    reason: str,
    tally: _Tally,
) -> None:
    """Bring the current rows of ``model`` from ``source`` to ``wanted`` (external id →
    (correctable values, how to create it)): correct what changed and create what is new.
    A row of another year's file with the same id (an episode open across two years) is
    the same row."""
    current = {
        row.external_id: row
        for row in model.objects.current().filter(
            recording_agency=agency, source=source, external_id__in=list(wanted)
        )
    }
    for external_id, (values, create) in wanted.items():
        row = current.get(external_id)
        if row is None:
            create()
            tally.created += 1
            continue
        changes = {k: v for k, v in values.items() if getattr(row, k) != v}
        if changes:
            case_actions.correct(
                actor=None, origin=origin, record=row, changes=changes, reason=reason
            )
            tally.corrected += 1
        else:
            tally.unchanged += 1


_Make = Callable[..., Pending]


def _new_row(
    where: str,
    model: type[CaseRecord],
    /,
    review_dates: tuple[dt.date, ...] = (),
    **values: Any,
) -> Pending:
    """A new case row, unsaved, and where the file gave it (``values`` may hold a 903
    ``place``: the placement)."""
    return Pending(place=where, row=model(**values), review_dates=review_dates)


def _reconcile_bulk(
    *,
    model: type[CaseRecord],
    agency: Agency,
    source: str,
    wanted: Mapping[str, tuple[Mapping[str, object], Callable[[], Pending]]],
    origin: Origin,
    reason: str,
    tally: _Tally,
) -> list[Pending]:
    """As ``_reconcile``, but what is new is returned (unsaved) to be written in bulk."""
    current = {
        row.external_id: row
        for row in model.objects.current().filter(
            recording_agency=agency, source=source, external_id__in=list(wanted)
        )
    }
    new: list[Pending] = []
    for external_id, (values, make) in wanted.items():
        row = current.get(external_id)
        if row is None:
            new.append(make())
            tally.created += 1
            continue
        changes = {k: v for k, v in values.items() if getattr(row, k) != v}
        if changes:
            case_actions.correct(
                actor=None, origin=origin, record=row, changes=changes, reason=reason
            )
            tally.corrected += 1
        else:
            tally.unchanged += 1
    return new


def _episode_in(year: CollectionYear) -> Q:
    return Q(episode__referral_date__lte=year.end) & (
        Q(episode__closure_date__isnull=True) | Q(episode__closure_date__gte=year.start)
    )


def _year_scope(model: type[CaseRecord], year: CollectionYear) -> Q:
    """The rows of ``model`` that a return of ``year`` holds (what its export includes):
    the ones a re-imported file of that year must list, or they vanished."""
    scopes: dict[type[CaseRecord], Q] = {
        EpisodeOfNeed: _in_year("referral_date", "closure_date", year),
        CINAssessment: _in_year("start_date", "authorisation_date", year) & _episode_in(year),
        CINPlan: _in_year("start_date", "end_date", year) & _episode_in(year),
        Section47: _section47_in(year) & _episode_in(year),
        ChildProtectionPlan: _in_year("start_date", "end_date", year) & _episode_in(year),
        LookedAfterEpisode: _in_year("decom", "dec", year),
        LookedAfterReview: Q(review__gte=year.start, review__lte=year.end),
        MissingEpisode: _in_year("mis_start", "mis_end", year),
    }
    return scopes[model]


def _withdraw_vanished(
    *,
    model: type[CaseRecord],
    agency: Agency,
    source: str,
    year: CollectionYear,
    keep: Iterable[str],
    origin: Origin,
    reason: str,
    tally: _Tally,
) -> None:
    """Withdraw the rows this year's file should hold but does not (``reason`` names it)."""
    kept = set(keep)
    rows = model.objects.current().filter(recording_agency=agency, source=source)
    for row in rows.filter(_year_scope(model, year)):
        if row.external_id not in kept:
            case_actions.withdraw(actor=None, origin=origin, record=row, reason=reason)
            tally.withdrawn += 1


def _run(
    kind: ImportKind,
    *,
    actor: User | None,
    agency: Agency,
    content: bytes,
    filename: str,
    origin: Origin,
    dry_run: bool,
    body: Callable[[str], tuple[int, int, int, _Tally, tuple[str, ...], tuple[str, ...]]],
) -> ReturnImportReport:
    """Run ``body`` (which reads and writes, given the reason text for corrections and
    withdrawals) in one transaction; roll back on a dry run or any error; record the batch
    and audit the import (a rejected file too)."""
    sha256 = hashlib.sha256(content).hexdigest()
    reason = f"{kind.label} import {filename} ({sha256[:12]})"
    report: ReturnImportReport
    try:
        with transaction.atomic():
            year, children, persons_created, tally, unplaced, skipped = body(reason)
            report = ReturnImportReport(
                kind=kind.value,
                filename=filename,
                sha256=sha256,
                dry_run=dry_run,
                year=year,
                children=children,
                persons_created=persons_created,
                created=tally.created,
                corrected=tally.corrected,
                withdrawn=tally.withdrawn,
                unchanged=tally.unchanged,
                unplaced=unplaced,
                skipped=skipped,
            )
            if dry_run:
                raise _DryRunDoneError
            batch = ImportBatch.objects.create(
                kind=kind,
                filename=filename[:255],
                sha256=sha256,
                agency_codes=agency.code,
                rows=children,
                created=tally.created,
                corrected=tally.corrected,
                unchanged=tally.unchanged,
                updated=tally.withdrawn,
                actor=actor,
                via=origin.via,
            )
            batch.agencies.set([agency])
            report = replace(report, batch=batch)
    except _DryRunDoneError:
        pass
    except (ReturnError, _RejectedError, ValidationError) as error:
        report = ReturnImportReport(
            kind=kind.value,
            filename=filename,
            sha256=sha256,
            dry_run=dry_run,
            errors=(_message(error),),
        )
    record_audit(
        actor=actor,
        action=AuditAction.IMPORT_RETURN,
        origin=origin,
        detail={
            "kind": kind.value,
            "file": filename,
            "sha256": sha256,
            "dry_run": dry_run,
            "agency": agency.code,
            "year": report.year,
            "children": report.children,
            "created": report.created,
            "corrected": report.corrected,
            "withdrawn": report.withdrawn,
            "unchanged": report.unchanged,
            "unplaced": len(report.unplaced),
            "skipped": list(report.skipped),
            "errors": len(report.errors),
        },
    )
    return report


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return (
            "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            if hasattr(error, "error_dict")
            else " ".join(error.messages)
        )
    if isinstance(error, _RejectedError):
        return str(error.message)
    return str(error)


def _at(place: str, action: Callable[[], T]) -> T:
    """Run a case action; a refusal names the element it was for."""
    try:
        return action()
    except ValidationError as error:
        raise _RejectedError(f"{place}: {_message(error)}") from error


@transaction.atomic
def import_cin_census(
    *,
    actor: User | None,
    agency: Agency,
    content: bytes,
    filename: str,
    origin: Origin,
    dry_run: bool = False,
) -> ReturnImportReport:
    """Import a CIN census file for ``agency`` (all or nothing; see the section above)."""

    def body(reason: str) -> tuple[int, int, int, _Tally, tuple[str, ...], tuple[str, ...]]:
        message = cin.read(content)
        source = CIN_SOURCE
        year = CollectionYear(message.header.year)
        persons, persons_created = _place_children(
            agency=agency,
            children={c.la_child_id: (c.birth_date, c.sex) for c in message.children},
            origin=origin,
        )
        _save_details(
            agency,
            {
                child.la_child_id: {
                    "upn": child.upn or "",
                    "former_upn": child.former_upn or "",
                    "upn_unknown": child.upn_unknown or "",
                    "sex": child.sex,
                    "ethnicity": child.ethnicity,
                    "disabilities": list(child.disabilities),
                    "birth_date": child.birth_date,
                    "expected_birth_date": child.expected_birth_date,
                    "death_date": child.death_date,
                }
                for child in message.children
            },
        )
        tally = _Tally()
        provenance: dict[str, Any] = {
            "recording_agency": agency,
            "recorded_by": None,
            "source": source,
        }
        parts: dict[type[CaseRecord], dict[str, tuple[Mapping[str, object], str, _Make]]] = {
            CINAssessment: {},
            CINPlan: {},
            Section47: {},
            ChildProtectionPlan: {},
        }
        episodes: dict[str, tuple[Mapping[str, object], _Make]] = {}
        for c_index, child in enumerate(message.children, start=1):
            person = persons[child.la_child_id]
            for e_index, episode in enumerate(child.episodes, start=1):
                place = f"Child[{c_index}] ({child.la_child_id}) CINdetails[{e_index}]"
                key = f"{child.la_child_id}:{episode.referral_date.isoformat()}"
                values: dict[str, Any] = {
                    "referral_date": episode.referral_date,
                    "referral_source": episode.referral_source,
                    "primary_need": episode.primary_need or "",
                    "referral_nfa": episode.referral_nfa,
                    "closure_date": episode.closure_date,
                    "closure_reason": episode.closure_reason or "",
                    "date_of_initial_cpc": episode.initial_cpc_date,
                }
                episodes[key] = (
                    values,
                    partial(
                        _new_row,
                        place,
                        EpisodeOfNeed,
                        child=person,
                        external_id=key,
                        **provenance,
                        **values,
                    ),
                )
                for i, a in enumerate(episode.assessments, start=1):
                    parts[CINAssessment][f"{key}:assessment:{a.start_date.isoformat()}"] = (
                        {
                            "start_date": a.start_date,
                            "internal_review_date": a.internal_review_date,
                            "authorisation_date": a.authorisation_date,
                            "factors": list(a.factors),
                        },
                        key,
                        partial(_new_row, f"{place} Assessments[{i}]", CINAssessment),
                    )
                for i, p in enumerate(episode.cin_plans, start=1):
                    parts[CINPlan][f"{key}:cin-plan:{p.start_date.isoformat()}"] = (
                        {"start_date": p.start_date, "end_date": p.end_date},
                        key,
                        partial(_new_row, f"{place} CINPlanDates[{i}]", CINPlan),
                    )
                for i, s in enumerate(episode.section47s, start=1):
                    parts[Section47][f"{key}:s47:{s.start_date.isoformat()}"] = (
                        {
                            "start_date": s.start_date,
                            "initial_cpc_target": s.icpc_target,
                            "date_of_initial_cpc": s.icpc_date,
                            "icpc_not_required": s.icpc_not_required,
                        },
                        key,
                        partial(_new_row, f"{place} Section47[{i}]", Section47),
                    )
                for i, cp in enumerate(episode.cp_plans, start=1):
                    reviews = ",".join(day.isoformat() for day in cp.review_dates)
                    parts[ChildProtectionPlan][
                        f"{key}:cp-plan:{cp.start_date.isoformat()}:reviews:{reviews}"
                    ] = (
                        {
                            "start_date": cp.start_date,
                            "end_date": cp.end_date,
                            "initial_category": cp.initial_category,
                            "latest_category": cp.latest_category or cp.initial_category,
                            "number_of_previous_cpp": cp.previous_plans,
                        },
                        key,
                        partial(
                            _new_row,
                            f"{place} ChildProtectionPlans[{i}]",
                            ChildProtectionPlan,
                            review_dates=tuple(cp.review_dates),
                        ),
                    )
        # What vanished goes first (parts before their episodes), so that what replaces it
        # (a child's one open episode, one open plan) can be recorded.
        vanishing: list[tuple[type[CaseRecord], Iterable[str]]] = [
            *((model, list(ids)) for model, ids in parts.items()),
            (EpisodeOfNeed, list(episodes)),
        ]
        for model, keep in vanishing:
            _withdraw_vanished(
                model=model,
                agency=agency,
                source=source,
                year=year,
                keep=keep,
                origin=origin,
                reason=reason,
                tally=tally,
            )
        # What is held already and changed is corrected, one action each; what is new is
        # collected and written in bulk (``cases.bulk``), episodes before their parts.
        new_episodes = _reconcile_bulk(
            model=EpisodeOfNeed,
            agency=agency,
            source=source,
            wanted={k: (v, make) for k, (v, make) in episodes.items()},
            origin=origin,
            reason=reason,
            tally=tally,
        )
        episode_of: dict[str, Any] = {
            e.external_id: e
            for e in EpisodeOfNeed.objects.current().filter(
                recording_agency=agency, source=source, external_id__in=list(episodes)
            )
        }
        episode_of.update({p.row.external_id: p.row for p in new_episodes})
        pending = list(new_episodes)
        for model, wanted_parts in parts.items():
            wanted: dict[str, tuple[Mapping[str, object], Callable[[], Pending]]] = {}
            for external_id, (part_values, episode_key, make) in wanted_parts.items():
                the_episode = episode_of[episode_key]
                wanted[external_id] = (
                    {
                        k: v
                        for k, v in part_values.items()
                        if v is not None or k != "number_of_previous_cpp"
                    },
                    partial(
                        make,
                        child_id=the_episode.child_id,
                        episode=the_episode,
                        external_id=external_id,
                        **provenance,
                        **part_values,
                    ),
                )
            pending += _reconcile_bulk(
                model=model,
                agency=agency,
                source=source,
                wanted=wanted,
                origin=origin,
                reason=reason,
                tally=tally,
            )
        try:
            create_in_bulk(
                origin=origin, agency=agency, pending=pending, audit_detail={"import": reason}
            )
        except ValidationError as error:
            raise _RejectedError(_message(error)) from error
        return message.header.year, len(message.children), persons_created, tally, (), ()

    return _run(
        ImportKind.CIN_CENSUS,
        actor=actor,
        agency=agency,
        content=content,
        filename=filename,
        origin=origin,
        dry_run=dry_run,
        body=body,
    )


def _upn_of_903(upn: str | None) -> dict[str, str]:
    """The 903's UPN column as the return's child details keep it: a UPN, or the code of
    why there is none (the census has a field for each, UPN and UPNunknown)."""
    if not upn:
        return {"upn": ""}
    if upn in codes.UPN_UNKNOWN:
        return {"upn": "", "upn_unknown": upn}
    return {"upn": upn, "upn_unknown": ""}


def _latest_year(result: s903.Return903) -> CollectionYear:
    """The collection year of the latest date in a return (its files carry no year)."""
    days = [e.decom for e in result.episodes] + [e.dec for e in result.episodes if e.dec]
    days += [r.review for r in result.reviews] + [m.mis_start for m in result.missing]
    return CollectionYear.containing(max(days, default=timezone.localdate()))


# Why the 903's social worker episodes are not imported (docs/returns.md). A SW_ID is a
# Social Work England number, which Sightline does not hold, or ``XX`` and a number: the
# exporter's is a user's number in the database that exported it, which names someone
# else, or no one, in any other. An allocation gives the worker the child's record
# (``record.rules``), so a guessed match would open a child's record to the wrong person.
def skipped_sw_episodes(count: int) -> str:
    """What the report says of a return's ``count`` SWEpisodes."""
    episodes = "episode" if count == 1 else "episodes"
    return (
        f"SWEpisodes: {count:,} social worker {episodes} skipped: a return's SW_ID does not "
        "identify a Sightline user, so allocations are not imported; allocate the social "
        "worker on the child's Case tab"
    )


@transaction.atomic
def import_ssda903(
    *,
    actor: User | None,
    agency: Agency,
    files: Mapping[str, bytes],
    name: str,
    year: CollectionYear | None,
    origin: Origin,
    dry_run: bool = False,
) -> ReturnImportReport:
    """Import an SSDA903 return (its CSV files, name → bytes) for ``agency`` and ``year``:
    Header, Episodes, Reviews, Missing and UASC. SWEpisodes are read (a malformed row
    still rejects the file) but skipped, and the report says so (``skipped_sw_episodes``):
    a worker's SW_ID names no Sightline user, and an allocation gives a worker the
    child's record."""
    content = b"".join(files[key] for key in sorted(files))

    def body(reason: str) -> tuple[int, int, int, _Tally, tuple[str, ...], tuple[str, ...]]:
        result = s903.read_files(files)
        the_year = year or _latest_year(result)
        source = SSDA903_SOURCE
        persons, persons_created = _place_children(
            agency=agency,
            children={h.child: (h.dob, h.sex) for h in result.header},
            origin=origin,
        )
        uasc = {u.child: u.duc for u in result.uasc}
        _save_details(
            agency,
            {
                header.child: {
                    # The 903's UPN column carries a UPN, or the code for why there is none
                    # (the census keeps them apart: UPN and UPNunknown).
                    **_upn_of_903(header.upn),
                    "sex": header.sex,
                    "ethnicity": header.ethnic,
                    "birth_date": header.dob,
                    "mother": header.mother or "",
                    "mother_child_dob": header.mc_dob,
                    "uasc": header.child in uasc,
                    "uasc_ceased": uasc.get(header.child),
                }
                for header in result.header
            },
        )
        tally = _Tally()
        provenance: dict[str, Any] = {
            "recording_agency": agency,
            "recorded_by": None,
            "source": source,
        }
        episodes: dict[str, tuple[Mapping[str, object], Callable[[], Pending]]] = {}
        for index, e in enumerate(sorted(result.episodes, key=lambda e: (e.child, e.decom))):
            key = f"{e.child}:{e.decom.isoformat()}"
            values: dict[str, Any] = {
                "decom": e.decom,
                "rne": e.rne,
                "ls": e.ls,
                "cin": e.cin,
                "place": e.place,
                "place_provider": e.place_provider or "",
                "dec": e.dec,
                "rec": e.rec or "",
                "reason_place_change": e.reason_place_change or "",
                "home_post": e.home_post or "",
                "pl_post": e.pl_post or "",
                "urn": e.urn or "",
            }
            episodes[key] = (
                values,
                partial(
                    _new_row,
                    f"Episodes row {index + 1} ({key})",
                    LookedAfterEpisode,
                    child=persons[e.child],
                    external_id=key,
                    **provenance,
                    **values,
                ),
            )
        reviews: dict[str, tuple[Mapping[str, object], Callable[[], Pending]]] = {}
        for r in result.reviews:
            key = f"{r.child}:{r.review.isoformat()}"
            values = {"review": r.review, "review_code": r.review_code or ""}
            reviews[key] = (
                values,
                partial(
                    _new_row,
                    f"Reviews ({r.child} {s903.format_date(r.review)})",
                    LookedAfterReview,
                    child=persons[r.child],
                    external_id=key,
                    **provenance,
                    **values,
                ),
            )
        missing: dict[str, tuple[Mapping[str, object], Callable[[], Pending]]] = {}
        for m in result.missing:
            key = f"{m.child}:{m.mis_start.isoformat()}"
            values = {"missing": m.missing, "mis_start": m.mis_start, "mis_end": m.mis_end}
            missing[key] = (
                values,
                partial(
                    _new_row,
                    f"Missing ({m.child} {s903.format_date(m.mis_start)})",
                    MissingEpisode,
                    child=persons[m.child],
                    external_id=key,
                    **provenance,
                    **values,
                ),
            )
        for model, wanted in (
            (LookedAfterReview, reviews),
            (MissingEpisode, missing),
            (LookedAfterEpisode, episodes),
        ):
            _withdraw_vanished(
                model=model,
                agency=agency,
                source=source,
                year=the_year,
                keep=wanted,
                origin=origin,
                reason=reason,
                tally=tally,
            )
        pending: list[Pending] = []
        for model, wanted in (
            (LookedAfterEpisode, episodes),
            (LookedAfterReview, reviews),
            (MissingEpisode, missing),
        ):
            pending += _reconcile_bulk(
                model=model,
                agency=agency,
                source=source,
                wanted=wanted,
                origin=origin,
                reason=reason,
                tally=tally,
            )
        try:
            create_in_bulk(
                origin=origin, agency=agency, pending=pending, audit_detail={"import": reason}
            )
        except ValidationError as error:
            raise _RejectedError(_message(error)) from error
        skipped = (skipped_sw_episodes(len(result.sw_episodes)),) if result.sw_episodes else ()
        return the_year.end_year, len(result.header), persons_created, tally, (), skipped

    return _run(
        ImportKind.SSDA903,
        actor=actor,
        agency=agency,
        content=content,
        filename=name,
        origin=origin,
        dry_run=dry_run,
        body=body,
    )


# --- export to files, audited -------------------------------------------------------------


def _audit_export(
    actor: User | None, origin: Origin, agency: Agency, kind: str, year: CollectionYear, n: int
) -> None:
    record_audit(
        actor=actor,
        action=AuditAction.EXPORT_RETURN,
        origin=origin,
        detail={"kind": kind, "agency": agency.code, "year": year.end_year, "children": n},
    )


@transaction.atomic
def write_cin_census(
    *,
    actor: User | None,
    agency: Agency,
    year: CollectionYear,
    lea: str,
    out: Path,
    origin: Origin,
    at: dt.datetime | None = None,
) -> int:
    """Write the census of ``year`` to ``out``; audited. The number of children."""
    message = export_cin_census(agency=agency, year=year, lea=lea, at=at)
    out.write_bytes(cin.write(message))
    _audit_export(actor, origin, agency, ImportKind.CIN_CENSUS.value, year, len(message.children))
    return len(message.children)


@transaction.atomic
def write_ssda903(
    *, actor: User | None, agency: Agency, year: CollectionYear, out: Path, origin: Origin
) -> int:
    """Write the 903 of ``year`` into the directory ``out``; audited. The number of children."""
    result = export_ssda903(agency=agency, year=year)
    s903.write_directory(result, out)
    _audit_export(actor, origin, agency, ImportKind.SSDA903.value, year, len(result.header))
    return len(result.header)


#: The most CSV files, and bytes once unzipped, an uploaded 903 .zip may hold.
ZIP_MAX_FILES = 20
ZIP_MAX_BYTES = 200 * 1024 * 1024


def unzip_csvs(content: bytes) -> tuple[dict[str, bytes], str]:
    """The CSV files in a .zip (name → bytes), or a problem. Sizes are checked before
    anything is decompressed (no zip bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return {}, "an SSDA903 return is uploaded as a .zip of its CSV files; this is not a zip"
    members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
    if not members:
        return {}, "the .zip holds no CSV files"
    if len(members) > ZIP_MAX_FILES:
        return {}, f"the .zip holds {len(members)} CSV files; at most {ZIP_MAX_FILES}"
    if sum(m.file_size for m in members) > ZIP_MAX_BYTES:
        return {}, f"the .zip's CSV files are over {ZIP_MAX_BYTES:,} bytes unzipped"
    return {m.filename.rsplit("/", 1)[-1]: archive.read(m) for m in members}, ""
