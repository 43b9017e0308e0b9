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
