"""The working-day convention, on the cases that go wrong: weekends, Christmas and New
Year substitute days, one-off bank holidays, awareness on a non-working day, closures."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sightline import calendars
from sightline.calendars import (
    CalendarError,
    add_months,
    add_working_days,
    is_working_day,
    subtract_working_days,
    working_days_between,
)

D = dt.date


@pytest.mark.parametrize(
    ("start", "n", "expected", "why"),
    [
        (D(2024, 5, 3), 5, D(2024, 5, 13), "the domain file's example: Mon 6 May bank holiday"),
        (D(2024, 5, 6), 5, D(2024, 5, 13), "aware on the bank holiday itself: Tue is day 1"),
        (D(2024, 5, 4), 5, D(2024, 5, 13), "aware on Saturday before a bank holiday Monday"),
        (D(2024, 3, 6), 5, D(2024, 3, 13), "plain week, Wednesday to Wednesday"),
        (D(2024, 3, 8), 1, D(2024, 3, 11), "Friday + 1 is Monday"),
        (D(2024, 3, 9), 1, D(2024, 3, 11), "Saturday: Monday is day 1"),
        (D(2024, 3, 10), 1, D(2024, 3, 11), "Sunday: Monday is day 1"),
        # Christmas 2020: Boxing Day on Saturday, substitute Monday 28 December.
        (D(2020, 12, 24), 5, D(2021, 1, 5), "25, 28 Dec and 1 Jan 2021 skipped"),
        # Christmas 2021: both days at the weekend, substitutes 27 and 28 December;
        # New Year's Day 2022 on Saturday, substitute Monday 3 January.
        (D(2021, 12, 23), 5, D(2022, 1, 4), "27, 28 Dec and 3 Jan skipped"),
        (D(2021, 12, 24), 5, D(2022, 1, 5), "Christmas Eve 2021"),
        (D(2021, 12, 25), 5, D(2022, 1, 5), "aware on Christmas Day (Saturday)"),
        (D(2021, 12, 27), 1, D(2021, 12, 29), "aware on a substitute day"),
        # Christmas 2022: Christmas Day on Sunday, substitute Tuesday 27 December;
        # New Year's Day 2023 on Sunday, substitute Monday 2 January.
        (D(2022, 12, 23), 5, D(2023, 1, 4), "26, 27 Dec 2022 and 2 Jan 2023 skipped"),
        (D(2022, 12, 30), 1, D(2023, 1, 3), "New Year substitute Monday"),
        # One-off bank holidays.
        (D(2022, 6, 1), 5, D(2022, 6, 10), "spring bank holiday moved to 2 June + jubilee 3 June"),
        (D(2022, 5, 27), 5, D(2022, 6, 7), "30 May 2022 was NOT a bank holiday that year"),
        (D(2022, 9, 16), 5, D(2022, 9, 26), "state funeral Monday 19 September 2022"),
        (D(2023, 5, 5), 5, D(2023, 5, 15), "coronation Monday 8 May 2023"),
        (D(2023, 4, 28), 5, D(2023, 5, 9), "early May and coronation bank holidays, both Mondays"),
        # Easter.
        (D(2023, 4, 6), 5, D(2023, 4, 17), "Good Friday and Easter Monday"),
        (D(2023, 4, 7), 1, D(2023, 4, 11), "aware on Good Friday"),
        # Longer steps.
        (D(2021, 12, 10), 15, D(2022, 1, 5), "rapid review over Christmas 2021"),
        (D(2024, 5, 3), 15, D(2024, 5, 28), "rapid review over two May bank holidays"),
        (D(2024, 1, 2), 45, D(2024, 3, 5), "assessment, 45 working days, leap February"),
        (D(2024, 3, 27), 45, D(2024, 6, 4), "assessment over Easter and two May holidays"),
    ],
)
def test_it_adds_working_days(start, n, expected, why):
    assert add_working_days(start, n) == expected, why


def test_it_skips_local_closures():
    closures = frozenset({D(2022, 12, 28), D(2022, 12, 29), D(2022, 12, 30)})
    assert add_working_days(D(2022, 12, 23), 5) == D(2023, 1, 4)
    assert add_working_days(D(2022, 12, 23), 5, closures) == D(2023, 1, 9)
    assert not is_working_day(D(2022, 12, 29), closures)
    assert is_working_day(D(2022, 12, 29))


def test_it_counts_from_the_next_working_day_when_aware_on_a_closure_day():
    closures = frozenset({D(2024, 3, 6)})
    # Aware on the closure Wednesday: Thursday is day 1.
    assert add_working_days(D(2024, 3, 6), 1, closures) == D(2024, 3, 7)
    assert add_working_days(D(2024, 3, 5), 1, closures) == D(2024, 3, 7)


def test_a_weekend_closure_changes_nothing():
    closures = frozenset({D(2024, 3, 9)})
    assert add_working_days(D(2024, 3, 8), 5, closures) == add_working_days(D(2024, 3, 8), 5)


@pytest.mark.parametrize(
    ("end", "n", "expected"),
    [
        (D(2024, 5, 13), 7, D(2024, 5, 1)),  # over the early May bank holiday
        (D(2023, 1, 4), 7, D(2022, 12, 21)),  # over 2 Jan, 27 and 26 Dec
        (D(2024, 3, 11), 1, D(2024, 3, 8)),  # Monday back to Friday
        (D(2024, 3, 10), 1, D(2024, 3, 8)),  # from a Sunday
        (D(2022, 6, 6), 2, D(2022, 5, 31)),  # back over jubilee days
    ],
)
def test_it_subtracts_working_days(end, n, expected):
    assert subtract_working_days(end, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2023, 11, 30), 3, D(2024, 2, 29)),  # clamped, leap year
        (D(2022, 11, 30), 3, D(2023, 2, 28)),  # clamped, common year
        (D(2023, 8, 31), 6, D(2024, 2, 29)),
        (D(2023, 8, 31), 3, D(2023, 11, 30)),
        (D(2024, 2, 29), 6, D(2024, 8, 29)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2023, 12, 31), 6, D(2024, 6, 30)),
        (D(2024, 10, 15), 3, D(2025, 1, 15)),  # across the year end
        (D(2024, 7, 6), 6, D(2025, 1, 6)),
        (D(2024, 6, 1), 6, D(2024, 12, 1)),  # a Sunday: month deadlines are not moved
    ],
)
def test_it_adds_calendar_months_clamped_to_the_month_end(start, n, expected):
    assert add_months(start, n) == expected


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "5"])
def test_it_refuses_counts_that_are_not_positive_whole_numbers(n):
    with pytest.raises(CalendarError):
        add_working_days(D(2024, 1, 1), n)
    with pytest.raises(CalendarError):
        subtract_working_days(D(2024, 1, 1), n)
    with pytest.raises(CalendarError):
        add_months(D(2024, 1, 1), n)


def test_it_refuses_absurd_years():
    with pytest.raises(CalendarError, match="outside"):
        add_working_days(D(1066, 10, 14), 5)


def test_it_names_bank_holidays():
    assert calendars.bank_holiday_name(D(2023, 5, 8)) == "Coronation of Charles III"
    assert calendars.bank_holiday_name(D(2023, 5, 9)) is None


def test_working_days_between_counts_days_remaining_and_overdue():
    assert working_days_between(D(2024, 5, 3), D(2024, 5, 13)) == 5
    assert working_days_between(D(2024, 5, 13), D(2024, 5, 3)) == -5
    assert working_days_between(D(2024, 5, 13), D(2024, 5, 13)) == 0
    assert working_days_between(D(2024, 5, 4), D(2024, 5, 6)) == 0


days = st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31))
counts = st.integers(min_value=1, max_value=80)
closure_sets = st.frozensets(days, max_size=20)


@settings(deadline=None)  # the first look-up of a year builds its holidays
@given(start=days, n=counts, closures=closure_sets)
def test_property_the_deadline_is_a_working_day_after_the_start(start, n, closures):
    due = add_working_days(start, n, closures)
    assert due > start
    assert is_working_day(due, closures)
    assert working_days_between(start, due, closures) == n


@settings(deadline=None)  # the first look-up of a year builds its holidays
@given(start=days, later=st.integers(min_value=0, max_value=40), n=counts)
def test_property_monotonic_in_the_start_date(start, later, n):
    assert add_working_days(start, n) <= add_working_days(start + dt.timedelta(later), n)


@settings(deadline=None)  # the first look-up of a year builds its holidays
@given(start=days, n=counts, closures=closure_sets)
def test_property_one_more_day_is_later(start, n, closures):
    assert add_working_days(start, n + 1, closures) > add_working_days(start, n, closures)


@settings(deadline=None)  # the first look-up of a year builds its holidays
@given(start=days, n=counts)
def test_property_closures_never_bring_a_deadline_forward(start, n):
    closures = frozenset(start + dt.timedelta(days=k) for k in range(0, 30, 3))
    assert add_working_days(start, n, closures) >= add_working_days(start, n)


@settings(deadline=None)  # the first look-up of a year builds its holidays
@given(start=days, n=counts)
def test_property_subtracting_undoes_adding_from_a_working_day(start, n):
    due = add_working_days(start, n)
    back = subtract_working_days(due, n)
    assert is_working_day(back)
    # From a working day we come back to it; from a non-working day, to the last
    # working day before it (which counts the same to the deadline).
    assert back <= start
    assert add_working_days(back, n) == due


@settings(deadline=None)  # the first look-up of a year builds its holidays
@given(start=days, n=st.integers(min_value=1, max_value=24))
def test_property_months_land_on_the_same_day_or_the_month_end(start, n):
    due = add_months(start, n)
    assert (due.year * 12 + due.month) - (start.year * 12 + start.month) == n
    next_day = due + dt.timedelta(days=1)
    assert due.day == start.day or (due.day < start.day and next_day.day == 1)
