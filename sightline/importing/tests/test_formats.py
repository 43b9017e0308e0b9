"""The interchange-format parsers: pure, no database."""

import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from sightline.importing.formats import (
    json_fields,
    parse_event,
    parse_person_record,
    read_events,
    read_person_records,
)
from sightline.importing.rows import RowError
from sightline.testing.factories import synthetic_nhs_number

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
NHS = synthetic_nhs_number(1)
BIG = 10_000_000

PEOPLE_HEADER = "record_id,agency,given_name,family_name,other_names,date_of_birth,sex,nhs_number,address,postcode"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def people(*lines: str, header: str = PEOPLE_HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def where(errors: list[RowError]) -> list[tuple[int, str]]:
    return [(e.line, e.column) for e in errors]


def spaced(nhs: str) -> str:
    return f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"


def wrong_check_digit(nhs: str) -> str:
    return nhs[:9] + str((int(nhs[9]) + 1) % 10)


# -- person records: one row ------------------------------------------------------------


def test_it_parses_and_normalises_a_full_person_row():
    row, errors = parse_person_record(
        {
            "record_id": " C1 ",
            "agency": "CSC",
            "given_name": "Jamie",
            "family_name": "Testchild",
            "other_names": "Jay ; ;J. Smith",
            "date_of_birth": "2016-05-04",
            "sex": "M",
            "nhs_number": spaced(NHS),
            "address": "1 Example Street",
            "postcode": "ls14ap",
        },
        line=7,
    )
    assert errors == []
    assert row is not None
    assert (row.line, row.record_id, row.agency) == (7, "C1", "CSC")
    assert row.date_of_birth == dt.date(2016, 5, 4)
    assert row.nhs_number == NHS
    assert row.postcode == "LS1 4AP"
    assert row.other_names == "Jay;J. Smith"


@pytest.mark.parametrize(
    ("fields", "column", "fragment"),
    [
        ({"record_id": ""}, "record_id", "required"),
        ({"agency": "  "}, "agency", "required"),
        ({"date_of_birth": "04/05/2016"}, "date_of_birth", "YYYY-MM-DD"),
        ({"date_of_birth": "2016-02-30"}, "date_of_birth", "not a real date"),
        ({"date_of_birth": "2026-01-16"}, "date_of_birth", "future"),
        ({"sex": "female"}, "sex", "F, M, X"),
        ({"sex": "f"}, "sex", "F, M, X"),
        ({"nhs_number": "12345"}, "nhs_number", "10 digits"),
        ({"nhs_number": "999-000-0000"}, "nhs_number", "10 digits"),
        ({"nhs_number": wrong_check_digit(NHS)}, "nhs_number", "check digit"),
        ({"postcode": "LS1"}, "postcode", "not a UK postcode"),
        ({"given_name": "x" * 101}, "given_name", "at most 100"),
        ({"record_id": "r" * 101}, "record_id", "at most 100"),
        ({"shoe_size": "5"}, "shoe_size", "unknown column"),
    ],
)
def test_it_rejects_a_bad_person_value(fields, column, fragment):
    base = {"record_id": "C1", "agency": "CSC", "given_name": "Jamie"}
    row, errors = parse_person_record({**base, **fields}, line=3)
    assert row is None
    assert [(e.line, e.column) for e in errors] == [(3, column)]
    assert fragment in errors[0].message


def test_todays_date_of_birth_is_accepted():
    row, errors = parse_person_record(
        {"record_id": "C1", "agency": "CSC", "date_of_birth": "2026-01-15"}, line=2
    )
    assert errors == []
    assert row is not None


def test_a_row_that_cannot_be_matched_is_rejected():
    row, errors = parse_person_record(
        {"record_id": "C1", "agency": "CSC", "sex": "F", "postcode": "LS1 4AP"}, line=4
    )
    assert row is None
    assert [(e.line, e.column) for e in errors] == [(4, "")]
    assert "no name, date of birth or NHS number" in errors[0].message


@pytest.mark.parametrize(
    "fields",
    [
        {"family_name": "Testchild"},
        {"other_names": "Jay"},
        {"date_of_birth": "2016-05-04"},
        {"nhs_number": NHS},
    ],
)
def test_any_one_identifying_field_is_enough(fields):
    row, errors = parse_person_record({"record_id": "C1", "agency": "CSC", **fields}, line=2)
    assert errors == []
    assert row is not None


def test_it_reports_every_problem_in_a_row():
    _, errors = parse_person_record(
        {"record_id": "", "agency": "", "sex": "Q", "nhs_number": "1", "postcode": "?"}, line=9
    )
    assert sorted(where(errors)) == [
        (9, "agency"),
        (9, "nhs_number"),
        (9, "postcode"),
        (9, "record_id"),
        (9, "sex"),
    ]


def test_a_missing_key_counts_as_a_blank_value():
    row, errors = parse_person_record({"given_name": "Jamie"}, line=2)
    assert row is None
    assert where(errors) == [(2, "record_id"), (2, "agency")]


# -- person records: whole files ----------------------------------------------------------


def test_it_reads_a_file_with_columns_in_any_order_and_a_byte_order_mark():
    content = "\ufeffpostcode,nhs_number,agency,record_id,given_name\nls1 4ap,{},CSC,C1,Jamie\n"
    rows, errors = read_person_records(content.format(spaced(NHS)).encode(), max_bytes=BIG)
    assert errors == []
    assert [(r.record_id, r.nhs_number, r.postcode) for r in rows] == [("C1", NHS, "LS1 4AP")]


def test_it_reads_crlf_line_endings_and_quoted_fields():
    content = b'record_id,agency,given_name,address\r\nC1,CSC,Jamie,"1 Example Street, Leeds"\r\n'
    rows, errors = read_person_records(content, max_bytes=BIG)
    assert errors == []
    assert rows[0].address == "1 Example Street, Leeds"
    assert rows[0].line == 2


def test_line_numbers_are_physical_lines_even_after_a_multi_line_field():
    content = people(
        'C1,CSC,Jamie,Testchild,,,,,"Flat 2\n1 Example Street",',
        "C2,CSC,Robin,,,,Q,,,",
    )
    rows, errors = read_person_records(content, max_bytes=BIG)
    assert [r.line for r in rows] == [2]
    assert where(errors) == [(4, "sex")]


def test_it_collects_every_bad_row_with_line_and_column():
    content = people(
        "C1,CSC,Jamie,,,,,,,",
        f"C2,CSC,,,,,,{wrong_check_digit(NHS)},,",
        "C3,CSC,Robin,,,2016-13-01,,,,",
        "C4,CSC,,,,,F,,,",
        "C5,CSC,Ash,,,,,,,NOT A POSTCODE",
    )
    rows, errors = read_person_records(content, max_bytes=BIG)
    assert where(errors) == [
        (3, "nhs_number"),
        (4, "date_of_birth"),
        (5, ""),
        (6, "postcode"),
    ]
    assert [r.record_id for r in rows] == ["C1"]


def test_it_rejects_a_duplicate_record_id_within_an_agency_only():
    content = people(
        "C1,CSC,Jamie,,,,,,,",
        "C1,POLICE,Jamie,,,,,,,",
        "C1,CSC,Robin,,,,,,,",
    )
    _, errors = read_person_records(content, max_bytes=BIG)
    assert where(errors) == [(4, "record_id")]
    assert "already appears on line 2" in errors[0].message


def test_a_duplicate_of_an_invalid_row_is_still_reported():
    content = people("C1,CSC,Jamie,,,,Q,,,", "C1,CSC,Robin,,,,,,,")
    _, errors = read_person_records(content, max_bytes=BIG)
    assert where(errors) == [(2, "sex"), (3, "record_id")]


def test_it_rejects_unknown_columns_naming_them_and_still_checks_the_rows():
    content = b"record_id,agency,given_name,shoe_size,Postcode\nC1,CSC,,5,LS1\n"
    _, errors = read_person_records(content, max_bytes=BIG)
    assert where(errors) == [(1, "shoe_size"), (1, "Postcode"), (2, "")]
    assert "unknown column 'shoe_size'" in errors[0].message


def test_it_rejects_a_header_missing_required_columns():
    _, errors = read_person_records(b"given_name,family_name\nJamie,Testchild\n", max_bytes=BIG)
    assert where(errors) == [(1, "record_id"), (1, "agency")]
    assert "required column 'record_id' is missing" in errors[0].message


def test_it_rejects_a_repeated_or_unnamed_header_column():
    _, errors = read_person_records(b"record_id,agency,agency,\nC1,CSC,CSC,\n", max_bytes=BIG)
    assert where(errors) == [(1, "agency"), (1, "")]


def test_it_rejects_ragged_rows():
    content = people("C1,CSC,Jamie", "C2,CSC,Robin,,,,,,,,extra", "C3,CSC,Ash,,,,,,,")
    rows, errors = read_person_records(content, max_bytes=BIG)
    assert where(errors) == [(2, ""), (3, "")]
    assert "3 fields but the header has 10" in errors[0].message
    assert [r.record_id for r in rows] == ["C3"]


def test_it_rejects_malformed_quoting_and_carries_on():
    content = people('C1,CSC,"Jamie"x,,,,,,,', "C2,CSC,Robin,,,,Q,,,")
    _, errors = read_person_records(content, max_bytes=BIG)
    assert where(errors) == [(2, ""), (3, "sex")]
    assert "malformed CSV" in errors[0].message


def test_it_rejects_a_quote_left_open_to_the_end_of_the_file():
    content = people("C1,CSC,Jamie,,,,,,,", 'C2,CSC,"Robin,,,,,,,')
    _, errors = read_person_records(content, max_bytes=BIG)
    assert where(errors) == [(3, "")]


def test_it_ignores_blank_lines_between_rows():
    content = people("C1,CSC,Jamie,,,,,,,", "", ",,,,,,,,,", "C2,CSC,Robin,,,,Q,,,")
    rows, errors = read_person_records(content, max_bytes=BIG)
    assert [r.record_id for r in rows] == ["C1"]
    assert where(errors) == [(5, "sex")]


def test_it_rejects_a_file_that_is_not_utf8_naming_each_line():
    content = "record_id,agency,given_name\nC1,CSC,Zoë\nC2,CSC,Jamie\nC3,CSC,Renée\n".encode(
        "latin-1"
    )
    rows, errors = read_person_records(content, max_bytes=BIG)
    assert rows == []
    assert where(errors) == [(2, ""), (4, "")]
    assert "not UTF-8: byte 0xeb" in errors[0].message
    assert "(10 on the line)" in errors[0].message


def test_it_rejects_a_file_over_the_limit_before_reading_it():
    content = people("C1,CSC,Jamie,,,,,,,")
    _, errors = read_person_records(content, max_bytes=len(content) - 1)
    assert where(errors) == [(0, "")]
    assert f"the limit is {len(content) - 1:,}" in errors[0].message
    _, errors = read_person_records(content, max_bytes=len(content))
    assert errors == []


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_it_rejects_an_empty_file(content):
    _, errors = read_person_records(content, max_bytes=BIG)
    assert [str(e) for e in errors] == ["file: the file is empty"]


def test_it_rejects_a_file_with_only_a_header():
    _, errors = read_person_records(people(), max_bytes=BIG)
    assert [e.message for e in errors] == ["the file has a header but no rows"]


def test_it_rejects_a_file_whose_first_line_is_blank():
    _, errors = read_person_records(b"\nrecord_id,agency\nC1,CSC\n", max_bytes=BIG)
    assert where(errors) == [(1, "")]


def test_it_reports_progress_in_lines():
    calls = []
    content = people(*[f"C{n},CSC,Jamie,,,,,,," for n in range(2500)])
    read_person_records(content, max_bytes=BIG, progress=lambda done, total: calls.append(done))
    assert calls[-1] == 2501
    assert calls[:2] == [1000, 2000]


# -- events: one row -----------------------------------------------------------------------


def event_fields(**fields: str) -> dict[str, str]:
    return {
        "event_id": "E1",
        "agency": "CSC",
        "subject_record_id": "C1",
        "occurred_at": "2025-06-01T10:30:00",
        "category": "home_visit",
        "summary": "Visited at home; child seen alone.",
        **fields,
    }


def test_it_parses_a_full_event():
    row, errors = parse_event(
        event_fields(
            significance="high", practitioner="Sally Social", other_record_ids="C2; C3;;C2"
        ),
        line=5,
        now=NOW,
    )
    assert errors == []
    assert row is not None
    assert row.line == 5
    # British Summer Time: 10:30 local is 09:30 UTC.
    assert row.occurred_at == dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC)
    assert not row.date_only
    assert row.other_record_ids == ("C2", "C3")
    assert (row.significance, row.practitioner) == ("high", "Sally Social")


@pytest.mark.parametrize(
    ("text", "expected", "date_only"),
    [
        ("2025-01-10", dt.datetime(2025, 1, 10, 0, 0, tzinfo=dt.UTC), True),
        ("2025-07-10", dt.datetime(2025, 7, 9, 23, 0, tzinfo=dt.UTC), True),
        ("2025-01-10T09:00", dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC), False),
        ("2025-01-10 09:00:30", dt.datetime(2025, 1, 10, 9, 0, 30, tzinfo=dt.UTC), False),
        ("2025-07-10T09:00:00Z", dt.datetime(2025, 7, 10, 9, 0, tzinfo=dt.UTC), False),
        ("2025-07-10T09:00:00+02:00", dt.datetime(2025, 7, 10, 7, 0, tzinfo=dt.UTC), False),
        ("2025-07-10T09:00:00.250+01:00", dt.datetime(2025, 7, 10, 8, 0, 0, 250000, dt.UTC), False),
        # The hour the clocks go back happens twice: the first (BST) is meant.
        ("2025-10-26T01:30", dt.datetime(2025, 10, 26, 0, 30, tzinfo=dt.UTC), False),
    ],
)
def test_occurred_at_is_iso_8601_and_london_time_without_an_offset(text, expected, date_only):
    row, errors = parse_event(event_fields(occurred_at=text), line=2, now=NOW)
    assert errors == []
    assert row is not None
    assert row.occurred_at == expected
    assert row.occurred_at.utcoffset() is not None
    assert row.date_only is date_only


def test_a_date_only_event_is_midnight_local_time():
    row, _ = parse_event(event_fields(occurred_at="2025-07-10"), line=2, now=NOW)
    assert row is not None
    local = row.occurred_at.astimezone(LONDON)
    assert (local.date(), local.time()) == (dt.date(2025, 7, 10), dt.time(0, 0))


@pytest.mark.parametrize(
    ("fields", "column", "fragment"),
    [
        ({"occurred_at": "10/06/2025"}, "occurred_at", "not an ISO 8601"),
        ({"occurred_at": "20250610"}, "occurred_at", "not an ISO 8601"),
        ({"occurred_at": "2025-06-31"}, "occurred_at", "not a real date"),
        ({"occurred_at": "2025-06-10T25:00"}, "occurred_at", "not a real date and time"),
        ({"occurred_at": "2025-03-30T01:30"}, "occurred_at", "does not exist"),
        ({"occurred_at": "2026-01-16"}, "occurred_at", "future"),
        ({"occurred_at": "2026-01-15T12:00:01Z"}, "occurred_at", "future"),
        ({"occurred_at": "2026-01-15T13:00:00+02:00"}, "occurred_at", None),
        ({"summary": "x" * 4001}, "summary", "at most 4,000"),
        ({"summary": " "}, "summary", "required"),
        ({"significance": "urgent"}, "significance", "low, medium, high"),
        ({"category": "home visit"}, "category", "category code"),
        ({"event_id": ""}, "event_id", "required"),
        ({"subject_record_id": ""}, "subject_record_id", "required"),
        ({"category": ""}, "category", "required"),
        ({"occurred_at": ""}, "occurred_at", "required"),
        ({"practitioner": "p" * 201}, "practitioner", "at most 200"),
        ({"other_record_ids": "C2;" + "r" * 101}, "other_record_ids", "longer than 100"),
        ({"colour": "red"}, "colour", "unknown column"),
    ],
)
def test_it_rejects_a_bad_event_value(fields, column, fragment):
    row, errors = parse_event(event_fields(**fields), line=6, now=NOW)
    if fragment is None:  # 13:00+02:00 is 11:00 UTC: in the past, accepted
        assert errors == []
        return
    assert row is None
    assert where(errors) == [(6, column)]
    assert fragment in errors[0].message


def test_a_summary_of_exactly_4000_characters_is_accepted():
    row, errors = parse_event(event_fields(summary="x" * 4000), line=2, now=NOW)
    assert errors == []
    assert row is not None


def test_the_present_moment_is_not_the_future():
    row, errors = parse_event(event_fields(occurred_at="2026-01-15T12:00:00Z"), line=2, now=NOW)
    assert errors == []
    assert row is not None


# -- events: CSV files ---------------------------------------------------------------------

EVENT_HEADER = "event_id,agency,subject_record_id,occurred_at,category,summary,significance,practitioner,other_record_ids"


def events_csv(*lines: str, header: str = EVENT_HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def test_it_reads_an_events_csv_file():
    content = events_csv(
        'E1,CSC,C1,2025-06-01,home_visit,"Visited, child seen",low,Sally,C2;C3',
        "E2,POLICE,P1,2025-06-02T22:15,domestic_abuse_incident,Call out,high,,",
    )
    rows, errors = read_events(content, filename="events.csv", max_bytes=BIG, now=NOW)
    assert errors == []
    assert [(r.line, r.event_id, r.agency, r.date_only) for r in rows] == [
        (2, "E1", "CSC", True),
        (3, "E2", "POLICE", False),
    ]
    assert rows[0].summary == "Visited, child seen"
    assert rows[0].other_record_ids == ("C2", "C3")


def test_it_collects_every_problem_in_an_events_csv_file():
    content = events_csv(
        "E1,CSC,C1,2025-06-01,home_visit,ok,,,",
        "E2,CSC,C1,yesterday,home_visit,ok,,,",
        "E3,CSC,C1,2025-06-01,home_visit,,urgent,,",
        "E1,CSC,C1,2025-06-01,home_visit,again,,,",
        "E1,POLICE,C1,2025-06-01,home_visit,fine for another agency,,,",
        "E4,CSC,C1,2025-06-01",
    )
    _, errors = read_events(content, filename="events.csv", max_bytes=BIG, now=NOW)
    assert where(errors) == [
        (3, "occurred_at"),
        (4, "summary"),
        (4, "significance"),
        (5, "event_id"),
        (7, ""),
    ]


def test_an_events_csv_needs_its_required_columns():
    content = b"event_id,agency,occurred_at,category,summary,mood\nE1,CSC,2025-06-01,other,x,ok\n"
    _, errors = read_events(content, filename="e.csv", max_bytes=BIG, now=NOW)
    assert where(errors) == [(1, "mood"), (1, "subject_record_id")]


def test_a_summary_may_span_lines_in_csv():
    content = events_csv(
        'E1,CSC,C1,2025-06-01,other,"First line\nsecond line",,,', "E2,CSC,C1,x,other,y,,,"
    )
    rows, errors = read_events(content, filename="e.csv", max_bytes=BIG, now=NOW)
    assert rows[0].summary == "First line\nsecond line"
    assert where(errors) == [(4, "occurred_at")]


# -- events: JSON lines ----------------------------------------------------------------------


def jsonl(*objects: object) -> bytes:
    return "".join(
        (item if isinstance(item, str) else json.dumps(item)) + "\n" for item in objects
    ).encode()


def test_it_reads_json_lines_by_file_name_or_content():
    content = jsonl(
        event_fields(),
        "",
        {**event_fields(event_id="E2"), "other_record_ids": ["C2", "C3"], "significance": None},
        {**event_fields(event_id=7)},  # type: ignore[arg-type]
    )
    for filename in ("events.jsonl", "events.NDJSON", "upload.txt"):
        rows, errors = read_events(content, filename=filename, max_bytes=BIG, now=NOW)
        assert errors == []
        assert [(r.line, r.event_id) for r in rows] == [(1, "E1"), (3, "E2"), (4, "7")]
        assert rows[1].other_record_ids == ("C2", "C3")


def test_it_reads_json_lines_with_a_byte_order_mark():
    content = b"\xef\xbb\xbf" + jsonl(event_fields())
    rows, errors = read_events(content, filename="x.csv", max_bytes=BIG, now=NOW)
    assert errors == []
    assert len(rows) == 1


def test_it_collects_every_problem_in_json_lines():
    content = jsonl(
        event_fields(),
        '{"event_id": "E2", "agency": ',
        "[1, 2]",
        {**event_fields(event_id="E3"), "summary": 12.5, "significance": "urgent"},
        {**event_fields(event_id="E4"), "mood": "ok", "other_record_ids": [1]},
        event_fields(),
        {**event_fields(event_id="E5"), "summary": True},
    )
    rows, errors = read_events(content, filename="e.jsonl", max_bytes=BIG, now=NOW)
    assert where(errors) == [
        (2, ""),
        (3, ""),
        (4, "summary"),
        (4, "significance"),
        (5, "other_record_ids"),
        (5, "mood"),
        (6, "event_id"),
        (7, "summary"),
    ]
    assert "not valid JSON" in errors[0].message
    assert "one JSON object" in errors[1].message
    assert "must be a string, not float" in errors[2].message
    assert [r.event_id for r in rows] == ["E1"]


def test_json_lines_must_have_the_required_fields():
    _, errors = read_events(
        jsonl({"event_id": "E1", "agency": "CSC"}), filename="e.jsonl", max_bytes=BIG, now=NOW
    )
    assert where(errors) == [
        (1, "subject_record_id"),
        (1, "occurred_at"),
        (1, "category"),
        (1, "summary"),
    ]


@pytest.mark.parametrize("filename", ["e.csv", "e.jsonl"])
def test_an_events_file_over_the_limit_empty_or_not_utf8_is_rejected(filename):
    content = jsonl(event_fields())
    _, errors = read_events(content, filename=filename, max_bytes=10, now=NOW)
    assert "the limit is 10" in errors[0].message
    _, errors = read_events(b"  \n", filename=filename, max_bytes=BIG, now=NOW)
    assert [e.message for e in errors] == ["the file is empty"]
    _, errors = read_events(b'{"summary": "caf\xe9"}\n', filename=filename, max_bytes=BIG, now=NOW)
    assert where(errors) == [(1, "")]
    assert "not UTF-8" in errors[0].message


def test_an_events_csv_with_only_a_header_is_rejected():
    _, errors = read_events(events_csv(), filename="e.csv", max_bytes=BIG, now=NOW)
    assert [e.message for e in errors] == ["the file has a header but no rows"]


def test_row_errors_read_as_sentences():
    assert str(RowError(3, "sex", "'Q' is not one of F, M, X")) == (
        "line 3, column sex: 'Q' is not one of F, M, X"
    )
    assert str(RowError(0, "", "the file is empty")) == "file: the file is empty"


def test_a_file_without_a_header_says_so():
    _, errors = read_person_records(b"C1,CSC,Jamie\nC2,CSC,Robin\n", max_bytes=BIG)
    assert where(errors) == [(1, "")]
    assert "the first line must be the header row" in errors[0].message


# -- properties ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_rows_or_errors_never_an_exception(content):
    for rows, errors in (
        read_person_records(content, max_bytes=BIG),
        read_events(content, filename="x.csv", max_bytes=BIG, now=NOW),
        read_events(content, filename="x.jsonl", max_bytes=BIG, now=NOW),
    ):
        assert rows or errors
        assert all(error.line >= 0 for error in errors)


_names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "given_name": _names,
                "family_name": _names,
                "date_of_birth": st.dates(dt.date(1900, 1, 1), dt.date(2026, 1, 15)),
                "sex": st.sampled_from(["", "F", "M", "X"]),
                "nhs": st.integers(0, 5000),
                "postcode": st.sampled_from(["", "LS1 4AP", "ls14ap", " bd7 1dp ", "EC1A1BB"]),
            }
        ),
        min_size=1,
        max_size=20,
    )
)
def test_valid_rows_written_as_csv_read_back_as_the_same_rows(records):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "record_id",
            "agency",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "nhs_number",
            "postcode",
        ]
    )
    for n, r in enumerate(records):
        writer.writerow(
            [
                f"R{n}",
                "CSC",
                r["given_name"],
                r["family_name"],
                r["date_of_birth"].isoformat(),
                r["sex"],
                spaced(synthetic_nhs_number(r["nhs"])),
                r["postcode"],
            ]
        )
    rows, errors = read_person_records(out.getvalue().encode(), max_bytes=BIG)
    assert errors == []
    assert [row.record_id for row in rows] == [f"R{n}" for n in range(len(records))]
    for row, r in zip(rows, records, strict=True):
        assert (row.given_name, row.family_name) == (
            r["given_name"].strip(),
            r["family_name"].strip(),
        )
        assert row.date_of_birth == r["date_of_birth"]
        assert row.nhs_number == synthetic_nhs_number(r["nhs"])
        assert row.postcode in ("", "LS1 4AP", "BD7 1DP", "EC1A 1BB")


def test_json_lines_end_only_at_newlines():
    first = {**event_fields(), "summary": "Said\u2028then\x85left"}
    content = (
        json.dumps(first, ensure_ascii=False) + "\r\n" + json.dumps(event_fields(event_id="E2"))
    ).encode()
    rows, errors = read_events(content, filename="e.jsonl", max_bytes=BIG, now=NOW)
    assert errors == []
    assert [(r.line, r.event_id) for r in rows] == [(1, "E1"), (2, "E2")]
    assert rows[0].summary == "Said\u2028then\x85left"


def test_json_values_become_text_or_errors_naming_the_field():
    fields, errors = json_fields(
        {"event_id": 12, "summary": None, "other_record_ids": ["C1", "C2"], "agency": "CSC"},
        line=4,
    )
    assert fields == {"event_id": "12", "summary": "", "other_record_ids": "C1;C2", "agency": "CSC"}
    assert errors == []
    _, errors = json_fields({"event_id": 1.5, "agency": False, "summary": ["x"]}, line=4)
    assert where(errors) == [(4, "event_id"), (4, "agency"), (4, "summary")]
