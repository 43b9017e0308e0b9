import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.networks import actions
from sightline.networks.models import (
    ActionStatus,
    Association,
    ConcernFlag,
    Confidence,
    ContextEvent,
    ContextEventKind,
    ContextKind,
    ContextPlan,
    EventLocation,
    Nature,
)
from sightline.networks.tests.conftest import audit_actions, event, make_context

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 1)


def associate(actor, person, **kwargs):
    kwargs.setdefault("nature", Nature.ASSOCIATES_WITH)
    kwargs.setdefault("confidence", Confidence.PROBABLE)
    kwargs.setdefault("source_agency", actor.agency)
    kwargs.setdefault("started_on", DAY)
    return actions.record_association(actor=actor, origin=CLI, person=person, **kwargs)


def test_it_records_an_association_with_its_audit_row(police_officer, child, adult):
    association = associate(police_officer, child, other_person=adult, nature=Nature.EXPLOITED_BY)
    assert association.source_agency.code == "POLICE"
    assert association.recorded_by == police_officer
    row = AuditEvent.objects.get(action=AuditAction.RECORD_ASSOCIATION)
    assert row.person == child
    assert row.detail["association"] == association.pk
    assert row.detail["nature"] == "exploited_by"


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({}, "other_person", "Name either another person or a context"),
        ({"both": True}, "other_person", "not both"),
        ({"self": True}, "other_person", "themselves"),
        ({"peer": True, "nature": Nature.FOUND_AT}, "nature", "link to a place, not a person"),
        ({"place": True, "nature": Nature.EXPLOITED_BY}, "nature", "link to a person"),
        ({"peer": True, "nature": "befriends"}, "nature", "Unknown nature"),
        ({"peer": True, "confidence": "certain"}, "confidence", "Unknown confidence"),
        ({"peer": True, "started_on": dt.date(2999, 1, 1)}, "started_on", "future"),
        ({"peer": True, "ended_on": dt.date(2020, 1, 1)}, "ended_on", "before the start"),
    ],
)
def test_it_refuses_bad_associations_naming_the_field_and_writes_nothing(
    police_officer, child, peer, place, kwargs, field, message
):
    kwargs = dict(kwargs)
    if kwargs.pop("both", False):
        kwargs |= {"other_person": peer, "context": place}
    if kwargs.pop("self", False):
        kwargs["other_person"] = child
    if kwargs.pop("peer", False):
        kwargs["other_person"] = peer
    if kwargs.pop("place", False):
        kwargs["context"] = place
    with pytest.raises(ValidationError) as raised:
        associate(police_officer, child, **kwargs)
    assert field in raised.value.message_dict
    assert message in raised.value.message_dict[field][0]
    assert Association.objects.count() == 0
    assert audit_actions() == []


def test_it_links_a_merged_person_through_the_survivor(police_officer, child, peer):
    from sightline.testing import factories

    merged = factories.PersonFactory.create(merged_into=peer)
    association = associate(police_officer, child, other_person=merged)
    assert association.other_person == peer


def test_it_withdraws_an_association_once(police_officer, child, peer):
    association = associate(police_officer, child, other_person=peer)
    actions.withdraw_association(
        actor=police_officer, origin=CLI, association=association, reason="Wrong person"
    )
    association.refresh_from_db()
    assert association.withdrawn_at is not None
    assert Association.objects.live().count() == 0
    with pytest.raises(ValidationError, match="already withdrawn"):
        actions.withdraw_association(
            actor=police_officer, origin=CLI, association=association, reason="Again"
        )
    with pytest.raises(ValidationError) as raised:
        actions.withdraw_association(
            actor=police_officer,
            origin=CLI,
            association=associate(police_officer, child, other_person=peer),
            reason="  ",
        )
    assert "reason" in raised.value.message_dict


# --- events name a place and other people ---------------------------------------------


def test_an_event_with_a_place_and_others_creates_the_associations(
    agencies, police_officer, child, peer, adult, place
):
    missing = event(child, agencies["POLICE"], "missing_episode", others=[peer, adult])
    result = actions.record_event_context(
        actor=police_officer, origin=CLI, event=missing, context=place
    )
    assert result.location == EventLocation.objects.get(event=missing, context=place)
    made = {(a.person_id, a.other_person_id, a.context_id, a.nature) for a in result.created}
    assert made == {
        (child.pk, peer.pk, None, Nature.SEEN_WITH),
        (child.pk, adult.pk, None, Nature.SEEN_WITH),
        (child.pk, None, place.pk, Nature.MISSING_FROM),
        (peer.pk, None, place.pk, Nature.SEEN_WITH),
        (adult.pk, None, place.pk, Nature.SEEN_WITH),
    }
    assert all(a.source_event == missing for a in result.created)
    assert all(a.source_agency.code == "POLICE" for a in result.created)
    assert all(a.started_on == DAY for a in result.created)
    row = AuditEvent.objects.get(action=AuditAction.RECORD_EVENT_CONTEXT)
    assert sorted(row.detail["associations"]) == sorted(a.pk for a in result.created)

    again = actions.record_event_context(
        actor=police_officer, origin=CLI, event=missing, context=place
    )
    assert again.created == ()
    assert again.already_recorded == 5
    assert Association.objects.count() == 5


@pytest.mark.parametrize(
    ("category", "nature"),
    [
        ("found_after_missing", Nature.FOUND_AT),
        ("victim_of_crime", Nature.VICTIM_AT),
        ("arrest", Nature.SEEN_WITH),
    ],
)
def test_the_event_category_sets_the_link_to_the_place(
    agencies, police_officer, child, place, category, nature
):
    found = event(child, agencies["POLICE"], category)
    result = actions.record_event_context(
        actor=police_officer, origin=CLI, event=found, context=place
    )
    assert [a.nature for a in result.created] == [nature]


def test_an_event_naming_only_people_links_them(agencies, police_officer, child, peer):
    seen = event(child, agencies["POLICE"], "concern_for_welfare", others=[peer])
    result = actions.record_event_context(actor=police_officer, origin=CLI, event=seen)
    assert result.location is None
    assert [(a.person, a.other_person, a.nature) for a in result.created] == [
        (child, peer, Nature.SEEN_WITH)
    ]


def test_it_refuses_an_event_naming_nothing(agencies, police_officer, child):
    alone = event(child, agencies["POLICE"], "arrest")
    with pytest.raises(ValidationError) as raised:
        actions.record_event_context(actor=police_officer, origin=CLI, event=alone)
    assert "context" in raised.value.message_dict
    assert audit_actions() == []


def test_it_refuses_a_second_place_and_a_corrected_revision(
    agencies, police_officer, child, peer, place
):
    seen = event(child, agencies["POLICE"], "arrest", others=[peer])
    actions.record_event_context(actor=police_officer, origin=CLI, event=seen, context=place)
    elsewhere = make_context(agencies["POLICE"], name="Station", kind=ContextKind.STATION)
    with pytest.raises(ValidationError, match="already recorded as happening at Canal towpath"):
        actions.record_event_context(
            actor=police_officer, origin=CLI, event=seen, context=elsewhere
        )
    correction = ChronologyEvent.objects.create(
        agency=seen.agency,
        event_id=seen.event_id,
        revision=2,
        subject_record=seen.subject_record,
        person=child,
        occurred_at=seen.occurred_at,
        recorded_at=timezone.now(),
        category=seen.category,
        summary="Corrected",
        supersedes=seen,
    )
    with pytest.raises(ValidationError, match="has been corrected"):
        actions.record_event_context(actor=police_officer, origin=CLI, event=seen, context=place)
    assert correction.pk


# --- concerns -------------------------------------------------------------------------


def test_it_flags_and_unflags_an_adult_and_a_place_of_concern(police_officer, adult, place):
    person_flag = actions.raise_concern(
        actor=police_officer, origin=CLI, person=adult, reason="County lines", started_on=DAY
    )
    place_flag = actions.raise_concern(
        actor=police_officer, origin=CLI, context=place, reason="Drug dealing", started_on=DAY
    )
    assert ConcernFlag.objects.active_on(DAY).count() == 2
    assert ContextEvent.objects.get(context=place).kind == ContextEventKind.CONCERN_RAISED
    actions.end_concern(
        actor=police_officer, origin=CLI, flag=place_flag, ended_on=DAY, reason="Fenced off"
    )
    assert list(ConcernFlag.objects.active_on(DAY + dt.timedelta(days=1))) == [person_flag]
    with pytest.raises(ValidationError, match="already ended"):
        actions.end_concern(
            actor=police_officer, origin=CLI, flag=place_flag, ended_on=DAY, reason="x"
        )
    assert audit_actions().count(AuditAction.RECORD_CONCERN_FLAG) == 2
    with pytest.raises(ValidationError) as raised:
        actions.raise_concern(
            actor=police_officer,
            origin=CLI,
            person=adult,
            context=place,
            reason="x",
            started_on=DAY,
        )
    assert "subject" in raised.value.message_dict


# --- contexts as subjects -------------------------------------------------------------


def test_a_context_is_referred_assessed_and_planned_for_with_its_own_chronology(
    social_worker, police_officer, place
):
    actions.refer_context(
        actor=police_officer, origin=CLI, context=place, referred_on=DAY, reason="Dealing at night"
    )
    assessment = actions.record_context_assessment(
        actor=social_worker,
        origin=CLI,
        context=place,
        assessed_on=DAY,
        what_happens="Older men supply drugs to teenagers",
        when_it_happens="Weekday evenings after school",
        who_is_involved="Pupils of two schools; three adults",
        what_would_make_it_safer="Lighting, detached youth work, patrols",
    )
    plan = actions.start_context_plan(
        actor=social_worker,
        origin=CLI,
        context=place,
        started_on=DAY,
        review_on=DAY + dt.timedelta(days=90),
        objectives="Make the towpath safe after dark",
        lead_practitioner=social_worker,
    )
    assert plan.lead_agency.code == "CSC"
    with pytest.raises(ValidationError, match="already has an open plan"):
        actions.start_context_plan(
            actor=social_worker,
            origin=CLI,
            context=place,
            started_on=DAY,
            review_on=DAY,
            objectives="Again",
            lead_practitioner=social_worker,
        )
    actions.end_context_plan(
        actor=social_worker, origin=CLI, plan=plan, ended_on=DAY, reason="Risk reduced"
    )
    kinds = list(place.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["referral", "assessment", "plan_started", "plan_ended"]
    assert assessment.assessed_by == social_worker
    assert ContextPlan.objects.get().ended_on == DAY
    assert audit_actions().count(AuditAction.RECORD_CONTEXT_WORK) == 4


@pytest.mark.parametrize(
    "blank", ["what_happens", "when_it_happens", "who_is_involved", "what_would_make_it_safer"]
)
def test_an_assessment_needs_every_answer(social_worker, place, blank):
    answers = dict.fromkeys(
        ["what_happens", "when_it_happens", "who_is_involved", "what_would_make_it_safer"], "x"
    )
    answers[blank] = " "
    with pytest.raises(ValidationError) as raised:
        actions.record_context_assessment(
            actor=social_worker, origin=CLI, context=place, assessed_on=DAY, **answers
        )
    assert list(raised.value.message_dict) == [blank]
    assert place.events.count() == 0


def test_a_plan_needs_a_practitioner_lead_and_a_review_after_its_start(
    social_worker, administrator, place
):
    base = {
        "actor": social_worker,
        "origin": CLI,
        "context": place,
        "started_on": DAY,
        "objectives": "Safer",
    }
    with pytest.raises(ValidationError) as raised:
        actions.start_context_plan(
            **base, review_on=DAY - dt.timedelta(days=1), lead_practitioner=social_worker
        )
    assert "review_on" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        actions.start_context_plan(**base, review_on=DAY, lead_practitioner=administrator)
    assert "lead_practitioner" in raised.value.message_dict
    assert ContextPlan.objects.count() == 0


def test_it_records_a_context_and_refuses_a_bad_kind(police_officer):
    context = actions.record_context(
        actor=police_officer, origin=CLI, kind=ContextKind.ONLINE_SPACE, name=" Group chat "
    )
    assert context.name == "Group chat"
    assert context.recorded_by_agency.code == "POLICE"
    with pytest.raises(ValidationError) as raised:
        actions.record_context(actor=police_officer, origin=CLI, kind="forest", name="Woods")
    assert "kind" in raised.value.message_dict


# --- the meeting ----------------------------------------------------------------------


def test_actions_are_agreed_with_owners_and_due_dates_and_completed(
    team_manager, social_worker, police_officer, administrator, child, place
):
    meeting = actions.record_exploitation_meeting(
        actor=team_manager, origin=CLI, area="Leeds North", held_on=DAY, chair=team_manager
    )
    for_child = actions.agree_meeting_action(
        actor=team_manager,
        origin=CLI,
        meeting=meeting,
        person=child,
        description="Return home interview",
        owner=social_worker,
        due_on=DAY + dt.timedelta(days=5),
    )
    for_place = actions.agree_meeting_action(
        actor=team_manager,
        origin=CLI,
        meeting=meeting,
        context=place,
        description="Patrols on the towpath",
        owner=police_officer,
        due_on=DAY + dt.timedelta(days=14),
    )
    assert place.events.get().kind == ContextEventKind.MEETING_ACTION
    assert for_place.context == place
    assert for_child.is_overdue_on(DAY + dt.timedelta(days=6))
    assert not for_child.is_overdue_on(DAY + dt.timedelta(days=5))
    done = actions.complete_meeting_action(
        actor=social_worker, origin=CLI, action=for_child, completed_on=DAY, note="Seen"
    )
    assert done.status == ActionStatus.DONE
    assert not done.is_overdue_on(DAY + dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="already done"):
        actions.complete_meeting_action(
            actor=social_worker, origin=CLI, action=for_child, completed_on=DAY
        )

    bad = {"actor": team_manager, "origin": CLI, "meeting": meeting, "description": "x"}
    with pytest.raises(ValidationError) as raised:
        actions.agree_meeting_action(
            **bad, person=child, owner=social_worker, due_on=DAY - dt.timedelta(days=1)
        )
    assert "due_on" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        actions.agree_meeting_action(**bad, person=child, owner=administrator, due_on=DAY)
    assert "owner" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        actions.agree_meeting_action(**bad, owner=social_worker, due_on=DAY)
    assert "subject" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        actions.record_exploitation_meeting(
            actor=team_manager, origin=CLI, area="Leeds North", held_on=DAY, chair=team_manager
        )
    assert "held_on" in raised.value.message_dict
    assert audit_actions().count(AuditAction.RECORD_MEETING_ACTION) == 3


def test_an_association_and_its_withdrawal_appear_in_the_chronology_without_the_other_name(
    police_officer, child, adult
):
    association = associate(police_officer, child, other_person=adult, nature=Nature.EXPLOITED_BY)
    recorded = ChronologyEvent.objects.get(person=child)
    assert (recorded.category.code, recorded.agency) == (
        "association_recorded",
        police_officer.agency,
    )
    assert "exploited by" in recorded.summary.lower()
    # Who the other person is stays on the network page, under its own rule.
    assert adult.family_name not in recorded.summary
    actions.withdraw_association(
        actor=police_officer, origin=CLI, association=association, reason="Wrong person"
    )
    withdrawn = ChronologyEvent.objects.get(person=child, category__code="association_withdrawn")
    assert "Wrong person" in withdrawn.summary


def test_a_meeting_action_about_a_child_appears_in_the_chronology(
    team_manager, social_worker, child
):
    meeting = actions.record_exploitation_meeting(
        actor=team_manager, origin=CLI, area="Leeds North", held_on=DAY, chair=team_manager
    )
    actions.agree_meeting_action(
        actor=team_manager,
        origin=CLI,
        meeting=meeting,
        person=child,
        description="Return home interview",
        owner=social_worker,
        due_on=DAY + dt.timedelta(days=5),
    )
    event = ChronologyEvent.objects.get(person=child)
    assert event.category.code == "exploitation_meeting"
    assert event.date_only
    assert timezone.localtime(event.occurred_at).date() == DAY
    assert "Leeds North" in event.summary
    assert "Return home interview" in event.summary


def test_an_action_agreed_for_a_meeting_still_to_come_is_recorded_with_its_due_date(
    team_manager, social_worker, child, place
):
    """The chronology refuses events in the future: an action set ahead of a scheduled
    meeting is in the chronology on the day it was recorded, saying which meeting."""
    today = timezone.localdate()
    meeting = actions.record_exploitation_meeting(
        actor=team_manager,
        origin=CLI,
        area="Leeds North",
        held_on=today + dt.timedelta(days=10),
        chair=team_manager,
    )
    action = actions.agree_meeting_action(
        actor=team_manager,
        origin=CLI,
        meeting=meeting,
        person=child,
        description="Return home interview",
        owner=social_worker,
        due_on=today + dt.timedelta(days=17),
    )
    assert action.due_on == today + dt.timedelta(days=17)
    event = ChronologyEvent.objects.get(person=child, category__code="exploitation_meeting")
    assert timezone.localtime(event.occurred_at).date() == today
    due = today + dt.timedelta(days=17)
    assert f"for Leeds North on {meeting.held_on:%-d %B %Y}" in event.summary
    assert f"due {due:%-d %B %Y}" in event.summary
    for_place = actions.agree_meeting_action(
        actor=team_manager,
        origin=CLI,
        meeting=meeting,
        context=place,
        description="Patrols on the towpath",
        owner=social_worker,
        due_on=due,
    )
    assert place.events.get().occurred_on == today
    assert for_place.context == place
    assert audit_actions().count(AuditAction.RECORD_MEETING_ACTION) == 2
