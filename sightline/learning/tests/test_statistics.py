"""The statistics module against values worked by hand (the working is in the comments)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline.learning import statistics as s

# --- kappa and percent agreement -----------------------------------------------------


def test_it_computes_the_classic_two_by_two_kappa():
    # 50 items: both yes 20, first yes/second no 5, first no/second yes 10, both no 15.
    # p_o = 35/50 = 0.7; first says yes 25/50, second 30/50;
    # p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    result = s.cohen_kappa(first, second)
    assert result.n == 50
    assert result.observed == pytest.approx(0.7)
    assert result.expected == pytest.approx(0.5)
    assert result.kappa == pytest.approx(0.4)
    assert result.band == "fair"


def test_it_gives_the_same_kappa_from_the_four_cells():
    result = s.binary_kappa(both=20, first_only=5, second_only=10, neither=15)
    assert result.kappa == pytest.approx(0.4)


def test_it_computes_kappa_for_three_categories():
    # Agree on items 1, 2, 4, 5, 7, 8, 9: p_o = 7/10. Margins are a3 b3 c4 for both,
    # so p_e = (3*3 + 3*3 + 4*4) / 100 = 0.34; kappa = 0.36 / 0.66 = 6/11.
    first = list("aaabbbcccc")
    second = list("aabbbcccca")
    assert s.percent_agreement(first, second) == pytest.approx(0.7)
    result = s.cohen_kappa(first, second)
    assert result.expected == pytest.approx(0.34)
    assert result.kappa == pytest.approx(6 / 11)
    assert result.band == "moderate"


def test_it_gives_minus_one_for_complete_disagreement_on_balanced_margins():
    # p_o = 0, p_e = 0.5*0.5 + 0.5*0.5 = 0.5: kappa = -0.5 / 0.5 = -1.
    result = s.cohen_kappa([True, False], [False, True])
    assert result.kappa == pytest.approx(-1.0)
    assert result.band == "poor"


def test_it_calls_kappa_undefined_when_everyone_coded_one_category():
    # p_o = p_e = 1: kappa would be 0/0.
    result = s.cohen_kappa(["absent"] * 6, ["absent"] * 6)
    assert result.kappa is None
    assert result.observed == 1.0
    assert result.band == "undefined"


def test_it_refuses_lists_of_different_lengths_naming_the_argument():
    with pytest.raises(ValueError, match="second: 2 codes for 3 items"):
        s.cohen_kappa([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="first: no items"):
        s.percent_agreement([], [])


def test_it_refuses_negative_or_fractional_cells():
    with pytest.raises(ValueError, match="first_only: a count cannot be negative"):
        s.binary_kappa(both=1, first_only=-1, second_only=0, neither=3)
    with pytest.raises(ValueError, match="both: a count must be a whole number"):
        s.binary_kappa(both=1.5, first_only=0, second_only=0, neither=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="table: no items"):
        s.binary_kappa(both=0, first_only=0, second_only=0, neither=0)


@pytest.mark.parametrize(
    ("kappa", "band"),
    [
        (-0.01, "poor"),
        (0.0, "slight"),
        (0.2, "slight"),
        (0.21, "fair"),
        (0.41, "moderate"),
        (0.61, "substantial"),
        (0.8, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
    ],
)
def test_it_names_landis_and_koch_bands_at_their_edges(kappa, band):
    assert s.landis_koch_band(kappa) == band


codes = st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc")), min_size=1)


@given(codes)
def test_kappa_is_at_most_one_and_symmetric(pairs):
    first = [a for a, _ in pairs]
    second = [b for _, b in pairs]
    forward = s.cohen_kappa(first, second)
    backward = s.cohen_kappa(second, first)
    assert forward.kappa == backward.kappa or (
        forward.kappa is not None
        and backward.kappa is not None
        and forward.kappa == pytest.approx(backward.kappa)
    )
    if forward.kappa is not None:
        assert forward.kappa <= 1 + 1e-12
    assert 0 <= forward.observed <= 1
    assert forward.observed == pytest.approx(s.percent_agreement(first, second))


@given(st.lists(st.sampled_from("abc"), min_size=1))
def test_identical_coding_has_kappa_one_unless_undefined(labels):
    result = s.cohen_kappa(labels, labels)
    if len(set(labels)) == 1:
        assert result.kappa is None
    else:
        assert result.kappa == pytest.approx(1.0)


# --- Wilson interval -----------------------------------------------------------------


def test_it_computes_the_wilson_interval_for_41_of_100():
    # p = 0.41, z^2 = 3.8416, denominator = 1 + 3.8416/100 = 1.038416;
    # centre = (0.41 + 3.8416/200) / 1.038416 = 0.429208 / 1.038416 = 0.413333;
    # margin = 1.96 * sqrt(0.41*0.59/100 + 3.8416/40000) / 1.038416
    #        = 1.96 * sqrt(0.0025150) / 1.038416 = 0.094658.
    low, high = s.wilson_interval(41, 100, z=1.96)
    assert low == pytest.approx(0.3187, abs=5e-5)
    assert high == pytest.approx(0.5080, abs=5e-5)


def test_it_keeps_the_interval_open_at_zero_and_at_all():
    # 0 of 10: upper = z^2 / (n + z^2) = 3.8416 / 13.8416 = 0.27754.
    low, high = s.wilson_interval(0, 10, z=1.96)
    assert low == 0.0
    assert high == pytest.approx(0.27754, abs=5e-6)
    low, high = s.wilson_interval(10, 10, z=1.96)
    assert low == pytest.approx(0.72246, abs=5e-6)
    assert high == 1.0


def test_its_default_is_the_exact_95_percent_quantile():
    assert pytest.approx(1.959964, abs=1e-6) == s.Z_95
    assert s.wilson_interval(41, 100) == pytest.approx(s.wilson_interval(41, 100, z=s.Z_95))


def test_it_refuses_impossible_proportions():
    with pytest.raises(ValueError, match="n: no items"):
        s.wilson_interval(0, 0)
    with pytest.raises(ValueError, match="successes: 11 is more than n"):
        s.wilson_interval(11, 10)
    with pytest.raises(ValueError, match="successes: a count cannot be negative"):
        s.wilson_interval(-1, 10)
    with pytest.raises(ValueError, match="z: must be positive"):
        s.wilson_interval(1, 10, z=0)


@given(
    st.integers(min_value=1, max_value=5000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_wilson_interval_holds_the_proportion_inside_zero_and_one(case):
    successes, n = case
    low, high = s.wilson_interval(successes, n)
    assert 0 <= low <= successes / n <= high <= 1
    assert low < high


@given(st.integers(min_value=0, max_value=20), st.integers(min_value=20, max_value=200))
def test_wilson_interval_narrows_with_more_of_the_same(successes, n):
    low, high = s.wilson_interval(successes, n)
    low4, high4 = s.wilson_interval(successes * 4, n * 4)
    assert high4 - low4 < high - low


# --- suppression and rounding --------------------------------------------------------


def test_it_suppresses_small_counts_but_shows_zero():
    assert [s.suppress(v, below=5) for v in (0, 1, 4, 5, 12)] == [0, "c", "c", 5, 12]


def test_it_rounds_halves_up_unlike_python():
    assert round(25, -1) == 20  # the trap
    assert [s.round_to(v) for v in (0, 4, 5, 14, 15, 25, 95, 1234)] == [
        0,
        0,
        10,
        10,
        20,
        30,
        100,
        1230,
    ]
    assert s.round_to(7, base=5) == 5
    assert s.round_to(8, base=5) == 10
    assert s.round_to(7, base=1) == 7


def test_it_refuses_a_nonsense_threshold_or_base():
    with pytest.raises(ValueError, match="below: the suppression threshold"):
        s.suppress(3, below=0)
    with pytest.raises(ValueError, match="base: must be a whole number"):
        s.round_to(3, base=0)
    with pytest.raises(ValueError, match=r"rows\[1\]: 1 cells where row 0 has 2"):
        s.suppress_table([[1, 2], [3]], below=5)


def test_it_adds_complementary_suppression_so_no_cell_can_be_worked_back():
    # Primary: only the 3 is small. Row 0 then has one hidden cell: hide its smallest
    # other non-zero cell, the 10. Column 0 has one hidden cell (the 3): hide the 8
    # (non-zero before zero). Column 1 now has one (the 10): hide the 9. Every row and
    # column now has none or at least two hidden cells.
    table = [[3, 10, 12], [8, 9, 20], [0, 0, 7]]
    assert s.suppress_table(table, below=5) == [["c", "c", 12], ["c", "c", 20], [0, 0, 7]]


def test_it_protects_a_single_column_breakdown():
    # By sex: female 2, male 30, unknown 40. Hiding only the 2 lets it be recovered
    # from the total of 72, so the next smallest, 30, is hidden too.
    assert s.suppress_table([[2], [30], [40]], below=5) == [["c"], ["c"], [40]]


def test_it_leaves_a_table_with_nothing_small_alone():
    assert s.suppress_table([[5, 6], [7, 0]], below=5) == [[5, 6], [7, 0]]
    assert s.suppress_table([], below=5) == []


tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda width: st.lists(
        st.lists(st.integers(min_value=0, max_value=30), min_size=width, max_size=width),
        min_size=1,
        max_size=6,
    )
)


@given(tables, st.integers(min_value=1, max_value=10))
def test_suppressed_tables_hide_every_small_cell_and_leave_no_lone_hidden_cell(rows, below):
    result = s.suppress_table(rows, below=below)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if 0 < value < below:
                assert result[i][j] == "c"
            elif result[i][j] != "c":
                assert result[i][j] == value
    for i in range(len(rows)):
        hidden = [j for j in range(len(rows[i])) if result[i][j] == "c"]
        assert len(hidden) != 1 or len(rows[i]) == 1
    for j in range(len(rows[0])):
        hidden = [i for i in range(len(rows)) if result[i][j] == "c"]
        assert len(hidden) != 1 or len(rows) == 1


# --- financial years -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year", "quarter"),
    [
        (dt.date(2024, 3, 31), 2023, 4),
        (dt.date(2024, 4, 1), 2024, 1),
        (dt.date(2024, 6, 30), 2024, 1),
        (dt.date(2024, 7, 1), 2024, 2),
        (dt.date(2024, 12, 31), 2024, 3),
        (dt.date(2025, 1, 1), 2024, 4),
    ],
)
def test_it_places_days_in_financial_years_and_quarters(day, year, quarter):
    assert s.financial_year(day) == year
    assert s.financial_quarter(day) == quarter


def test_it_labels_and_bounds_financial_years():
    assert s.financial_year_label(2023) == "2023-24"
    assert s.financial_year_label(1999) == "1999-00"
    assert s.financial_year_bounds(2020) == (dt.date(2020, 4, 1), dt.date(2021, 3, 31))
    with pytest.raises(ValueError, match="year: 20 is not a plausible"):
        s.financial_year_bounds(20)


# --- theme tables and pooled kappa ----------------------------------------------------


def test_it_builds_a_two_by_two_table_per_theme():
    pairs = [
        (frozenset({"neglect", "optimism_bias"}), frozenset({"neglect"})),
        (frozenset({"neglect"}), frozenset({"neglect", "workload"})),
        (frozenset(), frozenset({"optimism_bias"})),
        (frozenset({"unlisted"}), frozenset()),
    ]
    tables = s.theme_tables(pairs, ["neglect", "optimism_bias", "workload", "supervision"])
    assert tables["neglect"] == s.ThemeTable(both=2, first_only=0, second_only=0, neither=2)
    assert tables["optimism_bias"] == s.ThemeTable(both=0, first_only=1, second_only=1, neither=2)
    assert tables["workload"] == s.ThemeTable(both=0, first_only=0, second_only=1, neither=3)
    assert tables["supervision"] == s.ThemeTable(both=0, first_only=0, second_only=0, neither=4)
    assert "unlisted" not in tables
    # neglect: p_o = 1, p_e = 0.5*0.5 + 0.5*0.5 = 0.5, kappa = 1.
    assert tables["neglect"].kappa.kappa == pytest.approx(1.0)
    # optimism bias: p_o = 2/4, both coders said yes 1/4: p_e = 1/16 + 9/16 = 10/16;
    # kappa = (0.5 - 0.625) / 0.375 = -1/3.
    assert tables["optimism_bias"].kappa.kappa == pytest.approx(-1 / 3)
    assert tables["optimism_bias"].percent_agreement == pytest.approx(0.5)
    assert tables["supervision"].kappa.kappa is None
    with pytest.raises(ValueError, match="pairs: no review"):
        s.theme_tables([], ["neglect"])


def test_it_pools_tables_before_computing_kappa():
    # Summed cells: both 2, first only 1, second only 2, neither 11 (n = 16).
    # p_o = 13/16; first yes 3/16, second yes 4/16;
    # p_e = (3*4 + 13*12) / 256 = 168/256 = 0.65625;
    # kappa = (0.8125 - 0.65625) / 0.34375 = 0.4545... = 5/11.
    tables = [
        s.ThemeTable(both=2, first_only=0, second_only=0, neither=2),
        s.ThemeTable(both=0, first_only=1, second_only=1, neither=2),
        s.ThemeTable(both=0, first_only=0, second_only=1, neither=3),
        s.ThemeTable(both=0, first_only=0, second_only=0, neither=4),
    ]
    assert s.pooled_kappa(tables).kappa == pytest.approx(5 / 11)
