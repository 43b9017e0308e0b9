import pytest

from sightline.linkage import engine, moves
from sightline.linkage.moves import join_at_household_address
from sightline.linkage.rows import FeatureRows
from sightline.linkage.tests.synthetic import nhs_number
from sightline.linkage.tests.test_comparisons import row

NEW = {"address": "162 Ash Terrace, Newcastle upon Tyne", "postcode": "NE14 6AQ"}
OLD = {"address": "153 Green Close, Leeds", "postcode": "LS15 3LD"}
# Gary Morris, 11, after the family's move to Newcastle: his health record.
GARY = {
    "given_name": "Gary",
    "family_name": "Morris",
    "date_of_birth": "2013-05-16",
    "sex": "M",
    "nhs_number": nhs_number(1),
    **NEW,
}
# His mother, known to health at the new address and to housing at the old one.
SANDRA_NEW = {
    "given_name": "Sandra",
    "family_name": "Morris",
    "date_of_birth": "1984-02-11",
    "sex": "F",
    "nhs_number": nhs_number(2),
    **NEW,
}
SANDRA_OLD = {**SANDRA_NEW, "nhs_number": "", **OLD}
# Another Gary Morris, born the same year, in Bristol: the name alone fits him as well.
BRISTOL = {
    **GARY,
    "date_of_birth": "2013-11-02",
    "nhs_number": nhs_number(3),
    "address": "82 Mount Terrace, Bristol",
    "postcode": "BS1 3YN",
}
# Housing's record of Gary at the old address: no date of birth, no NHS number, no sex.
HOUSING = {"given_name": "Gary", "family_name": "Morris", **OLD}

HELD = {"as": "rows"}


@pytest.fixture(autouse=True, params=["rows", "table"])
def _held(request):
    """Each test on Python rows and on the Arrow table a batch holds (``FeatureRows``)."""
    HELD["as"] = request.param


def _rows(*records):
    rows = [row(index, **fields) for index, fields in enumerate(records)]
    return FeatureRows(engine.to_arrow(rows)) if HELD["as"] == "table" else rows


def test_an_undated_record_joins_the_bearer_whose_household_lived_at_its_address():
    """Two dated Gary Morrises; the housing record at the Leeds address fits both by name.
    His mother is known at Leeds and at Newcastle, where the one Gary lives: it is his."""
    rows = _rows(GARY, SANDRA_NEW, SANDRA_OLD, BRISTOL, HOUSING)
    labels = join_at_household_address(rows, [0, 1, 1, 3, 4], [])
    assert labels == [0, 1, 1, 3, 0]
    # Numbered by its smallest member, as clustering numbers clusters.
    rows = _rows(HOUSING, GARY, SANDRA_NEW, SANDRA_OLD, BRISTOL)
    assert join_at_household_address(rows, [0, 1, 2, 2, 4], []) == [0, 0, 2, 2, 4]


def test_without_a_household_known_at_both_addresses_it_joins_neither():
    # The mother known at the new address only: nothing places either Gary at Leeds.
    rows = _rows(GARY, SANDRA_NEW, BRISTOL, HOUSING)
    assert join_at_household_address(rows, [0, 1, 2, 3], []) == [0, 1, 2, 3]
    # A woman of another family name known at both addresses is no household of his.
    lodger = {**SANDRA_NEW, "family_name": "Kowalska"}
    rows = _rows(GARY, lodger, {**lodger, "nhs_number": "", **OLD}, BRISTOL, HOUSING)
    assert join_at_household_address(rows, [0, 1, 1, 3, 4], []) == [0, 1, 1, 3, 4]
    # Her records at the two addresses not linked (two clusters): no move is known.
    rows = _rows(GARY, SANDRA_NEW, SANDRA_OLD, BRISTOL, HOUSING)
    assert join_at_household_address(rows, [0, 1, 2, 3, 4], []) == [0, 1, 2, 3, 4]


def test_two_bearers_who_lived_at_the_address_join_neither():
    """Gary Morris the father, dated, at the old address too: the record fits father and
    son alike."""
    father = {**GARY, "date_of_birth": "1979-07-30", "nhs_number": nhs_number(4), **OLD}
    rows = _rows(GARY, SANDRA_NEW, SANDRA_OLD, father, HOUSING)
    assert join_at_household_address(rows, [0, 1, 1, 3, 4], []) == [0, 1, 1, 3, 4]


def test_a_nickname_joins_the_bearer_of_its_formal_name():
    """ "Bill Morris" at the old address: William Morris's, whose mother moved with him;
    a dated Bill Morris at the old address as well would make two bearers."""
    william = {**GARY, "given_name": "William"}
    bill = {**HOUSING, "given_name": "Bill"}
    rows = _rows(william, SANDRA_NEW, SANDRA_OLD, BRISTOL, bill)
    assert join_at_household_address(rows, [0, 1, 1, 3, 4], []) == [0, 1, 1, 3, 0]
    other_bill = {**BRISTOL, "given_name": "Bill", **OLD}
    rows = _rows(william, SANDRA_NEW, SANDRA_OLD, other_bill, bill)
    assert join_at_household_address(rows, [0, 1, 1, 3, 4], []) == [0, 1, 1, 3, 4]


def test_a_link_to_anyone_else_stops_it_but_a_guarded_one_does_not():
    rows = _rows(GARY, SANDRA_NEW, SANDRA_OLD, BRISTOL, HOUSING)
    # Scored at the review threshold with the Bristol Gary: another candidate.
    assert join_at_household_address(rows, [0, 1, 1, 3, 4], [(3, 4)]) == [0, 1, 1, 3, 4]
    # With his mother's old record, a guarded pair (held apart): no candidate.
    labels = join_at_household_address(rows, [0, 1, 1, 3, 4], [(2, 4)], cannot_link=[(2, 4)])
    assert labels == [0, 1, 1, 3, 0]
    # A link to Gary himself is no objection.
    assert join_at_household_address(rows, [0, 1, 1, 3, 4], [(0, 4)]) == [0, 1, 1, 3, 0]


def test_held_apart_another_sex_or_another_date_is_not_joined():
    rows = _rows(GARY, SANDRA_NEW, SANDRA_OLD, BRISTOL, HOUSING)
    labels = join_at_household_address(rows, [0, 1, 1, 3, 4], [], cannot_link=[(0, 4)])
    assert labels == [0, 1, 1, 3, 4]
    rows = _rows(GARY, SANDRA_NEW, SANDRA_OLD, BRISTOL, {**HOUSING, "sex": "F"})
    assert join_at_household_address(rows, [0, 1, 1, 3, 4], []) == [0, 1, 1, 3, 4]
    # A date of birth on the record: his, or a slip of his (one digit); not another.
    for dob, joined in (("2013-05-16", True), ("2013-05-06", True), ("2013-09-02", False)):
        rows = _rows(GARY, SANDRA_NEW, SANDRA_OLD, BRISTOL, {**HOUSING, "date_of_birth": dob})
        labels = join_at_household_address(rows, [0, 1, 1, 3, 4], [])
        assert labels == ([0, 1, 1, 3, 0] if joined else [0, 1, 1, 3, 4]), dob


def test_a_record_with_an_nhs_number_an_initial_or_an_unknown_alias_is_not_joined():
    for changed in (
        {"nhs_number": nhs_number(7)},
        {"given_name": "G"},
        {"other_names": "Gary Kowalski"},
    ):
        rows = _rows(GARY, SANDRA_NEW, SANDRA_OLD, BRISTOL, {**HOUSING, **changed})
        assert join_at_household_address(rows, [0, 1, 1, 3, 4], []) == [0, 1, 1, 3, 4], changed


def test_a_batch_run_joins_the_record_at_the_households_old_address(monkeypatch):
    """In ``batch.resolve``: Sandra's two records scored 0.999 (one cluster), the rest
    below the review threshold; the housing record ends with Gary."""
    from sightline.linkage import batch

    def scored(*_args, **_kwargs):
        return engine.ScoredPairs(
            left=[1], right=[2], weight=[12.0], probability=[0.999], guarded=[False]
        )

    monkeypatch.setattr(engine, "score_all", scored)
    result = batch.resolve(
        _rows(GARY, SANDRA_NEW, SANDRA_OLD, BRISTOL, HOUSING),
        {},
        config=engine.EngineConfig(memory_limit="1GB"),
        auto_threshold=0.99,
        review_threshold=0.5,
    )
    assert result.labels == [0, 1, 1, 3, 0]
    # The join, one record of each cluster, and why (a merge's reason in a run).
    assert result.rule_links == [(0, 4, moves.REASON)]


def test_a_person_known_by_the_name_only_as_an_alias_is_not_joined():
    """Adam Morris, "also known as Gary Morris" on his record, is the one bearer whose
    household lived at Leeds; but nobody records him as Gary: it is not his record."""
    adam = {**GARY, "given_name": "Adam", "other_names": "Gary Morris"}
    rows = _rows(adam, SANDRA_NEW, SANDRA_OLD, BRISTOL, HOUSING)
    assert join_at_household_address(rows, [0, 1, 1, 3, 4], []) == [0, 1, 1, 3, 4]


def test_joins_lists_each_cluster_a_rule_joined_to_another():
    from sightline.linkage.batch import joins

    # Clusters {0, 2}, {1}, {3}, {4, 5}: {1} and {4, 5} join {0, 2}; {3} stays.
    before = [0, 1, 0, 3, 4, 4]
    after = [0, 0, 0, 3, 0, 0]
    assert joins(before, after, "why") == [(0, 1, "why"), (0, 4, "why")]
    assert joins(before, before, "why") == []
