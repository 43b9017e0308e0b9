import dataclasses
import datetime as dt

import pytest

from sightline.returns import cin_census
from sightline.returns.errors import ReturnError
from sightline.returns.tests import synthetic


def written() -> str:
    return cin_census.write(synthetic.census()).decode()


def read_text(text: str) -> cin_census.Message:
    return cin_census.read(text.encode())


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_it_reads_what_it_writes():
    message = synthetic.census()
    data = cin_census.write(message)
    assert cin_census.read(data) == message
    assert cin_census.write(cin_census.read(data)) == data


def test_it_writes_the_dfe_element_order():
    text = written()
    order = [
        "<CINreferralDate>",
        "<ReferralSource>",
        "<PrimaryNeedCode>",
        "<ReferralNFA>",
        "<Assessments>",
        "<Section47>",
        "<ChildProtectionPlans>",
    ]
    first_child = text[text.index("<Child>") : text.index("</Child>")]
    positions = [first_child.index(tag) for tag in order]
    assert positions == sorted(positions)
    identifiers = ["<LAchildID>", "<UPN>", "<PersonBirthDate>", "<Sex>"]
    positions = [first_child.index(tag) for tag in identifiers]
    assert positions == sorted(positions)


def test_it_omits_absent_optional_elements():
    text = written()
    assert "<CPPendDate>" not in text  # the open plan has no end
    assert "<PersonDeathDate>" not in text


def test_it_reads_booleans_as_the_dfe_spells_them():
    for spelling, expected in (("1", True), ("true", True), ("0", False), ("false", False)):
        text = written().replace(
            "<ReferralNFA>false</ReferralNFA>", f"<ReferralNFA>{spelling}</ReferralNFA>", 1
        )
        assert read_text(text).children[0].episodes[0].referral_nfa is expected


def test_it_accepts_an_empty_census():
    message = dataclasses.replace(synthetic.census(), children=())
    assert cin_census.read(cin_census.write(message)) == message


# --- bad input: rejected whole, the message names the place and the field ------------


def test_malformed_xml_is_rejected_naming_the_line():
    text = written().replace("</CINreferralDate>", "</CINreferal>", 1)
    with pytest.raises(ReturnError, match="not well-formed XML") as caught:
        read_text(text)
    assert caught.value.line == line_of(text, "</CINreferal>")


def test_a_truncated_file_is_rejected():
    text = written()
    cut = text[: len(text) // 2]
    with pytest.raises(ReturnError, match="truncated") as caught:
        read_text(cut)
    assert caught.value.line == cut.count("\n") + 1


def test_an_empty_file_is_rejected():
    with pytest.raises(ReturnError, match="truncated"):
        cin_census.read(b"")


def test_an_unknown_code_is_rejected_naming_element_and_field():
    text = written().replace("<LatestCategoryOfAbuse>NEG<", "<LatestCategoryOfAbuse>NEGL<", 1)
    with pytest.raises(ReturnError) as caught:
        read_text(text)
    error = caught.value
    assert error.place == "Message/Children/Child[1]/CINdetails[1]/ChildProtectionPlans[1]"
    assert error.field == "LatestCategoryOfAbuse"
    assert "unknown code 'NEGL'" in str(error)
    assert error.line == line_of(text, "<LatestCategoryOfAbuse>NEGL")


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("ReferralSource", "2Z"),
        ("PrimaryNeedCode", "N10"),
        ("Sex", "1"),
        ("Ethnicity", "XXXX"),
        ("Disability", "EARS"),
        ("AssessmentFactors", "RB"),
    ],
)
def test_each_coded_field_is_checked(field, code):
    text = written()
    start = text.index(f"<{field}>") + len(field) + 2
    end = text.index("<", start)
    with pytest.raises(ReturnError, match=f"unknown code '{code}'") as caught:
        read_text(text[:start] + code + text[end:])
    assert caught.value.field == field


def test_an_impossible_date_is_rejected():
    text = written().replace("<CPPstartDate>2025-05-28<", "<CPPstartDate>2025-02-30<", 1)
    with pytest.raises(ReturnError, match="'2025-02-30' is not a date that exists") as caught:
        read_text(text)
    assert caught.value.field == "CPPstartDate"
    assert caught.value.line == line_of(text, "<CPPstartDate>2025-02-30")


def test_a_date_in_another_format_is_rejected():
    text = written().replace("<CINreferralDate>2025-05-01<", "<CINreferralDate>01/05/2025<", 1)
    with pytest.raises(ReturnError, match=r"not a date \(YYYY-MM-DD\)"):
        read_text(text)


@pytest.mark.parametrize(
    ("replace", "field"),
    [
        ("<CINclosureDate>2025-12-01<", "CINclosureDate"),
        ("<CINPlanEndDate>2025-12-01<", "CINPlanEndDate"),
        ("<AssessmentAuthorisationDate>2025-05-20<", "AssessmentAuthorisationDate"),
        ("<CPPreviewDate>2025-08-20<", "CPPreviewDate"),
    ],
)
def test_an_end_before_its_start_is_rejected(replace, field):
    bad = replace.replace("2025-12-01", "2025-01-01").replace("2025-05-20", "2025-05-01")
    bad = bad.replace("2025-08-20", "2025-05-01")
    text = written()
    assert replace in text
    with pytest.raises(ReturnError, match="is before") as caught:
        read_text(text.replace(replace, bad, 1))
    assert caught.value.field == field


def test_a_plan_outside_a_child_is_rejected():
    text = written().replace(
        "<Children>",
        "<Children>\n<ChildProtectionPlans><CPPstartDate>2025-05-28</CPPstartDate>"
        "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
        "<LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse></ChildProtectionPlans>",
        1,
    )
    with pytest.raises(ReturnError, match="belongs in a Child's CINdetails") as caught:
        read_text(text)
    assert caught.value.place == "Message/Children/ChildProtectionPlans"


def test_a_child_without_identifiers_is_rejected():
    text = written()
    start, end = text.index("<ChildIdentifiers>"), text.index("</ChildIdentifiers>")
    text = text[:start] + text[end + len("</ChildIdentifiers>") :]
    with pytest.raises(ReturnError, match="need the child") as caught:
        read_text(text)
    assert caught.value.place == "Message/Children/Child[1]"


def test_a_child_without_la_child_id_is_rejected():
    text = written().replace("<LAchildID>SYN0001</LAchildID>", "", 1)
    with pytest.raises(ReturnError, match="is required") as caught:
        read_text(text)
    assert caught.value.field == "LAchildID"


def test_a_child_given_twice_is_rejected():
    text = written().replace("<LAchildID>SYN0002<", "<LAchildID>SYN0001<", 1)
    with pytest.raises(ReturnError, match=r"also Child\[1\]"):
        read_text(text)


def test_an_unknown_element_is_rejected():
    text = written().replace("<Sex>F</Sex>", "<Sex>F</Sex><Gender>F</Gender>", 1)
    with pytest.raises(ReturnError, match="unexpected element in ChildIdentifiers"):
        read_text(text)


def test_a_field_given_twice_is_rejected():
    text = written().replace("<Sex>F</Sex>", "<Sex>F</Sex><Sex>M</Sex>", 1)
    with pytest.raises(ReturnError, match="more than once"):
        read_text(text)


def test_another_document_is_rejected():
    with pytest.raises(ReturnError, match="not a CIN census"):
        cin_census.read(b"<Return><Header/></Return>")


def test_entities_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;">]><Message>&b;</Message>'
    )
    with pytest.raises(ReturnError, match="document type declaration"):
        cin_census.read(bomb)


def test_the_header_is_read():
    header = read_text(written()).header
    assert header.year == 2026
    assert header.reference_date == dt.date(2026, 3, 31)
    assert header.lea == "201"
