import datetime as dt

import pytest

from sightline.audit.actions import CLI, Origin
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.importing import actions
from sightline.importing.actions import (
    check_upload,
    commit_upload,
    import_events_file,
    import_people_file,
)
from sightline.importing.models import ImportBatch, ImportKind, PendingUpload
from sightline.people.models import Person, SourceRecord
from sightline.testing.factories import synthetic_nhs_number

pytestmark = pytest.mark.django_db

PAGE = Origin(via="page", ip_address="127.0.0.1")
NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
PEOPLE_HEADER = "record_id,agency,given_name,family_name,date_of_birth,nhs_number,postcode"
EVENTS_HEADER = "event_id,agency,subject_record_id,occurred_at,category,summary,other_record_ids"


def csv(header: str, *lines: str) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def people_file(*lines: str) -> bytes:
    return csv(PEOPLE_HEADER, *lines)


def events_file(*lines: str) -> bytes:
    return csv(EVENTS_HEADER, *lines)


def two_agency_people() -> bytes:
    nhs = synthetic_nhs_number(3)
    return people_file(
        f"C1,CSC,Jamie,Testchild,2016-05-04,{nhs},LS1 4AP",
        "C2,CSC,Robin,Testchild,2014-01-02,,ls14ap",
        f"P1,POLICE,Jaime,Testchild,2016-05-04,{nhs[:3]} {nhs[3:6]} {nhs[6:]},",
    )


def table_counts() -> tuple[int, int, int, int, int]:
    return (
        Person.objects.count(),
        SourceRecord.objects.count(),
        ChronologyEvent.objects.count(),
        ImportBatch.objects.count(),
        AuditEvent.objects.count(),
    )


def import_people(content: bytes, actor=None, **kwargs):
    return import_people_file(
        actor=actor, content=content, filename="people.csv", origin=CLI, **kwargs
    )


def import_events(content: bytes, actor=None, filename="events.csv", **kwargs):
    return import_events_file(
        actor=actor, content=content, filename=filename, origin=CLI, now=NOW, **kwargs
    )


def test_it_imports_people_for_several_agencies_and_records_the_batch(agencies, administrator):
    report = import_people(two_agency_people(), actor=administrator)
    assert report.ok
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert report.persons_created == 2  # the police record shares the child's NHS number
    assert report.agency_codes == ("CSC", "POLICE")
    batch = report.batch
    assert batch is not None
    assert (batch.kind, batch.filename, batch.rows, batch.created) == ("people", "people.csv", 3, 3)
    assert batch.sha256 == report.sha256
    assert len(batch.sha256) == 64
    assert batch.actor == administrator
    assert batch.via == "cli"
    assert sorted(a.code for a in batch.agencies.all()) == ["CSC", "POLICE"]
    assert batch.agency_codes == "CSC,POLICE"
    assert SourceRecord.objects.get(agency__code="CSC", record_id="C2").postcode == "LS1 4AP"
    audit = AuditEvent.objects.filter(action=AuditAction.IMPORT_PEOPLE).order_by("id")
    assert [(a.detail["agency"], a.detail["created"]) for a in audit] == [
        ("CSC", 2),
        ("POLICE", 1),
    ]
    assert all(a.detail["sha256"] == report.sha256 for a in audit)
    assert all(a.actor == administrator and a.detail["dry_run"] is False for a in audit)


def test_importing_the_same_file_twice_changes_nothing(agencies):
    import_people(two_agency_people())
    before = (Person.objects.count(), SourceRecord.objects.count())
    again = import_people(two_agency_people())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (Person.objects.count(), SourceRecord.objects.count()) == before
    assert [b.created for b in ImportBatch.objects.order_by("id")] == [3, 0]


def test_a_changed_row_is_an_update(agencies):
    import_people(people_file("C1,CSC,Jamie,Testchild,2016-05-04,,"))
    report = import_people(people_file("C1,CSC,Jamie,Testchild,2016-05-04,,LS2 7HY"))
    assert (report.created, report.updated) == (0, 1)
    assert SourceRecord.objects.get().postcode == "LS2 7HY"


def test_a_dry_run_counts_but_writes_nothing(agencies, social_worker):
    import_people(people_file("C1,CSC,Jamie,Testchild,2016-05-04,,"))
    before = table_counts()
    report = import_people(
        people_file("C1,CSC,Jamie,Testchild,2016-05-04,,LS1 4AP", "C2,CSC,Robin,,,,"),
        actor=social_worker,
        dry_run=True,
    )
    assert report.ok
    assert report.dry_run
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert report.batch is None
    # Nothing written but the audit row naming the person whose record it compared.
    assert table_counts()[:4] == before[:4]
    assert table_counts()[4] == before[4] + 1
    assert AuditEvent.objects.latest("id").person == SourceRecord.objects.get().person
    assert SourceRecord.objects.get().postcode == ""


def test_a_file_with_bad_rows_is_rejected_whole_with_every_problem(agencies):
    before = table_counts()
    report = import_people(
        people_file(
            "C1,CSC,Jamie,Testchild,2016-05-04,,",
            "C2,CSC,Robin,,2016-02-30,,",
            "C3,CSC,Ash,,,0000000001,",
        )
    )
    assert not report.ok
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "date_of_birth"),
        (4, "nhs_number"),
    ]
    assert report.batch is None
    assert table_counts() == before


def test_an_unknown_agency_rejects_the_whole_file(agencies):
    before = table_counts()
    report = import_people(people_file("C1,CSC,Jamie,,,,", "N1,NOPE,Robin,,,,", "N2,NOPE,Ash,,,,"))
    assert [(e.line, e.column) for e in report.errors] == [(3, "agency")]
    assert "unknown agency 'NOPE' (2 row(s), the first on line 3)" in report.errors[0].message
    assert table_counts() == before


def test_a_practitioner_may_submit_only_for_their_own_agency(agencies, social_worker, teacher):
    content = two_agency_people()
    before = table_counts()
    report = import_people(content, actor=social_worker)
    assert [(e.line, e.column) for e in report.errors] == [(4, "agency")]
    assert "you may submit only for CSC, not POLICE" in report.errors[0].message
    report = import_people(content, actor=teacher)
    assert [e.message.split(" (")[0] for e in report.errors] == [
        "you may submit only for EDUCATION, not CSC",
        "you may submit only for EDUCATION, not POLICE",
    ]
    assert table_counts() == before
    assert import_people(people_file("C1,CSC,Jamie,,,,"), actor=social_worker).ok


def test_an_inactive_user_may_submit_for_no_agency(agencies, social_worker):
    social_worker.is_active = False
    social_worker.save()
    report = import_people(people_file("C1,CSC,Jamie,,,,"), actor=social_worker)
    assert "you may submit only for no agency, not CSC" in report.errors[0].message


def test_the_file_size_limit_applies(agencies):
    content = people_file("C1,CSC,Jamie,,,,")
    report = import_people(content, max_bytes=len(content) - 1)
    assert [e.line for e in report.errors] == [0]
    assert import_people(content, max_bytes=len(content)).ok


def test_rows_are_written_in_parts_with_progress(agencies, monkeypatch):
    monkeypatch.setattr(actions, "WRITE_CHUNK", 2)
    seen: list[tuple[int, int]] = []
    content = people_file(
        "C1,CSC,Jamie,Testchild,2016-05-04,,",
        "C2,CSC,Robin,,,,",
        "C3,CSC,Ash,,,,",
        "C4,CSC,JAMIE,TESTCHILD,2016-05-04,,",  # same person as C1, in a later part
        "P1,POLICE,Jamie,Testchild,2016-05-04,,",
    )
    report = import_people(
        content, progress=actions.Progress(writing=lambda done, total: seen.append((done, total)))
    )
    assert report.created == 5
    assert report.persons_created == 3
    assert seen == [(2, 5), (4, 5), (5, 5)]
    c1, c4, p1 = (SourceRecord.objects.get(record_id=r) for r in ("C1", "C4", "P1"))
    assert c1.person_id == c4.person_id == p1.person_id


# -- events ------------------------------------------------------------------------------


@pytest.fixture
def people_imported(agencies):
    import_people(two_agency_people())


def test_it_imports_events_then_ignores_the_same_file(people_imported):
    content = events_file(
        "E1,CSC,C1,2025-06-01T10:00,home_visit,Seen at home,C2",
        "E2,CSC,C2,2025-06-02,child_seen_alone,Seen alone,",
        "X1,POLICE,P1,2025-06-03T23:30:00Z,domestic_abuse_incident,Call out,",
    )
    report = import_events(content)
    assert report.ok
    assert (report.rows, report.created, report.corrected, report.unchanged) == (3, 3, 0, 0)
    assert report.batch is not None
    assert report.batch.kind == ImportKind.EVENTS
    assert ChronologyEvent.objects.count() == 3
    child = SourceRecord.objects.get(record_id="C1").person
    assert set(child.events.values_list("event_id", flat=True)) == {"E1", "X1"}
    e1 = ChronologyEvent.objects.get(event_id="E1")
    assert e1.occurred_at == dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC)
    assert [r.record_id for r in e1.other_records.all()] == ["C2"]
    assert ChronologyEvent.objects.get(event_id="E2").date_only

    again = import_events(content)
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 3)
    assert ChronologyEvent.objects.count() == 3
    assert [b.created for b in ImportBatch.objects.filter(kind="events").order_by("id")] == [3, 0]


def test_a_changed_event_is_a_correction(people_imported):
    import_events(events_file("E1,CSC,C1,2025-06-01,home_visit,Seen at home,"))
    report = import_events(events_file("E1,CSC,C1,2025-06-01,home_visit,Seen at home (late),"))
    assert (report.created, report.corrected) == (0, 1)
    assert report.batch is not None
    assert report.batch.corrected == 1
    assert ChronologyEvent.objects.current().get().summary == "Seen at home (late)"


def test_events_json_lines_are_imported(people_imported):
    content = (
        b'{"event_id": "E1", "agency": "CSC", "subject_record_id": "C1", '
        b'"occurred_at": "2025-06-01", "category": "home_visit", "summary": "Seen"}\n'
    )
    report = import_events(content, filename="events.jsonl")
    assert report.ok
    assert report.created == 1


def test_an_unknown_reference_in_one_agency_rejects_every_agency(people_imported):
    before = table_counts()
    report = import_events(
        events_file(
            "E1,CSC,C1,2025-06-01,home_visit,Seen at home,",
            "X1,POLICE,C1,2025-06-03,domestic_abuse_incident,Not a police record,",
            "X2,POLICE,P1,2025-06-03,made_up,Unknown category,NOPE",
        )
    )
    assert not report.ok
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "subject_record_id"),
        (4, "other_record_ids"),
        (4, "category"),
    ]
    assert report.batch is None
    assert table_counts() == before


def test_unknown_references_in_several_agencies_are_all_listed(people_imported):
    report = import_events(
        events_file(
            "E1,CSC,NOPE,2025-06-01,home_visit,x,",
            "X1,POLICE,NOPE,2025-06-03,arrest,y,",
        )
    )
    assert [(e.line, e.column) for e in report.errors] == [
        (2, "subject_record_id"),
        (3, "subject_record_id"),
    ]


def test_an_events_dry_run_writes_nothing(people_imported, social_worker):
    before = table_counts()
    report = import_events(
        events_file("E1,CSC,C1,2025-06-01,home_visit,Seen at home,"),
        actor=social_worker,
        dry_run=True,
    )
    assert report.ok
    assert report.created == 1
    assert table_counts() == before


def test_an_event_after_now_is_rejected(people_imported):
    report = import_events(events_file("E1,CSC,C1,2026-01-16,home_visit,Tomorrow,"))
    assert [(e.line, e.column) for e in report.errors] == [(2, "occurred_at")]


def test_a_police_officer_may_not_submit_social_care_events(people_imported, police_officer):
    report = import_events(
        events_file("E1,CSC,C1,2025-06-01,home_visit,Seen at home,"), actor=police_officer
    )
    assert "you may submit only for POLICE, not CSC" in report.errors[0].message
    assert ChronologyEvent.objects.count() == 0


# -- the upload page's two steps ------------------------------------------------------------


def test_checking_an_upload_keeps_it_for_commit_and_audits_the_check(agencies, social_worker):
    content = people_file("C1,CSC,Jamie,Testchild,2016-05-04,,")
    report, pending = check_upload(
        actor=social_worker,
        kind=ImportKind.PEOPLE,
        content=content,
        filename="mine.csv",
        origin=PAGE,
    )
    assert report.ok
    assert report.dry_run
    assert report.created == 1
    assert pending is not None
    assert (pending.owner, pending.sha256, bytes(pending.content)) == (
        social_worker,
        report.sha256,
        content,
    )
    assert SourceRecord.objects.count() == 0
    audit = AuditEvent.objects.get()
    assert audit.action == AuditAction.IMPORT_PEOPLE
    assert audit.detail["dry_run"] is True
    assert audit.detail["would_create"] == 1
    assert audit.via == "page"

    # Checking the same file again keeps one copy.
    check_upload(
        actor=social_worker,
        kind=ImportKind.PEOPLE,
        content=content,
        filename="mine.csv",
        origin=PAGE,
    )
    assert PendingUpload.objects.count() == 1

    committed = commit_upload(actor=social_worker, upload=pending, origin=PAGE)
    assert committed.ok
    assert not committed.dry_run
    assert committed.created == 1
    assert committed.batch is not None
    assert committed.batch.via == "page"
    assert SourceRecord.objects.count() == 1
    assert PendingUpload.objects.count() == 0


def test_a_rejected_upload_is_not_kept(agencies, social_worker):
    report, pending = check_upload(
        actor=social_worker,
        kind=ImportKind.PEOPLE,
        content=people_file("C1,CSC,,,,,"),
        filename="bad.csv",
        origin=PAGE,
    )
    assert not report.ok
    assert pending is None
    assert PendingUpload.objects.count() == 0
    assert AuditEvent.objects.get().detail["errors"] == 1


def test_stale_pending_uploads_are_removed_at_the_next_check(agencies, social_worker):
    old = PendingUpload.objects.create(
        owner=social_worker,
        kind=ImportKind.PEOPLE,
        filename="old.csv",
        sha256="0" * 64,
        content=b"x",
        uploaded_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    check_upload(
        actor=social_worker,
        kind=ImportKind.PEOPLE,
        content=people_file("C1,CSC,Jamie,,,,"),
        filename="new.csv",
        origin=PAGE,
    )
    assert not PendingUpload.objects.filter(pk=old.pk).exists()
    assert PendingUpload.objects.count() == 1


def test_the_upload_size_limit_is_the_page_limit(agencies, social_worker, settings):
    content = people_file("C1,CSC,Jamie,,,,")
    settings.SIGHTLINE_UPLOAD_MAX_BYTES = len(content) - 1
    report, pending = check_upload(
        actor=social_worker,
        kind=ImportKind.PEOPLE,
        content=content,
        filename="big.csv",
        origin=PAGE,
    )
    assert pending is None
    assert "the limit is" in report.errors[0].message
