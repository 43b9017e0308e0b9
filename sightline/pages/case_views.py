"""The Case part of the child's page: the case as social care holds it (episodes of need
and what happened in them, child protection plans, looked-after episodes, the allocated
worker, the core group), and a form for each step, reached from there.

Reads: the record is opened first (``record.access.open_record``: decided, audited,
404), then the case rows of that child are read (``case_of``) in a fixed number of
queries however long the history. Writes: every step calls an action of
``sightline.cases`` (or ``people``), which writes its audit row and chronology event;
views write nothing themselves.

Who may record: practitioners and managers of children's social care who may see the
record (``may_record_case``), of the agency holding the case when one holds it. Others
who may see the record see the Case part read-only, and get 403 on a step's page.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sightline.accounts.models import User
from sightline.audit.actions import Origin
from sightline.cases import actions
from sightline.pages import case_forms, case_steps
from sightline.pages.case_state import (
    RECORD_KINDS,
    Case,
    StepContext,
    case_of,
    describe,
    episode_view,
    family_of,
    family_views,
    find_record,
    history_view,
    long_date,
    looked_after_view,
    may_record_case,
    member_name,
    missing_view,
    plan_view,
    record_choices,
    review_view,
)
from sightline.people.models import InvolvementRole, Person
from sightline.record.access import Intent, Record, open_record
from sightline.record.picker import (
    AgencySearcher,
    PersonSearcher,
    Reach,
    Searcher,
    WorkerSearcher,
)
from sightline.record.queries import visible_to
from sightline.returns import codes


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - login_required guarantees it
        raise TypeError("a signed-in user is required")
    return user


def case_panel(record: Record) -> dict[str, Any]:
    """Context of ``cases/_child_panel.html`` for a record opened by ``open_record``."""
    case = case_of(record)
    may_record = may_record_case(record.user, record, case)
    return {
        "case": case,
        "may_record_case": may_record,
        "steps": [
            (name, step.link) for name, step in STEPS.items() if may_record and step.available(case)
        ],
        "episodes": [episode_view(case, e) for e in case.episodes],
        "open_episode": case.open_episode,
        "plans": [plan_view(case, p) for p in case.plans],
        "looked_after": [looked_after_view(e) for e in case.looked_after],
        "allocations": case.allocations,
        "current_allocations": case.current_allocations,
        "looked_after_reviews": [review_view(r) for r in case.looked_after_reviews],
        "missing_episodes": [missing_view(m) for m in case.missing_episodes],
        "family": family_views(case, record.person),
        "history": [view for row in case.history if (view := history_view(row)) is not None],
        "may_correct": may_record and bool(record_choices(case, record.user.agency_id)),
        # Recorded before the case was (an involvement, by an import or the demo).
        "allocated_involvements": []
        if case.current_allocations
        else list(
            record.person.involvements.active_on(timezone.localdate())
            .filter(role=InvolvementRole.ALLOCATED_SOCIAL_WORKER, practitioner__isnull=False)
            .select_related("practitioner", "practitioner__team")
        ),
    }


# -- recording a step -------------------------------------------------------------------


Recorder = Callable[[StepContext, dict[str, Any]], str]


@dataclass(frozen=True)
class Step:
    title: str
    link: str  # the link's text on the Case part
    button: str
    form: type[case_forms.CaseForm]
    available: Callable[[Case], bool]
    record: Recorder
    intro: str = ""
    starts_after: Callable[[Case], dt.date | None] = lambda case: None
    searchers: Callable[[StepContext], dict[str, Searcher]] = lambda context: {}
    describe: Callable[[Case], list[tuple[str, str]]] = lambda case: []
    # Choices taken from the case (a form's ``offer``), where a step has them.
    offer: Callable[[Case], list[tuple[str, str]]] | None = None
    # The national code list behind the form's radios, shown under "Codes for the returns".
    codes: Any = None


def _has_open_episode(case: Case) -> bool:
    return case.open_episode is not None


def _referral_date(case: Case) -> dt.date | None:
    episode = case.open_episode
    return episode.referral_date if episode else None


def _episode_rows(case: Case) -> list[tuple[str, str]]:
    episode = case.open_episode
    if episode is None:
        return []
    return [
        (
            "Referral",
            f"{long_date(episode.referral_date)}, from {codes.label(codes.REFERRAL_SOURCE, episode.referral_source).lower()}",
        )
    ]


def _plan_rows(case: Case) -> list[tuple[str, str]]:
    plan = case.open_plan
    if plan is None:
        return []
    return [
        (
            "Plan",
            f"Since {long_date(plan.start_date)}, {codes.label(codes.CP_CATEGORY, plan.latest_category).lower()}",
        )
    ]


def _looked_after_rows(case: Case) -> list[tuple[str, str]]:
    episode = case.open_looked_after
    if episode is None:
        return []
    return [
        ("Looked after", f"Since {long_date(episode.decom)}"),
        ("Legal status", codes.label(codes.LEGAL_STATUS, episode.ls)),
        ("Placement", codes.label(codes.PLACEMENT, episode.place)),
    ]


def _enquiry_awaits_conference(case: Case) -> bool:
    enquiry = case.latest_section47
    return (
        enquiry is not None
        and not enquiry.icpc_not_required
        and enquiry.date_of_initial_cpc is None
    )


def _enquiry_rows(case: Case) -> list[tuple[str, str]]:
    enquiry = case.latest_section47
    if enquiry is None:
        return []
    rows = [("Section 47 enquiry", f"Started {long_date(enquiry.start_date)}")]
    if enquiry.initial_cpc_target:
        rows.append(("Initial conference due by", long_date(enquiry.initial_cpc_target)))
    return rows


def _proposed(case: Case) -> list[tuple[str, str]]:
    plan = case.open_plan
    if plan is None:
        return []
    return [
        (str(member.public_id), member_name(member).removesuffix(" (proposed)"))
        for member in case.core_group.get(plan.pk, [])
        if member.proposed
    ]


def _current_members(case: Case) -> list[tuple[str, str]]:
    plan = case.open_plan
    if plan is None:
        return []
    return [
        (str(member.public_id), member_name(member))
        for member in case.core_group.get(plan.pk, [])
        if not member.proposed
    ]


def _visible_family(context: StepContext) -> tuple[tuple[Person, str], ...]:
    """The child's family on the case whose record the user may see (the picker accepts
    no one else from the case; others are found by a search)."""
    family = family_of(context.case, context.person)
    if not family:
        return ()
    visible = set(
        visible_to(context.actor)
        .filter(pk__in=[person.pk for person, _ in family])
        .values_list("pk", flat=True)
    )
    return tuple((person, why) for person, why in family if person.pk in visible)


def _agencies(context: StepContext) -> dict[str, Searcher]:
    return {"agency": AgencySearcher()}


def _family(context: StepContext) -> dict[str, Searcher]:
    return {
        "person": PersonSearcher(
            user=context.actor,
            origin=context.origin,
            postcode=context.person.postcode,
            exclude=context.person.pk,
            case=_visible_family(context),
            # As for recording a family member: the family's own records may be out of
            # the worker's reach; anyone the search found, through the signed key.
            reach=Reach.IDENTITY,
        )
    }


def _looked_after_since(case: Case) -> dt.date | None:
    return case.looked_after_since


def _missing_rows(case: Case) -> list[tuple[str, str]]:
    episode = case.open_missing
    if episode is None:
        return []
    return [
        (codes.label(codes.MISSING_KIND, episode.missing), f"Since {long_date(episode.mis_start)}")
    ]


def _cin_plan_rows(case: Case) -> list[tuple[str, str]]:
    plan = case.open_cin_plan
    return [("Child in need plan", f"Since {long_date(plan.start_date)}")] if plan else []


def _workers(context: StepContext) -> dict[str, Searcher]:
    return {"worker": WorkerSearcher(agency_id=context.actor.agency_id, noun="social worker")}


def _practitioners(context: StepContext) -> dict[str, Searcher]:
    return {"member": WorkerSearcher(agency_id=None, noun="practitioner")}


def _people(context: StepContext) -> dict[str, Searcher]:
    return {
        "relative": PersonSearcher(
            user=context.actor,
            origin=context.origin,
            postcode=context.person.postcode,
            exclude=context.person.pk,
            # A family member is recorded before the worker holds their record: anyone the
            # search finds (as the search shows them) may be chosen, nobody else.
            reach=Reach.IDENTITY,
        )
    }


STEPS: dict[str, Step] = {
    "episode": Step(
        title="Record the referral's outcome",
        link="Record a referral's outcome",
        button="Save the outcome",
        intro="An accepted referral opens an episode of need; the decision is due within one working day.",
        form=case_forms.EpisodeForm,
        available=lambda case: case.open_episode is None,
        record=case_steps.record_episode,
    ),
    "assessment": Step(
        title="Record an assessment",
        link="Record an assessment",
        button="Save the assessment",
        form=case_forms.AssessmentForm,
        available=_has_open_episode,
        record=case_steps.record_assessment,
        starts_after=_referral_date,
        describe=_episode_rows,
    ),
    "strategy": Step(
        title="Record a strategy discussion",
        link="Record a strategy discussion",
        button="Save the strategy discussion",
        form=case_forms.StrategyDiscussionForm,
        available=_has_open_episode,
        record=case_steps.record_strategy,
        starts_after=_referral_date,
        describe=_episode_rows,
    ),
    "section-47": Step(
        title="Conclude the section 47 enquiry without a conference",
        link="Conclude the section 47 enquiry: no conference needed",
        button="Conclude the enquiry",
        intro="If an initial child protection conference is needed, record the conference when it is held instead.",
        form=case_forms.Section47Form,
        available=_enquiry_awaits_conference,
        record=case_steps.conclude_section47,
        starts_after=lambda case: (
            case.latest_section47.start_date if case.latest_section47 else None
        ),
        describe=_enquiry_rows,
    ),
    "conference": Step(
        title="Record the initial child protection conference",
        link="Record the initial conference",
        button="Save the conference",
        intro="A plan starts with its category, raises the child protection flag, and sets the core group's first meeting (within 10 working days) and the first review (within 3 months).",
        form=case_forms.ConferenceForm,
        available=lambda case: (
            case.open_plan is None
            and case.latest_section47 is not None
            and not case.latest_section47.icpc_not_required
            and case.latest_section47.date_of_initial_cpc is None
        ),
        record=case_steps.record_conference,
        starts_after=lambda case: (
            case.latest_section47.start_date if case.latest_section47 else None
        ),
        describe=_enquiry_rows,
    ),
    "plan-review": Step(
        title="Record a review of the child protection plan",
        link="Record a plan review",
        button="Save the review",
        intro="If the plan ends, the child protection flag is lowered; it still shows as an earlier plan for 12 months.",
        form=case_forms.PlanReviewForm,
        available=lambda case: case.open_plan is not None,
        record=case_steps.record_plan_review,
        starts_after=lambda case: case.open_plan.start_date if case.open_plan else None,
        describe=_plan_rows,
    ),
    "end-plan": Step(
        title="End the child protection plan",
        link="End the plan",
        button="End the plan",
        form=case_forms.EndPlanForm,
        available=lambda case: case.open_plan is not None,
        record=case_steps.end_plan,
        starts_after=lambda case: case.open_plan.start_date if case.open_plan else None,
        describe=_plan_rows,
    ),
    "core-group": Step(
        title="Add a member of the core group",
        link="Add to the core group",
        button="Add to the core group",
        form=case_forms.CoreGroupForm,
        available=lambda case: case.open_plan is not None,
        record=case_steps.add_core_group_member,
        starts_after=lambda case: case.open_plan.start_date if case.open_plan else None,
        searchers=_practitioners,
        describe=_plan_rows,
    ),
    "core-group-confirm": Step(
        title="Confirm the core group",
        link="Confirm the proposed core group",
        button="Confirm",
        intro="Confirmed members may see the child's record while they are in the core group.",
        form=case_forms.ConfirmCoreGroupForm,
        available=lambda case: bool(_proposed(case)),
        record=case_steps.confirm_core_group,
        describe=_plan_rows,
        offer=_proposed,
    ),
    "core-group-agency": Step(
        title="Add an agency to the core group",
        link="Add an agency to the core group",
        button="Add to the core group",
        form=case_forms.CoreGroupAgencyForm,
        available=lambda case: case.open_plan is not None,
        record=case_steps.add_core_group_agency,
        starts_after=lambda case: case.open_plan.start_date if case.open_plan else None,
        searchers=_agencies,
        describe=_plan_rows,
    ),
    "core-group-family": Step(
        title="Add a family member to the core group",
        link="Add a family member to the core group",
        button="Add to the core group",
        form=case_forms.CoreGroupFamilyForm,
        available=lambda case: case.open_plan is not None,
        record=case_steps.add_core_group_family,
        starts_after=lambda case: case.open_plan.start_date if case.open_plan else None,
        searchers=_family,
        describe=_plan_rows,
    ),
    "core-group-end": Step(
        title="Record someone leaving the core group",
        link="Record someone leaving the core group",
        button="Save",
        intro="A practitioner who leaves the core group stops seeing the child's record through it.",
        form=case_forms.EndCoreGroupForm,
        available=lambda case: bool(_current_members(case)),
        record=case_steps.end_core_group_member,
        starts_after=lambda case: case.open_plan.start_date if case.open_plan else None,
        describe=_plan_rows,
        offer=_current_members,
    ),
    "cin-plan": Step(
        title="Record a child in need plan",
        link="Record a child in need plan",
        button="Save the plan",
        form=case_forms.CINPlanForm,
        available=lambda case: case.open_episode is not None and case.open_cin_plan is None,
        record=case_steps.start_cin_plan,
        starts_after=_referral_date,
        describe=_episode_rows,
    ),
    "end-cin-plan": Step(
        title="End the child in need plan",
        link="End the child in need plan",
        button="End the plan",
        form=case_forms.EndCINPlanForm,
        available=lambda case: case.open_cin_plan is not None,
        record=case_steps.end_cin_plan,
        starts_after=lambda case: case.open_cin_plan.start_date if case.open_cin_plan else None,
        describe=_cin_plan_rows,
    ),
    "close-episode": Step(
        title="Close the episode of need",
        link="Close the episode",
        button="Close the episode",
        form=case_forms.CloseEpisodeForm,
        available=lambda case: case.open_episode is not None and case.open_plan is None,
        record=case_steps.close_episode,
        starts_after=_referral_date,
        describe=_episode_rows,
    ),
    "looked-after": Step(
        title="Start a looked-after episode",
        link="Start to look after the child",
        button="Save the episode",
        form=case_forms.LookedAfterStartForm,
        available=lambda case: case.open_looked_after is None,
        record=case_steps.start_looked_after,
    ),
    "looked-after-change": Step(
        title="Change the legal status or placement",
        link="Change the legal status or placement",
        button="Save the change",
        intro="Each change starts a new episode, as the SSDA903 return counts them.",
        form=case_forms.LookedAfterChangeForm,
        available=lambda case: case.open_looked_after is not None,
        record=case_steps.change_looked_after,
        starts_after=lambda case: case.open_looked_after.decom if case.open_looked_after else None,
        describe=_looked_after_rows,
    ),
    "looked-after-end": Step(
        title="End the looked-after episode",
        link="Stop looking after the child",
        button="End the episode",
        form=case_forms.LookedAfterEndForm,
        available=lambda case: case.open_looked_after is not None,
        record=case_steps.end_looked_after,
        starts_after=lambda case: case.open_looked_after.decom if case.open_looked_after else None,
        describe=_looked_after_rows,
    ),
    "looked-after-review": Step(
        title="Record a looked-after review",
        link="Record a looked-after review",
        button="Save the review",
        intro="The next review is due within 3 months of the first, then every 6 months.",
        form=case_forms.LookedAfterReviewForm,
        available=lambda case: case.open_looked_after is not None,
        record=case_steps.record_looked_after_review,
        starts_after=_looked_after_since,
        describe=_looked_after_rows,
        codes=codes.REVIEW_PARTICIPATION,
    ),
    "missing": Step(
        title="Record the child missing or away",
        link="Record the child missing or away from placement",
        button="Save",
        form=case_forms.MissingEpisodeForm,
        available=lambda case: case.open_looked_after is not None and case.open_missing is None,
        record=case_steps.record_missing_episode,
        starts_after=_looked_after_since,
        describe=_looked_after_rows,
        codes=codes.MISSING_KIND,
    ),
    "missing-return": Step(
        title="Record the child's return",
        link="Record the child's return",
        button="Save the return",
        intro="A return interview should be offered within 72 hours of the child coming back.",
        form=case_forms.MissingReturnForm,
        available=lambda case: case.open_missing is not None,
        record=case_steps.record_missing_return,
        starts_after=lambda case: case.open_missing.mis_start if case.open_missing else None,
        describe=_missing_rows,
    ),
    "allocate": Step(
        title="Allocate a social worker",
        link="Allocate or reallocate a social worker",
        button="Allocate",
        intro="The worker may see the child's record from the date the allocation starts; a worker it replaces stops the day before.",
        form=case_forms.AllocateWorkerForm,
        available=lambda case: True,
        record=case_steps.allocate_worker,
        searchers=_workers,
    ),
    "relationship": Step(
        title="Record a family or household member",
        link="Record a family or household member",
        button="Save",
        form=case_forms.RelationshipForm,
        available=lambda case: True,
        record=case_steps.record_relationship,
        searchers=_people,
    ),
}


def _apply_errors(form: django_forms.Form, error: ValidationError) -> None:
    """An action's refusal, on the form's fields where it names one of them."""
    names = getattr(form, "action_fields", {})
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, field_messages in error.message_dict.items():
        target = names.get(name, name)
        for message in field_messages:
            form.add_error(target if target in form.fields else None, message)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def case_step(request: HttpRequest, public_id: uuid.UUID, step: str) -> HttpResponse:
    """A step of the case: its form, and on a valid form, its action."""
    spec = STEPS.get(step)
    if spec is None:
        raise Http404("No such step")
    user = _user(request)
    origin = Origin.from_request(request)
    record = open_record(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"page": f"case:{step}"}
    )
    person = record.person
    case = case_of(record)
    if not may_record_case(user, record, case):
        raise PermissionDenied("Only children's social care, holding the case, records its steps.")
    case_url = reverse("person-detail", kwargs={"public_id": person.public_id}) + "#case"
    if not spec.available(case):
        messages.info(request, "That step does not apply to the case as it stands now.")
        return HttpResponseRedirect(case_url)
    context = StepContext(actor=user, origin=origin, person=person, case=case)
    form = spec.form(
        request.POST if request.method == "POST" else None,
        starts_after=spec.starts_after(case),
        initial={"started_on": None},
    )
    form.set_searchers(spec.searchers(context))
    if spec.offer is not None:
        form.offer(spec.offer(case))  # type: ignore[attr-defined]
    if request.method == "POST" and not form.picking and form.is_valid():
        try:
            done = spec.record(context, form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(case_url)
    return render(
        request,
        "cases/step.html",
        {
            "person": person,
            "step": spec,
            "form": form,
            "context_rows": spec.describe(case),
            "codes": codes.choices(spec.codes) if spec.codes is not None else [],
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


# -- correcting and withdrawing a recorded step ------------------------------------------


def _open_case_to_change(
    request: HttpRequest, public_id: uuid.UUID, page: str
) -> tuple[User, Origin, Record, Case]:
    """The record opened (decided, audited, 404) and its case, for someone who may record
    it (403 otherwise)."""
    user = _user(request)
    origin = Origin.from_request(request)
    record = open_record(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"page": page}
    )
    case = case_of(record)
    if not may_record_case(user, record, case):
        raise PermissionDenied("Only children's social care, holding the case, records its steps.")
    return user, origin, record, case


def _case_url(record: Record) -> str:
    return reverse("person-detail", kwargs={"public_id": record.person.public_id}) + "#case"


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def case_records(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Choose a recorded step (of the case, recorded by one's own agency) and whether to
    correct or withdraw it."""
    user, _origin, record, case = _open_case_to_change(request, public_id, "case:records")
    form = case_forms.ChooseRecordForm(request.POST if request.method == "POST" else None)
    form.offer(record_choices(case, user.agency_id))
    if request.method == "POST" and form.is_valid():
        kind, record_id = form.cleaned_data["record"].split(":", 1)
        return HttpResponseRedirect(
            reverse(
                "case-record-change",
                kwargs={
                    "public_id": record.person.public_id,
                    "kind": kind,
                    "record_id": record_id,
                    "change": form.cleaned_data["change"],
                },
            )
        )
    return render(
        request,
        "cases/records.html",
        {"person": record.person, "form": form, "has_records": bool(form.fields["record"].choices)},  # type: ignore[attr-defined]
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def case_record_change(
    request: HttpRequest, public_id: uuid.UUID, kind: str, record_id: uuid.UUID, change: str
) -> HttpResponse:
    """Correct a recorded step (a new version supersedes it, with the reason) or withdraw
    it (it stays, marked withdrawn, with the reason), through ``cases.actions``."""
    if kind not in RECORD_KINDS or change not in {"correct", "withdraw"}:
        raise Http404("No such record")
    user, origin, record, case = _open_case_to_change(request, public_id, f"case:{change}")
    row = find_record(case, kind, str(record_id))
    if row is None:
        messages.info(request, "That record has been corrected or withdrawn since.")
        return HttpResponseRedirect(_case_url(record))
    if row.recording_agency_id != user.agency_id:
        raise PermissionDenied("Only the agency that recorded this can correct it.")
    data = request.POST if request.method == "POST" else None
    form: django_forms.Form = (
        case_forms.correction_form(row, data)
        if change == "correct"
        else case_forms.WithdrawForm(data)
    )
    what = describe(row)
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(form, case_forms.CorrectionForm):
                actions.correct(
                    actor=user,
                    origin=origin,
                    record=row,
                    changes=form.changes(),
                    reason=form.cleaned_data["reason"],
                )
            else:
                actions.withdraw(
                    actor=user, origin=origin, record=row, reason=form.cleaned_data["reason"]
                )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            done = "corrected" if change == "correct" else "withdrawn"
            messages.success(request, f"{what}: {done}. The earlier version stays in the history.")
            return HttpResponseRedirect(_case_url(record))
    return render(
        request,
        "cases/record_change.html",
        {
            "person": record.person,
            "form": form,
            "what": what,
            "correcting": change == "correct",
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


# -- ending a family or household relationship -------------------------------------------


@dataclass(frozen=True)
class _EndRelationshipPage:
    title: str = "End a family or household relationship"
    button: str = "End the relationship"
    intro: str = (
        "The relationship stays on the case as history, with its dates. Nothing else about "
        "the person changes."
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def end_relationship(
    request: HttpRequest, public_id: uuid.UUID, relationship_id: int
) -> HttpResponse:
    """End one of the child's current family or household relationships (a carer stops
    caring, the child stops living with a parent), through
    ``people.actions.end_relationship``. Only a relationship of this child's is found
    (404 otherwise); one already ended goes back to the case with a message."""
    user, origin, record, case = _open_case_to_change(request, public_id, "case:end-relationship")
    view = next(
        (v for v in family_views(case, record.person) if v.relationship.pk == relationship_id),
        None,
    )
    if view is None:
        raise Http404("No such relationship")
    relationship = view.relationship
    if relationship.ended_on is not None:
        messages.info(request, "That relationship has already ended.")
        return HttpResponseRedirect(_case_url(record))
    form = case_forms.EndRelationshipForm(
        request.POST if request.method == "POST" else None,
        starts_after=relationship.started_on,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_family_relationship(
                actor=user,
                origin=origin,
                child=record.person,
                relationship=relationship,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{view.name}: the relationship has ended.")
            return HttpResponseRedirect(_case_url(record))
    rows = [("Family or household member", f"{view.name} ({view.kind.lower()})")]
    if view.dates:
        rows.append(("Dates", view.dates))
    return render(
        request,
        "cases/step.html",
        {
            "person": record.person,
            "step": _EndRelationshipPage(),
            "form": form,
            "context_rows": rows,
            "codes": [],
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )
