import duckdb
import pytest

from sightline.linkage import comparisons, engine
from sightline.linkage.tests.test_comparisons import BASE, hand_made_model, row


def _score(left, right, **changes):
    weights = comparisons.Weights.from_model(hand_made_model())
    base = {**BASE, "nhs_number": "", **changes}
    return comparisons.score(
        weights, row(0, **{**base, "given_name": left}), row(1, **{**base, "given_name": right})
    )


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Amy", "Arny"),  # "m" read as "rn"
        ("Mary", "Rnary"),
        ("Ben", "Beri"),  # "n" read as "ri"
        ("Tina", "Tiria"),
        ("Dawn", "Davvn"),  # "w" read as "vv"
        ("Ada", "Acla"),  # "d" read as "cl"
        ("Louis", "Loui5"),  # a digit for a letter
    ],
)
def test_a_given_name_misread_from_a_form_is_one_name_not_twins(left, right):
    """The twin and sibling guards read Arny and Amy (one date of birth, one family, one
    address) as two children: two or more letters apart on a short name. They are one
    name misread (FEBRL's OCR errors), not two children."""
    result = _score(left, right)
    assert comparisons.ocr_key(left.lower()) == comparisons.ocr_key(right.lower())
    assert result.guard == ""


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Amy", "Ann"),  # two letters apart, and not a misreading of one another
        ("Ben", "Ian"),
        ("Grace", "Priya"),
    ],
)
def test_two_names_that_are_no_misreading_stay_apart(left, right):
    assert _score(left, right).guard == comparisons.SIBLING_GUARD


def test_two_common_names_that_a_misreading_would_join_stay_apart():
    """Marnie and Mamie are both names: in a batch where both are common, the
    common-names guard holds twins given them apart, misreading or not."""
    marnie = row(0, **{**BASE, "given_name": "Marnie", "sex": "F", "nhs_number": ""})
    mamie = row(1, **{**BASE, "given_name": "Mamie", "sex": "F", "nhs_number": ""})
    common = frozenset({"marnie", "mamie"})
    assert comparisons.common_names_guard(marnie, mamie, common) == comparisons.COMMON_NAMES_GUARD


def test_the_sql_guard_reads_misreadings_as_the_python_guard_does():
    names = ["Amy", "Arny", "Ann", "Mary", "Rnary", "Dawn", "Davvn", "Jamie", "Ada", "Acla"]
    rows = [
        row(index, **{**BASE, "given_name": name, "nhs_number": ""})
        for index, name in enumerate(names)
    ]
    connection = duckdb.connect()
    connection.register("t", engine.to_arrow(rows))
    guarded = comparisons.guard_sql("l", "r")
    found = connection.execute(
        f"SELECT l.unique_id, r.unique_id, {guarded} FROM t l, t r "  # noqa: S608
        "WHERE l.unique_id < r.unique_id"
    ).fetchall()
    weights = comparisons.Weights.from_model(hand_made_model())
    for left, right, sql_guard in found:
        python_guard = comparisons.score(weights, rows[left], rows[right]).guard
        assert bool(sql_guard) == bool(python_guard), (names[left], names[right])
    unguarded = {(names[a], names[b]) for a, b, g in found if not g}
    assert {("Amy", "Arny"), ("Mary", "Rnary"), ("Dawn", "Davvn"), ("Ada", "Acla")} <= unguarded
    assert ("Amy", "Ann") not in unguarded
