import datetime as dt

import pytest
from django.template import Context, Template

from sightline.core import dates

LONDON_SUMMER = dt.datetime(2026, 7, 4, 14, 5, tzinfo=dt.UTC)  # 3:05pm in London (BST)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2026, 12, 4), "4 December 2026"),
        (dt.date(2018, 7, 1), "1 July 2018"),
        (dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), "31 December 2026"),
        # Just after midnight in London on 1 July is still 30 June in UTC.
        (dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC), "1 July 2026"),
    ],
)
def test_a_date_reads_as_people_write_it(value, expected):
    assert dates.long_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.time(0, 0), "midnight"),
        (dt.time(12, 0), "midday"),
        (dt.time(9, 0), "9am"),
        (dt.time(9, 30), "9:30am"),
        (dt.time(12, 5), "12:05pm"),
        (dt.time(17, 0), "5pm"),
        (dt.time(0, 15), "12:15am"),
    ],
)
def test_a_time_reads_as_people_say_it(value, expected):
    assert dates.time_of_day(value) == expected


def test_a_moment_is_the_day_at_the_time_in_london():
    assert dates.long_datetime(LONDON_SUMMER) == "4 July 2026 at 3:05pm"


def test_every_template_has_the_filters_without_loading_them():
    rendered = Template(
        "{{ d|day }}|{{ t|day_and_time }}|{{ t|time_of_day }}|{{ none|day|default:'Not known' }}"
    ).render(Context({"d": dt.date(2026, 12, 4), "t": LONDON_SUMMER, "none": None}))
    assert rendered == "4 December 2026|4 July 2026 at 3:05pm|3:05pm|Not known"


def test_a_deadline_names_the_day_of_the_week():
    assert dates.weekday_and_date(dt.date(2026, 12, 7)) == "Monday 7 December 2026"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("09:00-17:00", "9am to 5pm"),
        ("08:30-18:00", "8:30am to 6pm"),
        ("00:00-12:00", "midnight to midday"),
        ("nine to five", "nine to five"),
    ],
)
def test_working_hours_are_said_as_people_say_them(text, spoken):
    assert dates.spoken_hours(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("mon-fri", "Monday to Friday"),
        ("mon,tue,sat", "Monday, Tuesday and Saturday"),
        ("sat-sun,wed", "Saturday to Sunday and Wednesday"),
        ("weekdays", "weekdays"),
    ],
)
def test_working_days_are_said_as_people_say_them(text, spoken):
    assert dates.spoken_days(text) == spoken
