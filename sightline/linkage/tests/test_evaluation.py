"""The evidence ceiling: the recall a corpus allows a matcher that needs a fact beyond a
name (``evaluation.evidence_ceiling``)."""

import pytest

from sightline.linkage import batch, benchmark, evaluation
from sightline.linkage.features import IdentityRecord


def record(**fields):
    row = dict.fromkeys(evaluation.EVIDENCE_COLUMNS)
    row.update(given="keith", family="clark")
    row.update(fields)
    return row


def ceiling(records, truth):
    return evaluation.evidence_ceiling(records, truth)


def test_two_records_sharing_only_a_name_cannot_be_joined():
    found = ceiling(
        [record(district="B9"), record(district="E4"), record(district="E4", given="mary")],
        ["a", "a", "b"],
    )
    assert (found.true_pairs, found.reachable_pairs) == (1, 0)
    assert found.recall == 0.0


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ({"nhs": "9990000018"}, {"nhs": "9990000018"}),
        ({"dob": "2020-12-05"}, {"dob": "2020-12-05"}),
        ({"dob": "2020-12-05"}, {"dob": "2020-05-12"}),  # day and month swapped
        ({"dob": "2020-12-05"}, {"dob": "2020-01-01"}),  # a placeholder in the year
        ({"address": "12 mill lane"}, {"address": "12 mil lnae"}),  # two edits
        ({"postcode": "B9 2BB"}, {"postcode": "B9 2BD"}),  # one edit
        ({"district": "B9"}, {"district": "B9"}),  # the same name in one district
    ],
)
def test_each_fact_beyond_a_name_joins_two_records(left, right):
    found = ceiling([record(**left), record(**right)], ["a", "a"])
    assert found.reachable_pairs == 1


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ({"nhs": "9990000018"}, {"nhs": "9990000026"}),
        ({"dob": "2020-12-05"}, {"dob": "2012-03-25"}),  # years apart
        ({"address": "12 mill lane"}, {"address": "40 oak road"}),
        ({"postcode": "B9 2BB"}, {"postcode": "E4 6TP"}),
        ({"district": "B9"}, {"district": "B9", "given": "kevin"}),  # another name
        ({"district": "B9", "family": None}, {"district": "B9", "family": None}),
        ({"district": None}, {"district": None}),  # a name alone, nowhere
    ],
)
def test_records_without_a_fact_in_common_are_not_joined(left, right):
    found = ceiling([record(**left), record(**right)], ["a", "a"])
    assert found.reachable_pairs == 0


def test_a_chain_of_the_persons_records_joins_its_two_ends():
    # The first and last share nothing; each shares a fact with the middle one.
    records = [
        record(dob="2020-12-05", district="B9"),
        record(dob="2020-12-05", postcode="E4 6TP", district="E4"),
        record(postcode="E4 6TP", district="N1"),
    ]
    assert ceiling(records, ["a", "a", "a"]).reachable_pairs == 3
    # Without the middle record, no chain.
    assert ceiling([records[0], records[2]], ["a", "a"]).reachable_pairs == 0


def test_another_persons_record_is_no_link_in_the_chain():
    records = [
        record(dob="2020-12-05", district="B9"),
        record(dob="2020-12-05", postcode="E4 6TP", district="E4"),
        record(postcode="E4 6TP", district="N1"),
    ]
    found = ceiling(records, ["a", "b", "a"])
    assert (found.true_pairs, found.reachable_pairs) == (1, 0)


def test_a_record_that_cannot_be_matched_counts_in_the_true_pairs_only():
    found = ceiling([record(dob="2020-12-05"), record(dob="2020-12-05"), None], ["a"] * 3)
    assert (found.true_pairs, found.reachable_pairs) == (3, 1)


def test_one_true_person_per_record():
    with pytest.raises(ValueError, match="one true person per record"):
        ceiling([record()], ["a", "b"])


def test_the_benchmark_reads_the_normalised_columns_by_input_position():
    identities = [
        IdentityRecord(given_name="Keith", family_name="Clark", date_of_birth="2020-12-05"),
        IdentityRecord(),  # nothing to match on
        IdentityRecord(given_name="KEITH", family_name="CLARK", postcode="b9 2bb"),
        IdentityRecord(given_name="Keith", family_name="Clark", date_of_birth="2020-05-12"),
        IdentityRecord(given_name="Keith", family_name="Clark", postcode="B92BB"),
    ]
    prepared = batch.prepare(identities)
    assert len(prepared.positions) == 4
    found = benchmark.recall_ceiling(prepared, ["a", "a", "b", "a", "b"])
    # a: records 0 and 3 (swapped dates); record 1 cannot be matched. b: one postcode.
    assert (found.true_pairs, found.reachable_pairs) == (4, 2)


def test_a_resolution_is_scored_against_the_pairs_it_could_reach():
    # a: records 0 and 1 share a date, 2 shares nothing; the resolution joined 0 and 2
    # (by name alone) and left 1 apart.
    records = [record(dob="2020-12-05"), record(dob="2020-12-05"), record()]
    found = evaluation.evidence_ceiling(records, ["a"] * 3, predicted=[1, 2, 1])
    assert (found.reachable_pairs, found.resolved_pairs) == (1, 0)
    assert found.recall_within == 0.0
    found = evaluation.evidence_ceiling(records, ["a"] * 3, predicted=[1, 1, 1])
    assert (found.reachable_pairs, found.resolved_pairs, found.recall_within) == (1, 1, 1.0)
    assert ceiling(records, ["a"] * 3).recall_within is None
    with pytest.raises(ValueError, match="one true person per record"):
        evaluation.evidence_ceiling(records, ["a"] * 3, predicted=[1])


def test_the_missed_pairs_are_counted_by_the_errors_on_both_records():
    # Person a: records 0, 1 (one chain: a date) and 2 (no evidence), resolved as
    # {0, 2} and {1}. Person b: records 3, 4 resolved apart, no errors. Person c: one
    # person, found.
    records = [
        record(dob="2020-12-05"),
        record(dob="2020-12-05"),
        record(),
        record(postcode="B9 2BB"),
        record(postcode="B9 2BB"),
        record(),
    ]
    truth = ["a", "a", "a", "b", "b", "c"]
    predicted = [1, 2, 1, 3, 4, 5]
    errors = [
        frozenset(),
        frozenset({"nickname"}),
        frozenset({"missing_date_of_birth", "old_address"}),
        frozenset(),
        frozenset(),
        frozenset({"nickname"}),
    ]
    chains = evaluation.evidence_ceiling(records, truth, predicted).chains
    assert evaluation.missed_pairs_by_errors(predicted, truth, errors, chains) == [
        {"errors": "", "within": 1, "beyond": 0},
        {"errors": "missing_date_of_birth;nickname;old_address", "within": 0, "beyond": 1},
        {"errors": "nickname", "within": 1, "beyond": 0},
    ]
    assert evaluation.missed_pairs_by_tag(
        evaluation.missed_pairs_by_errors(predicted, truth, errors, chains)
    ) == [
        {"error": "nickname", "within": 1, "beyond": 1},
        {"error": "", "within": 1, "beyond": 0},
        {"error": "missing_date_of_birth", "within": 0, "beyond": 1},
        {"error": "old_address", "within": 0, "beyond": 1},
    ]
    assert evaluation.missed_pairs_by_errors([1, 1, 1, 3, 3, 5], truth, errors, chains) == []
    with pytest.raises(ValueError, match="one true person, error set and chain per record"):
        evaluation.missed_pairs_by_errors(predicted, truth, errors[:1], chains)


def test_the_benchmark_reads_the_error_tags_where_the_truth_file_has_them(tmp_path):
    (tmp_path / "ground_truth.csv").write_text(
        "agency,record_id,true_person_id,twin_set,household_id,role,errors\n"
        "CSC,1,p1,,h1,child,nickname;missing_nhs_number\n"
        "HEALTH,2,p1,,h1,child,\n",
        encoding="utf-8",
    )
    assert benchmark.true_errors(tmp_path) == {
        ("CSC", "1"): frozenset({"nickname", "missing_nhs_number"}),
        ("HEALTH", "2"): frozenset(),
    }
    (tmp_path / "ground_truth.csv").write_text(
        "agency,record_id,true_person_id,household_id,role,twin_set\nCSC,1,p1,h1,child,\n",
        encoding="utf-8",
    )
    assert benchmark.true_errors(tmp_path) is None
