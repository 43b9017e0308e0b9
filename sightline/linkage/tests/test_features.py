import datetime as dt

import pytest

from sightline.linkage import nicknames
from sightline.linkage.features import (
    IdentityRecord,
    Problems,
    blocking_keys,
    features,
    has_identity,
    parse_date_of_birth,
    query_keys,
    swapped_date,
)
from sightline.linkage.tests.synthetic import nhs_number


def test_it_normalises_case_accents_and_hyphens():
    row = features(IdentityRecord(given_name="  ZOË ", family_name="Smith-Jones"), 0)
    assert row["given"] == "zoe"
    assert row["family"] == "smith jones"
    assert row["family_parts"] == ["smith", "jones"]
    assert row["family_initial"] == "s"


def test_it_keeps_first_given_name_and_formal_names():
    row = features(IdentityRecord(given_name="Bill Arthur"), 0)
    assert row["given"] == "bill arthur"
    assert row["given1"] == "bill"
    assert "william" in row["given_formal"]
    assert "bill" in row["given_formal"]


def test_it_keeps_the_formal_names_of_a_family_name_that_is_a_given_name():
    """For names swapped on a record ("Rogers Andrea"): the family-name field's words
    that the name dataset knows, as formal names; none for a family name it does not."""
    swapped = features(IdentityRecord(given_name="Rogers", family_name="Andrea"), 0)
    assert "andrea" in swapped["family_formal"]
    plain = features(IdentityRecord(given_name="Drea", family_name="Okonkwo-Zielinski"), 0)
    assert plain["family_formal"] is None
    assert set(swapped["family_formal"]) & set(plain["given_formal"])


def test_it_lists_every_meaning_of_an_ambiguous_nickname():
    assert {"alex", "alexander", "alexandra"} <= set(nicknames.formal_names("alex"))
    assert nicknames.formal_names("zebedee") == ("zebedee",)
    assert nicknames.formal_names("") == ()


def test_it_takes_generation_words_off_the_name():
    row = features(IdentityRecord(given_name="John", family_name="Smith Jr"), 0)
    assert row["family"] == "smith"
    assert row["generation"] == "junior"
    senior = features(IdentityRecord(given_name="John Snr", family_name="Smith"), 0)
    assert senior["given"] == "john"
    assert senior["generation"] == "senior"


def test_it_collects_aliases_and_previous_names():
    row = features(
        IdentityRecord(given_name="Amy", family_name="Khan", other_names="Amy Begum; Aimee Khan"),
        0,
    )
    assert row["given_names"] == ["amy", "aimee"]
    assert row["family_names"] == ["khan", "begum"]


def test_it_treats_an_invalid_nhs_number_as_missing_and_counts_it():
    problems = Problems()
    valid = nhs_number(1)
    invalid = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    assert (
        features(IdentityRecord(nhs_number=f"{valid[:3]} {valid[3:6]} {valid[6:]}"), 0, problems)[
            "nhs"
        ]
        == valid
    )
    assert features(IdentityRecord(nhs_number=invalid), 1, problems)["nhs"] is None
    assert features(IdentityRecord(nhs_number="12345"), 2, problems)["nhs"] is None
    assert features(IdentityRecord(nhs_number=""), 3, problems)["nhs"] is None
    assert problems.invalid_nhs_numbers == 2


def test_it_parses_dates_of_birth_and_counts_bad_ones():
    problems = Problems()
    assert features(IdentityRecord(date_of_birth="2015-03-04"), 0, problems)["dob"] == "2015-03-04"
    assert features(IdentityRecord(date_of_birth="4/3/2015"), 1, problems)["dob"] == "2015-03-04"
    assert features(IdentityRecord(date_of_birth=dt.date(2015, 3, 4)), 2)["dob"] == "2015-03-04"
    assert features(IdentityRecord(date_of_birth="2015-02-30"), 3, problems)["dob"] is None
    assert features(IdentityRecord(date_of_birth="soon"), 4, problems)["dob"] is None
    assert problems.invalid_dates_of_birth == 2
    assert parse_date_of_birth("  ") is None


def test_it_offers_the_day_month_swap_only_when_it_is_another_date():
    assert swapped_date(dt.date(2015, 3, 4)) == dt.date(2015, 4, 3)
    assert swapped_date(dt.date(2015, 3, 3)) is None
    assert swapped_date(dt.date(2015, 3, 14)) is None
    assert features(IdentityRecord(date_of_birth="2015-03-04"), 0)["dob_swapped"] == "2015-04-03"


def test_it_normalises_postcodes_and_drops_invalid_ones():
    problems = Problems()
    row = features(
        IdentityRecord(postcode="ls14ap", address="1 Park Row, Leeds LS1 4AP"), 0, problems
    )
    assert row["postcode"] == "LS1 4AP"
    assert row["district"] == "LS1"
    assert row["address"] == "1 park row leeds"
    assert row["house"] == "1"
    assert features(IdentityRecord(postcode="nowhere"), 1, problems)["postcode"] is None
    assert problems.invalid_postcodes == 1


@pytest.mark.parametrize(
    ("text", "postcode", "district"),
    [
        ("ls1 4ap", "LS1 4AP", "LS1"),
        ("LS1", None, "LS1"),
        ("2600", "2600", None),
        ("d02 x285", "D02X285", None),
        ("1000-123", "1000123", None),
        ("nowhere", None, None),
    ],
)
def test_it_keeps_other_countries_postcodes_for_exact_comparison(text, postcode, district):
    row = features(IdentityRecord(postcode=text), 0)
    assert (row["postcode"], row["district"]) == (postcode, district)


def test_it_finds_the_street_after_the_house_number():
    def street(text):
        row = features(IdentityRecord(address=text), 0)
        return row["house"], row["street"]

    assert street("28 Tanner Walk, Leeds") == ("28", "tanner")
    assert street("Flat 2, 12 Acacia Avenue") == ("2", "acacia")
    assert street("Rose Cottage, Mill Lane") == (None, "rose")


def test_it_knows_a_record_with_nothing_to_match_on():
    assert not has_identity(IdentityRecord(sex="F", postcode="LS1 4AP", address="1 Park Row"))
    assert has_identity(IdentityRecord(family_name="Smith"))
    assert has_identity(IdentityRecord(date_of_birth="2015-01-01"))
    assert has_identity(IdentityRecord(nhs_number=nhs_number(3)))
    assert not has_identity(IdentityRecord(nhs_number="1234567890"))


def test_it_makes_blocking_keys_and_swapped_query_keys():
    row = features(
        IdentityRecord(
            given_name="Amy",
            family_name="Khan",
            date_of_birth="2015-03-04",
            postcode="LS1 4AP",
            address="1 Park Row",
        ),
        0,
    )
    keys = blocking_keys(row)
    assert "gf:amy|khan" in keys
    assert "dfi:2015-03-04|k" in keys
    assert "pd:LS1 4AP|2015-03-04" in keys
    extra = set(query_keys(row)) - set(keys)
    assert extra == {"gf:khan|amy", "dfi:2015-04-03|k"}


@pytest.mark.parametrize("text", ["", "   "])
def test_it_gives_no_keys_for_an_empty_record(text):
    assert blocking_keys(features(IdentityRecord(given_name=text), 0)) == []


def test_its_fast_name_key_equals_the_shared_one():
    import random

    from sightline.linkage.features import name_key
    from sightline.people import normalise

    rng = random.Random(1)
    alphabet = "abcXYZ09 -'\t.,/é\u2019ÅöÑ"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    texts += ["O'Brien-Smith", "  Mary   Jane ", "ZOË", "D\u2019Arcy"]
    assert [name_key(t) for t in texts] == [normalise.name_key(t) for t in texts]


def test_its_nhs_check_equals_the_shared_one():
    import random

    from sightline.linkage.features import _nhs
    from sightline.people import normalise

    rng = random.Random(2)
    numbers = ["".join(rng.choice("0123456789") for _ in range(10)) for _ in range(5000)]
    numbers += [nhs_number(n) for n in range(200)] + [
        "999 000 0018",
        "12345",
        "",
        "99900000\uff118",
    ]
    for number in numbers:
        assert (_nhs(number) is not None) == normalise.is_valid_nhs_number(number), number
