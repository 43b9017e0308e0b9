"""The schedule's arithmetic (pure)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline.governance.schedule import (
    Anchor,
    Facts,
    RecordKind,
    Rule,
    age_on,
    anniversary,
    due_on,
    is_due,
    kind_of_record,
)

LOOKED_AFTER = Rule(Anchor.DATE_OF_BIRTH, 75, years_after_death_under_18=15)
CASE = Rule(Anchor.LAST_ACTIVITY, 35)
CHILD = Rule(Anchor.DATE_OF_BIRTH, 25, years_after_last_activity=6)
ADULT = Rule(Anchor.LAST_ACTIVITY, 6)

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def test_it_keeps_a_looked_after_childs_record_until_the_75th_anniversary() -> None:
    facts = Facts.of(date_of_birth=dt.date(2010, 6, 15), status_kinds={"looked_after"})
    assert due_on(LOOKED_AFTER, facts) == dt.date(2085, 6, 16)
    assert not is_due(LOOKED_AFTER, facts, dt.date(2085, 6, 15))
    assert is_due(LOOKED_AFTER, facts, dt.date(2085, 6, 16))


def test_it_keeps_15_years_from_the_death_of_a_child_who_died_before_18() -> None:
    facts = Facts.of(
        date_of_birth=dt.date(2010, 6, 15),
        status_kinds={"looked_after"},
        died_on=dt.date(2020, 3, 1),
    )
    # "A period of fifteen years beginning with the date of death": 1 March 2020 to
    # 28 February 2035; due on 1 March 2035.
    assert due_on(LOOKED_AFTER, facts) == dt.date(2035, 3, 1)


def test_it_keeps_the_75_years_for_a_person_who_died_an_adult() -> None:
    facts = Facts.of(
        date_of_birth=dt.date(1990, 1, 1),
        status_kinds={"looked_after"},
        died_on=dt.date(2020, 1, 1),
    )
    assert due_on(LOOKED_AFTER, facts) == dt.date(2065, 1, 2)


def test_a_leap_day_birth_reaches_its_anniversary_on_1_march() -> None:
    assert anniversary(dt.date(2012, 2, 29), 75) == dt.date(2087, 3, 1)
    assert anniversary(dt.date(2012, 2, 29), 4) == dt.date(2016, 2, 29)
    facts = Facts.of(date_of_birth=dt.date(2012, 2, 29), status_kinds={"looked_after"})
    assert due_on(LOOKED_AFTER, facts) == dt.date(2087, 3, 2)


def test_it_cannot_compute_a_date_without_the_fact_its_rule_needs() -> None:
    assert due_on(LOOKED_AFTER, Facts.of(date_of_birth=None, status_kinds={"looked_after"})) is None
    assert due_on(CASE, Facts.of(date_of_birth=dt.date(2010, 1, 1), last_activity=None)) is None
    assert due_on(CHILD, Facts.of(date_of_birth=dt.date(2010, 1, 1), last_activity=None)) is None
    assert not is_due(LOOKED_AFTER, Facts.of(date_of_birth=None), dt.date(2999, 1, 1))


def test_the_later_of_the_birthday_and_the_years_after_last_activity() -> None:
    young = Facts.of(date_of_birth=dt.date(2010, 1, 1), last_activity=dt.date(2012, 5, 5))
    assert due_on(CHILD, young) == dt.date(2035, 1, 2)
    late = Facts.of(date_of_birth=dt.date(2010, 1, 1), last_activity=dt.date(2033, 5, 5))
    assert due_on(CHILD, late) == dt.date(2039, 5, 6)


@pytest.mark.parametrize(
    ("kinds", "dob", "last", "expected"),
    [
        ({"looked_after", "child_protection"}, dt.date(2010, 1, 1), None, RecordKind.LOOKED_AFTER),
        ({"child_protection"}, dt.date(2010, 1, 1), None, RecordKind.CHILD_PROTECTION_OR_IN_NEED),
        ({"child_in_need"}, None, None, RecordKind.CHILD_PROTECTION_OR_IN_NEED),
        (set(), dt.date(2010, 1, 1), dt.date(2020, 1, 1), RecordKind.CHILD_WITHOUT_CASE),
        (set(), dt.date(1980, 1, 1), dt.date(2020, 1, 1), RecordKind.ADULT),
        (set(), dt.date(2002, 1, 2), dt.date(2020, 1, 1), RecordKind.CHILD_WITHOUT_CASE),
        (set(), dt.date(2002, 1, 1), dt.date(2020, 1, 1), RecordKind.ADULT),
        (set(), None, dt.date(2020, 1, 1), RecordKind.CHILD_WITHOUT_CASE),
    ],
)
def test_the_kind_of_record(
    kinds: set[str], dob: dt.date | None, last: dt.date | None, expected: RecordKind
) -> None:
    assert (
        kind_of_record(Facts.of(date_of_birth=dob, status_kinds=kinds, last_activity=last))
        == expected
    )


@given(dob=dates, years=st.integers(min_value=0, max_value=120))
def test_the_anniversary_is_the_age_reached(dob: dt.date, years: int) -> None:
    day = anniversary(dob, years)
    assert age_on(dob, day) == years
    assert age_on(dob, day - dt.timedelta(days=1)) == years - 1 or years == 0


@given(dob=dates, on=dates)
def test_a_looked_after_record_is_due_only_after_the_75th_anniversary(
    dob: dt.date, on: dt.date
) -> None:
    facts = Facts.of(date_of_birth=dob, status_kinds={"looked_after"})
    assert is_due(LOOKED_AFTER, facts, on) == (age_on(dob, on) >= 75 and on > anniversary(dob, 75))


@given(dob=dates, last=dates, later=dates)
def test_more_activity_never_brings_the_date_forward(
    dob: dt.date, last: dt.date, later: dt.date
) -> None:
    later = max(last, later)
    for rule in (CASE, CHILD, ADULT):
        before = due_on(rule, Facts.of(date_of_birth=dob, last_activity=last))
        after = due_on(rule, Facts.of(date_of_birth=dob, last_activity=later))
        assert before is not None
        assert after is not None
        assert after >= before


@given(dob=dates, last=st.one_of(st.none(), dates), on=dates)
def test_a_record_is_never_due_before_its_rule_period_ends(
    dob: dt.date, last: dt.date | None, on: dt.date
) -> None:
    facts = Facts.of(date_of_birth=dob, last_activity=last)
    for rule in (CASE, CHILD, ADULT):
        due = due_on(rule, facts)
        if due is None:
            continue
        anchor = dob if rule.anchor is Anchor.DATE_OF_BIRTH else last
        assert anchor is not None
        assert due > anniversary(anchor, rule.years)
        if rule.years_after_last_activity is not None:
            assert last is not None
            assert due > anniversary(last, rule.years_after_last_activity)
