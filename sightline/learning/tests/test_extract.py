"""The de-identification of research extracts (``learning/extract.py``): pure, no database."""

import datetime as dt
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.learning import extract
from sightline.learning.extract import (
    ChildFacts,
    ExtractError,
    Period,
    StatusFacts,
    age_band,
    build_extract,
    ethnic_category,
    k_anonymise,
)

PERIOD = Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31))
REGIONS = {"LA1": "north_east", "LA2": "north_east", "LA3": "london"}
KINDS = ["childrens_social_care", "police", "health"]
CATEGORIES = ["arrest", "referral", "missing_episode"]
ETHNICITIES = [
    "White: English, Welsh, Scottish, Northern Irish or British",
    "White: Irish",
    "White: Roma",
    "Asian or Asian British: Pakistani",
    "Asian or Asian British: Indian",
    "Black, Black British, Caribbean or African: African",
    "Black, Black British, Caribbean or African: Caribbean",
    "Mixed or Multiple: White and Black Caribbean",
    "Mixed or Multiple: White and Asian",
    "Other ethnic group: Arab",
    "Not stated",
    "",
]


def build(children, *, k=5, **kwargs):
    return build_extract(
        children,
        period=PERIOD,
        k=k,
        regions=REGIONS,
        agency_kinds=KINDS,
        categories=CATEGORIES,
        **kwargs,
    )


def qi_counts(rows):
    return Counter(tuple(row[c] for c in extract.QUASI_IDENTIFIERS) for row in rows)


# --- a random population, with the identifiers an agency holds ---------------------------

# What a person record holds that must never reach an extract.
_identity = st.fixed_dictionaries(
    {
        "given_name": st.sampled_from(["Aaliyah", "Bartholomew", "Chidinma", "Dorota", "Eilidh"]),
        "family_name": st.sampled_from(["Okonkwo", "Przybylski", "Featherstonehaugh", "Iqbal"]),
        "nhs_number": st.from_regex(r"9[0-9]{9}", fullmatch=True),
        "postcode": st.sampled_from(["LS1 4AP", "NE1 7RU", "E17 9PQ", "BD7 1DP"]),
    }
)


@st.composite
def children(draw):
    identity = draw(_identity)
    date_of_birth = draw(st.one_of(st.none(), st.dates(dt.date(2006, 1, 1), dt.date(2026, 3, 31))))
    # Ethnicity is free text: sometimes a data entry error puts the name, NHS number or
    # postcode in it. None of it may pass through.
    ethnicity = draw(
        st.one_of(
            st.sampled_from(ETHNICITIES),
            st.sampled_from(
                [
                    identity["given_name"],
                    f"White: {identity['family_name']}",
                    identity["nhs_number"],
                    identity["postcode"],
                ]
            ),
        )
    )
    statuses = draw(
        st.lists(
            st.builds(
                StatusFacts,
                kind=st.sampled_from(["child_in_need", "child_protection", "looked_after"]),
                protection_category=st.sampled_from(["", "neglect", "sexual_abuse"]),
                started_on=st.dates(dt.date(2020, 1, 1), dt.date(2026, 3, 31)),
                ended_on=st.none(),
            ),
            max_size=3,
        )
    )
    facts = ChildFacts(
        date_of_birth=date_of_birth,
        sex=draw(st.sampled_from(["F", "M", "X", ""])),
        ethnicity=ethnicity,
        la_code=draw(st.sampled_from(["LA1", "LA2", "LA3", "LA4", ""])),
        statuses=tuple(statuses),
        events_by_agency_kind=draw(st.dictionaries(st.sampled_from(KINDS), st.integers(1, 9))),
        events_by_category=draw(st.dictionaries(st.sampled_from(CATEGORIES), st.integers(1, 9))),
        first_event_on=draw(st.one_of(st.none(), st.dates(PERIOD.start, PERIOD.end))),
        review_themes=frozenset(draw(st.sets(st.sampled_from(["neglect", "escalation"])))),
    )
    return identity, facts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population=st.lists(children(), max_size=120), k=st.integers(2, 10))
def test_every_extract_meets_its_k_and_holds_no_identifier(population, k):
    result = build([facts for _, facts in population], k=k)

    # Every combination of the quasi-identifiers occurs at least k times.
    assert all(n >= k for n in qi_counts(result.rows).values())
    # Nothing is lost without being counted.
    considered = result.read - result.not_children
    assert len(result.rows) + result.anonymised.suppressed == considered
    assert result.anonymised.generalised <= len(result.rows)
    # Ids are random and unique.
    assert len({row["child_id"] for row in result.rows}) == len(result.rows)
    # No cell holds a name, date of birth, NHS number or postcode of the population.
    forbidden = set()
    for identity, facts in population:
        forbidden |= {
            identity["given_name"],
            identity["family_name"],
            identity["nhs_number"],
            identity["postcode"],
            identity["postcode"].replace(" ", ""),
        }
        if facts.date_of_birth is not None:
            forbidden |= {
                facts.date_of_birth.isoformat(),
                f"{facts.date_of_birth:%d/%m/%Y}",
            }
    for row in result.rows:
        assert list(row) == result.columns
        for value in row.values():
            assert not any(word.lower() in value.lower() for word in forbidden), value


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 0, -3])
def test_it_refuses_k_below_2(k):
    with pytest.raises(ExtractError, match="--k: must be at least 2"):
        build([], k=k)
    with pytest.raises(ExtractError, match="k: must be at least 2"):
        k_anonymise([], k=k, hierarchy=extract.hierarchies(REGIONS))


def test_it_refuses_a_period_that_ends_before_it_starts():
    with pytest.raises(ExtractError, match="--from: 2026-01-02 is after --to 2026-01-01"):
        Period(dt.date(2026, 1, 2), dt.date(2026, 1, 1))


# --- coarsening ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (dt.date(2025, 6, 1), "under_1"),
        (dt.date(2025, 3, 31), "1_4"),  # first birthday on the last day
        (dt.date(2021, 4, 1), "1_4"),
        (dt.date(2016, 4, 1), "5_9"),
        (dt.date(2010, 4, 1), "10_15"),
        (dt.date(2008, 4, 1), "16_17"),
        (dt.date(2008, 3, 31), None),  # 18 on the last day: not a child
        (dt.date(2026, 4, 1), None),  # not yet born
        (None, "unknown"),
    ],
)
def test_age_band_is_the_age_at_the_end_of_the_period(born, band):
    assert age_band(born, PERIOD.end) == band


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("White: English, Welsh, Scottish, Northern Irish or British", "white_british"),
        ("White: Gypsy or Irish Traveller", "white_gypsy_traveller"),
        ("White: Irish", "white_irish"),
        ("Black, Black British, Caribbean or African: African", "black_african"),
        ("Black, Black British, Caribbean or African: Caribbean", "black_caribbean"),
        ("Mixed or Multiple: White and Black Caribbean", "mixed_white_black_caribbean"),
        ("Asian or Asian British: Bangladeshi", "asian_bangladeshi"),
        ("Other ethnic group: Arab", "other_arab"),
        ("White Ruritanian", "white_unlisted"),
        ("Jamie Testchild", "other_unlisted"),
        ("Not stated", "unknown_not_stated"),
        ("  ", "not_recorded"),
    ],
)
def test_ethnicity_is_a_code_from_a_closed_list(text, code):
    assert ethnic_category(text) == code
    assert code in extract.ETHNIC_GROUP_OF


def test_a_row_counts_episodes_in_the_period_and_coarsens_dates_to_months():
    child = ChildFacts(
        date_of_birth=dt.date(2015, 7, 19),
        sex="M",
        ethnicity="White: Irish",
        la_code="LA1",
        statuses=(
            StatusFacts("child_protection", "neglect", dt.date(2025, 5, 1), dt.date(2025, 9, 1)),
            StatusFacts("child_protection", "sexual_abuse", dt.date(2026, 1, 1), None),
            StatusFacts("looked_after", "", dt.date(2025, 10, 3), None),
            StatusFacts("child_in_need", "", dt.date(2019, 1, 1), dt.date(2024, 1, 1)),  # before
        ),
        events_by_agency_kind={"police": 2, "health": 1},
        events_by_category={"arrest": 2, "referral": 1},
        first_event_on=dt.date(2025, 4, 17),
        last_event_on=dt.date(2026, 2, 3),
        review_themes=frozenset({"neglect", "escalation"}),
    )
    row = extract.child_row(
        child, period=PERIOD, agency_kinds=KINDS, categories=CATEGORIES, child_id="x"
    )
    assert row == {
        "child_id": "x",
        "age_band": "10_15",
        "sex": "male",
        "ethnicity": "white_irish",
        "la_code": "LA1",
        "child_in_need_episodes": "0",
        "child_protection_episodes": "2",
        "looked_after_spells": "1",
        "plan_categories": "neglect;sexual_abuse",
        "first_event_month": "2025-04",
        "last_event_month": "2026-02",
        "events_total": "3",
        "events_agency_childrens_social_care": "0",
        "events_agency_police": "2",
        "events_agency_health": "1",
        "events_category_arrest": "2",
        "events_category_referral": "1",
        "events_category_missing_episode": "0",
        "review_themes": "escalation;neglect",
    }


# --- generalisation and suppression -------------------------------------------------------


@pytest.mark.parametrize(
    ("hierarchy", "value", "levels"),
    [
        (extract.AGE_HIERARCHY, "under_1", ["under_1", "0_4", "0_9", "*"]),
        (extract.AGE_HIERARCHY, "5_9", ["5_9", "5_9", "0_9", "*"]),
        (extract.AGE_HIERARCHY, "16_17", ["16_17", "10_17", "10_17", "*"]),
        (extract.AGE_HIERARCHY, "unknown", ["unknown", "unknown", "unknown", "*"]),
        (extract.SEX_HIERARCHY, "female", ["female", "*"]),
        (extract.ETHNICITY_HIERARCHY, "black_caribbean", ["black_caribbean", "black", "*"]),
        (extract.ETHNICITY_HIERARCHY, "not_recorded", ["not_recorded", "unknown", "*"]),
        (extract.la_hierarchy(REGIONS), "LA3", ["LA3", "region:london", "*"]),
        (extract.la_hierarchy(REGIONS), "LA9", ["LA9", "region:not_recorded", "*"]),
    ],
)
def test_each_hierarchy_widens_level_by_level_to_a_star(hierarchy, value, levels):
    assert [hierarchy.lift(value, level) for level in range(hierarchy.height + 1)] == levels


def rows_of(*specs):
    """(count, age band, sex, ethnicity, la code) -> rows."""
    return [
        {"age_band": age, "sex": sex, "ethnicity": ethnicity, "la_code": la, "n": str(i)}
        for count, age, sex, ethnicity, la in specs
        for i in range(count)
    ]


def test_a_population_already_k_anonymous_is_left_as_it_is():
    rows = rows_of(
        (3, "5_9", "male", "white_british", "LA1"), (3, "1_4", "female", "black_african", "LA2")
    )
    result = k_anonymise(rows, k=3, hierarchy=extract.hierarchies(REGIONS))
    assert result.levels == dict.fromkeys(extract.QUASI_IDENTIFIERS, 0)
    assert (result.generalised, result.suppressed, result.classes, result.smallest_class) == (
        0,
        0,
        2,
        3,
    )
    assert result.rows == rows


def test_rare_ages_are_merged_into_wider_bands_before_anything_else():
    rows = rows_of(
        (4, "under_1", "male", "white_british", "LA1"),
        (4, "1_4", "male", "white_british", "LA1"),
        (8, "10_15", "male", "white_british", "LA1"),
    )
    result = k_anonymise(rows, k=5, hierarchy=extract.hierarchies(REGIONS), max_suppressed=0)
    assert result.levels == {"age_band": 1, "sex": 0, "ethnicity": 0, "la_code": 0}
    assert qi_counts(result.rows) == {
        ("0_4", "male", "white_british", "LA1"): 8,
        ("10_17", "male", "white_british", "LA1"): 8,  # full-domain: every row's band
    }
    assert (result.generalised, result.suppressed) == (16, 0)


def test_ethnicity_goes_to_its_major_group_and_authorities_to_their_region():
    rows = rows_of(
        (3, "5_9", "female", "asian_pakistani", "LA1"),
        (3, "5_9", "female", "asian_indian", "LA2"),
        (6, "5_9", "female", "white_british", "LA1"),
        (6, "5_9", "female", "white_british", "LA2"),
    )
    result = k_anonymise(rows, k=6, hierarchy=extract.hierarchies(REGIONS), max_suppressed=0)
    assert result.levels == {"age_band": 0, "sex": 0, "ethnicity": 1, "la_code": 1}
    assert qi_counts(result.rows) == {
        ("5_9", "female", "asian", "region:north_east"): 6,
        ("5_9", "female", "white", "region:north_east"): 12,
    }
    assert result.generalised == 18


def test_a_few_outliers_are_suppressed_rather_than_widening_everyone():
    rows = rows_of(
        (20, "5_9", "female", "white_british", "LA1"), (1, "16_17", "male", "black_other", "LA3")
    )
    result = k_anonymise(rows, k=5, hierarchy=extract.hierarchies(REGIONS))
    assert result.levels == dict.fromkeys(extract.QUASI_IDENTIFIERS, 0)
    assert (len(result.rows), result.generalised, result.suppressed) == (20, 0, 1)


def test_with_no_suppression_allowed_the_outlier_is_generalised_away():
    rows = rows_of(
        (20, "5_9", "female", "white_british", "LA1"), (1, "16_17", "male", "black_other", "LA3")
    )
    result = k_anonymise(rows, k=5, hierarchy=extract.hierarchies(REGIONS), max_suppressed=0)
    assert result.suppressed == 0
    assert set(qi_counts(result.rows)) == {("*", "*", "*", "*")}


def test_fewer_than_k_children_are_all_suppressed():
    rows = rows_of((3, "5_9", "female", "white_british", "LA1"))
    result = k_anonymise(rows, k=4, hierarchy=extract.hierarchies(REGIONS), max_suppressed=0)
    assert (result.rows, result.suppressed, result.classes, result.smallest_class) == (
        [],
        3,
        0,
        None,
    )


def test_the_suppression_limit_is_k_or_one_percent():
    assert extract.suppression_limit(100, 5) == 5
    assert extract.suppression_limit(10_000, 5) == 100


# --- random ids ---------------------------------------------------------------------------


def test_each_extract_draws_new_ids_and_shuffles_the_rows():
    population = [
        ChildFacts(
            dt.date(2015, 1, 1), "F", "White: Irish", "LA1", first_event_on=dt.date(2025, m, 1)
        )
        for m in range(4, 13)
    ] * 3
    first, second = build(population, k=2), build(population, k=2)
    first_ids = {row["child_id"] for row in first.rows}
    second_ids = {row["child_id"] for row in second.rows}
    assert len(first_ids) == len(second_ids) == 27
    assert not first_ids & second_ids
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in first_ids)


def test_an_id_drawn_twice_is_drawn_again():
    drawn = iter(["aa", "aa", "bb"])
    result = build(
        [ChildFacts(None, "F", "", "LA1"), ChildFacts(None, "F", "", "LA1")],
        k=2,
        new_id=lambda: next(drawn),
    )
    assert sorted(row["child_id"] for row in result.rows) == ["aa", "bb"]


def test_the_report_holds_counts_only():
    population = [ChildFacts(dt.date(2015, 1, 1), "F", "White: Irish", "LA1")] * 6 + [
        ChildFacts(dt.date(2000, 1, 1), "M", "", "LA1")
    ]
    report = build(population, k=3).report()
    assert report["children_read"] == 7
    assert report["not_children_at_end"] == 1
    assert report["rows_out"] == 6
    assert report["levels"] == dict.fromkeys(extract.QUASI_IDENTIFIERS, 0)
    assert report["hierarchy"]["la_code"] == [
        "as recorded",
        "region:london, region:north_east, region:not_recorded",
        "*",
    ]
