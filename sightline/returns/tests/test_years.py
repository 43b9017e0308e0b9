import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sightline.returns.years import CollectionYear


def test_it_runs_from_april_to_march_named_by_its_end_year():
    year = CollectionYear(2026)
    assert (year.start, year.end, year.label) == (
        dt.date(2025, 4, 1),
        dt.date(2026, 3, 31),
        "2025/26",
    )


def test_the_boundaries():
    assert CollectionYear.containing(dt.date(2025, 3, 31)) == CollectionYear(2025)
    assert CollectionYear.containing(dt.date(2025, 4, 1)) == CollectionYear(2026)
    assert CollectionYear.containing(dt.date(2026, 3, 31)) == CollectionYear(2026)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_every_day_is_in_the_year_containing_it(day):
    year = CollectionYear.containing(day)
    assert day in year
    assert day not in CollectionYear(year.end_year + 1)


def test_overlaps():
    year = CollectionYear(2026)
    assert year.overlaps(dt.date(2020, 1, 1), None)
    assert year.overlaps(dt.date(2026, 3, 31), None)
    assert not year.overlaps(dt.date(2026, 4, 1), None)
    assert not year.overlaps(dt.date(2020, 1, 1), dt.date(2025, 3, 31))
    assert year.overlaps(dt.date(2020, 1, 1), dt.date(2025, 4, 1))
