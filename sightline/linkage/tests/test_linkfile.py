import csv
import io

import pytest

from sightline.linkage import linkfile


def parse(text):
    return list(linkfile.parse(io.StringIO(text)))


def test_it_reads_columns_in_any_order():
    records = parse("agency,given_name,record_id\nCSC,Amy,1\nPOLICE,Bo,2\n")
    assert [(r.agency, r.record_id, r.identity.given_name) for r in records] == [
        ("CSC", "1", "Amy"),
        ("POLICE", "2", "Bo"),
    ]
    assert records[1].line == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("record_id,agency\n", "no records"),
        ("record_id,agency,shoe_size\nR1,CSC,9\n", "unknown columns: shoe_size"),
        ("record_id,given_name\nR1,Amy\n", "missing required columns: agency"),
        ("record_id,agency\nR1,CSC,extra\n", "line 2: 3 fields"),
        ("record_id,agency\n,CSC\n", "line 2: record_id is blank"),
        ('record_id,agency\n"R1,CSC\n', "line"),
    ],
)
def test_it_rejects_a_malformed_file_with_a_clear_error(text, message):
    with pytest.raises(linkfile.LinkFileError) as caught:
        parse(text)
    assert message in str(caught.value)


def test_it_lists_every_bad_row():
    with pytest.raises(linkfile.LinkFileError) as caught:
        parse("record_id,agency\n,CSC\nR2,\nR3,CSC\n")
    assert caught.value.errors == ["line 2: record_id is blank", "line 3: agency is blank"]


def test_it_prefixes_agencies_only_when_bare_ids_collide():
    plain = linkfile.Records.of(parse("record_id,agency\n1,CSC\n2,POLICE\n"))
    assert linkfile.output_ids(plain) == ["1", "2"]
    clash = linkfile.Records.of(parse("record_id,agency\n1,CSC\n1,POLICE\n2,CSC\n"))
    assert linkfile.output_ids(clash) == ["CSC:1", "POLICE:1", "CSC:2"]


def test_it_numbers_persons_in_order_of_appearance():
    assert linkfile.person_ids([5, 0, 5, 3]) == ["P0000001", "P0000002", "P0000001", "P0000003"]


def test_a_record_id_holding_a_carriage_return_is_read_back_as_written(tmp_path):
    out = tmp_path / "out.csv"
    ids = ["1", "a\rb", "c\r\nd", "e,f"]
    linkfile.write_output(out, ids, ["P1", "P1", "P2", "P3"])
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["record_id", "person_id"],
        ["1", "P1"],
        ["a\rb", "P1"],
        ["c\r\nd", "P2"],
        ["e,f", "P3"],
    ]
    # Ids without one are written as before: quoted only where the csv module must.
    assert out.read_text(encoding="utf-8").startswith("record_id,person_id\n1,P1\n")


def test_it_writes_output_atomically(tmp_path):
    out = tmp_path / "out.csv"
    linkfile.write_output(out, ["1", "2"], ["P1", "P1"])
    assert out.read_text() == "record_id,person_id\n1,P1\n2,P1\n"
    with pytest.raises(ValueError, match="one person id per record"):
        linkfile.write_output(tmp_path / "bad.csv", ["1"], [])
    assert not (tmp_path / "bad.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def _file(rows, header="record_id,agency,given_name,family_name,date_of_birth,nhs_number"):
    return header + "\n" + "".join(f"R{i},CSC,{row}\n" for i, row in enumerate(rows))


def test_it_names_a_column_of_the_wrong_kind():
    # Family name and date of birth swapped: every date is in the name column.
    rows = [f"Amy,2015-03-0{i},Smith{i}," for i in range(1, 8)]
    with pytest.raises(linkfile.LinkFileError) as caught:
        parse(_file(rows))
    assert caught.value.errors == [
        "column date_of_birth: 7 of 7 values are not dates (line 2: 'Smith1'); "
        "is it the right column?",
        "column family_name: 7 of 7 values are not names (line 2: '2015-03-01'); "
        "is it the right column?",
    ]


def test_a_wrong_value_repeated_counts_each_time_and_the_first_line_is_named():
    # Each distinct value is checked once; each record holding it still counts.
    rows = ["Amy,Smith,2015-03-04,"] + ["Amy,Smith,Jones,", "Bo,Smith,Patel,"] * 3
    with pytest.raises(linkfile.LinkFileError) as caught:
        parse(_file(rows))
    assert caught.value.errors == [
        "column date_of_birth: 6 of 7 values are not dates (line 3: 'Jones'); "
        "is it the right column?",
    ]


def test_it_names_an_nhs_number_column_holding_dates():
    rows = ["Amy,Smith,2015-03-04,04/03/2015"]
    with pytest.raises(linkfile.LinkFileError) as caught:
        parse(_file(rows))
    assert "column nhs_number: 1 of 1 values are not NHS numbers" in str(caught.value)


def test_it_keeps_impossible_values_of_the_right_kind_as_missing():
    """An impossible date or an NHS number failing its check is a slip, not a wrong
    column: linked with the value treated as missing, as before."""
    rows = ["Amy,Smith,2015-02-30,9999999999", "Bo,Jones,2015-03-04,999 000 0018"] * 3
    assert len(parse(_file(rows))) == 6


def test_it_refuses_a_column_only_when_most_values_are_wrong():
    rows = ["Amy,Smith,2015-03-04,"] * 10 + ["Bo,Jones,unknown,"] * 4
    assert len(parse(_file(rows))) == 14


# Arrow's reader (a well-formed file) and the csv module's (``parse``) give one answer.
TRICKY = (
    "\ufeffagency , record_id,given_name,family_name,other_names,date_of_birth,address\r\n"
    'CSC,R1,"Amy\r\nJane", Smith ,"Amy Jones; A Smith",2015-03-04,"1 High St, Leeds"\r\n'
    "POLICE,R2,\u3000Bo\x1c,O'Brien,,,\r\n"
    ",,,,,,\r\n"
    'HEALTH,R3,"Ann ""Annie""",Lee,,2016-01-01,"Flat 2\nRose Court"\r\n'
    'HOUSING,R4,Jo"e,Bloggs,,,\r\n'
)


def _written(tmp_path, text, name="people.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_arrow_and_the_csv_module_read_a_tricky_file_alike(tmp_path):
    path = _written(tmp_path, TRICKY)
    assert linkfile._read_well_formed(path) is not None  # Arrow's reader took it
    read = list(linkfile.read_records(path))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert read == list(linkfile.parse(handle))
    assert [r.line for r in read] == [3, 4, 7, 8]
    assert read[1].identity.given_name == "Bo"  # trimmed as str.strip trims
    assert read[2].identity.date_of_birth == "2016-01-01"
    assert read[1].identity.date_of_birth is None
    assert read[3].identity.nhs_number == ""  # a column the file lacks is blank


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("record_id,agency\nR1,CSC,extra\n", "line 2: 3 fields, the header has 2"),
        ("record_id,agency\nR1,CSC\n\nR2,CSC\n,CSC\n", "line 5: record_id is blank"),
        ("record_id,agency,shoe_size\nR1,CSC,9\n", "unknown columns: shoe_size"),
        ("record_id,agency\n", "the file has a header but no records"),
    ],
)
def test_a_file_arrow_cannot_take_is_read_by_the_csv_module(tmp_path, text, message):
    path = _written(tmp_path, text)
    assert linkfile._read_well_formed(path) is None
    with pytest.raises(linkfile.LinkFileError) as caught:
        linkfile.read_records(path)
    assert any(error.startswith(message) for error in caught.value.errors)


def test_a_blank_line_is_skipped_with_the_lines_still_counted(tmp_path):
    path = _written(tmp_path, "record_id,agency\nR1,CSC\n\nR2,CSC\n")
    assert [(r.record_id, r.line) for r in linkfile.read_records(path)] == [("R1", 2), ("R2", 4)]


def test_a_file_not_in_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("record_id,agency,given_name\nR1,CSC,Zoë\n".encode("latin-1"))
    with pytest.raises(linkfile.LinkFileError, match="not UTF-8 text"):
        linkfile.read_records(path)


def test_a_wrong_column_is_named_by_either_reader(tmp_path):
    rows = [f"Amy,2015-03-0{i},Smith{i}," for i in range(1, 8)]
    path = _written(tmp_path, _file(rows))
    assert linkfile._read_well_formed(path) is not None
    with pytest.raises(linkfile.LinkFileError) as caught:
        linkfile.read_records(path)
    assert caught.value.errors[0] == (
        "column date_of_birth: 7 of 7 values are not dates (line 2: 'Smith1'); "
        "is it the right column?"
    )


def test_records_are_held_as_columns(tmp_path):
    records = linkfile.read_records(_written(tmp_path, TRICKY))
    assert len(records) == 4
    assert records.agencies == ["CSC", "POLICE", "HEALTH", "HOUSING"]
    assert records[-1].record_id == "R4"
    assert [r.record_id for r in records[1:3]] == ["R2", "R3"]
    assert list(records.identities) == [r.identity for r in records]
    with pytest.raises(IndexError):
        records[4]
