import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sightline.audit.models import AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.importing.models import ImportBatch
from sightline.people.models import Person, SourceRecord
from sightline.testing.factories import synthetic_nhs_number

pytestmark = pytest.mark.django_db

PEOPLE = (
    "record_id,agency,given_name,family_name,date_of_birth,nhs_number\n"
    f"C1,CSC,Jamie,Testchild,2016-05-04,{synthetic_nhs_number(5)}\n"
    "C2,CSC,Robin,Testchild,2014-01-02,\n"
    "P1,POLICE,Jamie,Testchild,2016-05-04,\n"
)
BAD_PEOPLE = (
    "record_id,agency,given_name,date_of_birth,sex\n"
    "C1,CSC,Jamie,2016-05-04,F\n"
    "C2,CSC,Robin,04/05/2016,F\n"
    "C3,CSC,,,F\n"
    "C4,NOPE,Ash,,Q\n"
    "C5,NOPE,Ash,,\n"
)
EVENTS = (
    "event_id,agency,subject_record_id,occurred_at,category,summary\n"
    "E1,CSC,C1,2025-06-01T10:00,home_visit,Seen at home\n"
    "X1,POLICE,P1,2025-06-02,missing_episode,Reported missing\n"
)


def counts():
    return (
        Person.objects.count(),
        SourceRecord.objects.count(),
        ChronologyEvent.objects.count(),
        ImportBatch.objects.count(),
        AuditEvent.objects.count(),
    )


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(command, *args):
    out, err = StringIO(), StringIO()
    call_command(command, *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_people_writes_and_summarises(agencies, tmp_path):
    out, _ = run("import-people", write(tmp_path, "people.csv", PEOPLE))
    assert "Imported people.csv (3 row(s) for CSC, POLICE" in out
    assert "3 created, 0 updated, 0 unchanged; 2 new person(s)" in out
    assert SourceRecord.objects.count() == 3
    batch = ImportBatch.objects.get()
    assert (batch.via, batch.actor) == ("cli", None)
    assert f"Import batch {batch.pk}." in out


def test_importing_the_same_file_again_creates_nothing(agencies, tmp_path):
    path = write(tmp_path, "people.csv", PEOPLE)
    run("import-people", path)
    before = counts()[:3]
    out, _ = run("import-people", path)
    assert "0 created, 0 updated, 3 unchanged" in out
    assert counts()[:3] == before


def test_a_dry_run_writes_nothing(agencies, tmp_path):
    before = counts()
    out, _ = run("import-people", write(tmp_path, "people.csv", PEOPLE), "--dry-run")
    assert "Dry run of people.csv: nothing was written" in out
    assert "would be: 3 created" in out
    assert counts() == before


def test_bad_input_lists_every_problem_and_writes_nothing(agencies, tmp_path):
    before = counts()
    err = StringIO()
    with pytest.raises(CommandError, match=r"bad\.csv: 4 problem\(s\); nothing was imported"):
        call_command("import-people", str(write(tmp_path, "bad.csv", BAD_PEOPLE)), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("bad.csv: line 3, column date_of_birth: '04/05/2016'")
    assert lines[1].startswith("bad.csv: line 4: the row has no name")
    assert lines[2].startswith("bad.csv: line 5, column sex:")
    assert lines[3].startswith("bad.csv: line 6, column agency: unknown agency 'NOPE'")
    assert counts() == before


def test_an_unknown_agency_is_reported_after_the_rows_parse(agencies, tmp_path):
    path = write(tmp_path, "bad.csv", "record_id,agency,given_name\nC1,CSC,Jamie\nN1,NOPE,Ash\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import-people", str(path), stderr=err)
    assert "line 3, column agency: unknown agency 'NOPE'" in err.getvalue()
    assert SourceRecord.objects.count() == 0


def test_import_events_after_people(agencies, tmp_path):
    run("import-people", write(tmp_path, "people.csv", PEOPLE))
    out, _ = run("import-events", write(tmp_path, "events.csv", EVENTS))
    assert "2 created, 0 corrected, 0 unchanged" in out
    assert ChronologyEvent.objects.count() == 2


def test_import_events_reads_json_lines(agencies, tmp_path):
    run("import-people", write(tmp_path, "people.csv", PEOPLE))
    line = (
        '{"event_id": "E1", "agency": "CSC", "subject_record_id": "C1", '
        '"occurred_at": "2025-06-01", "category": "home_visit", "summary": "Seen"}\n'
    )
    out, _ = run("import-events", write(tmp_path, "events.jsonl", line))
    assert "1 created" in out


def test_events_about_unknown_people_are_rejected_whole(agencies, tmp_path):
    run("import-people", write(tmp_path, "people.csv", PEOPLE))
    before = counts()
    err = StringIO()
    bad = EVENTS + "E9,CSC,NOBODY,2025-06-03,home_visit,Who?\n"
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import-events", str(write(tmp_path, "events.csv", bad)), stderr=err)
    assert "line 4, column subject_record_id: no CSC person record 'NOBODY'" in err.getvalue()
    assert counts() == before


def test_a_file_over_the_limit_is_refused_before_reading(agencies, tmp_path, settings):
    path = write(tmp_path, "people.csv", PEOPLE)
    settings.SIGHTLINE_IMPORT_MAX_BYTES = 10
    with pytest.raises(CommandError, match="the limit is 10"):
        run("import-people", path)
    assert SourceRecord.objects.count() == 0


def test_a_missing_file_is_a_clear_error(agencies, tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        run("import-people", tmp_path / "nope.csv")


def test_the_sightline_command_exits_with_status_1_on_bad_input(tmp_path):
    """The real command line: errors on stderr, status 1 (no database is needed)."""
    path = write(tmp_path, "bad.csv", "record_id,agency,colour\nC1,CSC,red\n")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "sightline", "import-people", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "bad.csv: line 1, column colour: unknown column 'colour'" in done.stderr
    assert "nothing was imported" in done.stderr
