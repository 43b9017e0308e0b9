"""The case's actions: each step, its hand-off on the clock, the flag, the access
relationship, the chronology event and the audit row; corrections and bad input."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sightline.access.models import CaseRelationship, CaseRole
from sightline.accounts.models import Role
from sightline.assessments.models import Decision, DecisionPoint
from sightline.audit.models import AuditAction, AuditEvent
from sightline.cases import actions
from sightline.cases.models import (
    Allocation,
    ChildProtectionPlan,
    ChildProtectionReview,
    CINAssessment,
    CoreGroupMember,
    EpisodeOfNeed,
    LookedAfterEpisode,
    Section47,
)
from sightline.cases.tests.conftest import PAGE, TODAY
from sightline.chronology.models import ChronologyEvent
from sightline.people.models import Involvement, InvolvementRole, StatusKind, StatusPeriod
from sightline.record import rules
from sightline.sharing import actions as sharing_actions
from sightline.sharing import queries as sharing_queries
from sightline.sharing.models import ReferralOutcome, Urgency
from sightline.testing import factories

pytestmark = pytest.mark.django_db


def open_points(child):
    return {p.step: p for p in DecisionPoint.objects.open().filter(child=child)}


def audited(action, person=None):
    found = AuditEvent.objects.filter(action=action)
    if person is not None:
        found = found.filter(person_id=person.pk)
    return found.count()


def period_of(row) -> StatusPeriod:
    """The status period (flag) a plan or looked-after episode holds, as stored now."""
    return StatusPeriod.objects.get(pk=row.status_period_id or 0)


def events(child, category):
    return list(ChronologyEvent.objects.current().filter(person=child, category__code=category))


# -- episodes of need and the referral decision --------------------------------------------


def test_it_opens_an_episode_with_the_referral_decision_on_the_clock(child, episode):
    assert episode.referral_source == "2A"
    assert episode.recording_agency.code == "CSC"
    assert episode.source == "sightline"
    point = open_points(child)["referral_decision"]
    assert point.started_on == dt.date(2026, 2, 2)
    assert point.due_on == dt.date(2026, 2, 3)  # one working day
    [event] = events(child, "referral")
    assert event.agency.code == "CSC"
    assert "Schools" in event.summary
    assert audited(AuditAction.OPEN_EPISODE_OF_NEED, child) == 1


def test_it_refuses_a_second_open_episode(child, social_worker, episode):
    with pytest.raises(ValidationError) as caught:
        actions.open_episode_of_need(
            actor=social_worker,
            origin=PAGE,
            child=child,
            referral_date=TODAY,
            referral_source="6",
        )
    assert "referral_date" in caught.value.message_dict


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("referral_source", "2Z", "not a known referral source"),
        ("primary_need", "N12", "not a known primary need"),
        ("referral_date", dt.date(1850, 1, 1), "not a possible referral date"),
    ],
)
def test_it_names_the_field_of_bad_input(child, social_worker, field, value, message):
    given = {"referral_date": dt.date(2026, 2, 2), "referral_source": "2A", field: value}
    with pytest.raises(ValidationError) as caught:
        actions.open_episode_of_need(actor=social_worker, origin=PAGE, child=child, **given)
    assert message in " ".join(caught.value.message_dict[field])
    assert not EpisodeOfNeed.objects.exists()


def test_it_refuses_a_closure_before_the_referral(child, social_worker, episode):
    with pytest.raises(ValidationError) as caught:
        actions.close_episode_of_need(
            actor=social_worker,
            origin=PAGE,
            episode=episode,
            closure_date=dt.date(2026, 1, 1),
            closure_reason="RC8",
        )
    assert "closure_date" in caught.value.message_dict


def test_it_refuses_a_practitioner_without_a_relationship(child, teacher):
    with pytest.raises(PermissionDenied):
        actions.open_episode_of_need(
            actor=teacher,
            origin=PAGE,
            child=child,
            referral_date=TODAY,
            referral_source="2A",
        )


def test_accepting_a_referral_opens_the_episode_and_the_one_day_decision(
    child, teacher, csc_team, agencies
):
    duty = factories.UserFactory.create(
        username="dee.duty", agency=agencies["CSC"], team=csc_team, role=Role.PRACTITIONER
    )
    referral = sharing_actions.raise_referral(
        actor=teacher,
        person=child,
        to_team=csc_team.pk,
        urgency=Urgency.AMBER,
        reason="Bruising seen in PE",
        shared="Chronology",
        origin=PAGE,
    )
    assert sharing_queries.may_act_on_referral(duty, referral)
    sharing_actions.record_outcome(
        actor=duty, referral=referral, outcome=ReferralOutcome.ACCEPTED, origin=PAGE
    )
    [episode] = EpisodeOfNeed.objects.current().filter(child=child)
    assert episode.referral_id == referral.pk
    assert episode.referral_source == "2A"  # from a school
    assert episode.referral_date == TODAY
    point = open_points(child)["referral_decision"]
    assert point.due_on == dt.date(2026, 3, 3)
    assert point.responsible == duty


# -- strategy discussion, section 47, conference, plan, review -----------------------------


def test_a_strategy_discussion_leading_to_s47_opens_the_enquiry_and_its_clock(
    child, social_worker, episode
):
    discussion = actions.record_strategy_discussion(
        actor=social_worker,
        origin=PAGE,
        episode=episode,
        date=dt.date(2026, 2, 6),  # a Friday
        outcome="section47",
    )
    [enquiry] = Section47.objects.current().filter(child=child)
    assert enquiry.strategy_discussion == discussion
    assert enquiry.start_date == dt.date(2026, 2, 6)
    assert enquiry.initial_cpc_target == dt.date(2026, 2, 27)  # 15 working days
    point = open_points(child)["section47_enquiry"]
    assert point.started_on == dt.date(2026, 2, 6)
    assert events(child, "strategy_discussion")
    assert "27 February 2026" in events(child, "section47_started")[0].summary


def test_a_strategy_discussion_decides_the_open_strategy_step(child, social_worker, episode):
    referral_point = open_points(child)["referral_decision"]
    from sightline.assessments import actions as decisions

    decisions.record_decision(
        actor=social_worker,
        origin=PAGE,
        step="referral_decision",
        outcome="strategy_discussion",
        decided_on=dt.date(2026, 2, 3),
        reasons="Injury to a child",
        history_considered=False,
        point=referral_point,
    )
    assert "strategy_discussion" in open_points(child)
    actions.record_strategy_discussion(
        actor=social_worker,
        origin=PAGE,
        episode=episode,
        date=dt.date(2026, 2, 4),
        outcome="section47",
        reasons="Reasonable cause to suspect significant harm",
    )
    decided = Decision.objects.get(child=child, step="strategy_discussion")
    assert decided.outcome == "section47_enquiry"
    assert decided.reasons == "Reasonable cause to suspect significant harm"
    points = open_points(child)
    assert "strategy_discussion" not in points
    assert points["section47_enquiry"].follows == decided


def test_a_strategy_discussion_without_s47_starts_nothing(child, social_worker, episode):
    actions.record_strategy_discussion(
        actor=social_worker,
        origin=PAGE,
        episode=episode,
        date=dt.date(2026, 2, 6),
        outcome="no_section47",
    )
    assert not Section47.objects.exists()
    assert "section47_enquiry" not in open_points(child)


def plan_from_conference(child, social_worker, episode, *, on=dt.date(2026, 2, 20)):
    actions.record_strategy_discussion(
        actor=social_worker,
        origin=PAGE,
        episode=episode,
        date=on - dt.timedelta(days=14),
        outcome="section47",
    )
    return actions.record_conference(
        actor=social_worker,
        origin=PAGE,
        episode=episode,
        kind="initial",
        date=on,
        outcome="plan",
        category="NEG",
        reasons="Neglect: home conditions, missed health appointments",
        history_considered=True,
        history_summary="Two earlier referrals for neglect",
    )


def test_a_conference_deciding_a_plan_starts_it_and_raises_the_flag(
    child, social_worker, police_officer, episode
):
    conference = plan_from_conference(child, social_worker, episode)
    plan = conference.plan
    assert plan.start_date == dt.date(2026, 2, 20)
    assert (plan.initial_category, plan.latest_category) == ("NEG", "NEG")
    assert plan.number_of_previous_cpp == 0
    period = plan.status_period
    assert period.kind == StatusKind.CHILD_PROTECTION
    assert period.protection_category == "neglect"
    assert period.ended_on is None
    assert sharing_queries.flagged_ids([child.pk]) == {child.pk}
    # The census dates of the initial conference.
    [enquiry] = Section47.objects.current().filter(child=child)
    assert enquiry.date_of_initial_cpc == dt.date(2026, 2, 20)
    current_episode = EpisodeOfNeed.objects.current().get(child=child)
    assert current_episode.date_of_initial_cpc == dt.date(2026, 2, 20)
    assert plan.episode == current_episode
    # On the clock: the s47 and conference steps decided, core group and review opened.
    points = open_points(child)
    assert "section47_enquiry" not in points
    assert "initial_conference" not in points
    assert points["core_group"].due_on == dt.date(2026, 3, 6)  # 10 working days
    assert points["first_review_conference"].due_on == dt.date(2026, 5, 20)  # 3 months
    # The core group proposed from the agencies involved.
    proposed = CoreGroupMember.objects.current().filter(plan=plan)
    assert {m.practitioner for m in proposed} == {social_worker, police_officer}
    assert all(m.proposed for m in proposed)
    assert events(child, "cp_plan_started")
    assert events(child, "initial_conference")
    assert audited(AuditAction.START_CP_PLAN, child) == 1


def test_an_initial_conference_deciding_a_plan_needs_a_category(child, social_worker, episode):
    with pytest.raises(ValidationError) as caught:
        actions.record_conference(
            actor=social_worker,
            origin=PAGE,
            episode=episode,
            kind="initial",
            date=dt.date(2026, 2, 20),
            outcome="plan",
        )
    assert "category" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.record_conference(
            actor=social_worker,
            origin=PAGE,
            episode=episode,
            kind="initial",
            date=dt.date(2026, 2, 20),
            outcome="plan",
            category="XYZ",
        )
    assert "category" in caught.value.message_dict
    assert not ChildProtectionPlan.objects.exists()


def test_a_review_conference_continues_then_ends_the_plan_and_lowers_the_flag(child, social_worker):
    episode = actions.open_episode_of_need(
        actor=social_worker,
        origin=PAGE,
        child=child,
        referral_date=dt.date(2025, 10, 1),
        referral_source="3B",
    )
    plan = plan_from_conference(child, social_worker, episode, on=dt.date(2025, 11, 3)).plan
    review = actions.record_conference(
        actor=social_worker,
        origin=PAGE,
        episode=plan.episode,
        kind="review",
        date=dt.date(2026, 1, 30),
        outcome="continue",
        plan=plan,
        category="MUL",
    )
    plan = ChildProtectionPlan.objects.current().get(child=child)
    assert review.plan == plan
    assert plan.latest_category == "MUL"
    assert plan.initial_category == "NEG"
    assert period_of(plan).protection_category == "multiple"
    assert [r.review_date for r in ChildProtectionReview.objects.current().filter(plan=plan)] == [
        dt.date(2026, 1, 30)
    ]
    assert open_points(child)["review_conference"].due_on == dt.date(2026, 7, 30)
    ending = actions.record_conference(
        actor=social_worker,
        origin=PAGE,
        episode=plan.episode,
        kind="review",
        date=TODAY,
        outcome="end_plan",
        plan=plan,
    )
    ended = ChildProtectionPlan.objects.current().get(child=child)
    assert ended == ending.plan
    assert ended.end_date == TODAY
    assert period_of(ended).ended_on == TODAY
    # The 12-month rule: still flagged a year on, gone the day after.
    assert sharing_queries.flagged_ids([child.pk], on=dt.date(2027, 3, 2)) == {child.pk}
    assert sharing_queries.flagged_ids([child.pk], on=dt.date(2027, 3, 3)) == set()
    assert "review_conference" not in open_points(child)
    assert events(child, "cp_plan_ended")
    # The plan's history is kept: the versions it went through are all there.
    assert ChildProtectionPlan.objects.filter(child=child).count() == 3


def test_a_confirmed_core_group_member_gets_the_access_relationship_until_the_plan_ends(
    child, social_worker, episode, agencies
):
    plan = plan_from_conference(child, social_worker, episode).plan
    nurse = factories.UserFactory.create(
        username="nina.nurse", agency=agencies["HEALTH"], role=Role.PRACTITIONER
    )
    assert not rules.has_legitimate_relationship(nurse, child)
    member = actions.add_core_group_member(
        actor=social_worker, origin=PAGE, plan=plan, practitioner=nurse, started_on=TODAY
    )
    assert member.agency == agencies["HEALTH"]
    relationship = CaseRelationship.objects.get(practitioner=nurse, person=child)
    assert relationship.role == CaseRole.CORE_GROUP_MEMBER
    assert rules.has_legitimate_relationship(nurse, child)
    actions.end_cp_plan(actor=social_worker, origin=PAGE, plan=plan, end_date=TODAY)
    relationship.refresh_from_db()
    assert relationship.ended_on == TODAY
    assert not rules.has_legitimate_relationship(nurse, child, on=dt.date(2026, 3, 3))


def test_a_proposed_member_is_confirmed_into_the_core_group(
    child, social_worker, police_officer, episode
):
    plan = plan_from_conference(child, social_worker, episode).plan
    proposal = CoreGroupMember.objects.current().get(plan=plan, practitioner=police_officer)
    assert not CaseRelationship.objects.filter(practitioner=police_officer).exists()
    actions.confirm_core_group_member(actor=social_worker, origin=PAGE, member=proposal)
    assert CaseRelationship.objects.filter(
        practitioner=police_officer, person=child, role=CaseRole.CORE_GROUP_MEMBER
    ).exists()


# -- assessments and child in need plans ---------------------------------------------------


def test_an_assessment_is_authorised_with_its_factors(child, social_worker, team_manager, episode):
    assessment = actions.record_assessment(
        actor=social_worker, origin=PAGE, episode=episode, start_date=dt.date(2026, 2, 3)
    )
    authorised = actions.authorise_assessment(
        actor=social_worker,
        origin=PAGE,
        assessment=assessment,
        authorisation_date=dt.date(2026, 2, 20),
        factors=["3A", "16A"],
        authorised_by=team_manager,
    )
    assert authorised.supersedes == assessment
    assert authorised.factors == ["3A", "16A"]
    assert list(CINAssessment.objects.current()) == [authorised]
    assert "Domestic" in events(child, "assessment_completed")[0].summary


def test_an_assessment_with_an_unknown_factor_is_refused(social_worker, episode):
    with pytest.raises(ValidationError) as caught:
        actions.record_assessment(
            actor=social_worker,
            origin=PAGE,
            episode=episode,
            start_date=dt.date(2026, 2, 3),
            authorisation_date=dt.date(2026, 2, 20),
            factors=["99Z"],
        )
    assert "factors" in caught.value.message_dict


def test_a_child_in_need_plan_starts_and_ends_its_status(child, social_worker, episode):
    plan = actions.start_cin_plan(
        actor=social_worker, origin=PAGE, episode=episode, start_date=dt.date(2026, 2, 10)
    )
    assert period_of(plan).kind == StatusKind.CHILD_IN_NEED
    ended = actions.end_cin_plan(actor=social_worker, origin=PAGE, plan=plan, end_date=TODAY)
    assert period_of(ended).ended_on == TODAY
    assert sharing_queries.flagged_ids([child.pk]) == set()  # a CIN plan flags nobody


def test_a_plan_without_a_child_is_refused(social_worker, episode):
    plan = ChildProtectionPlan(
        episode=episode,
        start_date=TODAY,
        initial_category="NEG",
        latest_category="NEG",
        recording_agency=episode.recording_agency,
    )
    with pytest.raises(ValidationError) as caught:
        plan.full_clean()
    assert "child" in caught.value.message_dict


# -- corrections and withdrawals -----------------------------------------------------------


def test_a_correction_supersedes_and_the_rows_that_hang_off_follow(child, social_worker, episode):
    assessment = actions.record_assessment(
        actor=social_worker, origin=PAGE, episode=episode, start_date=dt.date(2026, 2, 3)
    )
    corrected = actions.correct(
        actor=social_worker,
        origin=PAGE,
        record=episode,
        changes={"referral_source": "3A"},
        reason="The referral came from the GP, not the school",
    )
    episode.refresh_from_db()
    assert episode.referral_source == "2A"  # the old row is kept as it was
    assert corrected.supersedes == episode
    assert list(EpisodeOfNeed.objects.current()) == [corrected]
    assessment.refresh_from_db()
    assert assessment.episode == corrected
    [event] = events(child, "referral")
    assert event.revision == 2
    assert "corrected" in event.summary
    assert audited(AuditAction.CORRECT_CASE_RECORD, child) == 1
    with pytest.raises(ValidationError):
        actions.correct(
            actor=social_worker,
            origin=PAGE,
            record=episode,
            changes={"referral_source": "3B"},
            reason="Again",
        )


def test_a_correction_of_a_plan_moves_its_flag(child, social_worker, episode):
    plan = plan_from_conference(child, social_worker, episode).plan
    corrected = actions.correct(
        actor=social_worker,
        origin=PAGE,
        record=plan,
        changes={"start_date": dt.date(2026, 2, 19), "latest_category": "PHY"},
        reason="Typed the wrong day",
    )
    period = period_of(corrected)
    assert period.started_on == dt.date(2026, 2, 19)
    assert period.protection_category == "physical_abuse"


def test_a_correction_of_an_identity_field_is_refused(child, social_worker, episode):
    with pytest.raises(ValidationError) as caught:
        actions.correct(
            actor=social_worker,
            origin=PAGE,
            record=episode,
            changes={"source": "somewhere"},
            reason="No",
        )
    assert "source" in caught.value.message_dict


def test_a_withdrawn_row_leaves_the_current_view(child, social_worker, episode):
    withdrawn = actions.withdraw(
        actor=social_worker, origin=PAGE, record=episode, reason="Recorded on the wrong child"
    )
    assert withdrawn.withdrawn_at is not None
    assert not EpisodeOfNeed.objects.current().exists()
    assert EpisodeOfNeed.objects.filter(pk=episode.pk).exists()
    assert audited(AuditAction.WITHDRAW_CASE_RECORD, child) == 1


def test_an_import_records_with_its_source_and_no_clock(child, agencies):
    episode = actions.open_episode_of_need(
        actor=None,
        origin=PAGE,
        child=child,
        referral_date=dt.date(2025, 6, 1),
        referral_source="6",
        closure_date=dt.date(2025, 9, 1),
        closure_reason="RC8",
        agency=agencies["CSC"],
        source="cin-census:2026:run-1",
        external_id="LA123/2025-06-01",
    )
    assert episode.source == "cin-census:2026:run-1"
    assert not open_points(child)
    assert events(child, "case_closed")


# -- looked after --------------------------------------------------------------------------


def start_care(child, social_worker, on=dt.date(2026, 2, 2)):
    return actions.start_looked_after(
        actor=social_worker,
        origin=PAGE,
        child=child,
        decom=on,
        ls="C1",
        cin="N1",
        place="U4",
        place_provider="PR1",
        home_post="LS1 4AP",
        pl_post="LS6 2AB",
    )


def test_becoming_looked_after_raises_the_flag_and_opens_the_first_review(child, social_worker):
    episode = start_care(child, social_worker)
    assert episode.rne == "S"
    assert episode.status_period.kind == StatusKind.LOOKED_AFTER
    assert sharing_queries.flagged_ids([child.pk]) == {child.pk}
    point = open_points(child)["looked_after_first_review"]
    assert point.due_on == dt.date(2026, 3, 2)  # 20 working days
    assert events(child, "looked_after_started")


def test_a_placement_change_ends_the_episode_with_x1_and_starts_the_next(child, social_worker):
    first = start_care(child, social_worker)
    following = actions.change_looked_after(
        actor=social_worker,
        origin=PAGE,
        episode=first,
        on=dt.date(2026, 2, 16),
        place="K2",
        place_provider="PR2",
        reason_place_change="CARPL",
    )
    assert following.rne == "P"
    assert (following.ls, following.place, following.decom) == ("C1", "K2", dt.date(2026, 2, 16))
    ended = LookedAfterEpisode.objects.current().get(child=child, dec__isnull=False)
    assert (ended.dec, ended.rec) == (dt.date(2026, 2, 16), "X1")
    assert following.status_period_id == first.status_period_id
    assert period_of(first).ended_on is None
    legal = actions.change_looked_after(
        actor=social_worker, origin=PAGE, episode=following, on=dt.date(2026, 2, 23), ls="C2"
    )
    assert legal.rne == "L"
    assert legal.place == "K2"
    assert events(child, "looked_after_changed")


@pytest.mark.parametrize(
    ("legal", "placement", "same_carer", "rne"),
    [
        (True, True, False, "B"),
        (True, True, True, "U"),
        (True, False, False, "L"),
        (False, True, False, "P"),
        (False, True, True, "T"),
    ],
)
def test_the_reason_for_a_new_episode(legal, placement, same_carer, rne):
    assert (
        actions.reason_new_episode(
            legal_status_changed=legal, placement_changed=placement, same_carer=same_carer
        )
        == rne
    )


def test_ending_care_lowers_the_flag_under_the_12_month_rule(child, social_worker):
    episode = start_care(child, social_worker)
    ended = actions.end_looked_after(
        actor=social_worker, origin=PAGE, episode=episode, dec=TODAY, rec="E4A"
    )
    assert period_of(ended).ended_on == TODAY
    assert sharing_queries.flagged_ids([child.pk], on=dt.date(2027, 3, 3)) == set()
    assert events(child, "looked_after_ended")


def test_overlapping_looked_after_episodes_are_refused(child, agencies):
    common = {"actor": None, "origin": PAGE, "child": child, "agency": agencies["CSC"]}
    actions.start_looked_after(
        decom=dt.date(2025, 1, 1),
        dec=dt.date(2025, 6, 1),
        rec="E4A",
        ls="V2",
        cin="N4",
        place="U4",
        **common,
    )
    with pytest.raises(ValidationError) as caught:
        actions.start_looked_after(
            decom=dt.date(2025, 5, 1), ls="C2", cin="N1", place="K2", **common
        )
    assert "overlaps" in " ".join(caught.value.message_dict["decom"])


@pytest.mark.parametrize(
    ("field", "value"), [("ls", "Z9"), ("place", "H5"), ("cin", "N9"), ("rne", "Q")]
)
def test_an_unknown_903_code_is_refused(child, social_worker, field, value):
    given = {"ls": "C1", "cin": "N1", "place": "U4", field: value}
    with pytest.raises(ValidationError) as caught:
        actions.start_looked_after(
            actor=social_worker, origin=PAGE, child=child, decom=dt.date(2026, 2, 2), **given
        )
    assert field in caught.value.message_dict


def test_a_looked_after_review_decides_the_review_step_and_opens_the_next(child, social_worker):
    start_care(child, social_worker)
    actions.record_looked_after_review(
        actor=social_worker, origin=PAGE, child=child, review=TODAY, review_code="PN1"
    )
    points = open_points(child)
    assert "looked_after_first_review" not in points
    assert points["looked_after_second_review"].due_on == dt.date(2026, 6, 2)
    assert events(child, "looked_after_review")


def test_a_missing_episode_is_recorded_and_ended(child, social_worker):
    missing = actions.record_missing_episode(
        actor=social_worker, origin=PAGE, child=child, missing="M", mis_start=dt.date(2026, 2, 27)
    )
    ended = actions.end_missing_episode(
        actor=social_worker, origin=PAGE, episode=missing, mis_end=TODAY
    )
    assert ended.mis_end == TODAY
    with pytest.raises(ValidationError) as caught:
        actions.record_missing_episode(
            actor=social_worker, origin=PAGE, child=child, missing="X", mis_start=TODAY
        )
    assert "missing" in caught.value.message_dict


# -- allocation ----------------------------------------------------------------------------


def test_allocation_gives_and_reallocation_ends_the_access_relationship(
    child, team_manager, csc_team, agencies
):
    first = factories.UserFactory.create(
        username="fran.first", agency=agencies["CSC"], team=csc_team, role=Role.PRACTITIONER
    )
    second = factories.UserFactory.create(
        username="sam.second", agency=agencies["CSC"], team=csc_team, role=Role.PRACTITIONER
    )
    assert not rules.is_allocated_worker(first, child)
    allocation = actions.allocate(
        actor=team_manager, origin=PAGE, child=child, worker=first, start_date=dt.date(2026, 2, 2)
    )
    assert allocation.team == csc_team
    assert Involvement.objects.get(pk=allocation.involvement_id or 0).role == (
        InvolvementRole.ALLOCATED_SOCIAL_WORKER
    )
    assert rules.is_allocated_worker(first, child)
    with pytest.raises(ValidationError) as caught:
        actions.allocate(
            actor=team_manager, origin=PAGE, child=child, worker=second, start_date=TODAY
        )
    assert "reason_for_change" in caught.value.message_dict
    actions.allocate(
        actor=team_manager,
        origin=PAGE,
        child=child,
        worker=second,
        start_date=TODAY,
        reason_for_change="Worker left the team",
    )
    ended = Allocation.objects.current().get(child=child, worker=first)
    assert (ended.end_date, ended.reason_for_change) == (TODAY, "Worker left the team")
    assert Involvement.objects.get(pk=allocation.involvement_id or 0).ended_on == TODAY
    assert not rules.is_allocated_worker(first, child, on=dt.date(2026, 3, 3))
    assert rules.is_allocated_worker(second, child)
    assert events(child, "worker_allocated")
    assert audited(AuditAction.ALLOCATE_CASE, child) == 2
    assert audited(AuditAction.END_ALLOCATION, child) == 1


def test_a_teacher_cannot_allocate(child, teacher):
    with pytest.raises(PermissionDenied):
        actions.allocate(actor=teacher, origin=PAGE, child=child, worker=teacher, start_date=TODAY)


def test_a_review_decides_only_the_review_step_that_was_open(child, social_worker):
    episode = actions.open_episode_of_need(
        actor=social_worker,
        origin=PAGE,
        child=child,
        referral_date=dt.date(2025, 10, 1),
        referral_source="3B",
    )
    plan = plan_from_conference(child, social_worker, episode, on=dt.date(2025, 11, 3)).plan
    assert plan is not None
    actions.record_conference(
        actor=social_worker,
        origin=PAGE,
        episode=plan.episode,
        kind="review",
        date=dt.date(2026, 1, 30),
        outcome="continue",
        plan=plan,
    )
    decided = Decision.objects.filter(
        child=child, step__in=["first_review_conference", "review_conference"]
    )
    assert [(d.step, d.outcome) for d in decided] == [("first_review_conference", "continue_plan")]
    assert DecisionPoint.objects.open().filter(child=child, step="review_conference").count() == 1


def test_correcting_an_allocation_moves_its_involvement(child, team_manager, csc_team, agencies):
    worker = factories.UserFactory.create(
        username="cora.correct", agency=agencies["CSC"], team=csc_team, role=Role.PRACTITIONER
    )
    allocation = actions.allocate(
        actor=team_manager, origin=PAGE, child=child, worker=worker, start_date=dt.date(2026, 2, 2)
    )
    actions.correct(
        actor=team_manager,
        origin=PAGE,
        record=allocation,
        changes={"start_date": dt.date(2026, 1, 26)},
        reason="Allocated a week earlier",
    )
    involvement = Involvement.objects.get(pk=allocation.involvement_id or 0)
    assert (involvement.started_on, involvement.ended_on) == (dt.date(2026, 1, 26), None)
    assert rules.is_allocated_worker(worker, child, on=dt.date(2026, 1, 27))


# -- family: one action for the page and the API ---------------------------------------


def test_a_family_relationship_is_ended_only_by_those_who_record_the_case_and_only_the_childs(
    child, social_worker, police_officer
):
    mother = factories.PersonFactory.create(given_name="Maria", family_name="Testchild")
    stranger = factories.PersonFactory.create(given_name="Alex", family_name="Stranger")
    other_child = factories.PersonFactory.create(given_name="Other", family_name="Child")
    ours = actions.record_family_member(
        actor=social_worker, origin=PAGE, child=child, relative=mother, kind="parent"
    )
    theirs = actions.record_family_member(
        actor=None, origin=PAGE, child=other_child, relative=stranger, kind="carer"
    )

    def end(actor, relationship):
        return actions.end_family_relationship(
            actor=actor,
            origin=PAGE,
            child=child,
            relationship=relationship,
            ended_on=TODAY,
            reason="Moved out",
        )

    with pytest.raises(PermissionDenied):
        end(police_officer, ours)
    with pytest.raises(ValidationError) as refused:
        end(social_worker, theirs)
    assert "relative" in refused.value.message_dict
    theirs.refresh_from_db()
    assert theirs.ended_on is None
    assert end(social_worker, ours).ended_on == TODAY
