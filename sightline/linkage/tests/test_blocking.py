"""Which pairs the batch blocking rules put forward for scoring (engine.blocked_pair_counts)."""

from sightline.linkage import engine
from sightline.linkage.features import IdentityRecord, features
from sightline.linkage.tests.synthetic import nhs_number

HOME = {"address": "12 Church Road, Leeds", "postcode": "LS6 2AB"}


def blocked(*records: IdentityRecord) -> int:
    rows = [features(record, index) for index, record in enumerate(records)]
    counts = engine.blocked_pair_counts(
        engine.to_arrow(rows), config=engine.EngineConfig(memory_limit="1GB")
    )
    return sum(count for _rule, count, _true in counts)


def test_two_children_of_one_household_are_not_put_forward():
    # Different given initials, born in different years: siblings, not one child. Every
    # shared-address rule used to block them (the most pairs scored, all thrown away).
    assert (
        blocked(
            IdentityRecord("Jack", "Smith", date_of_birth="2015-03-04", sex="M", **HOME),
            IdentityRecord("Molly", "Smith", date_of_birth="2012-06-07", sex="F", **HOME),
        )
        == 0
    )


def test_one_child_at_one_address_with_name_and_date_changed_still_is():
    # A nickname with another initial and a day/month slip: the year of birth agrees.
    assert (
        blocked(
            IdentityRecord("William", "Smith", date_of_birth="2015-03-04", **HOME),
            IdentityRecord("Bill", "Smyth", date_of_birth="2015-04-03", **HOME),
        )
        == 1
    )
    # No date of birth on one record (a housing record), another initial.
    assert (
        blocked(
            IdentityRecord("Elizabeth", "Smith", date_of_birth="2015-03-04", **HOME),
            IdentityRecord("Liz", "Smithe", **HOME),
        )
        == 1
    )


def test_postcodes_without_a_district_keep_the_rules_as_they_were():
    # Another country's postcode (FEBRL4's): no household filter.
    away = {"address": "40 kirkland circuit", "postcode": "2600"}
    assert (
        blocked(
            IdentityRecord("Jack", "Smith", date_of_birth="2015-03-04", **away),
            IdentityRecord("Molly", "Smith", date_of_birth="2012-06-07", **away),
        )
        == 1
    )


def test_two_different_nhs_numbers_are_not_put_forward():
    # Clustering never joins two numbers: such pairs were a quarter of those scored.
    child = {"date_of_birth": "2015-03-04", "sex": "M", **HOME}
    assert (
        blocked(
            IdentityRecord("Jack", "Smith", nhs_number=nhs_number(1), **child),
            IdentityRecord("Jack", "Smith", nhs_number=nhs_number(2), **child),
        )
        == 0
    )
    # One number missing, or one number mistyped (invalid, so no number): still are.
    for other in ("", "9990000019"):
        assert (
            blocked(
                IdentityRecord("Jack", "Smith", nhs_number=nhs_number(1), **child),
                IdentityRecord("Jack", "Smith", nhs_number=other, **child),
            )
            == 1
        )


def test_the_spill_to_disk_is_bounded(tmp_path):
    config = engine.EngineConfig(temp_directory=str(tmp_path), max_temp_size="1GB")
    with engine.connect(config) as connection:
        size = connection.execute("SELECT current_setting('max_temp_directory_size')").fetchall()
    assert size == [("953.6 MiB",)]  # DuckDB says 1GB so; unset: "90% of available disk space"


def test_a_date_of_birth_and_a_given_initial_put_forward_one_sex_only():
    # Strangers born on one day, family initials different: a boy and a girl are not put
    # forward (the pairs of this rule grow with the square of the records).
    leeds = {"address": "4 Mill Lane, Leeds", "postcode": "LS6 1AA"}
    york = {"address": "9 Dale Road, York", "postcode": "YO1 7HH"}
    born = {"date_of_birth": "2015-03-04"}
    assert (
        blocked(
            IdentityRecord("Sam", "Patel", sex="M", **born, **leeds),
            IdentityRecord("Sara", "Jones", sex="F", **born, **york),
        )
        == 0
    )
    # A mother under her previous family name (one sex, or a sex not recorded) still is.
    assert (
        blocked(
            IdentityRecord("Sara", "Patel", sex="F", **born, **leeds),
            IdentityRecord("Sara", "Jones", **born, **york),
        )
        == 1
    )


def test_boy_and_girl_twins_are_still_put_forward_to_be_held_apart():
    # The guard can hold twins apart only if they are scored: one date of birth and one
    # family initial is not narrowed by sex.
    assert (
        blocked(
            IdentityRecord("Oliver", "Smith", date_of_birth="2019-05-01", sex="M", **HOME),
            IdentityRecord("Amelia", "Smith", date_of_birth="2019-05-01", sex="F", **HOME),
        )
        == 1
    )


def test_a_boy_and_a_girl_born_on_one_day_meet_only_when_something_else_is_shared():
    # Strangers: another family name, another postcode, another given name.
    born = {"date_of_birth": "2019-05-01"}
    leeds = {"address": "4 Mill Lane, Leeds", "postcode": "LS6 1AA"}
    york = {"address": "9 Dale Road, York", "postcode": "YO1 7HH"}
    boy = IdentityRecord("Oliver", "Smith", sex="M", **born, **leeds)
    assert blocked(boy, IdentityRecord("Amelia", "Shaw", sex="F", **born, **york)) == 0
    # Twins after a move, or with the family name mistyped: one shared value is enough.
    assert blocked(boy, IdentityRecord("Amelia", "Smith", sex="F", **born, **york)) == 1
    assert blocked(boy, IdentityRecord("Amelia", "Smyth", sex="F", **born, **leeds)) == 1
    # A sex recorded wrongly on one record of one child.
    assert blocked(boy, IdentityRecord("Oliver", "Smyth", sex="F", **born, **york)) == 1


def test_a_date_of_birth_and_a_house_number_or_street_word_hold_within_one_district():
    born = {"date_of_birth": "2015-03-04"}
    apart = blocked(
        IdentityRecord(
            "Jack", "Patel", **born, address="12 High Street, Leeds", postcode="LS6 2AB"
        ),
        IdentityRecord(
            "Molly", "Jones", **born, address="12 High Street, Hull", postcode="HU1 3DD"
        ),
    )
    near = blocked(
        IdentityRecord(
            "Jack", "Patel", **born, address="12 High Street, Leeds", postcode="LS6 2AB"
        ),
        IdentityRecord(
            "Molly", "Jones", **born, address="12 High Street, Leeds", postcode="LS6 9ZZ"
        ),
    )
    assert (apart, near) == (0, 1)


def test_blocked_pairs_made_rule_by_rule_are_splinks_own():
    # engine.blocked_pairs_sql joins each rule alone and groups the pairs: the same
    # pairs as Splink's blocking (which tests every pair a rule finds against the rules
    # before it).
    from splink import DuckDBAPI, Linker

    from sightline.linkage import comparisons
    from sightline.linkage.tests.synthetic import households

    records, _siblings, _namesakes = households(80, seed=11)
    rows = [features(r.record, index) for index, r in enumerate(records)]
    # Aliases, so that the exploded rule (name_keys) finds pairs of its own.
    rows[0]["name_keys"] = [*rows[0]["name_keys"], f"{rows[1]['given1']}|{rows[1]['family']}"]
    settings = comparisons.settings_dict()
    with engine.connect(engine.EngineConfig(memory_limit="1GB")) as connection:
        api = DuckDBAPI(connection=connection)
        frame = api.register(engine.to_arrow(rows), table_name="sightline_records")
        splinks = Linker(frame, comparisons.splink_settings(settings))
        theirs = splinks.inference.compute_blocked_pairs_for_predict().as_duckdbpyrelation()
        expected = set(theirs.fetchall())
        rules = settings["blocking_rules_to_generate_predictions"]
        ours = set(connection.sql(engine.blocked_pairs_sql(rules)).fetchall())
    assert len(ours) > 100
    assert {(left, right) for _key, left, right in ours} == {
        (left, right) for _key, left, right in expected
    }
    # The rule numbers: ours the first rule to find the pair. Splink's are the smallest
    # as text ("10" before "4") where its exploded rule's pairs meet a later rule's.
    first = {(left, right): int(key) for key, left, right in ours}
    assert all(first[left, right] <= int(key) for key, left, right in expected)


def test_the_counts_say_how_many_of_each_rules_pairs_are_one_person():
    born = {"date_of_birth": "2015-03-04", **HOME}
    records = [
        IdentityRecord("Jack", "Smith", sex="M", **born),
        IdentityRecord("Jack", "Smith", **born),
        IdentityRecord("Jacob", "Smith", sex="M", **born),  # his twin
    ]
    table = engine.to_arrow([features(record, index) for index, record in enumerate(records)])
    config = engine.EngineConfig(memory_limit="1GB")
    counts = engine.blocked_pair_counts(table, config=config, persons=["a", "a", "b"])
    # All three pairs under the first rule that finds them: date of birth, family initial.
    found = [(pairs, true) for _rule, pairs, true in counts if pairs]
    assert found == [(3, 1)]
    assert counts[1][1:] == (3, 1)
    assert {true for _rule, _pairs, true in engine.blocked_pair_counts(table, config=config)} == {
        None
    }
