"""The figures bench-linkage reports beside precision and recall."""

from sightline.linkage import batch, benchmark
from sightline.linkage.features import IdentityRecord
from sightline.linkage.linkfile import InputRecord


def test_pairs_of_different_persons_children_and_twins_merged_are_counted():
    # Resolved persons (labels) against true persons: label 1 holds two twins and their
    # mother; label 2 holds one child's two records; label 3 a father alone.
    labels = [1, 1, 1, 2, 2, 3]
    truth = ["t1", "t2", "mum", "c", "c", "dad"]
    roles = {"t1": "child", "t2": "child", "mum": "mother", "c": "child", "dad": "father"}
    twins = {frozenset(("t1", "t2"))}
    assert benchmark.child_pairs_merged(labels, truth, roles, twins) == {
        "person_pairs_merged": 3,  # t1-t2, t1-mum, t2-mum
        "child_pairs_merged": 1,  # t1-t2
        "twin_pairs_merged": 1,
    }
    assert benchmark.child_pairs_merged([1, 2, 3, 4, 4, 5], truth, roles, twins) == {
        "person_pairs_merged": 0,
        "child_pairs_merged": 0,
        "twin_pairs_merged": 0,
    }


def test_an_unborn_record_counts_as_its_childs(tmp_path):
    (tmp_path / "ground_truth.csv").write_text(
        "agency,record_id,true_person_id,twin_set,household_id,role,errors\n"
        "CSC,1,p1,,h1,unborn,pre_birth\n"
        "HEALTH,2,p2,,h1,mother,\n",
        encoding="utf-8",
    )
    assert benchmark.true_roles(tmp_path) == {"p1": "child", "p2": "mother"}


def test_the_merged_children_are_listed_with_their_records():
    def record(number, given, born):
        identity = IdentityRecord(
            given_name=given, family_name="Clark", date_of_birth=born, postcode="B9 2BB"
        )
        return InputRecord(
            line=number + 1, agency="HEALTH", record_id=str(number), identity=identity
        )

    records = [record(0, "Keith", "2020-12-05"), record(1, "Keith", "2020-12-05")]
    records += [record(2, "Mary", "1990-01-01"), record(3, "Keith", "2020-12-05")]
    roles = {"a": "child", "b": "child", "mum": "mother"}
    # Label 1 holds children a and b; label 2 a's other record and the mother.
    merged = benchmark.children_merged(records, [1, 1, 2, 2], ["b", "a", "mum", "a"], roles)
    assert merged == [
        [
            {
                "agency": "HEALTH",
                "record_id": "1",
                "true_person": "a",
                "name": "Keith Clark",
                "date_of_birth": "2020-12-05",
                "postcode": "B9 2BB",
            },
            {
                "agency": "HEALTH",
                "record_id": "0",
                "true_person": "b",
                "name": "Keith Clark",
                "date_of_birth": "2020-12-05",
                "postcode": "B9 2BB",
            },
        ]
    ]


def test_the_review_pairs_are_counted_by_reason_and_truth():
    review = [
        batch.ReviewPair(0, 1, 0.999, "possible twins"),
        batch.ReviewPair(2, 3, 0.999, "possible twins"),
        batch.ReviewPair(4, 5, 0.7, ""),
    ]
    truth = ["a", "b", "c", "c", "d", "d"]
    assert benchmark.review_by_reason(review, truth) == [
        {"reason": "possible twins", "one_person": 1, "two_persons": 1},
        {"reason": "", "one_person": 1, "two_persons": 0},
    ]
