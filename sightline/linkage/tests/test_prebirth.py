"""Pre-birth records: an unborn child's record links to the born child in review only."""

import pytest

from sightline.linkage import batch, comparisons, engine, prebirth
from sightline.linkage.features import IdentityRecord, features
from sightline.linkage.tests.test_comparisons import hand_made_model

HOME = {"family_name": "Okafor", "address": "3 Mill Lane, Leeds", "postcode": "LS6 2BB"}


def unborn(index=0, expected="2026-03-01", **changes):
    fields = {**HOME, "given_name": "Unborn", "date_of_birth": expected, **changes}
    return features(IdentityRecord(**fields), index)


def child(index, born, given="Amara", **changes):
    fields = {**HOME, "given_name": given, "date_of_birth": born, "sex": "F", **changes}
    return features(IdentityRecord(**fields), index)


@pytest.mark.parametrize("given", ["Unborn", "UNBORN", "Baby", "Unborn Baby", "Baby Of"])
def test_it_reads_an_unborn_record(given):
    row = unborn(given_name=given)
    assert row["unborn"] == "Y"
    assert row["given1"] is None  # the word is not a name


def test_it_finds_the_child_born_within_six_weeks_in_the_household():
    rows = [
        unborn(0),
        child(1, "2026-03-15"),  # two weeks after the expected date
        child(2, "2026-05-01"),  # too late
        child(3, "2026-03-10", address="9 Oak Road, Leeds", postcode="LS1 1AA"),  # elsewhere
        child(4, "2026-02-10"),  # three weeks early: fits
    ]
    assert prebirth.candidates(rows) == {0: [1, 4]}


def test_it_proposes_one_born_child_and_nothing_when_two_fit():
    rows = [unborn(0), child(1, "2026-03-15"), child(2, "2026-03-15", given="Amarachi")]
    # Records 1 and 2 are one child (clustered together): proposed.
    assert prebirth.proposals(rows, [0, 1, 1]) == ([(0, 1)], set())
    # Two born children (twins): nothing proposed for the unborn record.
    assert prebirth.proposals(rows, [0, 1, 2]) == ([], {0})


def test_it_never_links_an_unborn_record_automatically():
    weights = comparisons.Weights.from_model(hand_made_model())
    result = comparisons.score(weights, unborn(0), child(1, "2026-03-01"))
    assert result.guard == comparisons.PREBIRTH_GUARD


def _resolve(rows):
    return batch.resolve(
        rows,
        hand_made_model(),
        config=engine.EngineConfig(memory_limit="1GB"),
        auto_threshold=0.99,
        review_threshold=0.5,
    )


def test_it_puts_the_born_child_to_review_never_linking_it():
    rows = [unborn(0), child(1, "2026-03-15"), child(2, "2026-03-15", nhs_number="")]
    result = _resolve(rows)
    assert result.labels[0] != result.labels[1]
    assert result.labels[1] == result.labels[2]
    reviews = [(p.left, p.right, p.guard) for p in result.review if 0 in (p.left, p.right)]
    assert len(reviews) == 1
    assert reviews[0][2] == prebirth.REASON


def test_it_proposes_nothing_for_an_unborn_record_when_twins_were_born():
    rows = [
        unborn(0),
        child(1, "2026-03-15", given="Amara"),
        child(2, "2026-03-15", given="Chidi", sex="M"),
    ]
    result = _resolve(rows)
    assert len(set(result.labels)) == 3
    assert not [p for p in result.review if 0 in (p.left, p.right)]
