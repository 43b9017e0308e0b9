"""Pre-birth records: an unborn child's record joins the one born child of its household
born within six weeks of the expected date automatically (a rule, not a score), and goes
to review with each child when two or more fit (issue 16, item 5)."""

import pytest

from sightline.linkage import comparisons, prebirth
from sightline.linkage.features import IdentityRecord, features
from sightline.linkage.tests.test_comparisons import hand_made_model, resolve_by_hand

HOME = {"family_name": "Okafor", "address": "3 Mill Lane, Leeds", "postcode": "LS6 2BB"}
ELSEWHERE = {"address": "9 Oak Road, Leeds", "postcode": "LS1 1AA"}


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
        child(3, "2026-03-10", **ELSEWHERE),  # elsewhere
        child(4, "2026-02-10"),  # three weeks early: fits
    ]
    assert prebirth.candidates(rows) == {0: [1, 4]}


@pytest.mark.parametrize(
    ("home", "others", "fitting"),
    [
        # Manchester has a Manor Drive in M12 and another in M18: the address line alone
        # does not make one home (the child of the other one was joined at 1,000,000
        # records).
        (
            ("32 Manor Drive, Manchester", "M12 8PU"),
            [
                ("32 Manor Drive, Manchester", "M18 1GS"),
                ("32 Manor Drive, Manchester", "M12 8PU"),
                ("32 Manor Drive, Manchester", ""),
            ],
            [2],
        ),
        # Nor do a postcode and a house number on two streets: at 1,000,000 independent
        # records an unborn Edwards at 61 Willow Place joined Rosemary Hall, born at 61
        # Springfield Walk in the same postcode. The same home with the street mistyped,
        # or the town left off, is one.
        (
            ("61 Willow Place, Sunderland", "SR10 7YY"),
            [
                ("61 Springfield Walk, Sunderland", "SR10 7YY"),
                ("61 Wilow Place, Sunderland", "SR10 7YY"),
                ("61 Willow Place", "SR10 7YY"),
            ],
            [2, 3],
        ),
    ],
)
def test_a_household_is_one_home_not_one_line_or_one_number(home, others, fitting):
    rows = [unborn(0, address=home[0], postcode=home[1])]
    rows += [
        child(index, "2026-03-14", address=address, postcode=postcode)
        for index, (address, postcode) in enumerate(others, start=1)
    ]
    assert prebirth.candidates(rows) == {0: fitting}


# --- the rule on a clustering (prebirth.link) -----------------------------------------------


def test_it_links_the_one_fitting_child_and_puts_two_to_review():
    rows = [unborn(0), child(1, "2026-03-15"), child(2, "2026-03-15", given="Amarachi")]
    # Records 1 and 2 are one child (clustered together): linked, nothing to review.
    one = prebirth.link(rows, [0, 1, 1])
    assert (one.labels, one.links, one.review) == ([0, 0, 0], [(0, 1)], [])
    # Two born children (twins): linked to neither, one review pair per child.
    two = prebirth.link(rows, [0, 1, 2])
    assert two.labels == [0, 1, 2]
    assert two.links == []
    assert two.review == [(0, 1, prebirth.REASON_CHILDREN), (0, 2, prebirth.REASON_CHILDREN)]


def test_a_twin_recorded_at_another_address_makes_two_children():
    # Only Krzysztof's record is at home; his twin Mohammad's carries the family's old
    # address (another town). Same family name and date of birth: two children fit.
    rows = [
        unborn(0, expected="2025-09-24", family_name="Higgins"),
        child(1, "2025-09-23", given="Krzysztof", family_name="Higgins", sex="M"),
        child(2, "2025-09-23", given="Mohammad", family_name="Higgins", sex="M", **ELSEWHERE),
        # Another family's child born that day, elsewhere, is no twin of his.
        child(3, "2025-09-23", given="Oliver", family_name="Hughes", sex="M", **ELSEWHERE),
    ]
    result = prebirth.link(rows, [0, 1, 2, 3])
    assert result.links == []
    assert result.review == [(0, 1, prebirth.REASON_CHILDREN), (0, 2, prebirth.REASON_CHILDREN)]
    # Without the twin, or with his record in the child's person, the one child is linked.
    assert prebirth.link(rows[:2] + rows[3:], [0, 1, 2]).links == [(0, 1)]
    assert prebirth.link(rows, [0, 1, 1, 3]).links == [(0, 1)]


@pytest.mark.parametrize("given", ["Jamie", "JAMIE", "Jaime", "James"])
def test_the_childs_own_record_elsewhere_is_no_twin(given):
    # Jamie's health record is at home; his social care record, not clustered with it,
    # carries the family's old address: the same name (or a slip, a short form of it)
    # and date of birth is Jamie again, not a second child.
    rows = [
        unborn(0, expected="2025-10-30", family_name="Jones"),
        child(1, "2025-11-03", given="Jamie", family_name="Jones", sex="M"),
        child(2, "2025-11-03", given=given, family_name="Jones", sex="M", **ELSEWHERE),
    ]
    assert prebirth.link(rows, [0, 1, 2]).links == [(0, 1)]
    # A twin has another name: two children, both to review.
    rows[2] = child(2, "2025-11-03", given="Vincent", family_name="Jones", sex="M", **ELSEWHERE)
    result = prebirth.link(rows, [0, 1, 2])
    assert result.links == []
    assert result.review == [(0, 1, prebirth.REASON_CHILDREN), (0, 2, prebirth.REASON_CHILDREN)]


def test_a_child_of_another_family_name_at_home_and_one_of_its_name_elsewhere_go_to_review():
    # An unborn Short at the Shorts' old address; Lauren King born there since, a month
    # before the expected date; Krystian Short born 18 days before it, in Nottingham.
    rows = [
        unborn(0, expected="2026-01-13", family_name="Short"),
        child(1, "2025-12-12", given="Lauren", family_name="King"),
        child(2, "2025-12-26", given="Krystian", family_name="Short", sex="M", **ELSEWHERE),
    ]
    result = prebirth.link(rows, [0, 1, 2])
    assert result.links == []
    assert result.review == [(0, 1, prebirth.REASON_FAMILY), (0, 2, prebirth.REASON_FAMILY)]
    # With no child of its name born in the window, the child at home is the one (a
    # child may carry the father's name).
    alone = prebirth.link(rows[:2], [0, 1])
    assert alone.links == [(0, 1)]
    # Nor does a child of its name born farther from the expected date than the child at
    # home (38 days against 32), or outside the window.
    for born in ("2026-02-20", "2026-06-01"):
        later = [*rows[:2], child(2, born, given="Krystian", family_name="Short", **ELSEWHERE)]
        assert prebirth.link(later, [0, 1, 2]).links == [(0, 1)]


def test_a_person_of_the_family_at_home_with_a_number_and_no_date_may_be_a_twin():
    # Twins Janice and Debra Preston (independent corpus at 1,000,000): Debra's one
    # record, a health record, has her NHS number and no date of birth. The dates
    # cannot rule her out: both go to review.
    rows = [
        unborn(0, expected="2025-11-17", family_name="Preston"),
        child(1, "2025-11-13", given="Janice", family_name="Preston", nhs_number="9990000018"),
        child(2, "", given="Debra", family_name="Preston", nhs_number="9990000026"),
    ]
    result = prebirth.link(rows, [0, 1, 2])
    assert result.links == []
    assert result.review == [(0, 1, prebirth.REASON_UNDATED), (0, 2, prebirth.REASON_UNDATED)]
    # Not a person whose other records give a date (her mother), nor a record without
    # an NHS number (a housing record), nor one of another family name or elsewhere.
    assert prebirth.link(rows, [0, 1, 1]).links == [(0, 1)]
    mother = child(3, "1990-05-02", given="Debra", family_name="Preston", sex="F")
    assert prebirth.link([*rows, mother], [0, 1, 3, 3]).links == [(0, 1)]
    for other in (
        child(2, "", given="Debra", family_name="Preston"),
        child(2, "", given="Debra", family_name="Jones", nhs_number="9990000026"),
        child(2, "", given="Debra", family_name="Preston", nhs_number="9990000026", **ELSEWHERE),
    ):
        assert prebirth.link([*rows[:2], other], [0, 1, 2]).links == [(0, 1)]


def test_two_unborn_records_of_one_pregnancy_both_join_the_child():
    # Social care's and midwifery's records, expected dates a week apart.
    rows = [unborn(0), unborn(1, expected="2026-03-08"), child(2, "2026-03-15")]
    result = prebirth.link(rows, [0, 1, 2])
    assert len(set(result.labels)) == 1
    assert sorted(result.links) == [(0, 2), (1, 2)]
    assert result.review == []


def test_it_does_not_join_a_child_holding_another_pregnancys_unborn_record():
    # The child's person already holds an unborn record expected ten weeks before this
    # one's (put there by a practitioner): two pregnancies, not one child. Review.
    rows = [
        unborn(0, expected="2026-04-20"),
        unborn(1, expected="2026-02-09"),
        child(2, "2026-03-20"),
    ]
    result = prebirth.link(rows, [0, 1, 1])
    assert result.labels == [0, 1, 1]
    assert result.links == []
    assert result.review == [(0, 2, prebirth.REASON_REFUSED)]


def test_it_refuses_another_nhs_number_and_respects_a_practitioners_decision():
    rows = [
        unborn(0, nhs_number="9990000018"),
        child(1, "2026-03-15", nhs_number="9990000026"),
    ]
    assert prebirth.link(rows, [0, 1]).review == [(0, 1, prebirth.REASON_REFUSED)]
    # Decided different people (an un-merge, a rejected pair): no link, and not proposed.
    decided = prebirth.link([unborn(0), child(1, "2026-03-15")], [0, 1], cannot_link=[(1, 0)])
    assert (decided.links, decided.review) == ([], [])


def test_one_to_one_linkage_joins_no_two_records_of_one_source():
    rows = [unborn(0), child(1, "2026-03-15")]
    assert prebirth.link(rows, [0, 1], sources=["CSC", "HEALTH"]).links == [(0, 1)]
    same = prebirth.link(rows, [0, 1], sources=["CSC", "CSC"])
    assert (same.links, same.review) == ([], [(0, 1, prebirth.REASON_REFUSED)])


# --- in a batch run (batch.resolve) ------------------------------------------------------------


def test_it_never_links_an_unborn_record_on_its_score():
    weights = comparisons.Weights.from_model(hand_made_model())
    result = comparisons.score(weights, unborn(0), child(1, "2026-03-01"))
    assert result.guard == comparisons.PREBIRTH_GUARD


def _reviews_of(result, record):
    return sorted((p.left, p.right, p.guard) for p in result.review if record in (p.left, p.right))


def test_it_links_the_one_born_child_automatically():
    rows = [unborn(0), child(1, "2026-03-15"), child(2, "2026-03-15", nhs_number="")]
    result = resolve_by_hand(rows)
    assert result.labels == [0, 0, 0]
    assert result.prebirth_links == [(0, 1)]
    assert _reviews_of(result, 0) == []


def test_it_links_twins_to_neither_and_puts_both_to_review():
    rows = [
        unborn(0),
        child(1, "2026-03-15", given="Amara"),
        child(2, "2026-03-15", given="Chidi", sex="M"),
        child(3, "2026-03-15", given="Chidi", sex="M", address="", postcode="LS6 2BB"),
    ]
    result = resolve_by_hand(rows)
    assert result.labels[0] not in (result.labels[1], result.labels[2])
    assert result.labels[1] != result.labels[2] == result.labels[3]
    assert result.prebirth_links == []
    # One pair per child, whichever of Chidi's records.
    assert _reviews_of(result, 0) == [
        (0, 1, prebirth.REASON_CHILDREN),
        (0, 2, prebirth.REASON_CHILDREN),
    ]


def test_a_sibling_born_two_years_before_is_not_the_expected_child():
    rows = [unborn(0), child(1, "2024-03-10", given="Chidi", sex="M")]
    result = resolve_by_hand(rows)
    assert result.labels[0] != result.labels[1]
    assert result.prebirth_links == []
    assert _reviews_of(result, 0) == []


def test_a_child_of_another_household_is_not_the_expected_child():
    rows = [unborn(0), child(1, "2026-03-15", **ELSEWHERE)]
    result = resolve_by_hand(rows)
    assert result.labels[0] != result.labels[1]
    assert (result.prebirth_links, _reviews_of(result, 0)) == ([], [])


def test_an_unborn_record_does_not_join_its_mother_or_a_child_outside_the_window():
    mother = features(
        IdentityRecord(**HOME, given_name="Ngozi", date_of_birth="1994-06-02", sex="F"), 1
    )
    rows = [unborn(0), mother, child(2, "2026-05-20")]  # eleven weeks late
    result = resolve_by_hand(rows)
    assert len(set(result.labels)) == 3
    assert result.prebirth_links == []


def test_a_confirmed_pre_birth_link_keeps_the_childs_records_together():
    # A practitioner confirmed the unborn record is twin Amara's; her records still join
    # each other: the unborn record's guarded pairs are not "held apart", and its
    # expected date (another year, 18 days before the birth) is not a date of birth
    # that keeps her other records out of the person.
    rows = [
        unborn(0, expected="2025-12-28"),
        child(1, "2026-01-15", given="Amara"),
        child(2, "2026-01-15", given="Chidi", sex="M"),
        child(3, "2026-01-15", given="Amara", address="", postcode="LS6 2BB"),
    ]
    result = resolve_by_hand(rows, must_link=[(0, 1)])
    assert result.labels[0] == result.labels[1] == result.labels[3] != result.labels[2]
    assert _reviews_of(result, 0) == []


def test_two_unborn_records_of_one_pregnancy_end_with_the_child_in_a_batch_run():
    rows = [
        unborn(0),
        unborn(1, expected="2026-03-05", address="3, Mill Lane, Leeds"),
        child(2, "2026-03-15"),
        child(3, "2026-03-15", address="", postcode="LS6 2BB"),
    ]
    result = resolve_by_hand(rows)
    assert len(set(result.labels)) == 1
    assert len(result.prebirth_links) == 2


def test_across_agencies_it_links_an_unborn_record_to_another_agencys_child():
    rows = [unborn(0), child(1, "2026-03-15")]
    result = resolve_by_hand(rows, sources=["CSC", "HEALTH"])
    assert result.labels == [0, 0]
    same_source = resolve_by_hand(rows, sources=["CSC", "CSC"])
    assert same_source.labels == [0, 1]
