import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline import indicators as ind
from sightline.indicators import Event, History

D = dt.date
ON = D(2025, 3, 31)


def ev(day, category, agency="HEALTH", *, about=True, ref=None):
    return Event(ref or f"{agency}:{category}:{day}", day, agency, category, about)


def days_before(n):
    return ON - dt.timedelta(days=n)


def test_it_counts_concerns_in_the_window_the_one_before_and_the_year():
    history = History(
        D(2015, 1, 1),
        (
            ev(days_before(0), "was_not_brought"),
            ev(days_before(89), "persistent_absence", "EDUCATION"),
            ev(days_before(90), "was_not_brought"),  # first day of the previous window
            ev(days_before(179), "safeguarding_concern", "EDUCATION"),
            ev(days_before(180), "was_not_brought"),  # older than both windows
            ev(days_before(364), "disclosure", "EDUCATION"),
            ev(days_before(365), "disclosure", "EDUCATION"),  # older than the year
            ev(days_before(10), "health_visitor_contact"),  # routine: not a concern
            ev(days_before(5), "injury"),  # a 10-year-old's injury: not a concern
        ),
    )
    profile = ind.profile(history, on=ON)
    concerns = profile.get(ind.CONCERNS)
    assert (concerns.recent, concerns.previous, concerns.year) == (2, 2, 6)
    assert [e.category for e in concerns.recent_evidence] == [
        "persistent_absence",
        "was_not_brought",
    ]
    assert concerns.trend == "steady"
    agencies = profile.get(ind.AGENCIES)
    assert (agencies.recent, agencies.previous, agencies.year) == (2, 2, 2)


def test_events_after_the_decision_day_are_ignored():
    later = ev(ON + dt.timedelta(days=1), "missing_episode", "POLICE")
    profile = ind.profile(History(D(2010, 1, 1), (later,)), on=ON)
    assert profile.get(ind.MISSING).year == 0


def test_household_domestic_abuse_counts_incidents_that_only_mention_the_child():
    history = History(
        D(2018, 1, 1),
        (
            ev(days_before(3), "domestic_abuse_incident", "POLICE", about=False),
            ev(days_before(200), "domestic_abuse_incident", "POLICE"),
        ),
    )
    profile = ind.profile(history, on=ON)
    da = profile.get(ind.DOMESTIC_ABUSE)
    assert (da.recent, da.year) == (1, 2)
    # The child's own concerns are only those about them.
    assert profile.get(ind.CONCERNS).year == 1


def test_repeat_referrals_within_twelve_months():
    history = History(
        D(2018, 1, 1),
        (
            ev(days_before(0), "referral", "CSC"),
            ev(days_before(300), "referral", "CSC"),
            ev(days_before(400), "referral", "CSC"),
        ),
    )
    assert ind.profile(history, on=ON).get(ind.REFERRALS).year == 2


@pytest.mark.parametrize(
    ("dob", "category", "counted"),
    [
        (D(2025, 1, 1), "injury", True),  # 12 weeks old
        (D(2024, 9, 30), "injury", True),  # the day before 6 months
        (D(2024, 9, 29), "injury", False),  # 6 months old: treated as mobile
        (D(2024, 1, 1), "injury_non_mobile_infant", True),  # recorded as non-mobile
        (D(2025, 1, 1), "emergency_attendance", False),
        (None, "injury", False),  # no date of birth, no age to go on
    ],
)
def test_infant_injuries(dob, category, counted):
    event = ev(D(2025, 3, 29), category)
    history = History(dob, (event,))
    assert ind.is_infant_injury(event, dob) is counted
    profile = ind.profile(history, on=ON)
    assert profile.get(ind.INFANT_INJURIES).year == int(counted)
    # An injury to a non-mobile infant is a concern whatever its category.
    assert profile.get(ind.CONCERNS).year == int(counted)


def test_days_since_seen_alone_links_the_visit():
    seen = ev(days_before(12), "child_seen_alone", "CSC", ref="CSC:1")
    history = History(D(2015, 1, 1), (ev(days_before(40), "child_seen_alone", "CSC"), seen))
    alone = ind.profile(history, on=ON).seen_alone
    assert (alone.last, alone.days) == (seen, 12)
    assert ind.profile(History(None, ()), on=ON).seen_alone == ind.SeenAlone(None, None)


def test_trend_rows_by_agency_and_category_link_their_events():
    history = History(
        D(2015, 1, 1),
        (
            ev(days_before(1), "was_not_brought"),
            ev(days_before(2), "was_not_brought"),
            ev(days_before(100), "was_not_brought"),
            ev(days_before(50), "suspension", "EDUCATION"),
        ),
    )
    rows = ind.profile(history, on=ON).rows
    assert [(r.agency, r.category, r.recent, r.previous, r.year) for r in rows] == [
        ("HEALTH", "was_not_brought", 2, 1, 3),
        ("EDUCATION", "suspension", 1, 0, 1),
    ]
    assert len(rows[0].events) == 3


def test_a_long_window_keeps_previous_window_events_older_than_a_year():
    history = History(D(2015, 1, 1), (ev(days_before(300), "suspension", "EDUCATION"),))
    rows = ind.profile(history, on=ON, window_days=200).rows
    assert [(r.recent, r.previous, r.year) for r in rows] == [(0, 1, 1)]


@pytest.mark.parametrize("window", [0, -5, 366, True, 1.5])
def test_it_refuses_a_bad_window(window):
    with pytest.raises(ValueError, match="window_days"):
        ind.profile(History(None, ()), on=ON, window_days=window)


def test_an_unknown_indicator_is_named():
    with pytest.raises(KeyError, match="known: concern_events"):
        ind.profile(History(None, ()), on=ON).get("risk_score")


_categories = st.sampled_from(
    [*sorted(ind.CONCERN_CATEGORIES), "health_visitor_contact", "referral", "home_visit"]
)
_events = st.lists(
    st.builds(
        Event,
        ref=st.uuids().map(str),
        day=st.dates(D(2023, 1, 1), D(2025, 12, 31)),
        agency=st.sampled_from(["HEALTH", "POLICE", "EDUCATION", "CSC"]),
        category=_categories,
        about_child=st.booleans(),
    ),
    max_size=40,
)


@given(_events, st.integers(1, 365))
def test_property_counts_are_consistent(events, window):
    profile = ind.profile(History(D(2020, 1, 1), tuple(events)), on=ON, window_days=window)
    for indicator in profile.indicators:
        assert all(e.day <= ON for e in indicator.evidence)
        assert set(indicator.recent_evidence) <= set(indicator.evidence)
        assert indicator.recent <= indicator.year
        if indicator.code != ind.AGENCIES:
            assert indicator.recent == len(indicator.recent_evidence)
            assert indicator.year == len(indicator.evidence)
    concerns = profile.get(ind.CONCERNS)
    assert sum(r.recent for r in profile.rows) == concerns.recent
    assert sum(r.previous for r in profile.rows) == concerns.previous


@given(_events, _events)
def test_property_later_events_change_nothing(events, later):
    shifted = [
        Event(f"later{i}", ON + dt.timedelta(days=1 + i), e.agency, e.category, e.about_child)
        for i, e in enumerate(later)
    ]
    before = [e for e in events if e.day <= ON]
    a = ind.profile(History(D(2020, 1, 1), tuple(before)), on=ON)
    b = ind.profile(History(D(2020, 1, 1), tuple(before + shifted)), on=ON)
    assert a == b
