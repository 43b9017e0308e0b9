import pytest

from sightline.linkage import batch, comparisons
from sightline.linkage.clustering import (
    Edge,
    ambiguous_records,
    cluster,
    fits_two_persons,
    overruled_by_number,
)
from sightline.linkage.evaluation import pairwise_scores
from sightline.linkage.features import IdentityRecord, features
from sightline.linkage.tests.test_comparisons import hand_made_model, resolve_by_hand


def test_it_joins_linked_records():
    assert cluster(4, [Edge(0, 1, 10), Edge(2, 3, 5)]) == [0, 0, 2, 2]


def test_it_refuses_a_chain_through_a_third_record_when_a_pair_must_stay_apart():
    # Twins 0 and 2; record 1 has no given name and links to both.
    labels = cluster(3, [Edge(0, 1, 20), Edge(1, 2, 19)], cannot_link=[(0, 2)])
    assert labels[0] == labels[1]
    assert labels[2] != labels[0]


def test_it_takes_the_strongest_link_first():
    labels = cluster(3, [Edge(1, 2, 30), Edge(0, 1, 20)], cannot_link=[(0, 2)])
    assert labels == [0, 1, 1]


def test_it_never_joins_two_different_nhs_numbers():
    labels = cluster(3, [Edge(0, 1, 20), Edge(1, 2, 19)], nhs=["9990000018", None, "9990000026"])
    assert labels[0] == labels[1] != labels[2]


def test_it_joins_confirmed_pairs_whatever_the_model_says():
    assert cluster(3, [], must_link=[(0, 2)]) == [0, 1, 0]


def test_it_scores_pairwise_precision_recall_and_merges():
    truth = ["a", "a", "b", "c", "c"]
    predicted = [1, 1, 1, 2, 3]  # a and b merged, c split
    scores = pairwise_scores(predicted, truth, twins={frozenset(("a", "b"))})
    assert scores.true_positives == 1
    assert scores.predicted_pairs == 3
    assert scores.true_pairs == 2
    assert scores.precision == 1 / 3
    assert scores.recall == 1 / 2
    assert scores.false_merges == 1
    assert scores.twin_merges == 1
    perfect = pairwise_scores(truth, truth)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)


def test_it_links_deduplicated_sources_one_to_one_best_link_first():
    # School roll (S) against health register (H): S0 links to H2 (strong) and H3
    # (weaker); S1 links to H3. Each person holds at most one record of each source.
    sources = ["S", "S", "H", "H"]
    edges = [Edge(0, 3, 12), Edge(0, 2, 20), Edge(1, 3, 9)]
    assert cluster(4, edges, one_per_source=sources) == [0, 1, 0, 1]
    # Without the constraint the chain S0-H3-S1 puts the two school records together.
    assert cluster(4, edges) == [0, 0, 0, 0]


def test_it_keeps_one_to_one_through_a_chain_of_sources():
    # Three sources: A0-B1 and B1-C2 join; A3 may not join C2's cluster (it holds A0).
    sources = ["A", "B", "C", "A"]
    labels = cluster(4, [Edge(0, 1, 30), Edge(1, 2, 20), Edge(3, 2, 10)], one_per_source=sources)
    assert labels == [0, 0, 0, 3]


def test_a_confirmed_pair_overrides_one_to_one():
    labels = cluster(2, [], must_link=[(0, 1)], one_per_source=["S", "S"])
    assert labels == [0, 0]


def test_it_needs_one_source_per_record():
    with pytest.raises(ValueError, match="one source per record"):
        cluster(3, [], one_per_source=["S", "H"])


def test_it_finds_a_record_that_links_to_two_records_which_must_stay_apart():
    # A parent (0) and a child (2) sharing a name, held apart; record 1 has no date of
    # birth and links to both. Strongest first would join it to 0 on a slightly higher
    # score; it fits both, so it is ambiguous.
    edges = [Edge(0, 1, 20), Edge(1, 2, 19), Edge(2, 3, 25)]
    assert ambiguous_records(edges, cannot_link=[(2, 0)]) == {1}
    assert ambiguous_records(edges) == set()
    # Two different valid NHS numbers among the records it links to.
    nhs = ["9990000018", None, "9990000026", None]
    assert ambiguous_records(edges, nhs=nhs) == {1}
    assert ambiguous_records(edges, nhs=["9990000018", None, "9990000018", None]) == set()


def test_only_a_record_that_cannot_tell_them_apart_is_ambiguous_through_a_guarded_pair():
    # Record 1 links to 0 and 2, held apart (two mistyped copies of one name, say).
    edges = [Edge(0, 1, 20), Edge(1, 2, 19)]
    # With a date of birth and a given name, record 1 tells which is nearer: not ambiguous.
    assert ambiguous_records(edges, cannot_link=[(0, 2)], weak=set()) == set()
    # Without one, it is.
    assert ambiguous_records(edges, cannot_link=[(0, 2)], weak={1}) == {1}
    # Two different NHS numbers count for every record.
    nhs = ["9990000018", None, "9990000026"]
    assert ambiguous_records(edges, nhs=nhs, weak=set()) == {1}


def test_a_weak_record_is_ambiguous_when_it_fits_the_other_record_at_the_review_threshold():
    # Record 1 (no date of birth) links automatically to 0 only; it also fits 2 at the
    # review threshold, and 0 and 2 are held apart (namesake brothers).
    edges = [Edge(0, 1, 20)]
    possible = [Edge(1, 2, 3)]
    assert ambiguous_records(edges, cannot_link=[(0, 2)], weak={1}, possible=possible) == {1}
    # A review-level link alone makes nothing ambiguous: the record links to no one.
    assert (
        ambiguous_records([], cannot_link=[(0, 2)], weak={1}, possible=[*possible, Edge(0, 1, 3)])
        == set()
    )
    # Nor for a record that can tell them apart.
    assert ambiguous_records(edges, cannot_link=[(0, 2)], weak=set(), possible=possible) == set()


def test_it_leaves_a_record_that_fits_a_parent_and_a_child_sharing_a_name_to_review():
    """A record with no date of birth links to a father and his son of one name at one
    address (held apart: their dates of birth differ). It belongs to one of them, which
    the data cannot tell: it joins neither and goes to review."""
    home = {"address": "68 Beech Crescent, Oldham", "postcode": "OL4 7TG", "sex": "M"}
    rows = [
        features(
            IdentityRecord(
                given_name="Paul", family_name="Dennis", date_of_birth="1984-02-01", **home
            ),
            0,
        ),
        features(IdentityRecord(given_name="Paul", family_name="Dennis", **home), 1),
        features(
            IdentityRecord(
                given_name="Paul", family_name="Dennis", date_of_birth="2023-03-11", **home
            ),
            2,
        ),
    ]
    result = resolve_by_hand(rows)
    assert len(set(result.labels)) == 3
    reviewed = {(p.left, p.right) for p in result.review}
    assert {(0, 1), (1, 2)} <= reviewed


def test_a_record_with_its_date_of_birth_joins_the_nearer_of_two_records_held_apart():
    """Two mistyped copies of one name on the same date of birth are held apart by the
    twin guard (Pameal, Parnela). The record typed right links to both; it has a date of
    birth and a given name, so it is not ambiguous: it joins the nearer one, strongest
    first, instead of being left out of both."""
    rows = [
        features(
            IdentityRecord(
                given_name=name,
                family_name="Baker",
                date_of_birth="2016-10-05",
                sex="F",
                address="31 Brook Crescent, Birmingham",
                postcode="B17 6RZ",
            ),
            index,
        )
        for index, name in enumerate(("Pamela", "Pameal", "Parnela"))
    ]
    assert not batch.cannot_tell_apart(rows[0])
    assert batch.cannot_tell_apart({**rows[0], "dob": None})
    assert batch.cannot_tell_apart({**rows[0], "given1": "p"})
    edges = [Edge(0, 1, 20), Edge(0, 2, 15)]
    assert ambiguous_records(edges, cannot_link=[(1, 2)], weak={1, 2}) == set()


def test_an_nhs_number_overrules_a_guard_on_its_records_spelling():
    """Record 2 (no number) links to record 0 (number N, the same name); record 1 carries
    N too, under a name the guard reads as another child's. 1 is 0's person by its
    number, so the guard on (1, 2) does not hold 2 out of that person. Kept: a pair
    whose record has a number of its own, and one with no link to the number's other
    record."""
    nhs = ["9990590397", "9990590397", None, "9990000018", None]
    edges = [Edge(0, 1, 30), Edge(0, 2, 25)]
    assert overruled_by_number([(1, 2)], edges, nhs) == []
    assert overruled_by_number([(2, 1)], edges, nhs) == []
    assert overruled_by_number([(1, 3)], [*edges, Edge(0, 3, 20)], nhs) == [(1, 3)]
    assert overruled_by_number([(1, 4)], edges, nhs) == [(1, 4)]


def test_a_school_record_joins_the_person_whose_number_another_spelling_carries():
    """Michael Thornton's school record has no NHS number; his social care record has
    the number and his name; a housing record has the number and "Micah", which the
    twin guard reads as another boy's name (Micah and Michael are both given to boys).
    The number says whose the housing record is: one person, not the school record apart."""
    home = {
        "family_name": "Thornton",
        "date_of_birth": "2025-01-08",
        "sex": "M",
        "address": "10 Stanley Terrace, Bradford",
        "postcode": "BD12 3SN",
    }
    rows = [
        features(IdentityRecord(given_name="Michael", nhs_number="9990590397", **home), 0),
        features(IdentityRecord(given_name="Micah", nhs_number="9990590397", **home), 1),
        features(IdentityRecord(given_name="Michael", **home), 2),
    ]
    weights = comparisons.Weights.from_model(hand_made_model())
    assert comparisons.score(weights, rows[1], rows[2]).guard
    result = resolve_by_hand(rows)
    assert len(set(result.labels)) == 1


def test_one_person_has_one_date_of_birth():
    """Charles (born 2020) and Carl (born 2023) Holmes, two brothers, meet through an
    undated housing record that links to both (a nickname, one address): one person
    never holds two dates of birth that are not one date mistyped."""
    edges = [Edge(0, 1, 20), Edge(1, 2, 19)]
    dates = ["2020-06-09", None, "2023-12-30"]
    labels = cluster(3, edges, dates=dates)
    assert labels == [0, 0, 2]
    # A date mistyped (a day/month swap, a digit, a placeholder, days apart) is one date.
    for mistyped in ("2020-09-06", "2020-06-08", "2020-01-01", "2020-06-12", "2021-06-09"):
        assert cluster(3, edges, dates=["2020-06-09", None, mistyped]) == [0, 0, 0]
    # An agreeing NHS number is one person whatever the dates say.
    nhs = ["9990000018", None, "9990000018"]
    assert cluster(3, edges, dates=dates, nhs=nhs) == [0, 0, 0]
    # Without dates (the default): joined as before.
    assert cluster(3, edges) == [0, 0, 0]


def test_dates_of_birth_apart_are_those_no_level_but_different_reads_as_one_date():
    assert comparisons.dates_apart("2020-06-09", "2023-12-30")
    assert comparisons.dates_apart("2020-06-09", "2020-12-30") is False  # same year
    assert comparisons.dates_apart("2019-12-30", "2020-01-02") is False  # within a week
    assert comparisons.dates_apart("2012-03-31", "2015-03-31") is False  # one digit
    assert comparisons.dates_apart("2012-03-04", "2015-04-03")


def test_a_record_that_cannot_tell_twins_apart_does_not_take_one_twins_person():
    """Twins Sam and Samuel Ashton, one date of birth, one family (independent corpus,
    100,000 records). Samuel's school record reads "Sa" (an initial: it cannot tell the
    twins apart); the guard holds it apart from Samuel's other records (0-2, 0-4) and
    from Sammy (0-3), and it links to Sam's housing record (1) one letter away, more
    strongly than anything else. Joined first, it put Samuel's record in Sam's person and
    its constraints kept Sam's own records out. The records that can tell twins apart are
    joined first; the weak records then join only a cluster holding nothing they are
    held apart from."""
    edges = [Edge(0, 1, 20), Edge(2, 3, 18), Edge(1, 4, 17), Edge(1, 2, 15), Edge(1, 3, 15)]
    apart = [(0, 2), (0, 3), (0, 4)]
    labels = cluster(5, edges, cannot_link=apart, weak={0, 4})
    assert labels == [0, 1, 1, 1, 1]
    # Strongest first alone (no weak records named), "Sa" takes Sam's record.
    assert cluster(5, edges, cannot_link=apart) == [0, 0, 2, 2, 4]
    # The same through the path for large inputs (conflicting components apart).
    many = 10_000
    assert cluster(many, edges, cannot_link=apart, weak={0, 4})[:5] == labels


def test_a_weak_record_that_fits_two_persons_held_apart_joins_neither():
    """Rita Martin, no date of birth (1), at the address of her sister Margaret (0, born
    2015; Rita is Margaret's nickname) and of her own dated record (2, born 2016). The
    sisters' records were never compared, so no guarded pair holds them apart: only
    their dates of birth do, as whole persons. Read pair by pair the undated record is
    not ambiguous and joins whichever scored higher; read on persons, it fits both."""
    edges = [Edge(0, 1, 19), Edge(1, 2, 20)]
    dates = ["2015-09-26", None, "2016-10-20"]
    assert ambiguous_records(edges, weak={1}) == set()
    assert fits_two_persons(3, edges, weak={1}, dates=dates) == {1}
    # Dates a slip apart are one person's: nothing to choose between.
    assert fits_two_persons(3, edges, weak={1}, dates=["2015-09-26", None, "2015-06-29"]) == set()
    # A record that can tell them apart (its own date of birth) is not held back.
    assert fits_two_persons(3, edges, weak=set(), dates=dates) == set()


def test_persons_held_apart_are_read_on_every_member_of_their_clusters():
    # Record 3 links strongly to 0; the weak record 1 links to 3 and to 2.
    edges = [Edge(0, 3, 30), Edge(1, 3, 20), Edge(1, 2, 19)]
    # 0 and 2 have two NHS numbers: 3 and 2 are two persons, though 3 has none.
    nhs = ["9990000018", None, "9990000026", None]
    assert ambiguous_records(edges, nhs=nhs, weak={1}) == set()
    assert fits_two_persons(4, edges, weak={1}, nhs=nhs) == {1}
    # A guarded pair between 0 and 2 holds 3's person and 2 apart.
    assert ambiguous_records(edges, cannot_link=[(0, 2)], weak={1}) == set()
    assert fits_two_persons(4, edges, weak={1}, cannot_link=[(0, 2)]) == {1}
    # Nothing holds them apart: one person, or two that may be one; the record joins.
    assert fits_two_persons(4, edges, weak={1}) == set()


def test_an_undated_record_between_two_sisters_of_one_name_goes_to_review():
    """End to end: Rita's undated record links to her sister Margaret's record and to
    her own dated one; it joins neither, and both pairs go to review."""
    home = {"address": "167 Queens Place, Wakefield", "postcode": "WF9 7UA", "sex": "F"}
    rows = [
        features(
            IdentityRecord(given_name=given, family_name="Martin", date_of_birth=dob, **home),
            index,
        )
        for index, (given, dob) in enumerate(
            (("Margaret", "2015-09-26"), ("Rita", None), ("Rita", "2016-10-20"))
        )
    ]
    result = resolve_by_hand(rows)
    assert len(set(result.labels)) == 3
    reviewed = {(p.left, p.right) for p in result.review}
    assert {(0, 1), (1, 2)} <= reviewed
