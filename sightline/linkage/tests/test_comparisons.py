import itertools
import random

import duckdb
import pytest

from sightline.linkage import comparisons, engine
from sightline.linkage.features import IdentityRecord, features
from sightline.linkage.tests.synthetic import households, nhs_number


def hand_made_model():
    """A model with distinct weights for every level, no training needed."""
    model = comparisons.settings_dict()
    model["probability_two_random_records_match"] = 1e-4
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for index, level in enumerate(levels):
            level["m_probability"] = 0.9 / (2**index) + 0.001
            level["u_probability"] = 0.0001 * (3**index)
    return model


def row(index=0, **fields):
    return features(IdentityRecord(**fields), index)


def levels(left, right):
    weights = comparisons.Weights.from_model(hand_made_model())
    return comparisons.score(weights, left, right).levels


BASE = {
    "given_name": "Jamie",
    "family_name": "Smith",
    "date_of_birth": "2015-03-04",
    "sex": "M",
    "nhs_number": nhs_number(1),
    "address": "12 Acacia Avenue, Leeds",
    "postcode": "LS6 1AA",
}


def test_it_computes_damerau_levenshtein_as_duckdb_does():
    rng = random.Random(3)
    words = ["".join(rng.choice("abcde") for _ in range(rng.randint(0, 7))) for _ in range(400)]
    pairs = [*zip(words[::2], words[1::2], strict=True), ("ca", "abc"), ("", "ab")]
    connection = duckdb.connect()
    expected = connection.execute(
        "SELECT damerau_levenshtein(a, b) FROM (SELECT unnest(?) AS a, unnest(?) AS b)",
        [[a for a, _ in pairs], [b for _, b in pairs]],
    ).fetchall()
    assert [comparisons.damerau_levenshtein(a, b) for a, b in pairs] == [e[0] for e in expected]


def test_it_explains_a_day_month_swap_and_a_different_nhs_number():
    left = row(**BASE)
    right = row(**{**BASE, "date_of_birth": "2015-04-03", "nhs_number": nhs_number(2)})
    found = levels(left, right)
    assert found["date_of_birth"] == "swapped"
    assert found["nhs_number"] == "else"
    assert found["given_name"] == "exact"
    assert found["address"] == "exact"


@pytest.mark.parametrize(
    ("change", "field", "level"),
    [
        ({"given_name": "Jaime"}, "given_name", "typo"),
        ({"given_name": "James"}, "given_name", "nickname"),
        ({"given_name": "J"}, "given_name", "prefix"),
        ({"given_name": "Priya"}, "given_name", "else"),
        ({"given_name": ""}, "given_name", "missing"),
        ({"given_name": "Smith", "family_name": "Jamie"}, "given_name", "swapped"),
        ({"given_name": "Smith", "family_name": "Jamie"}, "family_name", "swapped"),
        ({"family_name": "Smith-Okafor"}, "family_name", "part"),
        ({"family_name": "Okafor", "other_names": "Jamie Smith"}, "family_name", "alias"),
        ({"family_name": "Smiht"}, "family_name", "typo"),
        ({"date_of_birth": "2015-03-05"}, "date_of_birth", "typo"),
        ({"date_of_birth": "2015-11-20"}, "date_of_birth", "year"),
        ({"date_of_birth": "2016-03-04"}, "date_of_birth", "typo"),
        ({"date_of_birth": "1984-06-04"}, "date_of_birth", "else"),
        ({"nhs_number": "1234567890"}, "nhs_number", "missing"),
        ({"postcode": "LS6 9ZZ"}, "address", "line"),
        ({"address": "Flat 2, 12 Acacia Avenue, Leeds"}, "address", "postcode"),
        ({"address": "3 Mill Lane, Leeds"}, "address", "postcode"),
        ({"address": "14 Acacia Avenue, Leeds"}, "address", "postcode"),
        ({"address": "Acacia Avenue, Leeds"}, "address", "similar_postcode"),
        ({"address": "14 Acacia Avenue, Leeds", "postcode": ""}, "address", "street"),
        ({"address": "14 Acacia Avenue, Leeds", "postcode": "LS6 1AB"}, "address", "street"),
        ({"address": "14 Mill Lane, Bradford", "postcode": ""}, "address", "else"),
        ({"address": "12 Acaciaavenue, Leeds"}, "address", "postcode_house"),
        (
            {"address": "12 Mill Lane, Leeds", "postcode": "LS6 1AB"},
            "address",
            "house_postcode_typo",
        ),
        ({"address": "12 Mill Lane, Leeds", "postcode": "LS6 2AB"}, "address", "district"),
        ({"address": "Acacia Avenue, Leeds", "postcode": ""}, "address", "similar"),
        ({"address": "12 Acaica Avenue, Leeds"}, "address", "similar_postcode"),
        ({"address": "Acacia Avenue 12, Leeds", "postcode": "2600"}, "address", "similar"),
        ({"given_name": "Smiht", "family_name": "Jamie"}, "given_name", "swapped"),
        ({"given_name": "Smith", "family_name": "Jaime"}, "family_name", "swapped"),
        ({"given_name": "Smith", "family_name": "Jamie-Okafor"}, "given_name", "swapped"),
        ({"given_name": "Smiht", "family_name": "Okafor"}, "given_name", "crossed"),
        ({"given_name": "Priya", "family_name": "Jamie"}, "given_name", "crossed"),
        ({"address": "12 Acacia Avenue Leeds", "postcode": "LS6 9ZZ"}, "address", "line"),
        ({"address": "12 Acacia Ave, Leeds West", "postcode": ""}, "address", "similar"),
        ({"address": "3 Mill Lane", "postcode": "LS6 2BB"}, "address", "district"),
        ({"address": "3 Mill Lane", "postcode": "BD1 1AA"}, "address", "else"),
        ({"sex": "F"}, "sex", "else"),
        ({"sex": "X"}, "sex", "missing"),
    ],
)
def test_it_puts_a_pair_in_the_right_level(change, field, level):
    assert levels(row(**BASE), row(**{**BASE, **change}))[field] == level


def test_it_guards_twins_with_different_given_names():
    twin = row(**{**BASE, "given_name": "Priya", "nhs_number": nhs_number(2)})
    weights = comparisons.Weights.from_model(hand_made_model())
    assert comparisons.score(weights, row(**BASE), twin).guard == comparisons.SIBLING_GUARD
    no_nhs = {**BASE, "nhs_number": ""}
    result = comparisons.score(weights, row(**no_nhs), row(**{**no_nhs, "given_name": "Priya"}))
    assert result.guard == comparisons.SIBLING_GUARD


def test_it_lets_an_agreeing_nhs_number_lift_the_guard():
    weights = comparisons.Weights.from_model(hand_made_model())
    renamed = row(**{**BASE, "given_name": "Priya"})
    assert comparisons.score(weights, row(**BASE), renamed).guard == ""


def test_it_guards_a_parent_and_child_sharing_a_name():
    weights = comparisons.Weights.from_model(hand_made_model())
    child = {**BASE, "nhs_number": ""}
    parent = {**child, "date_of_birth": "1984-06-04"}
    assert comparisons.score(weights, row(**child), row(**parent)).guard == (
        comparisons.NAMESAKE_GUARD
    )
    junior = row(**{**child, "family_name": "Smith Jr", "date_of_birth": ""})
    senior = row(**{**child, "family_name": "Smith Snr", "date_of_birth": ""})
    assert comparisons.score(weights, junior, senior).guard == comparisons.GENERATION_GUARD


def test_it_does_not_guard_the_same_child_with_a_typo():
    weights = comparisons.Weights.from_model(hand_made_model())
    typo = row(**{**BASE, "given_name": "Jaime", "nhs_number": ""})
    assert comparisons.score(weights, row(**BASE), typo).guard == ""


def test_it_scores_pairs_exactly_as_splink_does():
    """The real-time scorer and Splink's own scoring agree on every level of every pair."""
    records, _siblings, _namesakes = households(6, seed=11, records_per_child=(2, 3))
    variants = [
        row(**BASE),
        row(**{**BASE, "given_name": "Smith", "family_name": "Jamie"}),
        row(**{**BASE, "date_of_birth": "2015-04-03", "nhs_number": ""}),
        row(**{**BASE, "family_name": "Smith Jr", "other_names": "Jay Smith;Jamie Okafor"}),
        row(**{**BASE, "given_name": "Jaime", "postcode": "", "address": "12 Acacia Ave Leeds 6"}),
        row(**{**BASE, "given_name": "Jay", "family_name": "Okafor"}),
    ]
    rows = [features(r.record, i) for i, r in enumerate(records)] + variants
    rows = [{**r, "unique_id": i} for i, r in enumerate(rows)]
    model = hand_made_model()
    # Term frequencies from the rows, as training keeps them; Splink reads them as the
    # rows' tf_ columns, our scorer from the model.
    frequencies = comparisons.TermFrequencies.of(rows)
    model[comparisons.TF_KEY] = frequencies.as_dict()
    splink_scores = engine.score_pairs_with_splink(
        [{**r, **frequencies.columns(r)} for r in rows], model
    )
    weights = comparisons.Weights.from_model(model)
    seen_levels: set[tuple[str, str]] = set()
    for a, b in itertools.combinations(rows, 2):
        ours = comparisons.score(weights, a, b)
        weight, probability = splink_scores[(a["unique_id"], b["unique_id"])]
        assert ours.match_weight == pytest.approx(weight, abs=1e-9)
        assert ours.probability == pytest.approx(probability, abs=1e-9)
        seen_levels.update((item.field, item.level) for item in ours.evidence)
    # The pairs exercise most levels, so agreement is not an accident of a few.
    assert len(seen_levels) >= 25


def test_it_builds_a_guard_condition_for_sql():
    connection = duckdb.connect()
    twin_a = row(0, **BASE)
    twin_b = row(1, **{**BASE, "given_name": "Priya", "nhs_number": ""})
    same = row(2, **{**BASE, "given_name": "Jaime"})
    table = engine.to_arrow([twin_a, twin_b, same])
    connection.register("t", table)
    guarded = comparisons.guard_sql("l", "r")
    sql = f"SELECT l.unique_id, r.unique_id, {guarded} FROM t l, t r "  # noqa: S608
    result = connection.execute(sql + "WHERE l.unique_id < r.unique_id ORDER BY 1, 2").fetchall()
    assert result == [(0, 1, True), (0, 2, False), (1, 2, True)]


def test_it_guards_boy_and_girl_twins_whose_names_meet_as_nicknames():
    weights = comparisons.Weights.from_model(hand_made_model())
    harry = row(**{**BASE, "given_name": "Harry", "nhs_number": ""})
    harriet = row(**{**BASE, "given_name": "Harriet", "sex": "F", "nhs_number": ""})
    result = comparisons.score(weights, harry, harriet)
    assert result.levels["given_name"] == "nickname"
    assert result.guard == comparisons.SEX_GUARD


def test_it_guards_siblings_whose_family_names_are_spelt_apart():
    weights = comparisons.Weights.from_model(hand_made_model())
    maryam = row(**{**BASE, "given_name": "Maryam", "family_name": "Choudhury", "nhs_number": ""})
    saima = row(**{**BASE, "given_name": "Saima", "family_name": "Chaudhry", "nhs_number": ""})
    result = comparisons.score(weights, maryam, saima)
    assert result.levels["family_name"] == "near"
    assert result.guard == comparisons.SIBLING_GUARD


def test_its_sql_guard_agrees_with_the_python_guard():
    """The batch guard (SQL over input rows) and the real-time guard (Python) agree."""
    records, _siblings, _namesakes = households(8, seed=21, records_per_child=(1, 3))
    rows = [features(r.record, i) for i, r in enumerate(records)]
    rows += [
        row(len(rows), **{**BASE, "given_name": "Harry", "nhs_number": ""}),
        row(len(rows) + 1, **{**BASE, "given_name": "Harriet", "sex": "F", "nhs_number": ""}),
        row(len(rows) + 2, **{**BASE, "family_name": "Smith Jr", "date_of_birth": ""}),
        row(len(rows) + 3, **{**BASE, "family_name": "Smith Snr", "date_of_birth": ""}),
    ]
    connection = duckdb.connect()
    connection.register("t", engine.to_arrow(rows))
    guarded = comparisons.guard_sql("l", "r")
    sql = f"SELECT l.unique_id, r.unique_id, {guarded} FROM t l, t r "  # noqa: S608
    found = connection.execute(sql + "WHERE l.unique_id < r.unique_id").fetchall()
    weights = comparisons.Weights.from_model(hand_made_model())
    by_id = {r["unique_id"]: r for r in rows}
    for left, right, sql_guard in found:
        python_guard = comparisons.score(weights, by_id[left], by_id[right]).guard
        assert bool(sql_guard) == bool(python_guard), (by_id[left], by_id[right])
    assert any(g for _l, _r, g in found)


def test_it_keeps_twins_with_common_names_one_letter_apart_from_being_linked():
    samina = row(0, **{**BASE, "given_name": "Samina", "sex": "F", "nhs_number": ""})
    amina = row(1, **{**BASE, "given_name": "Amina", "sex": "F", "nhs_number": ""})
    typo = row(2, **{**BASE, "given_name": "Samnia", "sex": "F", "nhs_number": ""})
    weights = comparisons.Weights.from_model(hand_made_model())
    assert comparisons.score(weights, samina, amina).levels["given_name"] == "typo"
    population = [samina] * 5 + [amina] * 5 + [typo]
    common = comparisons.common_given_names(population)
    assert common == {"samina", "amina"}
    assert comparisons.common_names_guard(samina, amina, common) == comparisons.COMMON_NAMES_GUARD
    # A rare spelling one letter from a common name is a typo of it: not guarded.
    assert comparisons.common_names_guard(samina, typo, common) == ""
    # Nicknames of one name are not two names; agreeing NHS numbers lift the guard.
    bill = row(3, **{**BASE, "given_name": "Bill"})
    will = row(4, **{**BASE, "given_name": "Will"})
    assert comparisons.common_names_guard(bill, will, frozenset({"bill", "will"})) == ""
    same_nhs = row(5, **{**BASE, "given_name": "Amina", "sex": "F"})
    with_nhs = row(6, **{**BASE, "given_name": "Samina", "sex": "F"})
    assert comparisons.common_names_guard(with_nhs, same_nhs, common) == ""
