import datetime as dt

import pytest

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.linkage import actions, moves, prebirth, realtime
from sightline.linkage.features import IdentityRecord, evidence_key
from sightline.linkage.models import (
    LinkDecision,
    MatchReview,
    PersonMerge,
    RecordKey,
    ReviewStatus,
)
from sightline.linkage.queries import identity_of
from sightline.linkage.tests.synthetic import nhs_number
from sightline.people.models import Person, SourceRecord
from sightline.testing import factories


def make_record(agency, *, person=None, record_id, **identity):
    person = person or factories.PersonFactory.create()
    fields = {
        "given_name": "Jamie",
        "family_name": "Testchild",
        "date_of_birth": dt.date(2015, 3, 4),
        "nhs_number": "",
        "postcode": "LS6 1AA",
        "address": "12 Acacia Avenue, Leeds",
        "sex": "M",
        **identity,
    }
    return factories.SourceRecordFactory.create(
        agency=agency, person=person, record_id=record_id, **fields
    )


@pytest.fixture
def two_persons(agencies):
    """One child, wrongly held as two persons, each with a record and events."""
    first = make_record(agencies["CSC"], record_id="C1")
    second = make_record(agencies["POLICE"], record_id="P1", given_name="Jaime")
    events = [
        factories.ChronologyEventFactory.create(subject_record=first),
        factories.ChronologyEventFactory.create(subject_record=second),
        factories.ChronologyEventFactory.create(subject_record=second),
    ]
    return first, second, events


def test_it_merges_persons_moving_records_and_events(two_persons, team_manager):
    first, second, events = two_persons
    survivor, merged = first.person, second.person
    merge = actions.merge_persons(
        actor=team_manager, survivor=survivor, merged=merged, origin=CLI, reason="same child"
    )
    second.refresh_from_db()
    merged.refresh_from_db()
    assert second.person == survivor
    assert merged.merged_into == survivor
    assert {e.person_id for e in ChronologyEvent.objects.all()} == {survivor.pk}
    assert merge.records == [second.pk]
    audit = AuditEvent.objects.get(action=AuditAction.MERGE_PERSONS)
    assert audit.person == survivor
    assert audit.actor == team_manager
    assert LinkDecision.objects.get().same_person is True
    del events


def test_it_undoes_a_merge_restoring_every_record_and_event(two_persons, team_manager):
    first, second, events = two_persons
    survivor, merged = first.person, second.person
    merge = actions.merge_persons(actor=team_manager, survivor=survivor, merged=merged, origin=CLI)
    actions.undo_merge(actor=team_manager, merge=merge, origin=CLI, reason="twins, not one child")
    first.refresh_from_db()
    second.refresh_from_db()
    merged.refresh_from_db()
    assert first.person == survivor
    assert second.person == merged
    assert merged.merged_into is None
    for event in events:
        event.refresh_from_db()
        assert event.person_id == event.subject_record.person_id
    assert [e.person_id for e in events] == [survivor.pk, merged.pk, merged.pk]
    merge.refresh_from_db()
    assert merge.is_undone
    assert AuditEvent.objects.filter(action=AuditAction.UNMERGE_PERSONS, person=merged).exists()
    # The un-merge is kept as a decision: these records are different people.
    latest = LinkDecision.objects.order_by("-id").first()
    assert latest is not None
    assert latest.same_person is False
    with pytest.raises(actions.LinkageError, match="already been undone"):
        actions.undo_merge(actor=team_manager, merge=merge, origin=CLI, reason="not the same child")


def test_it_refuses_to_merge_a_person_twice(two_persons, team_manager):
    first, second, _events = two_persons
    actions.merge_persons(
        actor=team_manager, survivor=first.person, merged=second.person, origin=CLI
    )
    with pytest.raises(actions.LinkageError):
        actions.merge_persons(
            actor=team_manager, survivor=first.person, merged=second.person, origin=CLI
        )


def test_it_splits_records_off_a_wrongly_linked_person(agencies, team_manager):
    person = factories.PersonFactory.create()
    stay = make_record(agencies["CSC"], person=person, record_id="C1")
    go = make_record(agencies["HEALTH"], person=person, record_id="H1", given_name="Priya")
    event = factories.ChronologyEventFactory.create(subject_record=go)
    new_person = actions.split_person(
        actor=team_manager, person=person, record_ids=[go.pk], origin=CLI, reason="twin"
    )
    go.refresh_from_db()
    event.refresh_from_db()
    stay.refresh_from_db()
    assert go.person == new_person
    assert event.person == new_person
    assert stay.person == person
    assert new_person.given_name == "Priya"
    with pytest.raises(actions.LinkageError):
        actions.split_person(actor=team_manager, person=person, record_ids=[stay.pk], origin=CLI)


def _review(first, second, probability=0.8):
    a, b = sorted((first, second), key=lambda r: r.pk)
    return MatchReview.objects.create(
        record_a=a,
        record_b=b,
        probability=probability,
        evidence=[],
        evidence_key="k",
        model_version="v",
        proposed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def test_it_confirms_a_match_by_merging(two_persons, team_manager):
    first, second, _events = two_persons
    review = _review(first, second)
    merge = actions.confirm_match(actor=team_manager, review=review, origin=CLI)
    assert merge is not None
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONFIRMED
    assert review.decided_by == team_manager
    second.refresh_from_db()
    assert second.person_id == first.person_id
    assert AuditEvent.objects.filter(action=AuditAction.CONFIRM_MATCH).count() == 1
    with pytest.raises(actions.LinkageError, match="already been decided"):
        actions.reject_match(actor=team_manager, review=review, origin=CLI)


def test_it_rejects_a_match_and_keeps_the_decision(two_persons, team_manager):
    first, second, _events = two_persons
    review = _review(first, second)
    actions.reject_match(actor=team_manager, review=review, origin=CLI, reason="twins")
    review.refresh_from_db()
    assert review.status == ReviewStatus.REJECTED
    decision = LinkDecision.objects.get()
    assert decision.same_person is False
    assert decision.review == review
    second.refresh_from_db()
    assert second.person_id != first.person_id
    assert AuditEvent.objects.filter(action=AuditAction.REJECT_MATCH, reason="twins").exists()


def test_it_records_a_person_joined_to_the_chosen_existing_person(agencies, social_worker):
    existing = make_record(agencies["CSC"], record_id="C1")
    record = actions.record_person(
        actor=social_worker,
        agency=agencies["EDUCATION"],
        record_id="E1",
        identity=IdentityRecord(given_name="Jamie", family_name="Testchild"),
        origin=CLI,
        same_as=existing.person,
    )
    assert record.person == existing.person
    assert record.linked_by == actions.MANUAL_LINK
    assert RecordKey.objects.filter(source_record=record).exists()
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_PERSON, person=record.person)
    with pytest.raises(actions.LinkageError, match="already has a record E1"):
        actions.record_person(
            actor=social_worker,
            agency=agencies["EDUCATION"],
            record_id="E1",
            identity=IdentityRecord(given_name="Jamie"),
            origin=CLI,
        )


def test_it_records_a_new_person_when_none_is_chosen(agencies, social_worker):
    before = Person.objects.count()
    record = actions.record_person(
        actor=social_worker,
        agency=agencies["EDUCATION"],
        record_id="E9",
        identity=IdentityRecord(
            given_name="Zara", family_name="Okafor", date_of_birth=dt.date(2016, 5, 1)
        ),
        origin=CLI,
    )
    assert Person.objects.count() == before + 1
    assert record.person.given_name == "Zara"


def _household(agencies):
    """A child held as three records by three agencies, a twin, and a namesake parent."""
    nhs = nhs_number(40)
    child = [
        make_record(agencies["CSC"], record_id="C1", nhs_number=nhs),
        make_record(agencies["HEALTH"], record_id="H1", given_name="Jaime", nhs_number=nhs),
        make_record(
            agencies["EDUCATION"],
            record_id="E1",
            date_of_birth=dt.date(2015, 4, 3),
            postcode="ls61aa",
        ),
    ]
    twin = [
        make_record(agencies["CSC"], record_id="C2", given_name="Priya", sex="F"),
        make_record(agencies["EDUCATION"], record_id="E2", given_name="Priya", sex="F"),
    ]
    parent = [
        make_record(agencies["POLICE"], record_id="P9", date_of_birth=dt.date(1984, 6, 4)),
    ]
    return child, twin, parent


def _persons(records):
    return {SourceRecord.objects.get(pk=r.pk).person_id for r in records}


def test_it_links_a_household_in_batch_without_merging_the_twin_or_parent(agencies, model_version):
    child, twin, parent = _household(agencies)
    for index in range(30):  # other children, so the records are not alone
        make_record(
            agencies["CSC"],
            record_id=f"X{index}",
            given_name=f"Other{index}",
            family_name=f"Family{index}",
            date_of_birth=dt.date(2012, 1, 1) + dt.timedelta(days=40 * index),
            postcode=f"LS{index % 20 + 1} 2BB",
            address=f"{index} Mill Lane",
        )
    event = factories.ChronologyEventFactory.create(subject_record=child[2])
    run = actions.run_linkage(actor=None, model=model_version, origin=CLI)
    assert len(_persons(child)) == 1
    assert len(_persons(twin)) == 1
    assert _persons(child).isdisjoint(_persons(twin))
    assert _persons(child).isdisjoint(_persons(parent))
    event.refresh_from_db()
    assert event.person_id == SourceRecord.objects.get(pk=child[2].pk).person_id
    moved = SourceRecord.objects.filter(linked_by=f"model:{model_version.version}")
    assert moved.exists()
    assert run.records == SourceRecord.objects.count()
    assert AuditEvent.objects.filter(action=AuditAction.RUN_LINKAGE).count() == 1
    # Emptied persons point at the person that took their records, with an undoable merge.
    assert PersonMerge.objects.filter(reason="linkage run").count() == run.persons_emptied


def _unborn_and_child(agencies, *, twin=False):
    """Social care's pre-birth record (a person of its own, with the allocated social
    worker), and the child born two weeks after the expected date: health's and the
    school's records, one person; with ``twin``, her twin brother's health record."""
    home = {"family_name": "Okafor", "postcode": "LS6 2BB", "address": "3 Mill Lane, Leeds"}
    unborn = make_record(
        agencies["CSC"],
        record_id="U1",
        given_name="Unborn",
        date_of_birth=dt.date(2026, 3, 1),
        sex="",
        **home,
    )
    factories.InvolvementFactory.create(person=unborn.person)
    person = factories.PersonFactory.create()
    born = [
        make_record(
            agencies[agency],
            person=person,
            record_id=f"{agency[0]}1",
            given_name="Amara",
            date_of_birth=dt.date(2026, 3, 15),
            sex="F",
            nhs_number=nhs_number(4),
            **home,
        )
        for agency in ("HEALTH", "EDUCATION")
    ]
    if twin:
        born.append(
            make_record(
                agencies["HEALTH"],
                record_id="H2",
                given_name="Chidi",
                date_of_birth=dt.date(2026, 3, 15),
                sex="M",
                nhs_number=nhs_number(5),
                **home,
            )
        )
    return unborn, born


def test_a_batch_run_links_a_pre_birth_record_to_its_child_undoably(
    agencies, model_version, team_manager
):
    unborn, born = _unborn_and_child(agencies)
    pre_birth_person = unborn.person
    run = actions.run_linkage(actor=None, model=model_version, origin=CLI)
    unborn.refresh_from_db()
    child = born[0].person
    # Written like any automatic link: the record moved, with why; its person merged.
    assert unborn.person == child
    assert unborn.linked_by == f"{actions.PREBIRTH_LINK}:{model_version.version}"
    assert run.summary["prebirth_links"] == 1
    merge = PersonMerge.objects.get(merged=pre_birth_person)
    assert (merge.survivor, merge.reason) == (child, actions.PREBIRTH_MERGE)
    assert Person.objects.get(pk=pre_birth_person.pk).merged_into == child
    assert child.involvements.count() == 1  # the pre-birth social worker came along
    assert not MatchReview.objects.filter(status=ReviewStatus.PENDING).exists()
    # Un-merged like any other: a later run keeps the two apart, and proposes nothing.
    actions.undo_merge(actor=team_manager, merge=merge, origin=CLI, reason="another pregnancy")
    actions.run_linkage(actor=None, model=model_version, origin=CLI)
    unborn.refresh_from_db()
    assert unborn.person == pre_birth_person
    assert not MatchReview.objects.filter(status=ReviewStatus.PENDING).exists()


def test_a_batch_run_puts_a_pre_birth_record_to_review_with_each_twin(agencies, model_version):
    unborn, born = _unborn_and_child(agencies, twin=True)
    actions.run_linkage(actor=None, model=model_version, origin=CLI)
    unborn.refresh_from_db()
    assert unborn.person_id not in {record.person_id for record in born}
    reviews = MatchReview.objects.filter(status=ReviewStatus.PENDING)
    assert reviews.count() == 2
    children = set()
    for review in reviews:
        assert unborn.pk in (review.record_a_id, review.record_b_id)
        assert review.guard == prebirth.REASON_CHILDREN
        other = review.record_b if review.record_a_id == unborn.pk else review.record_a
        children.add(other.person_id)
    assert len(children) == 2


def test_a_batch_run_puts_a_pre_birth_record_to_review_when_its_name_was_born_elsewhere(
    agencies, model_version
):
    """The Okafors' old address: the child born there since is a Bello; Chidi Okafor was
    born nearer the expected date in another town. Neither is linked; both go to review."""
    home = {"postcode": "LS6 2BB", "address": "3 Mill Lane, Leeds"}
    bradford = {"postcode": "BD1 1AA", "address": "9 Oak Road, Bradford"}
    unborn = make_record(
        agencies["CSC"],
        record_id="U1",
        given_name="Unborn",
        family_name="Okafor",
        date_of_birth=dt.date(2026, 3, 1),
        sex="",
        **home,
    )
    at_home, elsewhere = (
        make_record(
            agencies["HEALTH"],
            record_id=f"H{number}",
            given_name=given,
            family_name=family,
            date_of_birth=dt.date(2026, 3, day),
            sex=sex,
            nhs_number=nhs_number(3 + number),
            **place,
        )
        for number, given, family, day, sex, place in (
            (1, "Amara", "Bello", 15, "F", home),
            (2, "Chidi", "Okafor", 5, "M", bradford),
        )
    )
    run = actions.run_linkage(actor=None, model=model_version, origin=CLI)
    assert run.summary["prebirth_links"] == 0
    reviews = MatchReview.objects.filter(status=ReviewStatus.PENDING, guard=prebirth.REASON_FAMILY)
    assert {frozenset((r.record_a_id, r.record_b_id)) for r in reviews} == {
        frozenset((unborn.pk, at_home.pk)),
        frozenset((unborn.pk, elsewhere.pk)),
    }


def test_it_keeps_practitioners_decisions_in_later_runs(agencies, model_version, team_manager):
    child, twin, _parent = _household(agencies)
    actions.run_linkage(actor=None, model=model_version, origin=CLI)
    # A practitioner splits the child's education record off: later runs respect it.
    person = Person.objects.get(pk=_persons(child[:1]).pop())
    actions.split_person(actor=team_manager, person=person, record_ids=[child[2].pk], origin=CLI)
    actions.run_linkage(actor=None, model=model_version, origin=CLI)
    assert _persons(child[2:]).isdisjoint(_persons(child[:2]))
    assert _persons(child[:2]) != _persons(twin)


def test_it_does_not_propose_a_rejected_pair_again_on_the_same_evidence(
    agencies, model_version, team_manager
):
    first = make_record(agencies["CSC"], record_id="C1")
    second = make_record(
        agencies["POLICE"], record_id="P1", date_of_birth=None, postcode="", address=""
    )
    review = _review(first, second, probability=0.9)
    review.evidence_key = evidence_key(identity_of(review.record_a), identity_of(review.record_b))
    review.save()
    actions.reject_match(actor=team_manager, review=review, origin=CLI)
    actions.run_linkage(actor=None, model=model_version, origin=CLI)
    assert MatchReview.objects.filter(status=ReviewStatus.PENDING).count() == 0
    assert _persons([first]) != _persons([second])


def test_it_finds_candidates_in_real_time_with_explanations(agencies, model_version):
    child, twin, _parent = _household(agencies)
    realtime.catch_up()
    weights = realtime.weights_for(model_version)
    query = IdentityRecord(
        given_name="JAMIE",
        family_name="testchild",
        date_of_birth="2015-04-03",
        postcode="LS6 1AA",
        address="12 Acacia Avenue, Leeds",
        sex="M",
    )
    found = realtime.candidates(query, weights=weights)
    assert found
    best = found[0]
    assert best.person_id in _persons(child)
    assert best.probability > 0.9
    levels = {item.field: item.explanation for item in best.evidence}
    assert levels["date_of_birth"] == "date of birth agrees"
    assert any(c.person_id in _persons(twin) and c.guard for c in found) or all(
        c.person_id not in _persons(twin) for c in found
    )
    swapped = [
        c for c in found if c.person_id == SourceRecord.objects.get(pk=child[0].pk).person_id
    ]
    assert swapped
    assert {i.field: i.level for i in swapped[0].evidence}["date_of_birth"] == "swapped"
    assert realtime.candidates(IdentityRecord(sex="F"), weights=weights) == []


def test_it_finds_in_real_time_a_record_by_its_alias(agencies, model_version):
    """A police record lists a previous name; a new health record under that name, born
    another day and living elsewhere, meets it through the alias key alone."""
    police = make_record(
        agencies["POLICE"],
        record_id="P7",
        given_name="Amy",
        family_name="Okafor",
        other_names="AMY SMITH",
        address="3 Mill Lane, Leeds",
        postcode="LS6 2BB",
        sex="F",
    )
    realtime.catch_up()
    query = IdentityRecord(
        given_name="Amy",
        family_name="Smith",
        date_of_birth="2015-03-05",
        address="7 Oak Road, Bradford",
        postcode="BD1 1AA",
        sex="F",
    )
    found = realtime.candidates(
        query, weights=realtime.weights_for(model_version), min_probability=0.0
    )
    assert [c.record_id for c in found] == [police.pk]
    assert {i.field: i.level for i in found[0].evidence}["family_name"] == "alias"


def test_a_batch_run_says_why_a_rule_after_clustering_joined_two_persons(agencies, model_version):
    """Housing's record of Gary Morris at the family's old address (no date of birth, no
    NHS number), and two dated Gary Morrises: his mother is known at both addresses, so
    the household-address rule joins it to him, and the merge of its person says so."""
    new = {"address": "162 Ash Terrace, Newcastle upon Tyne", "postcode": "NE14 6AQ"}
    old = {"address": "153 Green Close, Leeds", "postcode": "LS15 3LD"}
    bristol = {"address": "82 Mount Terrace, Bristol", "postcode": "BS1 3YN"}
    mother = factories.PersonFactory.create()
    made = [
        make_record(
            agencies[agency],
            person=person,
            record_id=record_id,
            given_name=given,
            family_name="Morris",
            date_of_birth=born,
            sex=sex,
            nhs_number=number,
            **place,
        )
        for agency, record_id, person, given, born, sex, number, place in (
            ("HEALTH", "H1", None, "Gary", dt.date(2013, 5, 16), "M", nhs_number(1), new),
            ("HEALTH", "H2", mother, "Sandra", dt.date(1984, 2, 11), "F", nhs_number(2), new),
            ("HOUSING", "S2", mother, "Sandra", dt.date(1984, 2, 11), "F", nhs_number(2), old),
            ("HEALTH", "H3", None, "Gary", dt.date(2013, 11, 2), "M", nhs_number(3), bristol),
            ("HOUSING", "S1", None, "Gary", None, "", "", old),
        )
    ]
    gary, housing = made[0], made[-1]
    housing_person = housing.person
    actions.run_linkage(actor=None, model=model_version, origin=CLI)
    housing.refresh_from_db()
    gary.refresh_from_db()
    assert housing.person == gary.person
    merge = PersonMerge.objects.get(merged=housing_person)
    assert merge.reason == f"linkage run: {moves.REASON}"
