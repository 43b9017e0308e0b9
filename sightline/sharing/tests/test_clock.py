import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sightline import calendars
from sightline.sharing import clock
from sightline.sharing.clock import ENGLAND, Limit, WorkingDay

DAY = WorkingDay(dt.time(9), dt.time(17))


def at(year, month, day, hour, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=ENGLAND)


def test_it_counts_working_hours_across_days():
    # Monday 10:00 + 24 working hours of an 8-hour day is Thursday 10:00.
    assert clock.add_working_hours(at(2024, 3, 4, 10), 24, day=DAY) == at(2024, 3, 7, 10)


def test_it_starts_counting_when_the_next_working_day_opens():
    # Friday 20:00: Saturday and Sunday do not count; Monday 09:00 + 8 h is Monday 17:00.
    assert clock.add_working_hours(at(2024, 3, 8, 20), 8, day=DAY) == at(2024, 3, 11, 17)
    # Before opening, the day counts from 09:00.
    assert clock.add_working_hours(at(2024, 3, 11, 7, 30), 1, day=DAY) == at(2024, 3, 11, 10)


def test_a_deadline_on_the_close_of_a_day_stays_there():
    assert clock.add_working_hours(at(2024, 3, 4, 9), 8, day=DAY) == at(2024, 3, 4, 17)


def test_it_skips_bank_holidays_and_local_closures():
    # Friday 3 May 2024 16:00 + 2 h: Monday 6 May is a bank holiday; Tuesday 7 May closed.
    closures = frozenset({dt.date(2024, 5, 7)})
    result = clock.add_working_hours(at(2024, 5, 3, 16), 2, day=DAY, closures=closures)
    assert result == at(2024, 5, 8, 10)


def test_it_keeps_office_hours_across_the_clocks_changing():
    # Clocks go forward on Sunday 31 March 2024, inside the Easter weekend.
    result = clock.add_working_hours(at(2024, 3, 28, 16), 2, day=DAY)
    assert result == at(2024, 4, 2, 10)  # Good Friday 29 March, Easter Monday 1 April


def test_red_is_clock_hours_through_the_night():
    start = at(2024, 3, 8, 22)
    assert clock.deadline(start, Limit(4, working=False), day=DAY) == start + dt.timedelta(hours=4)


def test_it_parses_limits_and_the_working_day():
    limits = clock.parse_limits("red=4h, amber=24wh,green=72wh")
    assert limits == {
        "red": Limit(4, False),
        "amber": Limit(24, True),
        "green": Limit(72, True),
    }
    assert str(WorkingDay.parse("08:30-16:30")) == "08:30-16:30"


@pytest.mark.parametrize("bad", ["red=4", "red=0h", "amber=24 days", "=4h"])
def test_it_refuses_limits_it_cannot_read(bad):
    with pytest.raises(clock.ClockError):
        clock.parse_limits(bad)


@pytest.mark.parametrize("bad", ["9-5", "17:00-09:00", "25:00-26:00"])
def test_it_refuses_a_working_day_it_cannot_read(bad):
    with pytest.raises(clock.ClockError):
        WorkingDay.parse(bad)


def test_it_refuses_a_naive_start():
    with pytest.raises(clock.ClockError):
        clock.add_working_hours(dt.datetime(2024, 3, 4, 10), 1, day=DAY)  # noqa: DTZ001


@settings(deadline=None)  # the first look-up of a year builds its holidays
@given(
    start=st.datetimes(
        min_value=dt.datetime(2023, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=dt.datetime(2026, 12, 31),  # noqa: DTZ001
    ),
    hours=st.integers(1, 80),
)
def test_a_working_hours_deadline_is_in_office_hours_on_a_working_day(start, hours):
    aware = start.replace(tzinfo=ENGLAND)
    due = clock.add_working_hours(aware, hours, day=DAY)
    assert due > aware
    assert calendars.is_working_day(due.date())
    assert dt.time(9) < due.time() <= dt.time(17)
    # The whole amount and no more: one hour fewer ends earlier.
    if hours > 1:
        assert clock.add_working_hours(aware, hours - 1, day=DAY) < due


def test_a_limit_is_said_as_people_say_it():
    day = clock.WorkingDay.parse("09:00-17:30")
    assert clock.Limit(hours=24, working=True).describe(day) == (
        "24 working hours (9am to 5:30pm, Monday to Friday, except bank holidays and closure days)"
    )
    assert clock.Limit(hours=1, working=True).describe(day).startswith("1 working hour (")
    assert clock.Limit(hours=4, working=False).describe(day) == "4 hours, day or night"
