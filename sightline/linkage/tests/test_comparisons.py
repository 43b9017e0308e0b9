import itertools
import random

import duckdb
import pytest

from sightline.linkage import batch, comparisons, engine
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


def resolve_by_hand(rows, **options):
    """A batch run of ``rows`` with ``hand_made_model`` at the default thresholds."""
    return batch.resolve(
        rows,
        hand_made_model(),
        config=engine.EngineConfig(memory_limit="1GB"),
        auto_threshold=0.99,
        review_threshold=0.5,
        **options,
    )


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
        # Swapped, the given name written as a form of it (James for Jamie).
        ({"given_name": "Smith", "family_name": "James"}, "given_name", "swapped"),
        ({"given_name": "Smith", "family_name": "James"}, "family_name", "swapped"),
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


def test_it_guards_swapped_names_without_a_date_of_birth():
    """Susan Lewis and Lewis Susan with no date of birth and nothing else agreeing: two
    common words in either order, not one person (independent corpus, 20,000 records:
    15 of 49 false merges)."""
    weights = comparisons.Weights.from_model(hand_made_model())
    susan = {**BASE, "given_name": "Susan", "family_name": "Lewis", "nhs_number": ""}
    swapped = {**susan, "given_name": "Lewis", "family_name": "Susan", "date_of_birth": ""}
    moved = {**swapped, "address": "9 Mill Lane, York", "postcode": "YO1 7HH"}
    result = comparisons.score(weights, row(**susan), row(**moved))
    assert result.levels["given_name"] == "swapped"
    assert result.guard == comparisons.SWAPPED_GUARD
    # A date of birth on both confirms the swap; an agreeing NHS number lifts the guard.
    dated = row(**{**moved, "date_of_birth": BASE["date_of_birth"]})
    assert comparisons.score(weights, row(**susan), dated).guard == ""
    same_nhs = {"nhs_number": nhs_number(7)}
    result = comparisons.score(weights, row(**{**susan, **same_nhs}), row(**{**moved, **same_nhs}))
    assert result.guard == ""


@pytest.mark.parametrize("dob", ["2020-12-09", "2015-04-03", "2015-01-01", "2015-03-05"])
def test_it_guards_swapped_names_whose_date_of_birth_agrees_only_as_a_slip(dob):
    """Thomas Lee (2023-12-09) and Lee Thomas (2020-12-09): two boys in two towns, names
    the other way round and a date one digit apart, linked at 0.9996. Two slips at once
    (names swapped, a date mistyped) at another address are not one person; an exact
    date confirms the swap, and at one house the swap is a clerk's slip."""
    weights = comparisons.Weights.from_model(hand_made_model())
    thomas = {**BASE, "given_name": "Thomas", "family_name": "Lee", "nhs_number": ""}
    if dob == "2020-12-09":
        thomas["date_of_birth"] = "2023-12-09"
    lee = {
        **thomas,
        "given_name": "Lee",
        "family_name": "Thomas",
        "date_of_birth": dob,
        "address": "180 Lime Walk, Bristol",
        "postcode": "BS3 1QF",
    }
    result = comparisons.score(weights, row(**thomas), row(**lee))
    assert result.levels["given_name"] == "swapped"
    assert result.levels["date_of_birth"] in {"typo", "swapped", "placeholder"}
    assert result.guard == comparisons.SWAPPED_GUARD
    exact = row(**{**lee, "date_of_birth": thomas["date_of_birth"]})
    assert comparisons.score(weights, row(**thomas), exact).guard == ""
    home = row(**{**lee, "address": thomas["address"], "postcode": thomas["postcode"]})
    assert comparisons.score(weights, row(**thomas), home).guard == ""


def test_twins_whose_names_one_record_swapped_are_held_apart():
    """A school wrote Claas Porter-Green as "Porter-Green Claas"; his twin brother is
    Maurycy Porter-Green. The given name of one is the family name of the other
    ("crossed"), the other names differ: they share only the family name, as twins do."""
    weights = comparisons.Weights.from_model(hand_made_model())
    twin = {**BASE, "given_name": "Maurycy", "family_name": "Porter-Green", "nhs_number": ""}
    swapped = {**twin, "given_name": "Porter-Green", "family_name": "Claas"}
    result = comparisons.score(weights, row(**twin), row(**swapped))
    assert result.levels["given_name"] == "crossed"
    assert result.guard == comparisons.TWIN_GUARD


def test_one_child_with_names_swapped_and_a_short_form_is_not_held_as_a_twin():
    """A school recorded "Rogers Andrea" (names swapped), health "Drea Rogers": the
    swapped record's given name, in its family-name field, is the name Drea stands for.
    One girl, not twins; her twin brother swapped the same way stays apart."""
    weights = comparisons.Weights.from_model(hand_made_model())
    health = {**BASE, "given_name": "Drea", "family_name": "Rogers", "sex": "F"}
    health["nhs_number"] = ""
    school = {**health, "given_name": "Rogers", "family_name": "Andrea"}
    result = comparisons.score(weights, row(**health), row(**school))
    assert result.levels["given_name"] == "swapped"
    assert result.guard == ""
    assert comparisons.guard_of(row(**school), row(**health)) == ""
    twin = {**health, "given_name": "Declan", "sex": "M"}
    swapped_twin = {**twin, "given_name": "Rogers", "family_name": "Darren"}
    result = comparisons.score(weights, row(**twin), row(**swapped_twin))
    assert result.levels["given_name"] == "crossed"
    assert result.guard == comparisons.TWIN_GUARD


def test_swapped_names_at_one_house_are_a_slip_not_two_people():
    """Glover Derek (a school's record, dated) and Derrek Glover (housing, undated) at one
    address: nobody lives with a namesake whose names are the other way round."""
    weights = comparisons.Weights.from_model(hand_made_model())
    school = {**BASE, "given_name": "Glover", "family_name": "Derek", "nhs_number": ""}
    housing = {**BASE, "given_name": "Derrek", "family_name": "Glover", "nhs_number": ""}
    housing["date_of_birth"] = ""
    result = comparisons.score(weights, row(**school), row(**housing))
    assert result.levels["given_name"] == "swapped"
    assert result.levels["address"] == "exact"
    assert result.guard == ""
    # The same house by postcode and number, the line written otherwise.
    other_line = {**housing, "address": "12 Acacia Ave, Leeds"}
    assert comparisons.score(weights, row(**school), row(**other_line)).guard == ""
    # Another street in the same postcode: guarded as before.
    next_door = {**housing, "address": "3 Birch Grove, Leeds"}
    result = comparisons.score(weights, row(**school), row(**next_door))
    assert result.guard == comparisons.SWAPPED_GUARD


def test_it_guards_a_household_match_with_no_given_name_and_no_date_of_birth():
    """A pre-birth record with a blank given name and a mother's record without a date
    of birth: the family name and the address, nothing else (independent corpus)."""
    weights = comparisons.Weights.from_model(hand_made_model())
    mother = {**BASE, "given_name": "Elizabeth", "date_of_birth": "", "nhs_number": "", "sex": ""}
    blank = {**BASE, "given_name": "", "nhs_number": "", "sex": "", "date_of_birth": ""}
    result = comparisons.score(weights, row(**mother), row(**blank))
    assert result.levels["given_name"] == "missing"
    assert result.guard == comparisons.HOUSEHOLD_GUARD
    # With a date of birth on both, the model decides.
    dated = row(**{**mother, "date_of_birth": BASE["date_of_birth"]})
    born = row(**{**blank, "date_of_birth": BASE["date_of_birth"]})
    assert comparisons.score(weights, dated, born).guard == ""


def test_with_no_given_name_only_an_exact_date_of_birth_tells_the_household_apart():
    """A blank given name on a pre-birth record, expected 2025-03-04, and a brother born
    2020-03-04 at the address: one digit apart, five years apart (independent corpus at
    1,000,000 records)."""
    weights = comparisons.Weights.from_model(hand_made_model())
    brother = {**BASE, "given_name": "Sean", "date_of_birth": "2020-03-04", "nhs_number": ""}
    blank = {**BASE, "given_name": "", "nhs_number": "", "sex": "", "date_of_birth": "2025-03-04"}
    result = comparisons.score(weights, row(**brother), row(**blank))
    assert result.levels["given_name"] == "missing"
    assert result.levels["date_of_birth"] not in {"exact", "missing", "else"}  # a slip
    assert result.guard == comparisons.HOUSEHOLD_GUARD
    same_day = row(**{**blank, "date_of_birth": "2020-03-04"})
    assert comparisons.score(weights, row(**brother), same_day).guard == ""


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
        row(**{**BASE, "given_name": "Jamse", "nhs_number": ""}),  # a nickname's slip
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
        # Twins under two family names, an initial, an unborn child, a diminutive.
        row(len(rows) + 4, **{**BASE, "given_name": "Grace", "family_name": "Okafor"}),
        row(len(rows) + 5, **{**BASE, "given_name": "J", "nhs_number": ""}),
        row(len(rows) + 6, **{**BASE, "given_name": "Unborn", "nhs_number": ""}),
        row(len(rows) + 7, **{**BASE, "given_name": "Jay", "nhs_number": ""}),
        row(len(rows) + 8, **{**BASE, "given_name": "Jaimee", "nhs_number": ""}),
        # Names swapped, no date of birth (guarded) and with one (not).
        row(
            len(rows) + 9,
            **{
                **BASE,
                "given_name": "Smith",
                "family_name": "Jamie",
                "date_of_birth": "",
                "nhs_number": "",
            },
        ),
        row(
            len(rows) + 10,
            **{**BASE, "given_name": "Smith", "family_name": "Jamie", "nhs_number": ""},
        ),
        # No given name, with and without a date of birth.
        row(len(rows) + 11, **{**BASE, "given_name": "", "date_of_birth": "", "nhs_number": ""}),
        row(len(rows) + 12, **{**BASE, "given_name": "", "nhs_number": ""}),
        # One record's given name in the other's family field, same date of birth.
        row(len(rows) + 14, **{**BASE, "given_name": "Smith", "family_name": "Claas"}),
        # Names swapped, one a short form (not guarded), and a twin's swapped record.
        row(len(rows) + 15, **{**BASE, "given_name": "Smith", "family_name": "James"}),
        row(len(rows) + 16, **{**BASE, "given_name": "Smith", "family_name": "Declan"}),
        row(len(rows) + 17, **{**BASE, "given_name": "Jim", "family_name": "Smith"}),
        # Names swapped, no date of birth, another address (guarded).
        row(
            len(rows) + 13,
            **{
                **BASE,
                "given_name": "Smith",
                "family_name": "Jamie",
                "date_of_birth": "",
                "nhs_number": "",
                "address": "9 Mill Lane, York",
                "postcode": "YO1 7HH",
            },
        ),
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
        assert comparisons.guard_of(by_id[left], by_id[right]) == python_guard
    assert any(g for _l, _r, g in found)


def test_a_pairs_levels_are_worked_out_only_when_read(monkeypatch):
    left = row(0, **BASE)
    right = row(1, **{**BASE, "given_name": "Harry", "nhs_number": ""})
    worked_out = []
    level_index = comparisons.Comparison.level_index

    def counted(self, a, b):
        worked_out.append(self.name)
        return level_index(self, a, b)

    monkeypatch.setattr(comparisons.Comparison, "level_index", counted)
    pair = comparisons.PairLevels(left, right)
    assert pair["given_name"] == "else"
    assert pair["given_name"] == "else"
    assert worked_out == ["given_name"]
    assert dict(pair) == levels(left, right)


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


# --- issue 16: dates of birth, names and their variants, twins -------------------------


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("2015-03-04", "2015-04-03", "swapped"),
        ("2015-03-04", "2015-03-05", "typo"),
        ("2015-03-04", "2015-08-04", "typo"),
        ("2015-01-01", "2015-07-19", "placeholder"),  # 1 January for an unknown date
        ("2015-07-19", "2015-01-01", "placeholder"),
        ("2015-07-01", "2015-07-19", "placeholder"),  # the 1st for an unknown day
        ("2015-07-01", "2015-07-11", "typo"),  # one digit first
        ("2015-01-01", "2016-07-19", "else"),  # another year: no placeholder
        ("2015-07-01", "2015-09-19", "year"),  # the 1st of another month
        ("2015-07-19", "2015-07-23", "close"),
    ],
)
def test_it_puts_dates_of_birth_in_the_right_level(left, right, level):
    a = row(**{**BASE, "date_of_birth": left})
    b = row(**{**BASE, "date_of_birth": right})
    assert levels(a, b)["date_of_birth"] == level


def _pair(**changes):
    """BASE (without NHS number) and a copy with ``changes``, scored."""
    weights = comparisons.Weights.from_model(hand_made_model())
    base = {**BASE, "nhs_number": ""}
    return comparisons.score(weights, row(0, **base), row(1, **{**base, **changes}))


@pytest.mark.parametrize(
    ("given", "level"),
    [
        ("James", "nickname"),  # Jamie: from the dataset
        ("Jamey", "nickname"),
        ("Jaime", "typo"),  # a slip
        ("Jaimee", "near"),  # two letters: a spelling, not another child
    ],
)
def test_it_reads_a_name_and_its_variants_as_one_child(given, level):
    result = _pair(given_name=given)
    assert result.levels["given_name"] == level
    assert result.guard == ""


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("Alfred", "Alfie", "nickname"),  # a local addition: common in England
        ("William", "Bill", "nickname"),
        ("Mohammed", "Muhamed", "near"),  # a transliteration with a typo
        ("Chidinma", "Chidi", "prefix"),  # a shortening, not an initial
        ("Nicky", "Nicolq", "nickname_typo"),  # Nicola mistyped
        ("Edwward", "Ed", "nickname_typo"),
    ],
)
def test_it_reads_a_diminutive_as_the_same_child_when_the_rest_agrees(left, right, level):
    weights = comparisons.Weights.from_model(hand_made_model())
    base = {**BASE, "nhs_number": ""}
    result = comparisons.score(
        weights, row(0, **{**base, "given_name": left}), row(1, **{**base, "given_name": right})
    )
    assert result.levels["given_name"] == level
    assert result.guard == ""
    assert result.probability > 0.99


def test_it_guards_an_initial_that_could_be_either_twin():
    result = _pair(given_name="J")
    assert result.levels["given_name"] == "prefix"
    assert result.guard == comparisons.SIBLING_GUARD


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Emily", "Emma"),  # related by the dataset, two names in England
        ("Leo", "Leon"),  # one letter apart, and related through Leonard
        ("Lucas", "Luke"),
        ("Jayden", "Jaylen"),  # one letter apart, both common
    ],
)
def test_it_keeps_near_but_distinct_twins_apart(left, right):
    weights = comparisons.Weights.from_model(hand_made_model())
    base = {**BASE, "nhs_number": ""}
    a = row(0, **{**base, "given_name": left})
    b = row(1, **{**base, "given_name": right})
    common = frozenset({a["given1"], b["given1"]})
    result = comparisons.score(weights, a, b)
    assert result.guard or comparisons.common_names_guard(a, b, common)


def test_it_keeps_same_sex_twins_with_different_names_apart_whatever_the_family_name():
    # One twin under the father's family name: family names differ, names clearly differ.
    result = _pair(given_name="Grace", family_name="Okafor")
    assert result.levels["given_name"] == "else"
    assert result.guard == comparisons.TWIN_GUARD


def test_the_common_names_guard_reads_a_slip_in_the_family_name_as_one_family():
    """Alice and Janice Hicks are two sisters; a housing record mistypes the family name
    (yHicks). Two common given names two letters apart, in one family all the same."""
    common = frozenset({"alice", "janice"})
    alice = row(given_name="Alice", family_name="yHicks", postcode="SR19 5JP")
    janice = row(given_name="Janice", family_name="Hicks", date_of_birth="2024-06-22")
    assert comparisons.common_names_guard(alice, janice, common) == comparisons.COMMON_NAMES_GUARD
    # Two families apart by more than a slip are not one family.
    other = row(given_name="Janice", family_name="Hickson", date_of_birth="2024-06-22")
    assert comparisons.common_names_guard(alice, other, common) == ""


def test_a_name_about_as_common_as_the_known_name_it_is_near_is_not_a_slip():
    """Gerard and Gerald Cook, brothers. The dataset knows Gerald, not Gerard, so Gerard
    reads as Gerald with a slip; but the records use Gerard about as often as Gerald:
    two names, held apart like Samina and Amina. A slip repeated by a few duplicated
    records (5arah beside Sarah) is still a slip."""
    gerard = row(0, **{**BASE, "given_name": "Gerard", "nhs_number": ""})
    gerald = row(1, **{**BASE, "given_name": "Gerald", "nhs_number": "", "date_of_birth": ""})
    assert gerard["given_near"] == ["gerald"]
    population = [gerard] * 40 + [gerald] * 35
    counts = comparisons.given_name_counts(population)
    common = comparisons.common_given_names(population, counts=counts)
    assert common == {"gerard", "gerald"}
    assert (
        comparisons.common_names_guard(gerard, gerald, common, counts)
        == comparisons.COMMON_NAMES_GUARD
    )
    # Without counts (real-time), read as before: a slip.
    assert comparisons.common_names_guard(gerard, gerald, common) == ""
    sarah = row(2, **{**BASE, "given_name": "Sarah", "nhs_number": ""})
    slip = row(3, **{**BASE, "given_name": "5arah", "nhs_number": ""})
    assert slip["given_near"]
    population = [sarah] * 200 + [slip] * 4
    counts = comparisons.given_name_counts(population)
    common = comparisons.common_given_names(population, counts=counts)
    assert common == {"sarah", "5arah"}
    assert comparisons.common_names_guard(sarah, slip, common, counts) == ""


def test_a_name_one_letter_from_a_nickname_is_weighed_against_the_nickname():
    """David and Dale Ibrahim, brothers at one address (independent corpus at 1,000,000:
    David's housing record, with no date of birth, joined Dale's records). The dataset
    does not know Dale, and Dale is one letter from Dave, David's short form: Dale read
    as a slip of Dave. Records seldom write Dave; Dale is used far more than a slip of
    Dave would be, however many Davids there are: two names. A slip of David itself
    (Davd) beside many Davids is still a slip."""
    david = row(0, **{**BASE, "given_name": "David", "nhs_number": ""})
    dale = row(1, **{**BASE, "given_name": "Dale", "nhs_number": "", "date_of_birth": ""})
    dave = row(2, **{**BASE, "given_name": "Dave", "nhs_number": ""})
    assert "david" in dale["given_near"]
    population = [david] * 400 + [dale] * 30 + [dave] * 20
    counts = comparisons.given_name_counts(population)
    common = comparisons.common_given_names(population, counts=counts)
    assert (
        comparisons.common_names_guard(david, dale, common, counts)
        == comparisons.COMMON_NAMES_GUARD
    )
    slip = row(3, **{**BASE, "given_name": "Davd", "nhs_number": ""})
    population = [david] * 400 + [slip] * 30
    counts = comparisons.given_name_counts(population)
    common = comparisons.common_given_names(population, counts=counts)
    assert comparisons.common_names_guard(david, slip, common, counts) == ""


def test_a_common_name_one_letter_from_a_far_commoner_one_is_a_slip_of_it():
    """Juiie Brady and Julie Brady, one woman: an "l" read as an "i", repeated on three
    records, makes Juiie "common" in a batch of 100,000, and the dataset knows no name one
    letter from it to call it a slip. Beside 820 Julies it is a slip. Ollie and Hollie,
    used about as often, stay two names."""
    julie = row(0, **{**BASE, "given_name": "Julie", "sex": "F", "nhs_number": ""})
    slip = row(1, **{**BASE, "given_name": "Juiie", "sex": "F", "nhs_number": ""})
    assert not slip["given_near"]
    population = [julie] * 100 + [slip] * 3
    counts = comparisons.given_name_counts(population)
    common = comparisons.common_given_names(population, counts=counts)
    assert common == {"julie", "juiie"}
    assert comparisons.common_names_guard(julie, slip, common, counts) == ""
    # Without counts (real-time) nothing says which is the slip: two names.
    assert comparisons.common_names_guard(julie, slip, common) == comparisons.COMMON_NAMES_GUARD
    # A name the dataset knows is a name, however rare beside the other: Lina and Linda.
    linda = row(4, **{**BASE, "given_name": "Linda", "sex": "F", "nhs_number": ""})
    lina = row(5, **{**BASE, "given_name": "Lina", "sex": "F", "nhs_number": ""})
    assert _guard_among(linda, lina, [linda] * 100 + [lina] * 3) == comparisons.COMMON_NAMES_GUARD
    ollie = row(2, **{**BASE, "given_name": "Ollie", "nhs_number": ""})
    hollie = row(3, **{**BASE, "given_name": "Hollie", "nhs_number": ""})
    population = [ollie] * 21 + [hollie] * 133
    assert _guard_among(ollie, hollie, population) == comparisons.COMMON_NAMES_GUARD


def _guard_among(left, right, population):
    """The common-names guard on ``left`` and ``right`` in a batch of ``population``."""
    counts = comparisons.given_name_counts(population)
    common = comparisons.common_given_names(population, counts=counts)
    return comparisons.common_names_guard(left, right, common, counts)


def test_it_tells_variants_from_two_common_names_by_their_spelling():
    assert comparisons.spelling_key("hannah") == comparisons.spelling_key("hana")
    assert comparisons.spelling_key("callum") == comparisons.spelling_key("calum")
    assert comparisons.spelling_key("jayden") == comparisons.spelling_key("jaiden")
    assert comparisons.spelling_key("finley") == comparisons.spelling_key("finlay")
    assert comparisons.spelling_key("jayden") != comparisons.spelling_key("jaylen")
    assert comparisons.one_name("magda", "magdalena")
    assert comparisons.one_name("francesca", "fran")  # the dataset knows no Francesca
    assert not comparisons.one_name("julia", "julian")  # two names the dataset knows
    assert not comparisons.one_name("nicola", "nico")
    assert not comparisons.one_name("leo", "leon")
    hannah = row(0, **{**BASE, "given_name": "Hannah", "nhs_number": ""})
    hana = row(1, **{**BASE, "given_name": "Hana", "nhs_number": ""})
    assert comparisons.common_names_guard(hannah, hana, frozenset({"hannah", "hana"})) == ""


@pytest.mark.parametrize("dob", ["2015-04-03", "2015-03-05", "2015-01-01", "2015-03-01"])
def test_no_date_of_birth_level_merges_twins(dob):
    """Twins whose dates of birth were mistyped (swapped, a digit, a placeholder) stay
    guarded: the guard reads names, not dates."""
    result = _pair(given_name="Priya", date_of_birth=dob)
    assert result.guard


def test_it_counts_a_rare_name_agreeing_for_more_than_a_common_one():
    rows = [row(i, **{**BASE, "family_name": "Smith"}) for i in range(50)]
    rows += [row(50, **{**BASE, "family_name": "Okonkwo"}), row(51, **BASE)]
    model = hand_made_model()
    model[comparisons.TF_KEY] = comparisons.TermFrequencies.of(rows).as_dict()
    weights = comparisons.Weights.from_model(model)
    base = {**BASE, "nhs_number": "", "given_name": "Priya"}
    smith = comparisons.score(
        weights, row(0, **{**base, "family_name": "Smith"}), row(1, **base)
    ).evidence
    rare = {**base, "family_name": "Okonkwo"}
    okonkwo = comparisons.score(weights, row(0, **rare), row(1, **rare)).evidence
    by_field = {e.field: e.weight for e in smith}, {e.field: e.weight for e in okonkwo}
    assert by_field[1]["family_name"] > by_field[0]["family_name"] + 4
    # Without frequencies (a model from before), no adjustment.
    plain = comparisons.Weights.from_model(hand_made_model())
    assert plain.tf_adjustment("family_name", 1, row(0, **rare), row(1, **rare)) == 0.0


def test_it_blocks_a_record_by_its_alias_against_the_others_main_name():
    """A police record lists a previous family name the health record carries as its
    main name; nothing else would bring the two together (other day, address)."""
    police = row(
        0,
        given_name="Amy",
        family_name="Okafor",
        other_names="AMY SMITH",
        date_of_birth="2015-03-04",
        address="3 Mill Lane, Leeds",
        postcode="LS6 2BB",
    )
    health = row(
        1,
        given_name="Amy",
        family_name="Smith",
        date_of_birth="2015-09-20",
        address="7 Oak Road, Bradford",
        postcode="BD1 1AA",
    )
    assert "amy|smith" in police["name_keys"]
    model = hand_made_model()
    scored = engine.score_all(
        [police, health], model, config=engine.EngineConfig(memory_limit="1GB"), threshold=0.0
    )
    assert (scored.left, scored.right) == ([0], [1])
    weights = comparisons.Weights.from_model(model)
    assert comparisons.score(weights, police, health).levels["family_name"] == "alias"
    assert comparisons.score(weights, health, police).levels["family_name"] == "alias"


def test_it_reads_a_hyphenated_given_name_as_one_name():
    weights = comparisons.Weights.from_model(hand_made_model())
    base = {**BASE, "nhs_number": ""}
    hyphen = row(0, **{**base, "given_name": "Lee-Anne"})
    assert hyphen["given1"] == "leeanne"
    result = comparisons.score(weights, hyphen, row(1, **{**base, "given_name": "Leanne"}))
    assert result.levels["given_name"] == "typo"
    assert result.guard == ""


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ("Jamie", "Jamie", True),
        ("Jamie", "JAMIE", True),
        ("Jamie", "Jaime", True),  # a slip
        ("Jamie", "James", True),  # a short form
        ("Rebecca", "Beck", True),
        ("Jamie", "Vincent", False),
        ("Emily", "Emma", False),  # two names in their own right (distinct_names.csv)
        ("Jamie", "J", False),  # an initial could be anyone's
    ],
)
def test_same_given_name_is_one_name_not_two_childrens(left, right, same):
    a = row(0, given_name=left, family_name="Jones")
    b = row(1, given_name=right, family_name="Jones")
    assert comparisons.same_given_name(a, b) is same
