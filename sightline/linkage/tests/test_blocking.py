"""Which pairs the batch blocking rules put forward for scoring (engine.blocked_pair_counts)."""

from sightline.linkage import engine
from sightline.linkage.features import IdentityRecord, features

HOME = {"address": "12 Church Road, Leeds", "postcode": "LS6 2AB"}


def blocked(*records: IdentityRecord) -> int:
    rows = [features(record, index) for index, record in enumerate(records)]
    counts = engine.blocked_pair_counts(
        engine.to_arrow(rows), config=engine.EngineConfig(memory_limit="1GB")
    )
    return sum(count for _rule, count in counts)


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


def test_the_spill_to_disk_is_bounded(tmp_path):
    config = engine.EngineConfig(temp_directory=str(tmp_path), max_temp_size="1GB")
    with engine.connect(config) as connection:
        size = connection.execute("SELECT current_setting('max_temp_directory_size')").fetchall()
    assert size == [("953.6 MiB",)]  # DuckDB says 1GB so; unset: "90% of available disk space"
