"""The demo files: the interchange formats exactly, and ground truth that agrees with them."""

import csv
import datetime as dt
from pathlib import Path

import pytest

from sightline.demo.files import FILES, HEADERS, RETURN_FILES, summarise, write_files
from sightline.demo.generator import DemoConfig
from sightline.importing.formats import LONDON, read_events, read_person_records

CONFIG = DemoConfig(children=120, seed=11, as_of=dt.date(2026, 11, 25))
NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=LONDON)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    directory: Path = tmp_path_factory.mktemp("demo")
    write_files(CONFIG, directory)
    return directory


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def test_it_writes_every_file_with_its_header(out):
    assert sorted(p.name for p in out.iterdir()) == sorted((*FILES, *RETURN_FILES))
    assert (out / "ssda903").is_dir()
    for name in FILES:
        assert header(out / name) == list(HEADERS[name])


def test_people_and_events_have_exactly_the_format_columns(out):
    # The columns of shared/formats/person-records.md and chronology-events.md.
    assert header(out / "people.csv") == [
        "record_id", "agency", "given_name", "family_name", "other_names",
        "date_of_birth", "sex", "nhs_number", "address", "postcode",
    ]  # fmt: skip
    assert header(out / "events.csv") == [
        "event_id", "agency", "subject_record_id", "occurred_at", "category",
        "summary", "significance", "practitioner", "other_record_ids",
    ]  # fmt: skip


def test_the_importer_accepts_both_files_without_a_single_error(out):
    people, errors = read_person_records((out / "people.csv").read_bytes(), max_bytes=10**9)
    assert errors == []
    assert len(people) == len(read(out / "people.csv"))
    events, errors = read_events(
        (out / "events.csv").read_bytes(), filename="events.csv", max_bytes=10**9, now=NOW
    )
    assert errors == []
    assert len(events) == len(read(out / "events.csv"))


def test_health_writes_nhs_numbers_spaced_and_the_others_as_ten_digits(out):
    rows = [r for r in read(out / "people.csv") if r["nhs_number"]]
    health = [r["nhs_number"] for r in rows if r["agency"] == "HEALTH"]
    others = [r["nhs_number"] for r in rows if r["agency"] != "HEALTH"]
    assert health
    assert others
    assert all(len(n) == 12 and n[3] == " " and n[7] == " " for n in health)
    assert all(len(n) == 10 and n.isdigit() for n in others)


def test_ground_truth_names_every_record_once_and_only_true_people(out):
    people = read(out / "people.csv")
    truth = read(out / "ground_truth.csv")
    assert [(r["agency"], r["record_id"]) for r in truth] == [
        (r["agency"], r["record_id"]) for r in people
    ]
    persons = {r["true_person_id"]: r for r in read(out / "persons.csv")}
    for row in truth:
        person = persons[row["true_person_id"]]
        assert row["household_id"] == person["household_id"]
        assert row["role"] == person["role"]
        assert row["twin_set"] == person["twin_set"]


def test_patterns_and_plans_refer_to_rows_in_the_other_files(out):
    event_keys = {f"{r['agency']}:{r['event_id']}" for r in read(out / "events.csv")}
    persons = {r["true_person_id"] for r in read(out / "persons.csv")}
    patterns = read(out / "patterns.csv")
    assert patterns
    for row in patterns:
        assert row["true_person_id"] in persons
        assert set(row["event_ids"].split(";")) <= event_keys
    practitioners = {r["key"] for r in read(out / "practitioners.csv")}
    for row in read(out / "involvements.csv"):
        assert row["true_person_id"] in persons
        assert row["practitioner_key"] in practitioners
    for name in ("statuses.csv", "relationships.csv"):
        for row in read(out / name):
            assert (row.get("true_person_id") or row["person_id"]) in persons


def test_the_summary_counts_what_the_files_hold(out):
    counts = summarise(CONFIG)
    assert counts.children == CONFIG.children
    assert counts.records == len(read(out / "people.csv"))
    assert counts.events == len(read(out / "events.csv"))
    assert counts.patterns == len(read(out / "patterns.csv"))
    assert sum(counts.records_by_agency.values()) == counts.records


def test_without_events_it_leaves_out_only_the_events_file(out, tmp_path):
    counts = write_files(CONFIG, tmp_path, with_events=False)
    assert counts.events == 0
    assert not (tmp_path / "events.csv").exists()
    for name in FILES:
        if name != "events.csv":
            assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
