"""Each step of the Case part calls its action (``sightline.cases.actions``, or
``people.actions`` for a relationship) with what the form cleaned, and says what was
done. The actions write the rows, the audit and the chronology event, and open the
next step on the statutory clock; nothing here writes."""

from typing import Any

from django.db import transaction

from sightline.cases import actions
from sightline.pages.case_state import StepContext, long_date, member_name
from sightline.returns import codes


def _yes(value: Any) -> bool:
    return bool(value == "yes")


def record_episode(context: StepContext, data: dict[str, Any]) -> str:
    nfa = _yes(data["no_further_action"])
    actions.open_episode_of_need(
        actor=context.actor,
        origin=context.origin,
        child=context.person,
        referral_date=data["referral_date"],
        referral_source=data["source"],
        primary_need=data["primary_need"],
        referral_nfa=nfa,
    )
    if nfa:
        return "Referral outcome recorded: no further action."
    return "Referral outcome recorded: the episode of need is open."


def close_episode(context: StepContext, data: dict[str, Any]) -> str:
    episode = context.case.open_episode
    assert episode is not None  # noqa: S101 - the step is available only then
    actions.close_episode_of_need(
        actor=context.actor,
        origin=context.origin,
        episode=episode,
        closure_date=data["closed_on"],
        closure_reason=data["reason"],
    )
    return "Episode of need closed."


def record_assessment(context: StepContext, data: dict[str, Any]) -> str:
    episode = context.case.open_episode
    assert episode is not None  # noqa: S101
    authorised = data["authorised_on"]
    actions.record_assessment(
        actor=context.actor,
        origin=context.origin,
        episode=episode,
        start_date=data["started_on"],
        authorisation_date=authorised,
        factors=list(data["factors"]),
        authorised_by=context.actor if authorised else None,
    )
    return "Assessment recorded." if authorised else "Assessment recorded: not yet authorised."


def record_strategy(context: StepContext, data: dict[str, Any]) -> str:
    episode = context.case.open_episode
    assert episode is not None  # noqa: S101
    section47 = _yes(data["section_47"])
    actions.record_strategy_discussion(
        actor=context.actor,
        origin=context.origin,
        episode=episode,
        date=data["held_on"],
        outcome="section47" if section47 else "no_section47",
    )
    if section47:
        return (
            "Strategy discussion recorded: the section 47 enquiry has started and the initial "
            "conference is due within 15 working days."
        )
    return "Strategy discussion recorded."


def conclude_section47(context: StepContext, data: dict[str, Any]) -> str:
    enquiry = context.case.latest_section47
    assert enquiry is not None  # noqa: S101
    actions.conclude_section47(
        actor=context.actor, origin=context.origin, enquiry=enquiry, on=data["concluded_on"]
    )
    return "Section 47 enquiry concluded: no initial conference is needed."


def record_conference(context: StepContext, data: dict[str, Any]) -> str:
    enquiry = context.case.latest_section47
    episode = context.case.open_episode
    assert episode is not None  # noqa: S101
    plan = data["outcome"] == "plan"
    actions.record_conference(
        actor=context.actor,
        origin=context.origin,
        episode=episode,
        section47=enquiry,
        kind="initial",
        date=data["held_on"],
        outcome="plan" if plan else "no_plan",
        category=data["category"] or "",
    )
    if plan:
        category = codes.label(codes.CP_CATEGORY, data["category"]).lower()
        return (
            f"Conference recorded: a child protection plan ({category}) has started and the "
            "child is flagged. The core group is proposed from the agencies involved."
        )
    return "Conference recorded: no child protection plan."


def record_plan_review(context: StepContext, data: dict[str, Any]) -> str:
    plan = context.case.open_plan
    assert plan is not None  # noqa: S101
    continues = _yes(data["plan_continues"])
    actions.record_conference(
        actor=context.actor,
        origin=context.origin,
        episode=plan.episode,
        plan=plan,
        kind="review",
        date=data["held_on"],
        outcome="continue" if continues else "end_plan",
        category=data["category"] or "",
    )
    if continues:
        return "Review recorded: the plan continues."
    return "Review recorded: the plan has ended and the child protection flag is lowered."


def end_plan(context: StepContext, data: dict[str, Any]) -> str:
    plan = context.case.open_plan
    assert plan is not None  # noqa: S101
    actions.end_cp_plan(
        actor=context.actor, origin=context.origin, plan=plan, end_date=data["ended_on"]
    )
    return "The child protection plan has ended."


def add_core_group_member(context: StepContext, data: dict[str, Any]) -> str:
    plan = context.case.open_plan
    assert plan is not None  # noqa: S101
    member = data["member"]
    actions.add_core_group_member(
        actor=context.actor,
        origin=context.origin,
        plan=plan,
        practitioner=member,
        started_on=data["started_on"],
    )
    return f"{member.get_full_name() or member.username} added to the core group."


def start_looked_after(context: StepContext, data: dict[str, Any]) -> str:
    actions.start_looked_after(
        actor=context.actor,
        origin=context.origin,
        child=context.person,
        decom=data["started_on"],
        ls=data["legal_status"],
        cin=data["category_of_need"],
        place=data["placement"],
        place_provider=data["provider"],
        home_post=data["home_postcode"],
        pl_post=data["placement_postcode"],
    )
    return "The child is looked after from " + long_date(data["started_on"]) + "."


def change_looked_after(context: StepContext, data: dict[str, Any]) -> str:
    episode = context.case.open_looked_after
    assert episode is not None  # noqa: S101
    change = data["change"]
    placement = change in {"placement", "both"}
    actions.change_looked_after(
        actor=context.actor,
        origin=context.origin,
        episode=episode,
        on=data["changed_on"],
        ls=data["legal_status"] if change in {"legal_status", "both"} else "",
        place=data["placement"] if placement else "",
        place_provider=data["provider"] if placement else "",
        pl_post=data["placement_postcode"] if placement else "",
        same_carer=_yes(data["same_carer"]) if placement else False,
    )
    return "Change recorded: a new looked-after episode has started."


def end_looked_after(context: StepContext, data: dict[str, Any]) -> str:
    episode = context.case.open_looked_after
    assert episode is not None  # noqa: S101
    actions.end_looked_after(
        actor=context.actor,
        origin=context.origin,
        episode=episode,
        dec=data["ended_on"],
        rec=data["reason"],
    )
    return "The child is no longer looked after."


def allocate_worker(context: StepContext, data: dict[str, Any]) -> str:
    worker = data["worker"]
    actions.allocate(
        actor=context.actor,
        origin=context.origin,
        child=context.person,
        worker=worker,
        start_date=data["started_on"],
        reason_for_change=data["reason"],
    )
    return f"{worker.get_full_name() or worker.username} is allocated."


def record_relationship(context: StepContext, data: dict[str, Any]) -> str:
    relative = data["relative"]
    actions.record_family_member(
        actor=context.actor,
        origin=context.origin,
        child=context.person,
        relative=relative,
        kind=data["kind"],
        lives_with=_yes(data["lives_with"]),
        started_on=data["started_on"],
    )
    return f"{relative.full_name or 'The family member'} recorded."


@transaction.atomic
def confirm_core_group(context: StepContext, data: dict[str, Any]) -> str:
    """Each ticked proposal confirmed (all or none)."""
    plan = context.case.open_plan
    assert plan is not None  # noqa: S101
    proposed = {
        str(member.public_id): member
        for member in context.case.core_group.get(plan.pk, [])
        if member.proposed
    }
    chosen = [proposed[key] for key in data["members"] if key in proposed]
    for member in chosen:
        actions.confirm_core_group_member(actor=context.actor, origin=context.origin, member=member)
    return f"{len(chosen)} member{'s' if len(chosen) != 1 else ''} of the core group confirmed."


def add_core_group_agency(context: StepContext, data: dict[str, Any]) -> str:
    plan = context.case.open_plan
    assert plan is not None  # noqa: S101
    agency = data["agency"]
    actions.add_core_group_member(
        actor=context.actor,
        origin=context.origin,
        plan=plan,
        agency=agency,
        started_on=data["started_on"],
    )
    return f"{agency.name} added to the core group."


def add_core_group_family(context: StepContext, data: dict[str, Any]) -> str:
    plan = context.case.open_plan
    assert plan is not None  # noqa: S101
    person = data["person"]
    actions.add_core_group_member(
        actor=context.actor,
        origin=context.origin,
        plan=plan,
        person=person,
        started_on=data["started_on"],
    )
    return f"{person.full_name or 'The family member'} added to the core group."


def end_core_group_member(context: StepContext, data: dict[str, Any]) -> str:
    plan = context.case.open_plan
    assert plan is not None  # noqa: S101
    members = {str(m.public_id): m for m in context.case.core_group.get(plan.pk, [])}
    member = members[data["member"]]
    actions.end_core_group_member(
        actor=context.actor, origin=context.origin, member=member, ended_on=data["ended_on"]
    )
    return f"{member_name(member)} has left the core group."


def start_cin_plan(context: StepContext, data: dict[str, Any]) -> str:
    episode = context.case.open_episode
    assert episode is not None  # noqa: S101
    actions.start_cin_plan(
        actor=context.actor, origin=context.origin, episode=episode, start_date=data["started_on"]
    )
    return "Child in need plan recorded from " + long_date(data["started_on"]) + "."


def end_cin_plan(context: StepContext, data: dict[str, Any]) -> str:
    plan = context.case.open_cin_plan
    assert plan is not None  # noqa: S101
    actions.end_cin_plan(
        actor=context.actor, origin=context.origin, plan=plan, end_date=data["ended_on"]
    )
    return "The child in need plan has ended."


def record_looked_after_review(context: StepContext, data: dict[str, Any]) -> str:
    actions.record_looked_after_review(
        actor=context.actor,
        origin=context.origin,
        child=context.person,
        review=data["held_on"],
        review_code=data["participation"],
    )
    return "Looked-after review recorded."


def record_missing_episode(context: StepContext, data: dict[str, Any]) -> str:
    actions.record_missing_episode(
        actor=context.actor,
        origin=context.origin,
        child=context.person,
        missing=data["kind"],
        mis_start=data["started_on"],
        mis_end=data["ended_on"],
        rhi_offered=data["rhi_offered"],
        rhi_accepted=data["rhi_accepted"],
    )
    what = codes.label(codes.MISSING_KIND, data["kind"])
    if data["ended_on"] is None:
        return f"{what} recorded from {long_date(data['started_on'])}: record the child's return when they are back."
    return f"{what} recorded."


def record_missing_return(context: StepContext, data: dict[str, Any]) -> str:
    episode = context.case.open_missing
    assert episode is not None  # noqa: S101
    actions.end_missing_episode(
        actor=context.actor,
        origin=context.origin,
        episode=episode,
        mis_end=data["ended_on"],
        rhi_offered=data["rhi_offered"],
        rhi_accepted=data["rhi_accepted"],
    )
    return "The child's return is recorded."
