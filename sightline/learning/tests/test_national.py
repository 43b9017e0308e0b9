import csv
import datetime as dt
import io
from typing import Any

import pytest

from sightline.learning import national
from sightline.learning.models import Region


def row(n, **changes):
    values: dict[str, Any] = {
        "notification": f"N{n}",
        "notified_on": dt.date(2023, 5, 1),
        "local_authority": "Tynebury",
        "region": "north_east",
        "nature": "death",
        "sex": "female",
        "age_group": "under_1",
        "ethnicity": "white",
        "disability": "no",
        "placement_type": "Not recorded",
        "child_in_need": False,
        "child_protection_plan": False,
        "looked_after": False,
        "known_to_any_agency": True,
    }
    values.update(changes)
    return national.NotifiedChildRow(**values)


@pytest.mark.parametrize(
    ("age", "group"),
    [
        (None, "unknown"),
        (0, "under_1"),
        (1, "1_4"),
        (4, "1_4"),
        (5, "5_9"),
        (9, "5_9"),
        (10, "10_15"),
        (15, "10_15"),
        (16, "16_17"),
        (17, "16_17"),
        (18, "unknown"),
        (-1, "unknown"),
    ],
)
def test_it_places_ages_in_the_release_groups(age, group):
    assert national.age_group(age) == group


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("White: English, Welsh, Scottish, Northern Irish or British", "white"),
        ("Mixed or Multiple: White and Black Caribbean", "mixed"),
        ("Asian or Asian British: Pakistani", "asian"),
        ("Black, Black British, Caribbean or African: African", "black"),
        ("Other ethnic group: Arab", "other"),
        ("", "unknown"),
        ("Not stated", "unknown"),
        ("Refused", "unknown"),
    ],
)
def test_it_maps_recorded_ethnicity_to_major_groups(text, group):
    assert national.ethnic_group(text) == group


def test_it_maps_disability_text():
    assert [national.disability_group(t) for t in ("", "None", "Autism", "unknown")] == [
        "unknown",
        "no",
        "yes",
        "unknown",
    ]


@pytest.fixture
def rows():
    """FY 2023: 12 children on 11 notifications; one more child notified in FY 2022."""
    made = [row(i, nature="death", sex="female" if i < 6 else "male") for i in range(8)]
    made += [
        row(
            8,
            nature="serious_harm",
            age_group="10_15",
            sex="male",
            looked_after=True,
            placement_type="Foster care",
            child_in_need=True,
        )
    ]
    made += [row(9, nature="serious_harm", age_group="10_15", notified_on=dt.date(2023, 8, 1))]
    # Two children on one notification, in January (quarter 4).
    made += [
        row(
            10,
            nature="serious_harm",
            age_group="5_9",
            notified_on=dt.date(2024, 1, 9),
            region="london",
            local_authority="Lea Marshes",
        )
    ]
    made += [
        row(
            10,
            nature="other",
            age_group="5_9",
            notified_on=dt.date(2024, 1, 9),
            region="london",
            local_authority="Lea Marshes",
        )
    ]
    made += [row(99, notified_on=dt.date(2023, 3, 31))]
    return made


def table(result, title):
    return next(t for t in result.tables if t.title == title)


def test_it_counts_notifications_and_children_made_in_the_year(rows):
    result = national.national_tables(rows, year=2023, below=5, regions=Region.choices)
    assert (result.label, result.notifications, result.children) == ("2023-24", 11, 12)
    assert "not a measure" in result.note


def test_it_suppresses_small_cells_in_breakdowns(rows):
    result = national.national_tables(rows, year=2023, below=5, regions=Region.choices)
    # Deaths 8, serious harm 3, other 1: both small ones hidden, and as two are hidden
    # neither can be worked out from the total.
    assert table(result, "Nature of incident").rows == [
        ("Death", [8]),
        ("Serious harm", ["c"]),
        ("Other", ["c"]),
    ]
    # Quarters: 9 in Q1, 1 in Q2, 0 in Q3, 2 in Q4.
    assert table(result, "Quarter notified").cells == [[9], ["c"], [0], ["c"]]


def test_it_rounds_regions_to_the_nearest_ten(rows):
    result = national.national_tables(rows, year=2023, below=5, regions=Region.choices)
    regions = dict(table(result, "Region").rows)
    # 10 in the North East stays 10; 2 in London rounds to 0.
    assert regions["North East"] == [10]
    assert regions["London"] == [0]
    assert regions["Region not recorded"] == [0]


def test_it_cross_tabulates_with_totals_and_complementary_suppression(rows):
    result = national.national_tables(rows, year=2023, below=3, regions=Region.choices)
    sex_by_age = table(result, "Sex by age group")
    assert sex_by_age.column_labels[-1] == "Total"
    cells = dict(sex_by_age.rows)
    # Female: 6 under 1 + 1 aged 10-15 + 2 aged 5-9 = 9. Male: 2 under 1 + 1 aged 10-15.
    # Primary (below 3): female 10-15 (1), female 5-9 (2), male under-1 (2), male 10-15 (1).
    # Every row and column that then has one hidden cell gets a second.
    assert cells["Total"][-1] == 12
    for line in [*sex_by_age.cells, *zip(*sex_by_age.cells, strict=True)]:
        assert list(line).count("c") != 1


def test_it_breaks_down_care_flags_and_placements(rows):
    result = national.national_tables(rows, year=2023, below=1, regions=Region.choices)
    flags = dict(table(result, "Children's social care involvement").rows)
    assert flags["Looked after"] == [1, 11]
    assert flags["Known to any agency"] == [12, 0]
    assert table(result, "Placement type of looked-after children").rows == [("Foster care", [1])]


def test_an_empty_year_has_empty_tables():
    result = national.national_tables([], year=2023, below=5, regions=Region.choices)
    assert result.children == 0
    assert table(result, "Local authority").rows == []


def test_the_csv_has_one_row_per_cell(rows):
    result = national.national_tables(rows, year=2023, below=5, regions=Region.choices)
    lines = list(csv.DictReader(io.StringIO(national.tables_csv(result))))
    nature = [line for line in lines if line["table"] == "Nature of incident"]
    assert [(line["row"], line["value"]) for line in nature] == [
        ("Death", "8"),
        ("Serious harm", "c"),
        ("Other", "c"),
    ]
    assert lines[1] == {
        "financial_year": "2023-24",
        "table": "Headline",
        "row": "Children",
        "column": "Number",
        "value": "12",
    }
