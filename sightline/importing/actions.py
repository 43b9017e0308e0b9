"""Importing agency files: parse, check, write all-or-nothing, record the batch.

``import_people_file`` and ``import_events_file`` are used by the command line, the
upload page and the API. A file is parsed in full first (every problem collected); then
every agency it names is checked, and the rows are written per agency by the people and
chronology actions inside one transaction, so a file naming several agencies is still
all-or-nothing. A dry run of events does all of that and rolls back.

A dry run of person records (the upload page's check) is not an existence oracle: it
compares the rows only with what the submitting agency itself already holds, by record
id (created, updated, unchanged), and never links them to persons of other agencies, so
it says the same for a person known only to another agency as for an unknown one. The
real import still links as before (``importing.submissions.submit_person_records``). The check
is audited against each person whose own-agency record it compared.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sightline.accounts.models import User
from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import Origin, append_audit, new_audit_event, record_audit
from sightline.audit.models import AuditAction
from sightline.importing import formats
from sightline.importing.access import submittable_agency_codes
from sightline.importing.errors import RowsRejectedError
from sightline.importing.models import ImportBatch, ImportKind, PendingUpload
from sightline.importing.rows import EventRow, PersonRecordRow, RowError
from sightline.importing.submissions import submit_events, submit_person_records
from sightline.people.models import SourceRecord

# Rows handed to the people or chronology action at a time (progress is reported per part).
WRITE_CHUNK = 10_000
# A pending upload not committed within this time is removed at the owner's next upload.
PENDING_UPLOAD_LIFETIME = dt.timedelta(days=1)
# Record ids read, and audit rows appended, at a time in a dry run.
_CHUNK = 900
# The identity fields a re-submitted record is compared on (those the import writes).
_RECORD_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "nhs_number",
    "address",
    "postcode",
)

Row = TypeVar("Row", PersonRecordRow, EventRow)


@dataclass(frozen=True)
class Progress:
    """Callbacks for long imports: (done, total) while parsing and while writing."""

    parsing: formats.ProgressCallback | None = None
    writing: Callable[[int, int], None] | None = None


@dataclass(frozen=True)
class ImportReport:
    """What an import did, or with ``dry_run``, what it would have done."""

    kind: ImportKind
    filename: str
    sha256: str
    dry_run: bool
    rows: int = 0
    agency_codes: tuple[str, ...] = ()
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    corrected: int = 0
    # New persons the import's linking made: a real import only (a dry run never links
    # its rows to other agencies' persons, so it cannot say who is already known).
    persons_created: int = 0
    errors: tuple[RowError, ...] = ()
    batch: ImportBatch | None = field(default=None, compare=False)
    # What a national return carries that is deliberately not imported, and why.
    skipped: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


class _RollBackError(Exception):
    """Raised inside the write block to undo a dry run or a rejected file."""


def _by_agency(rows: Sequence[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row.agency].append(row)
    return dict(sorted(grouped.items()))


def _agency_errors(
    actor: User | None, grouped: dict[str, list[Row]]
) -> tuple[dict[str, Agency], list[RowError]]:
    """The file's agencies, and an error for each unknown one or one ``actor`` may not use."""
    agencies = {a.code: a for a in Agency.objects.filter(code__in=list(grouped))}
    allowed = submittable_agency_codes(actor)
    errors: list[RowError] = []
    for code, rows in grouped.items():
        where = f"{len(rows):,} row(s), the first on line {rows[0].line}"
        if code not in agencies:
            errors.append(RowError(rows[0].line, "agency", f"unknown agency {code!r} ({where})"))
        elif allowed is not None and code not in allowed:
            own = ", ".join(sorted(allowed)) or "no agency"
            errors.append(
                RowError(
                    rows[0].line,
                    "agency",
                    f"you may submit only for {own}, not {code} ({where})",
                )
            )
    return agencies, errors


def _chunks(rows: Sequence[Row]) -> list[Sequence[Row]]:
    return [rows[start : start + WRITE_CHUNK] for start in range(0, len(rows), WRITE_CHUNK)]


@transaction.atomic
def import_people_file(
    *,
    actor: User | None,
    content: bytes,
    filename: str,
    origin: Origin,
    dry_run: bool = False,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a person-records file (or with ``dry_run``, check it and count what would
    change for the submitting agency's own records). Any problem rejects the whole file:
    the report lists them all and nothing is written."""
    progress = progress or Progress()
    sha256 = hashlib.sha256(content).hexdigest()
    base = ImportReport(kind=ImportKind.PEOPLE, filename=filename, sha256=sha256, dry_run=dry_run)
    rows, errors = formats.read_person_records(
        content,
        max_bytes=settings.SIGHTLINE_IMPORT_MAX_BYTES if max_bytes is None else max_bytes,
        progress=progress.parsing,
    )
    grouped = _by_agency(rows)
    agencies, agency_errors = _agency_errors(actor, grouped)
    if errors or agency_errors:
        return _rejected(base, errors + agency_errors, rows=len(rows))

    if dry_run:
        return _check_people(
            actor=actor,
            base=base,
            rows=rows,
            grouped=grouped,
            agencies=agencies,
            origin=origin,
            progress=progress,
        )
    created = updated = unchanged = persons_created = 0
    detail: dict[str, object] = {"file": filename, "sha256": sha256, "dry_run": False}
    done = 0
    for code, agency_rows in grouped.items():
        for part in _chunks(agency_rows):
            result = submit_person_records(
                actor=actor,
                agency=agencies[code],
                rows=part,
                origin=origin,
                audit_detail=detail,
            )
            created += result.created
            updated += result.updated
            unchanged += result.unchanged
            persons_created += result.persons_created
            done += len(part)
            if progress.writing is not None:
                progress.writing(done, len(rows))
    batch = _record_batch(
        kind=ImportKind.PEOPLE,
        actor=actor,
        origin=origin,
        filename=filename,
        sha256=sha256,
        agencies=[agencies[code] for code in grouped],
        rows=len(rows),
        created=created,
        updated=updated,
        unchanged=unchanged,
    )
    return ImportReport(
        kind=ImportKind.PEOPLE,
        filename=filename,
        sha256=sha256,
        dry_run=dry_run,
        rows=len(rows),
        agency_codes=tuple(grouped),
        created=created,
        updated=updated,
        unchanged=unchanged,
        persons_created=persons_created,
        batch=batch,
    )


def _check_people(
    *,
    actor: User | None,
    base: ImportReport,
    rows: Sequence[PersonRecordRow],
    grouped: dict[str, list[PersonRecordRow]],
    agencies: dict[str, Agency],
    origin: Origin,
    progress: Progress,
) -> ImportReport:
    """The dry run of a person-records file: each row against the records its own agency
    already holds (by record id) and nothing else; each person whose record it compared
    gets an audit row."""
    created = updated = unchanged = done = 0
    touched: dict[int, list[str]] = defaultdict(list)
    for code, agency_rows in grouped.items():
        for start in range(0, len(agency_rows), _CHUNK):
            part = agency_rows[start : start + _CHUNK]
            held = {
                record.record_id: record
                for record in SourceRecord.objects.filter(
                    agency=agencies[code], record_id__in=[row.record_id for row in part]
                ).only("record_id", "person_id", *_RECORD_FIELDS)
            }
            for row in part:
                record = held.get(row.record_id)
                if record is None:
                    created += 1
                    continue
                touched[record.person_id].append(f"{code}:{row.record_id}")
                if all(getattr(record, name) == getattr(row, name) for name in _RECORD_FIELDS):
                    unchanged += 1
                else:
                    updated += 1
            done += len(part)
            if progress.writing is not None:
                progress.writing(done, len(rows))
    detail = {"dry_run": True, "file": base.filename, "sha256": base.sha256}
    events = [
        new_audit_event(
            actor=actor,
            action=AuditAction.IMPORT_PEOPLE,
            origin=origin,
            person_id=person_id,
            detail={**detail, "records": records},
        )
        for person_id, records in sorted(touched.items())
    ]
    for start in range(0, len(events), _CHUNK):
        append_audit(events[start : start + _CHUNK])
    return ImportReport(
        kind=ImportKind.PEOPLE,
        filename=base.filename,
        sha256=base.sha256,
        dry_run=True,
        rows=len(rows),
        agency_codes=tuple(grouped),
        created=created,
        updated=updated,
        unchanged=unchanged,
    )


@transaction.atomic
def import_events_file(
    *,
    actor: User | None,
    content: bytes,
    filename: str,
    origin: Origin,
    dry_run: bool = False,
    max_bytes: int | None = None,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a chronology-events file, CSV or JSON lines (or with ``dry_run``, check it
    and count what would change). Events must be about person records already imported.
    Any problem rejects the whole file: the report lists them all and nothing is written."""
    progress = progress or Progress()
    sha256 = hashlib.sha256(content).hexdigest()
    base = ImportReport(kind=ImportKind.EVENTS, filename=filename, sha256=sha256, dry_run=dry_run)
    rows, errors = formats.read_events(
        content,
        filename=filename,
        max_bytes=settings.SIGHTLINE_IMPORT_MAX_BYTES if max_bytes is None else max_bytes,
        now=now or timezone.now(),
        progress=progress.parsing,
    )
    grouped = _by_agency(rows)
    agencies, agency_errors = _agency_errors(actor, grouped)
    if errors or agency_errors:
        return _rejected(base, errors + agency_errors, rows=len(rows))

    created = corrected = unchanged = 0
    batch: ImportBatch | None = None
    detail: dict[str, object] = {"file": filename, "sha256": sha256, "dry_run": dry_run}
    done = 0
    try:
        with transaction.atomic():
            for code, agency_rows in grouped.items():
                for part in _chunks(agency_rows):
                    try:
                        result = submit_events(
                            actor=actor,
                            agency=agencies[code],
                            rows=part,
                            origin=origin,
                            audit_detail=detail,
                        )
                    except RowsRejectedError as rejected:
                        # Carry on with the other parts so that every problem is listed;
                        # the whole block is rolled back below.
                        errors.extend(rejected.errors)
                        continue
                    created += result.created
                    corrected += result.corrected
                    unchanged += result.unchanged
                    done += len(part)
                    if progress.writing is not None:
                        progress.writing(done, len(rows))
            if errors or dry_run:
                raise _RollBackError
            batch = _record_batch(
                kind=ImportKind.EVENTS,
                actor=actor,
                origin=origin,
                filename=filename,
                sha256=sha256,
                agencies=[agencies[code] for code in grouped],
                rows=len(rows),
                created=created,
                corrected=corrected,
                unchanged=unchanged,
            )
    except _RollBackError:
        pass
    if errors:
        return _rejected(base, errors, rows=len(rows))
    return ImportReport(
        kind=ImportKind.EVENTS,
        filename=filename,
        sha256=sha256,
        dry_run=dry_run,
        rows=len(rows),
        agency_codes=tuple(grouped),
        created=created,
        corrected=corrected,
        unchanged=unchanged,
        batch=batch,
    )


def _rejected(base: ImportReport, errors: list[RowError], *, rows: int) -> ImportReport:
    """A report of a refused file: its problems in line order, nothing written."""
    return ImportReport(
        kind=base.kind,
        filename=base.filename,
        sha256=base.sha256,
        dry_run=base.dry_run,
        rows=rows,
        errors=tuple(sorted(errors, key=lambda error: error.line)),
    )


def _record_batch(
    *,
    kind: ImportKind,
    actor: User | None,
    origin: Origin,
    filename: str,
    sha256: str,
    agencies: list[Agency],
    rows: int,
    created: int = 0,
    updated: int = 0,
    unchanged: int = 0,
    corrected: int = 0,
) -> ImportBatch:
    batch = ImportBatch.objects.create(
        kind=kind,
        filename=filename[:255],
        sha256=sha256,
        agency_codes=",".join(a.code for a in agencies),
        rows=rows,
        created=created,
        updated=updated,
        unchanged=unchanged,
        corrected=corrected,
        actor=actor,
        via=origin.via,
    )
    batch.agencies.set(agencies)
    return batch


def _import(
    kind: ImportKind,
    *,
    actor: User,
    content: bytes,
    filename: str,
    origin: Origin,
    dry_run: bool,
    max_bytes: int | None = None,
) -> ImportReport:
    if kind in (ImportKind.CIN_CENSUS, ImportKind.SSDA903):
        return _import_return(
            kind, actor=actor, content=content, filename=filename, origin=origin, dry_run=dry_run
        )
    if kind == ImportKind.PEOPLE:
        return import_people_file(
            actor=actor,
            content=content,
            filename=filename,
            origin=origin,
            dry_run=dry_run,
            max_bytes=max_bytes,
        )
    return import_events_file(
        actor=actor,
        content=content,
        filename=filename,
        origin=origin,
        dry_run=dry_run,
        max_bytes=max_bytes,
    )


_AUDIT_ACTION = {
    ImportKind.PEOPLE: AuditAction.IMPORT_PEOPLE,
    ImportKind.EVENTS: AuditAction.IMPORT_EVENTS,
    ImportKind.CIN_CENSUS: AuditAction.IMPORT_RETURN,
    ImportKind.SSDA903: AuditAction.IMPORT_RETURN,
}


def _import_return(
    kind: ImportKind, *, actor: User, content: bytes, filename: str, origin: Origin, dry_run: bool
) -> ImportReport:
    """A national return through the same page: a CIN census XML file, or an SSDA903
    return as a .zip of its CSV tables (``importing.returns``). Its counts are given in
    the page's terms: children as rows, withdrawn rows as updated."""
    from sightline.importing import returns

    sha256 = hashlib.sha256(content).hexdigest()
    base = ImportReport(kind=kind, filename=filename, sha256=sha256, dry_run=dry_run)
    own = actor.agency
    if own is not None and own.kind != AgencyKind.CHILDRENS_SOCIAL_CARE:
        return _rejected(
            base,
            [RowError(0, "", "only children's social care sends the national returns")],
            rows=0,
        )
    try:
        agency = returns.social_care_agency(own.code if own else None)
    except (Agency.DoesNotExist, Agency.MultipleObjectsReturned):
        return _rejected(base, [RowError(0, "", "no single children's social care agency")], rows=0)
    allowed = submittable_agency_codes(actor)
    if allowed is not None and agency.code not in allowed:
        return _rejected(base, [RowError(0, "", f"you may not submit for {agency.code}")], rows=0)
    if kind == ImportKind.CIN_CENSUS:
        report = returns.import_cin_census(
            actor=actor,
            agency=agency,
            content=content,
            filename=filename,
            origin=origin,
            dry_run=dry_run,
        )
    else:
        files, problem = returns.unzip_csvs(content)
        if problem:
            return _rejected(base, [RowError(0, "", problem)], rows=0)
        report = returns.import_ssda903(
            actor=actor,
            agency=agency,
            files=files,
            name=filename,
            year=None,
            origin=origin,
            dry_run=dry_run,
        )
    return ImportReport(
        kind=kind,
        filename=filename,
        sha256=sha256,
        dry_run=dry_run,
        rows=report.children,
        agency_codes=(agency.code,),
        created=report.created,
        updated=report.withdrawn,
        unchanged=report.unchanged,
        corrected=report.corrected,
        persons_created=report.persons_created,
        errors=tuple(RowError(0, "", message) for message in report.errors),
        batch=report.batch,
        skipped=report.skipped,
    )


@transaction.atomic
def check_upload(
    *, actor: User, kind: ImportKind, content: bytes, filename: str, origin: Origin
) -> tuple[ImportReport, PendingUpload | None]:
    """The upload page's first step: a dry run, and if the file is clean, keep its bytes
    for the commit step. The check is audited (detail ``dry_run: true``)."""
    report = _import(
        kind,
        actor=actor,
        content=content,
        filename=filename,
        origin=origin,
        dry_run=True,
        max_bytes=settings.SIGHTLINE_UPLOAD_MAX_BYTES,
    )
    PendingUpload.objects.filter(
        owner=actor, uploaded_at__lt=timezone.now() - PENDING_UPLOAD_LIFETIME
    ).delete()
    pending: PendingUpload | None = None
    if report.ok:
        pending, _ = PendingUpload.objects.update_or_create(
            owner=actor,
            kind=kind,
            sha256=report.sha256,
            defaults={
                "filename": filename[:255],
                "content": content,
                "uploaded_at": timezone.now(),
            },
        )
    if kind in (ImportKind.CIN_CENSUS, ImportKind.SSDA903):
        return report, pending  # a return's import audits its own check (import_return)
    record_audit(
        actor=actor,
        action=_AUDIT_ACTION[kind],
        origin=origin,
        detail={
            "dry_run": True,
            "file": filename,
            "sha256": report.sha256,
            "rows": report.rows,
            "agencies": list(report.agency_codes),
            "would_create": report.created,
            "would_update": report.updated,
            "would_correct": report.corrected,
            "unchanged": report.unchanged,
            "errors": len(report.errors),
        },
    )
    return report, pending


@transaction.atomic
def commit_upload(*, actor: User, upload: PendingUpload, origin: Origin) -> ImportReport:
    """The upload page's second step: import the checked bytes; the pending copy goes."""
    content = bytes(upload.content)
    report = _import(
        ImportKind(upload.kind),
        actor=actor,
        content=content,
        filename=upload.filename,
        origin=origin,
        dry_run=False,
        max_bytes=settings.SIGHTLINE_UPLOAD_MAX_BYTES,
    )
    if report.ok:
        upload.delete()
    return report
