import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sightline import calendars
from sightline.sharing import flagging
from sightline.sharing.flagging import Plan, PlanKind

D = dt.date
START = D(2024, 1, 10)


def plan(kind=PlanKind.CHILD_PROTECTION, start=START, end=None, authority=1):
    return Plan(kind, start, end, authority)


def test_it_flags_an_open_plan_from_its_first_day():
    assert flagging.flag_on([plan()], D(2024, 1, 9)) is None
    flag = flagging.flag_on([plan()], D(2024, 1, 10))
    assert flag is not None
    assert flag.kind == PlanKind.CHILD_PROTECTION
    assert flag.shown_until is None
    assert flag.is_current_plan


def test_it_keeps_the_flag_twelve_months_after_the_plan_ends_and_not_a_day_more():
    ended = plan(end=D(2024, 3, 31))
    assert flagging.flag_on([ended], D(2025, 3, 31)) is not None
    assert flagging.flag_on([ended], D(2025, 4, 1)) is None
    flag = flagging.flag_on([ended], D(2025, 3, 31))
    assert flag is not None
    assert flag.shown_until == D(2025, 3, 31)


def test_it_clamps_a_leap_day_end_to_the_end_of_february():
    ended = plan(end=D(2024, 2, 29))
    assert flagging.shown_until(ended) == D(2025, 2, 28)
    assert flagging.flag_on([ended], D(2025, 3, 1)) is None


def test_it_prefers_an_open_plan_to_one_that_ended():
    ended = plan(PlanKind.LOOKED_AFTER, D(2020, 1, 1), D(2024, 1, 1), authority=2)
    current = plan(PlanKind.CHILD_PROTECTION, D(2024, 6, 1), None, authority=3)
    flag = flagging.flag_on([ended, current], D(2024, 7, 1))
    assert flag is not None
    assert flag.kind == PlanKind.CHILD_PROTECTION
    assert flag.authority == 3


def test_it_shows_the_most_recently_ended_plan_when_none_is_open():
    older = plan(PlanKind.LOOKED_AFTER, D(2023, 1, 1), D(2023, 6, 1), authority=2)
    newer = plan(PlanKind.CHILD_PROTECTION, D(2023, 7, 1), D(2024, 2, 1), authority=3)
    flag = flagging.flag_on([older, newer], D(2024, 3, 1))
    assert flag is not None
    assert flag.authority == 3


@pytest.mark.parametrize(
    ("status", "born", "start", "expected"),
    [
        ("child_protection", D(2015, 1, 1), D(2024, 1, 1), PlanKind.CHILD_PROTECTION),
        ("looked_after", D(2015, 1, 1), D(2024, 1, 1), PlanKind.LOOKED_AFTER),
        ("child_in_need", D(2015, 1, 1), D(2024, 1, 1), None),
        # Held against an adult's own record: the mother, for her unborn child.
        ("child_protection", D(1995, 1, 1), D(2024, 1, 1), PlanKind.PRE_BIRTH),
        ("child_protection", D(2006, 1, 2), D(2024, 1, 1), PlanKind.CHILD_PROTECTION),
        ("child_protection", None, D(2024, 1, 1), PlanKind.CHILD_PROTECTION),
    ],
)
def test_it_tells_which_plans_flag(status, born, start, expected):
    assert flagging.plan_kind(status, born_on=born, started_on=start) == expected


def test_it_knows_a_plan_that_started_before_birth():
    assert flagging.started_before_birth(born_on=D(2024, 5, 1), started_on=D(2024, 3, 1))
    assert not flagging.started_before_birth(born_on=D(2024, 5, 1), started_on=D(2024, 5, 1))
    assert not flagging.started_before_birth(born_on=None, started_on=D(2024, 5, 1))


days = st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 1, 1))


@settings(deadline=None)  # the first look-up of a year builds its holidays
@given(start=days, length=st.integers(0, 4000), offset=st.integers(-400, 1200))
def test_a_flag_shows_exactly_from_the_start_to_twelve_months_after_the_end(start, length, offset):
    end = start + dt.timedelta(days=length)
    day = end + dt.timedelta(days=offset)
    shown = flagging.flag_on([plan(start=start, end=end)], day) is not None
    twelve_months_later = calendars.add_months(end, 12)
    assert shown == (start <= day <= twelve_months_later)
