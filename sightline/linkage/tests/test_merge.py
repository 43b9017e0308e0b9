"""Merge and un-merge move everything that hangs off a person, and put exactly it back."""

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

from sightline.access.models import BreakGlassGrant, BreakGlassReason, CaseRelationship, CaseRole
from sightline.assessments.models import Assessment, Decision, DecisionPoint
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.cases import models as cases
from sightline.chronology.models import ChronologyEvent
from sightline.governance.models import LegalHold
from sightline.incidents.models import NotifiedChild, SeriousIncidentNotification
from sightline.linkage import actions, realtime
from sightline.linkage.models import (
    LinkDecision,
    MatchReview,
    PersonMerge,
    RecordFeatures,
    ReviewStatus,
)
from sightline.networks.models import (
    Association,
    ConcernFlag,
    Confidence,
    Context,
    ContextKind,
    ExploitationMeeting,
    MeetingAction,
    Nature,
)
from sightline.people.models import (
    InvolvementRole,
    Person,
    Relationship,
    RelationshipKind,
    Sex,
    SourceRecord,
    StatusKind,
)
from sightline.sharing import queries as sharing_queries
from sightline.sharing.models import (
    Alert,
    AlertReason,
    Consent,
    DecisionOrigin,
    LawfulBasis,
    Referral,
    SharingDecision,
    SharingOutcome,
    Urgency,
)
from sightline.subjectaccess.models import SubjectAccessRequest
from sightline.testing import factories

TODAY = dt.date(2026, 6, 1)
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)

# Foreign keys to Person a merge leaves where they are, on purpose (see actions.BELONGINGS).
LEFT_ON_PURPOSE = {
    "audit.AuditEvent.person",
    # What a user opened, as the audit trail recorded it (access monitoring's evidence).
    "access.AccessFinding.people",
    "people.Person.merged_into",
    "people.SourceRecord.person",
    "chronology.ChronologyEvent.person",
    "linkage.RecordFeatures.person",
    "linkage.PersonMerge.survivor",
    "linkage.PersonMerge.merged",
    # A proposal is about the record as it was proposed; approval refuses a merged one.
    "governance.DisposalProposal.person",
}


def snapshot() -> dict[str, dict[int, int | None]]:
    """Who every row that points at a person points at, by model and column."""
    columns = {b.key: (b.model, b.column) for b in actions.BELONGINGS}
    columns["people.SourceRecord.person"] = (SourceRecord, "person_id")
    columns["chronology.ChronologyEvent.person"] = (ChronologyEvent, "person_id")
    columns["linkage.RecordFeatures.person"] = (RecordFeatures, "person_id")
    return {
        key: dict(model._default_manager.values_list("pk", column))
        for key, (model, column) in columns.items()
    }


def record(agencies, code, record_id, person, **identity):
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
        agency=agencies[code], person=person, record_id=record_id, **fields
    )


def hang_everything_on(person, *, agencies, csc_team, worker, peer, notification, n):
    """One of each kind of row that points at a person, plus a chronology event."""
    csc = agencies["CSC"]
    source = record(agencies, "CSC" if n == 1 else "POLICE", f"R{n}", person)
    event = factories.ChronologyEventFactory.create(subject_record=source)
    factories.InvolvementFactory.create(
        person=person,
        agency=agencies["POLICE"],
        role=InvolvementRole.POLICE_OFFICER,
        started_on=dt.date(2025, n, 1),
    )
    for one, other in ((peer, person), (person, peer)):
        factories.RelationshipFactory.create(
            person=one,
            relative=other,
            kind=RelationshipKind.SIBLING,
            started_on=dt.date(2020, n, 1),
        )
    CaseRelationship.objects.create(
        person=person,
        practitioner=worker,
        role=CaseRole.CORE_GROUP_MEMBER,
        started_on=dt.date(2025, n, 1),
    )
    BreakGlassGrant.objects.create(
        user=worker,
        person=person,
        reason_code=BreakGlassReason.MISSING_CHILD,
        reason_text="Missing overnight",
        granted_at=NOW,
        expires_at=NOW + dt.timedelta(hours=4),
    )
    Alert.objects.create(
        reason=AlertReason.EVENT_RECORDED, person=person, summary="An event", created_at=NOW
    )
    Referral.objects.create(
        person=person,
        referrer=worker,
        from_agency=csc,
        to_team=csc_team,
        urgency=Urgency.AMBER,
        reason="Concern",
        shared="Chronology",
        raised_at=NOW,
        acknowledge_by=NOW + dt.timedelta(days=1),
        deadline_rule="test",
    )
    DecisionPoint.objects.create(
        child=person,
        step="assessment" if n == 1 else "strategy_discussion",
        started_on=TODAY,
        due_on=TODAY + dt.timedelta(days=10),
        rule_version="test",
        responsible=worker,
        opened_by=worker,
    )
    Decision.objects.create(
        child=person,
        step="referral_decision",
        outcome="assessment",
        decided_on=TODAY,
        made_by=worker,
        reasons="Needs an assessment",
        history_considered=False,
        status="in_force",
        rule_set_version="test",
    )
    Assessment.objects.create(child=person, author=worker)
    NotifiedChild.objects.create(notification=notification, person=person, name=f"Child {n}")
    ConcernFlag.objects.create(
        person=person, reason="Seen with adults", agency=csc, started_on=TODAY
    )
    place = Context.objects.create(kind=ContextKind.PARK, name=f"Park {n}", recorded_by_agency=csc)
    common = {"confidence": Confidence.PROBABLE, "source_agency": csc, "started_on": TODAY}
    Association.objects.create(
        person=person, other_person=peer, nature=Nature.ASSOCIATES_WITH, **common
    )
    Association.objects.create(person=peer, other_person=person, nature=Nature.SEEN_WITH, **common)
    Association.objects.create(person=person, context=place, nature=Nature.MISSING_FROM, **common)
    meeting, _ = ExploitationMeeting.objects.get_or_create(
        area="Leeds North", held_on=TODAY, defaults={"chair": worker, "recorded_by": worker}
    )
    MeetingAction.objects.create(
        meeting=meeting,
        person=person,
        description="Return interview",
        owner=worker,
        due_on=TODAY,
        agreed_by=worker,
    )
    LegalHold.objects.create(
        person=person, reason=f"Hold {n}", placed_by=worker, placed_at=timezone.now()
    )
    SharingDecision.objects.create(
        person=person,
        decided_by=worker,
        agency=agencies["CSC"],
        decided_at=timezone.now(),
        outcome=SharingOutcome.SHARED,
        what="Chronology",
        with_agency=agencies["POLICE"],
        why=f"Decision {n}",
        lawful_basis=LawfulBasis.objects.get(code="safeguarding"),
        consent=Consent.GIVEN,
        family_informed=True,
        about=DecisionOrigin.MANUAL,
    )
    SubjectAccessRequest.objects.create(
        person=person,
        agency=agencies["CSC"],
        requester_name=f"Requester {n}",
        requester_relationship="self",
        received_on=TODAY,
        due_on=TODAY + dt.timedelta(days=30),
        rule_version="test",
    )
    hang_the_case_on(person, csc=csc, worker=worker, n=n)
    return source, event


def hang_the_case_on(person, *, csc, worker, n):
    """One row of each kind of the case (``sightline.cases``) for ``person``."""
    made = {"recording_agency": csc, "recorded_by": worker}
    day = dt.date(2025, n, 1)
    episode = cases.EpisodeOfNeed.objects.create(
        child=person, referral_date=day, referral_source="2A", **made
    )
    part = {"child": person, "episode": episode, **made}
    cases.CINAssessment.objects.create(start_date=day, **part)
    cases.CINPlan.objects.create(start_date=day, **part)
    cases.StrategyDiscussion.objects.create(date=day, outcome="section47", **part)
    cases.Section47.objects.create(start_date=day, **part)
    plan = cases.ChildProtectionPlan.objects.create(
        start_date=day, initial_category="NEG", latest_category="NEG", **part
    )
    cases.ChildProtectionConference.objects.create(
        kind="initial", date=day, outcome="plan", plan=plan, **part
    )
    cases.CoreGroupMember.objects.create(plan=plan, person=person, started_on=day, **made)
    cases.LookedAfterEpisode.objects.create(
        child=person, decom=day, rne="S", ls="C2", cin="N1", place="U4", **made
    )
    cases.LookedAfterReview.objects.create(child=person, review=day, review_code="PN1", **made)
    cases.MissingEpisode.objects.create(child=person, missing="M", mis_start=day, **made)
    cases.Allocation.objects.create(child=person, worker=worker, start_date=day, **made)


@pytest.fixture
def world(agencies, csc_team, social_worker):
    """One child wrongly held as two persons; everything that can hang off a person hangs
    off each, and the child's mother and a peer are known as well."""
    survivor = factories.PersonFactory.create()
    merged = factories.PersonFactory.create()
    mother = factories.PersonFactory.create(given_name="Mary", sex=Sex.FEMALE)
    peer = factories.PersonFactory.create(given_name="Sam")
    record(agencies, "HEALTH", "M1", mother, given_name="Mary", date_of_birth=dt.date(1990, 1, 1))
    notification = SeriousIncidentNotification.objects.create(
        local_authority=agencies["CSC"],
        police=agencies["POLICE"],
        integrated_care_board=agencies["HEALTH"],
        notifier=social_worker,
        incident_on=TODAY,
        aware_on=TODAY,
        nature="serious_harm",
        case_outline="Outline",
        police_involvement="none",
        due_on=TODAY + dt.timedelta(days=5),
        due_rule="test",
        due_rule_version="1",
    )
    common = {
        "agencies": agencies,
        "csc_team": csc_team,
        "worker": social_worker,
        "peer": peer,
        "notification": notification,
    }
    hang_everything_on(survivor, n=1, **common)
    hang_everything_on(merged, n=2, **common)
    # The mother is recorded as parent of both, in the same words: a duplicate after merging.
    for child in (survivor, merged):
        factories.RelationshipFactory.create(
            person=mother, relative=child, kind=RelationshipKind.PARENT, lives_with=True
        )
    # Only the merged person is on a child protection plan: the flag is theirs.
    factories.StatusPeriodFactory.create(
        person=merged,
        kind=StatusKind.CHILD_PROTECTION,
        protection_category="neglect",
        started_on=dt.date(2026, 1, 10),
        recorded_by_agency=agencies["CSC"],
    )
    realtime.index_records(SourceRecord.objects.all())
    return survivor, merged, mother, peer


def test_it_moves_everything_on_merge_and_puts_exactly_it_back_on_unmerge(world, team_manager):
    survivor, merged, _mother, _peer = world
    before = snapshot()
    assert sharing_queries.flagged_ids([survivor.pk, merged.pk], on=TODAY) == {merged.pk}

    merge = actions.merge_persons(
        actor=team_manager, survivor=survivor, merged=merged, origin=CLI, reason="same child"
    )

    during = snapshot()
    for key, rows in during.items():
        if key == "linkage.RecordFeatures.person" or key.startswith("people.SourceRecord"):
            continue
        kept = set(merge.kept_back.get(key, []))
        assert not [pk for pk, person in rows.items() if person == merged.pk and pk not in kept], (
            key
        )
    assert merge.moved.keys() == {b.key for b in actions.BELONGINGS} - {
        "incidents.NotifiedChild.person"
    }
    # Kept back: the mother's duplicate relationship and the second line on one notification.
    assert merge.kept_back.keys() == {
        "people.Relationship.relative",
        "incidents.NotifiedChild.person",
    }
    assert Relationship.objects.filter(person__given_name="Mary", relative=survivor).count() == 1
    assert NotifiedChild.objects.filter(person=merged).count() == 1
    # Every record, event and index entry followed.
    assert set(SourceRecord.objects.filter(person=merged)) == set()
    assert not ChronologyEvent.objects.filter(person=merged).exists()
    assert not RecordFeatures.objects.filter(person=merged).exists()
    # Derived state: the flag is now the survivor's; the merged person is read as them.
    assert sharing_queries.flagged_ids([survivor.pk, merged.pk], on=TODAY) == {survivor.pk}
    audit = AuditEvent.objects.get(action=AuditAction.MERGE_PERSONS)
    assert audit.detail["moved"] == merge.moved
    assert audit.detail["kept_back"] == merge.kept_back

    actions.undo_merge(actor=team_manager, merge=merge, origin=CLI, reason="not the same child")

    assert snapshot() == before
    assert sharing_queries.flagged_ids([survivor.pk, merged.pk], on=TODAY) == {merged.pk}
    undone = AuditEvent.objects.get(action=AuditAction.UNMERGE_PERSONS)
    assert undone.person == merged
    assert undone.detail["restored"] == merge.moved


def test_it_leaves_rows_recorded_after_the_merge_with_the_survivor(world, team_manager, agencies):
    survivor, merged, mother, _peer = world
    merge = actions.merge_persons(actor=team_manager, survivor=survivor, merged=merged, origin=CLI)
    later = factories.RelationshipFactory.create(
        person=mother, relative=survivor, kind=RelationshipKind.CARER
    )
    actions.undo_merge(actor=team_manager, merge=merge, origin=CLI, reason="not the same child")
    later.refresh_from_db()
    assert later.relative == survivor


def test_it_merges_two_persons_recorded_as_related_without_relating_anyone_to_themselves(
    agencies, team_manager
):
    survivor = factories.PersonFactory.create()
    merged = factories.PersonFactory.create()
    record(agencies, "CSC", "C1", survivor)
    record(agencies, "POLICE", "P1", merged)
    sibling = factories.RelationshipFactory.create(
        person=survivor, relative=merged, kind=RelationshipKind.SIBLING
    )
    reverse = factories.RelationshipFactory.create(
        person=merged, relative=survivor, kind=RelationshipKind.SIBLING
    )
    link = Association.objects.create(
        person=merged,
        other_person=survivor,
        nature=Nature.ASSOCIATES_WITH,
        confidence=Confidence.CONFIRMED,
        source_agency=agencies["POLICE"],
        started_on=TODAY,
    )
    before = snapshot()

    merge = actions.merge_persons(actor=team_manager, survivor=survivor, merged=merged, origin=CLI)

    # Kept as they were, with the merged person (nothing lost, no self-relationship).
    for row in (sibling, reverse, link):
        row.refresh_from_db()
    assert (sibling.person, sibling.relative) == (survivor, merged)
    assert (reverse.person, reverse.relative) == (merged, survivor)
    assert (link.person, link.other_person) == (merged, survivor)
    assert merge.kept_back == {
        "people.Relationship.person": [reverse.pk],
        "people.Relationship.relative": [sibling.pk],
        "networks.Association.person": [link.pk],
    }
    assert not Relationship.objects.filter(person=survivor, relative=survivor).exists()

    actions.undo_merge(actor=team_manager, merge=merge, origin=CLI, reason="not the same child")
    assert snapshot() == before


def test_it_refuses_to_merge_persons_with_an_open_decision_point_for_the_same_step(
    agencies, team_manager, social_worker
):
    survivor = factories.PersonFactory.create()
    merged = factories.PersonFactory.create()
    for person in (survivor, merged):
        DecisionPoint.objects.create(
            child=person,
            step="assessment",
            started_on=TODAY,
            due_on=TODAY + dt.timedelta(days=10),
            rule_version="test",
            responsible=social_worker,
            opened_by=social_worker,
        )
    with pytest.raises(actions.LinkageError, match="open decision point"):
        actions.merge_persons(actor=team_manager, survivor=survivor, merged=merged, origin=CLI)
    assert Person.objects.get(pk=merged.pk).merged_into is None
    assert not PersonMerge.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.MERGE_PERSONS).exists()


def test_it_still_undoes_a_merge_recorded_before_merges_listed_everything(agencies, team_manager):
    survivor = factories.PersonFactory.create()
    merged = factories.PersonFactory.create()
    record(agencies, "CSC", "C1", survivor)
    record(agencies, "POLICE", "P1", merged)
    involvement = factories.InvolvementFactory.create(person=merged, agency=agencies["POLICE"])
    merge = actions.merge_persons(actor=team_manager, survivor=survivor, merged=merged, origin=CLI)
    PersonMerge.objects.filter(pk=merge.pk).update(moved={}, kept_back={})
    merge.refresh_from_db()
    actions.undo_merge(actor=team_manager, merge=merge, origin=CLI, reason="not the same child")
    involvement.refresh_from_db()
    assert involvement.person == merged


def test_every_foreign_key_to_a_person_is_moved_by_a_merge_or_left_on_purpose():
    found = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False) and field.is_relation and field.related_model is Person
    }
    moved = {b.key for b in actions.BELONGINGS}
    assert moved.isdisjoint(LEFT_ON_PURPOSE)
    assert found == moved | LEFT_ON_PURPOSE


def test_a_linkage_run_moves_what_hangs_off_a_person_it_empties(
    agencies, model_version, team_manager
):
    nhs = factories.synthetic_nhs_number(41)
    kept = factories.PersonFactory.create()
    emptied = factories.PersonFactory.create()
    record(agencies, "CSC", "C1", kept, nhs_number=nhs)
    record(agencies, "HEALTH", "H1", kept, nhs_number=nhs)
    record(agencies, "POLICE", "P1", emptied, nhs_number=nhs, given_name="Jaime")
    for index in range(30):  # other children, so the records are not alone
        record(
            agencies,
            "CSC",
            f"X{index}",
            factories.PersonFactory.create(),
            given_name=f"Other{index}",
            family_name=f"Family{index}",
            date_of_birth=dt.date(2012, 1, 1) + dt.timedelta(days=40 * index),
            postcode=f"LS{index % 20 + 1} 2BB",
            address=f"{index} Mill Lane",
        )
    involvement = factories.InvolvementFactory.create(person=emptied, agency=agencies["POLICE"])
    mother = factories.PersonFactory.create(sex=Sex.FEMALE)
    parent = factories.RelationshipFactory.create(
        person=mother, relative=emptied, kind=RelationshipKind.PARENT
    )

    actions.run_linkage(actor=None, model=model_version, origin=CLI)

    merge = PersonMerge.objects.get(merged=emptied)
    assert merge.survivor == kept
    involvement.refresh_from_db()
    parent.refresh_from_db()
    assert (involvement.person, parent.relative) == (kept, kept)
    assert merge.moved["people.Relationship.relative"] == [parent.pk]

    actions.undo_merge(actor=team_manager, merge=merge, origin=CLI, reason="not the same child")
    involvement.refresh_from_db()
    parent.refresh_from_db()
    assert (involvement.person, parent.relative) == (emptied, emptied)


def test_a_refused_merge_leaves_the_review_waiting(agencies, team_manager, social_worker):
    first = record(agencies, "CSC", "C1", factories.PersonFactory.create())
    second = record(agencies, "POLICE", "P1", factories.PersonFactory.create())
    for person in (first.person, second.person):
        DecisionPoint.objects.create(
            child=person,
            step="strategy_discussion",
            started_on=TODAY,
            due_on=TODAY + dt.timedelta(days=1),
            rule_version="test",
            responsible=social_worker,
            opened_by=social_worker,
        )
    review = MatchReview.objects.create(
        record_a=first,
        record_b=second,
        probability=0.9,
        evidence=[],
        evidence_key="k",
        model_version="v",
        proposed_at=NOW,
    )
    with pytest.raises(actions.LinkageError, match="strategy_discussion"):
        actions.confirm_match(actor=team_manager, review=review, origin=CLI)
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING
    assert not LinkDecision.objects.exists()
