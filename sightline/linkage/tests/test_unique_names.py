import pytest

from sightline.linkage import engine, unique_names
from sightline.linkage.rows import FeatureRows
from sightline.linkage.tests.synthetic import nhs_number
from sightline.linkage.tests.test_comparisons import row
from sightline.linkage.unique_names import join_by_unique_name

CAMERON = {
    "given_name": "Cameron",
    "family_name": "Nowacki",
    "date_of_birth": "1990-05-04",
    "sex": "M",
    "nhs_number": nhs_number(1),
    "address": "155 Castle Court, Bolton",
    "postcode": "BL2 8SH",
}
# His housing record after a move: no date of birth, no NHS number, no sex.
HOUSING = {
    "given_name": "Cameron",
    "family_name": "Nowacki",
    "address": "93 Highfield Road, Wakefield",
    "postcode": "WF4 6LW",
}


HELD = {"as": "rows"}


@pytest.fixture(autouse=True, params=["rows", "table"])
def _held(request):
    """Each test on Python rows and on the Arrow table a batch holds (``FeatureRows``:
    the rule finds the records bearing a name with Arrow there)."""
    HELD["as"] = request.param


def _rows(*records):
    rows = [row(index, **fields) for index, fields in enumerate(records)]
    return FeatureRows(engine.to_arrow(rows)) if HELD["as"] == "table" else rows


def test_an_undated_record_joins_the_one_person_who_bears_its_full_name():
    """Cameron Nowacki's housing record (no date of birth, no NHS number, another town)
    agrees with his health record on the name alone: below the automatic threshold, yet
    nobody else in the batch is known by that name."""
    rows = _rows(CAMERON, {**CAMERON, "nhs_number": ""}, HOUSING)
    labels = join_by_unique_name(rows, [0, 0, 2], [(0, 2)])
    assert labels == [0, 0, 0]
    # Numbered by its smallest member, as clustering numbers clusters.
    rows = _rows(HOUSING, CAMERON, {**CAMERON, "nhs_number": ""})
    assert join_by_unique_name(rows, [0, 1, 1], [(0, 1)]) == [0, 0, 0]
    # Two undated records of his (two agencies, two old addresses) join him both.
    police = {**HOUSING, "address": "1 Mill Lane, York", "postcode": "YO1 7HH"}
    rows = _rows(HOUSING, CAMERON, police)
    assert join_by_unique_name(rows, [0, 1, 2], [(0, 1), (1, 2)]) == [0, 0, 0]
    assert join_by_unique_name(rows, [0, 1, 2], [(0, 1), (1, 2), (0, 2)]) == [0, 0, 0]


def test_only_a_cluster_named_in_full_without_an_nhs_number_is_joined():
    """An initial (C Nowacki), a missing family name or an NHS number of its own keeps
    an undated cluster out of the rule, whichever of its records carries it."""
    for other in (
        {**HOUSING, "given_name": "C"},
        {**HOUSING, "given_name": "Cj"},
        {**HOUSING, "family_name": ""},
        {**HOUSING, "nhs_number": nhs_number(2)},
    ):
        rows = _rows(CAMERON, HOUSING, other)
        assert join_by_unique_name(rows, [0, 1, 1], [(0, 1)]) == [0, 1, 1], other
    # Its records all in full and unnumbered: joined.
    rows = _rows(CAMERON, HOUSING, HOUSING)
    assert join_by_unique_name(rows, [0, 1, 1], [(0, 1)]) == [0, 0, 0]
    # An initial stands for anyone: not joined even to the one dated "C Nowacki".
    rows = _rows({**CAMERON, "given_name": "C"}, {**HOUSING, "given_name": "C"})
    assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 1]


def test_a_name_two_dated_persons_bear_joins_neither():
    """Paul Dennis the father and Paul Dennis the son: an undated Paul Dennis fits both."""
    father = {**CAMERON, "given_name": "Paul", "family_name": "Dennis"}
    son = {**father, "date_of_birth": "2015-02-01", "nhs_number": nhs_number(2)}
    undated = {**HOUSING, "given_name": "Paul", "family_name": "Dennis"}
    rows = _rows(father, son, undated)
    assert join_by_unique_name(rows, [0, 1, 2], [(0, 2)]) == [0, 1, 2]


def test_a_person_bearing_the_name_as_an_alias_counts_as_a_second_bearer():
    other = {
        **CAMERON,
        "given_name": "Adam",
        "other_names": "Cameron Nowacki",
        "nhs_number": nhs_number(2),
    }
    rows = _rows(CAMERON, other, HOUSING)
    assert join_by_unique_name(rows, [0, 1, 2], [(0, 2)]) == [0, 1, 2]


def test_a_record_known_by_another_name_the_person_is_not_known_by_is_not_joined():
    """A police record of Joanna Nowak, alias Joanna Krawczyk, and a health record of a
    Joanna Nowak that knows no Krawczyk: two women sharing a name, as likely as not."""
    joanna = {**CAMERON, "given_name": "Joanna", "family_name": "Nowak", "sex": "F"}
    police = {**HOUSING, "given_name": "Joanna", "family_name": "Nowak"}
    rows = _rows(joanna, {**police, "other_names": "Joanna Krawczyk"})
    assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 1]
    # An alias the person is known by (or the record's own name again) is no objection.
    rows = _rows(
        {**joanna, "other_names": "Joanna Krawczyk"}, {**police, "other_names": "Joanna Krawczyk"}
    )
    assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 0]
    rows = _rows(joanna, {**police, "other_names": "Joanna Nowak"})
    assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 0]


def test_it_joins_only_with_a_link_at_the_review_threshold():
    """The model, term frequencies included, must think the name worth a review: a
    common name alone (Peter Smith) is not, however few Peter Smiths the batch holds."""
    rows = _rows(CAMERON, HOUSING)
    assert join_by_unique_name(rows, [0, 1], []) == [0, 1]


def test_a_link_to_anyone_else_leaves_the_record_to_review():
    stranger = {**CAMERON, "given_name": "Carl", "nhs_number": nhs_number(3)}
    rows = _rows(CAMERON, stranger, HOUSING)
    assert join_by_unique_name(rows, [0, 1, 2], [(0, 2), (1, 2)]) == [0, 1, 2]


def test_records_held_apart_or_of_another_sex_are_not_joined():
    rows = _rows(CAMERON, HOUSING)
    assert join_by_unique_name(rows, [0, 1], [(0, 1)], cannot_link=[(0, 1)]) == [0, 1]
    rows = _rows(CAMERON, {**HOUSING, "sex": "F"})
    assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 1]


def test_an_initial_or_another_date_of_birth_is_not_joined_this_way():
    rows = _rows(CAMERON, {**HOUSING, "given_name": "C"})
    assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 1]
    # A date of birth that is not a slip of his: another man of his name.
    rows = _rows(CAMERON, {**HOUSING, "date_of_birth": "1993-08-21"})
    assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 1]


def test_a_batch_run_joins_an_undated_record_by_its_unique_name(monkeypatch):
    """In ``batch.resolve``: the pair scored at 0.9 (below the automatic threshold) is
    joined after clustering, where it was a review pair."""
    from sightline.linkage import batch, engine

    def scored(*_args, **_kwargs):
        return engine.ScoredPairs(
            left=[0], right=[1], weight=[3.2], probability=[0.9], guarded=[False]
        )

    monkeypatch.setattr(engine, "score_all", scored)
    result = batch.resolve(
        _rows(CAMERON, HOUSING),
        {},
        config=engine.EngineConfig(memory_limit="1GB"),
        auto_threshold=0.99,
        review_threshold=0.5,
    )
    assert result.labels == [0, 0]
    assert result.review == []
    assert result.rule_links == [(0, 1, unique_names.REASON)]


def test_a_record_whose_date_of_birth_is_a_slip_joins_the_one_person_of_its_name():
    """A school's record of Cameron Nowacki (no NHS number, another town) with one digit
    of his date of birth wrong: the date is a slip of his, the name his alone."""
    school = {**HOUSING, "date_of_birth": "1990-05-07", "sex": "M"}
    rows = _rows(CAMERON, school)
    assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 0]
    # Day and month swapped, or 1 January for a date in that year: slips too.
    for slip in ("1990-04-05", "1990-01-01"):
        rows = _rows(CAMERON, {**school, "date_of_birth": slip})
        assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 0]
    # Born the same year, or the week after: two people of one name, as likely.
    for other in ("1990-11-20", "1990-05-11"):
        rows = _rows(CAMERON, {**school, "date_of_birth": other})
        assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 1]


def test_a_dated_record_is_not_joined_to_a_person_whose_date_of_birth_is_unknown():
    """Mandy Fry, a girl's school record, and Mandy Fry, her mother's social care record
    (an NHS number, no date of birth): the girl's date cannot be a slip of an unknown one."""
    mother = {**HOUSING, "given_name": "Mandy", "family_name": "Fry", "nhs_number": nhs_number(5)}
    girl = {**HOUSING, "given_name": "Mandy", "family_name": "Fry", "date_of_birth": "2018-03-27"}
    rows = _rows(mother, girl)
    assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 1]


def test_a_record_with_an_nhs_number_is_not_joined_this_way():
    rows = _rows(CAMERON, {**HOUSING, "nhs_number": nhs_number(7)})
    assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 1]


def test_a_record_with_no_postcode_is_not_joined_by_its_name_alone():
    """A police record of a child with neither address nor date of birth: its name is all
    it carries, and at 1,000,000 records another child of that name (every record of his
    undated) was as likely."""
    police = {"given_name": "Cameron", "family_name": "Nowacki", "sex": "M"}
    rows = _rows(CAMERON, police)
    assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 1]
    rows = _rows(CAMERON, {**police, "postcode": "WF4 6LW"})
    assert join_by_unique_name(rows, [0, 1], [(0, 1)]) == [0, 0]


def test_a_dated_record_joins_the_one_bearer_of_its_name_born_that_day():
    """Two Eleanor Marshalls, born 1944 and 1987 (their NHS numbers on their health
    records). A social care record of Eleanor Marshall, born 10 September 1944, at
    another address and with no number, is the 1944 Eleanor's: nobody else of the name
    was born that day. Not when two were, nor when a bearer's date is not known, and
    an undated record still fits both."""
    elder = {
        **CAMERON,
        "given_name": "Eleanor",
        "family_name": "Marshall",
        "sex": "F",
        "date_of_birth": "1944-09-10",
    }
    younger = {**elder, "date_of_birth": "1987-02-14", "nhs_number": nhs_number(2)}
    social_care = {**HOUSING, "given_name": "Eleanor", "family_name": "Marshall"}
    dated = {**social_care, "date_of_birth": "1944-09-10", "sex": "F"}
    rows = _rows(elder, younger, dated)
    assert join_by_unique_name(rows, [0, 1, 2], [(0, 2)]) == [0, 1, 0]
    # Two born that day (and the younger one's date of birth not known): neither.
    twin = {**elder, "nhs_number": nhs_number(3), "address": "2 Elm Road, Leeds"}
    rows = _rows(elder, twin, dated)
    assert join_by_unique_name(rows, [0, 1, 2], [(0, 2)]) == [0, 1, 2]
    rows = _rows(elder, {**younger, "date_of_birth": ""}, dated)
    assert join_by_unique_name(rows, [0, 1, 2], [(0, 2)]) == [0, 1, 2]
    rows = _rows(elder, younger, social_care)
    assert join_by_unique_name(rows, [0, 1, 2], [(0, 2)]) == [0, 1, 2]


def test_a_person_with_a_record_of_the_agency_already_is_not_joined_by_name():
    """Two David Baileys born on 4 September 2015, in Leeds (health, with his NHS
    number, and school) and in Newcastle (health and school, no number). By name and
    date alone the Newcastle boy's records fit the Leeds boy; but each school already
    knows its own David Bailey, so the Leeds boy, with a school record of his own, is
    not joined to a second school record by name. Without agencies, as before."""
    leeds = {
        **CAMERON,
        "given_name": "David",
        "family_name": "Bailey",
        "date_of_birth": "2015-09-04",
        "address": "154 Forest Way, Leeds",
        "postcode": "LS14 5NX",
    }
    newcastle = {
        **leeds,
        "nhs_number": "",
        "address": "57 Highfield Lane, Newcastle upon Tyne",
        "postcode": "NE6 1DE",
    }
    rows = _rows(leeds, {**leeds, "nhs_number": ""}, newcastle, newcastle)
    links = [(0, 2), (1, 2), (0, 3), (1, 3)]
    assert join_by_unique_name(rows, [0, 0, 2, 2], links) == [0, 0, 0, 0]
    agencies = ["HEALTH", "EDUCATION", "HEALTH", "EDUCATION"]
    assert join_by_unique_name(rows, [0, 0, 2, 2], links, agencies=agencies) == [0, 0, 2, 2]
    # Cameron's housing record joins him: he has no housing record of his own.
    rows = _rows(CAMERON, HOUSING)
    assert join_by_unique_name(rows, [0, 1], [(0, 1)], agencies=["HEALTH", "HOUSING"]) == [0, 0]


def test_a_nickname_is_borne_by_every_bearer_of_its_formal_name():
    """Two boys called Richard Kamiński (2017, London; 2024, Bolton); the London boy's
    school record says Dickie. An undated housing record of a Dickie Kamiński is either
    boy's: the nickname stands for Richard, so it is borne twice and joins neither."""
    london = {
        **CAMERON,
        "given_name": "Richard",
        "family_name": "Kamiński",
        "date_of_birth": "2017-07-06",
    }
    bolton = {**london, "date_of_birth": "2024-08-20", "nhs_number": nhs_number(2)}
    school = {**london, "given_name": "Dickie", "nhs_number": ""}
    housing = {**HOUSING, "given_name": "Dickie", "family_name": "Kamiński"}
    rows = _rows(london, school, bolton, housing)
    assert join_by_unique_name(rows, [0, 0, 2, 3], [(1, 3)]) == [0, 0, 2, 3]
    # With the Bolton boy away, the London boy is the one bearer.
    rows = _rows(london, school, housing)
    assert join_by_unique_name(rows, [0, 0, 2], [(1, 2)]) == [0, 0, 0]
