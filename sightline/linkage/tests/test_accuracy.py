"""The model trained without labels on synthetic households: accuracy and twins."""

from sightline.linkage import batch, engine
from sightline.linkage.evaluation import pairwise_scores
from sightline.linkage.tests.synthetic import households


def test_it_resolves_synthetic_households_accurately_without_merging_twins(trained_model):
    records, siblings, namesakes = households(300, seed=99)
    result = batch.resolve_identities(
        [r.record for r in records],
        trained_model,
        config=engine.EngineConfig(memory_limit="1GB"),
        auto_threshold=0.99,
        review_threshold=0.5,
    )
    truth = [r.person for r in records]
    scores = pairwise_scores(result.labels, truth, siblings)
    assert scores.precision >= 0.99
    assert scores.recall >= 0.95
    assert scores.twin_merges == 0
    # A parent and child sharing a name are kept apart whenever the child's records in the
    # cluster carry a date of birth (without one, nothing in the records tells them apart).
    members: dict[int, list[int]] = {}
    for index, label in enumerate(result.labels):
        members.setdefault(label, []).append(index)
    for indexes in members.values():
        persons = {records[i].person for i in indexes}
        for pair in namesakes:
            if pair <= persons:
                child = min(pair)
                child_records = [records[i].record for i in indexes if records[i].person == child]
                assert all(not r.date_of_birth for r in child_records)


def test_it_keeps_unmatchable_rows_as_persons_of_their_own(trained_model):
    records, _siblings, _namesakes = households(20, seed=3)
    identities = [r.record for r in records]
    from sightline.linkage.features import IdentityRecord

    blank = IdentityRecord(sex="F", address=identities[0].address, postcode=identities[0].postcode)
    identities.insert(2, blank)
    result = batch.resolve_identities(
        identities,
        trained_model,
        config=engine.EngineConfig(memory_limit="1GB"),
        auto_threshold=0.99,
        review_threshold=0.5,
    )
    assert len(result.labels) == len(identities)
    assert result.unmatchable == [2]
    assert result.problems.unmatchable == 1
    assert result.labels.count(result.labels[2]) == 1


def test_it_does_not_link_twins_whose_common_names_are_one_letter_apart(trained_model):
    from sightline.linkage.features import IdentityRecord

    def twin(given: str) -> IdentityRecord:
        return IdentityRecord(
            given_name=given,
            family_name="Uddin",
            date_of_birth="2013-05-23",
            sex="F",
            address="18 Carr Rise, Bradford",
            postcode="BD6 8XH",
        )

    records, _siblings, _namesakes = households(40, seed=13)
    identities = [r.record for r in records]
    # Samina and Amina are twins; each name is also used by other children, so each is
    # a name in its own right (not a typo of the other).
    others = [
        IdentityRecord(
            given_name=name, family_name=f"Other{i}", date_of_birth=f"201{i % 9}-01-0{i % 9 + 1}"
        )
        for i in range(4)
        for name in ("Samina", "Amina")
    ]
    identities += [twin("Samina"), twin("Samina"), twin("Amina"), twin("Amina"), *others]
    result = batch.resolve_identities(
        identities,
        trained_model,
        config=engine.EngineConfig(memory_limit="1GB"),
        auto_threshold=0.99,
        review_threshold=0.5,
    )
    base = len(records)
    assert result.labels[base] == result.labels[base + 1]
    assert result.labels[base + 2] == result.labels[base + 3]
    assert result.labels[base] != result.labels[base + 2]
