"""The case through the API: read one child's case; record its steps.

Thin adapters: each opens the child's record (decide, audit, 404 for those who may not
see it), then reads ``cases.queries`` or calls one ``cases.actions`` action, which checks
who may record and validates (a 400 naming the field; nothing is recorded). Writing needs
a token with the ``write`` scope. Every write answers 201 with the child's case as it now
stands.
"""

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from sightline.accounts.models import User
from sightline.agencies.models import Agency, Team
from sightline.audit.actions import Origin
from sightline.cases import actions, queries
from sightline.cases.models import (
    CaseRecord,
    ChildProtectionPlan,
    CINAssessment,
    CINPlan,
    CoreGroupMember,
    EpisodeOfNeed,
    LookedAfterEpisode,
)
from sightline.cases.serializers import (
    KINDS,
    AllocationInput,
    AssessmentAuthoriseInput,
    AssessmentInput,
    CaseSerializer,
    CINPlanEndInput,
    CINPlanInput,
    ConferenceInput,
    CoreGroupInput,
    CoreGroupMemberInput,
    CorrectionInput,
    EpisodeCloseInput,
    EpisodeInput,
    FamilyEndInput,
    FamilyInput,
    LookedAfterChangeInput,
    LookedAfterEndInput,
    LookedAfterReviewInput,
    LookedAfterStartInput,
    MissingInput,
    StrategyDiscussionInput,
    WithdrawalInput,
)
from sightline.core.api import acting_user, api_origin, error_response
from sightline.core.serializers import DetailSerializer, ErrorSerializer
from sightline.people.models import Person
from sightline.record.access import Intent, open_record

ERRORS = {401: DetailSerializer, 403: DetailSerializer, 404: DetailSerializer}
PERSON_ID = OpenApiParameter(
    "public_id", uuid.UUID, OpenApiParameter.PATH, description="The child's id."
)
WRITE = {201: CaseSerializer, 400: ErrorSerializer, **ERRORS}
NOTHING_RECORDED = "Invalid submission; nothing was recorded."

Action = Callable[[User, Person, Mapping[str, Any], Origin], object]


def _refused(errors: list[tuple[str | None, str]]) -> Response:
    return error_response(
        NOTHING_RECORDED,
        [{"index": 0, "field": field, "message": message} for field, message in errors],
    )


def _invalid(data: Serializer[Any]) -> Response:
    found: list[tuple[str | None, str]] = []
    for name, problems in data.errors.items():
        items = problems if isinstance(problems, list) else [problems]
        found.extend((None if name == "non_field_errors" else name, str(p)) for p in items)
    return _refused(found)


def _from_validation(error: ValidationError) -> Response:
    if hasattr(error, "error_dict"):
        return _refused(
            [
                (None if name == "__all__" else name, message)
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        )
    return _refused([(None, message) for message in error.messages])


def _write(
    request: Request, public_id: uuid.UUID, given: type[Serializer[Any]], act: Action
) -> Response:
    user = acting_user(request)
    origin = api_origin(request)
    record = open_record(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"part": "case"}
    )
    data = given(data=request.data)
    if not data.is_valid():
        return _invalid(data)
    try:
        act(user, record.person, data.validated_data, origin)
    except ValidationError as error:
        return _from_validation(error)
    except PermissionDenied as denied:
        return Response({"detail": str(denied)}, status=403)
    return Response(CaseSerializer(queries.case_summary(record)).data, status=201)


def _episode(child: Person, public_id: uuid.UUID) -> EpisodeOfNeed:
    found: EpisodeOfNeed | None = (
        EpisodeOfNeed.objects.current().filter(child=child, public_id=public_id).first()
    )
    if found is None:
        raise ValidationError({"episode": "No such current episode of need for this child."})
    return found


def _lac(child: Person, public_id: uuid.UUID) -> LookedAfterEpisode:
    found: LookedAfterEpisode | None = (
        LookedAfterEpisode.objects.current().filter(child=child, public_id=public_id).first()
    )
    if found is None:
        raise ValidationError({"episode": "No such current looked-after episode for this child."})
    return found


def _plan(child: Person, public_id: uuid.UUID | None) -> ChildProtectionPlan | None:
    if public_id is None:
        return None
    found: ChildProtectionPlan | None = (
        ChildProtectionPlan.objects.current().filter(child=child, public_id=public_id).first()
    )
    if found is None:
        raise ValidationError({"plan": "No such current plan for this child."})
    return found


def _case_record(child: Person, kind: str, public_id: uuid.UUID) -> CaseRecord:
    model = KINDS[kind]
    rows = model.objects.current().filter(public_id=public_id)
    if kind in ("childprotectionreview", "coregroupmember"):
        rows = rows.filter(plan__child=child)
    else:
        rows = rows.filter(child=child)
    found = rows.first()
    if not isinstance(found, CaseRecord):
        raise ValidationError({"record": f"No such current {kind} for this child."})
    return found


def _changes(record: CaseRecord, given: Mapping[str, Any]) -> dict[str, Any]:
    """The changes as field values: only correctable fields that are not relations."""
    changes: dict[str, Any] = {}
    for name, value in given.items():
        try:
            field = type(record)._meta.get_field(name)
        except FieldDoesNotExist:
            raise ValidationError({name: "No such field."}) from None
        if name not in record.CORRECTABLE or field.is_relation:
            raise ValidationError({name: "This cannot be changed by a correction."})
        assert isinstance(field, models.Field)  # noqa: S101
        changes[name] = field.to_python(value)
    return changes


@extend_schema(
    operation_id="people_case",
    summary="One child's case",
    description=(
        "Episodes of need with their assessments, child in need plans, strategy "
        "discussions, section 47 enquiries and conferences; child protection plans with "
        "reviews and core group; looked-after episodes, reviews and missing episodes; "
        "allocations; family; open steps on the statutory clock; and the rows corrected or "
        "withdrawn. Codes are the CIN census's and the SSDA903's. 404 if the child does not "
        "exist or you may not see them. Writes one audit row."
    ),
    tags=["case"],
    parameters=[PERSON_ID],
    responses={200: CaseSerializer, **ERRORS},
)
@api_view(["GET"])
def case_detail(request: Request, public_id: uuid.UUID) -> Response:
    record = open_record(
        acting_user(request),
        public_id,
        intent=Intent.VIEW_RECORD,
        origin=api_origin(request),
        detail={"part": "case"},
    )
    return Response(CaseSerializer(queries.case_summary(record)).data)


View = Callable[..., Response]


def _schema(
    operation: str, summary: str, description: str, given: type[Serializer[Any]]
) -> Callable[[View], View]:
    return extend_schema(
        operation_id=operation,
        summary=summary,
        description=description
        + " Needs the write scope. 400 names the field at fault; nothing is recorded.",
        tags=["case"],
        parameters=[PERSON_ID],
        request=given,
        responses=WRITE,
    )


@_schema(
    "people_case_episode_create",
    "Open an episode of need",
    "A referral received: the episode opens and the 1-working-day decision starts.",
    EpisodeInput,
)
@api_view(["POST"])
def open_episode(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.open_episode_of_need(
            actor=user,
            origin=origin,
            child=child,
            referral_date=data["referral_date"],
            referral_source=data["referral_source"],
            primary_need=data.get("primary_need", ""),
            referral_nfa=data["referral_nfa"],
        )

    return _write(request, public_id, EpisodeInput, act)


@_schema(
    "people_case_allocation_create",
    "Allocate or reallocate the child",
    "Ends the open allocation with the reason for change and starts the new one, with "
    "the allocated worker's dated relationship with the child.",
    AllocationInput,
)
@api_view(["POST"])
def allocate(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        worker = None
        if data.get("worker"):
            worker = User.objects.filter(username=data["worker"], is_active=True).first()
            if worker is None:
                raise ValidationError({"worker": "No such worker."})
        team = None
        if data.get("team") is not None:
            team = Team.objects.filter(pk=data["team"]).first()
            if team is None:
                raise ValidationError({"team": "No such team."})
        return actions.allocate(
            actor=user,
            origin=origin,
            child=child,
            worker=worker,
            team=team,
            start_date=data["start_date"],
            reason_for_change=data.get("reason_for_change", ""),
        )

    return _write(request, public_id, AllocationInput, act)


@_schema(
    "people_case_strategy_discussion_create",
    "Record a strategy discussion",
    "Leading to a section 47 enquiry, it starts the enquiry and its 15-working-day "
    "initial conference target.",
    StrategyDiscussionInput,
)
@api_view(["POST"])
def strategy_discussion(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.record_strategy_discussion(
            actor=user,
            origin=origin,
            episode=_episode(child, data["episode"]),
            date=data["date"],
            outcome=data["outcome"],
            reasons=data.get("reasons", ""),
            history_considered=data["history_considered"],
            history_summary=data.get("history_summary", ""),
        )

    return _write(request, public_id, StrategyDiscussionInput, act)


@_schema(
    "people_case_conference_create",
    "Record a child protection conference",
    "An initial conference deciding a plan starts it with its category, raises the flag, "
    "proposes the core group and opens the core group and first review deadlines; a "
    "review continues the plan (a new category is its latest) or ends it.",
    ConferenceInput,
)
@api_view(["POST"])
def conference(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.record_conference(
            actor=user,
            origin=origin,
            episode=_episode(child, data["episode"]),
            kind=data["kind"],
            date=data["date"],
            outcome=data["outcome"],
            category=data.get("category", ""),
            plan=_plan(child, data.get("plan")),
            reasons=data.get("reasons", ""),
            history_considered=data["history_considered"],
            history_summary=data.get("history_summary", ""),
        )

    return _write(request, public_id, ConferenceInput, act)


@_schema(
    "people_case_looked_after_create",
    "Record a child becoming looked after",
    "Starts an episode (RNE S) and the flag, and the first looked-after review deadline.",
    LookedAfterStartInput,
)
@api_view(["POST"])
def start_looked_after(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.start_looked_after(
            actor=user,
            origin=origin,
            child=child,
            decom=data["decom"],
            ls=data["ls"],
            cin=data["cin"],
            place=data["place"],
            place_provider=data.get("place_provider", ""),
            home_post=data.get("home_post", ""),
            pl_post=data.get("pl_post", ""),
            urn=data.get("urn", ""),
        )

    return _write(request, public_id, LookedAfterStartInput, act)


@_schema(
    "people_case_looked_after_change",
    "Change a looked-after child's legal status or placement",
    "Ends the current episode with REC X1 and starts the next with the right RNE.",
    LookedAfterChangeInput,
)
@api_view(["POST"])
def change_looked_after(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.change_looked_after(
            actor=user,
            origin=origin,
            episode=_lac(child, data["episode"]),
            on=data["on"],
            ls=data.get("ls", ""),
            place=data.get("place", ""),
            place_provider=data.get("place_provider", ""),
            pl_post=data.get("pl_post", ""),
            urn=data.get("urn", ""),
            reason_place_change=data.get("reason_place_change", ""),
            same_carer=data["same_carer"],
        )

    return _write(request, public_id, LookedAfterChangeInput, act)


@_schema(
    "people_case_looked_after_end",
    "Record a child ceasing to be looked after",
    "Ends the episode with its reason; the flag lowers under the 12-month rule.",
    LookedAfterEndInput,
)
@api_view(["POST"])
def end_looked_after(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.end_looked_after(
            actor=user,
            origin=origin,
            episode=_lac(child, data["episode"]),
            dec=data["dec"],
            rec=data["rec"],
        )

    return _write(request, public_id, LookedAfterEndInput, act)


@_schema(
    "people_case_correction_create",
    "Correct a case record",
    "A new version with the changes supersedes the record (kept, marked superseded).",
    CorrectionInput,
)
@api_view(["POST"])
def correct(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        record = _case_record(child, data["kind"], data["record"])
        return actions.correct(
            actor=user,
            origin=origin,
            record=record,
            changes=_changes(record, data["changes"]),
            reason=data["reason"],
        )

    return _write(request, public_id, CorrectionInput, act)


@_schema(
    "people_case_withdrawal_create",
    "Withdraw a case record made in error",
    "The record stays, marked withdrawn with the reason, and leaves the current case.",
    WithdrawalInput,
)
@api_view(["POST"])
def withdraw(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.withdraw(
            actor=user,
            origin=origin,
            record=_case_record(child, data["kind"], data["record"]),
            reason=data["reason"],
        )

    return _write(request, public_id, WithdrawalInput, act)


def _mine(model: type[CaseRecord], child: Person, public_id: uuid.UUID, field: str) -> Any:
    """The current row ``public_id`` of ``model`` for ``child``, or a 400 naming ``field``."""
    rows = model.objects.current().filter(public_id=public_id)
    rows = rows.filter(plan__child=child) if model is CoreGroupMember else rows.filter(child=child)
    found = rows.first()
    if found is None:
        raise ValidationError({field: "No such current record for this child."})
    return found


@_schema(
    "people_case_episode_close",
    "Close an episode of need",
    "With the census reason for closure; its plans must have ended.",
    EpisodeCloseInput,
)
@api_view(["POST"])
def close_episode(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.close_episode_of_need(
            actor=user,
            origin=origin,
            episode=_episode(child, data["episode"]),
            closure_date=data["closure_date"],
            closure_reason=data["closure_reason"],
        )

    return _write(request, public_id, EpisodeCloseInput, act)


@_schema(
    "people_case_assessment_create",
    "Record a child and family assessment",
    "Its start (and internal review) in an episode of need.",
    AssessmentInput,
)
@api_view(["POST"])
def assessment(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.record_assessment(
            actor=user,
            origin=origin,
            episode=_episode(child, data["episode"]),
            start_date=data["start_date"],
            internal_review_date=data.get("internal_review_date"),
        )

    return _write(request, public_id, AssessmentInput, act)


@_schema(
    "people_case_assessment_authorise",
    "Authorise an assessment",
    "With the factors identified (census codes).",
    AssessmentAuthoriseInput,
)
@api_view(["POST"])
def authorise(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.authorise_assessment(
            actor=user,
            origin=origin,
            assessment=_mine(CINAssessment, child, data["assessment"], "assessment"),
            authorisation_date=data["authorisation_date"],
            factors=data["factors"],
        )

    return _write(request, public_id, AssessmentAuthoriseInput, act)


@_schema(
    "people_case_cin_plan_create", "Start a child in need plan", "In an episode.", CINPlanInput
)
@api_view(["POST"])
def cin_plan(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.start_cin_plan(
            actor=user,
            origin=origin,
            episode=_episode(child, data["episode"]),
            start_date=data["start_date"],
        )

    return _write(request, public_id, CINPlanInput, act)


@_schema(
    "people_case_cin_plan_end", "End a child in need plan", "On the day given.", CINPlanEndInput
)
@api_view(["POST"])
def end_cin_plan(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.end_cin_plan(
            actor=user,
            origin=origin,
            plan=_mine(CINPlan, child, data["plan"], "plan"),
            end_date=data["end_date"],
        )

    return _write(request, public_id, CINPlanEndInput, act)


@_schema(
    "people_case_core_group_create",
    "Add to the core group of a child protection plan",
    "A practitioner (username; they gain the core group member's access relationship), "
    "an agency (code) or a family member (a person you may see).",
    CoreGroupInput,
)
@api_view(["POST"])
def core_group(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        practitioner = agency = person = None
        if data.get("practitioner"):
            practitioner = User.objects.filter(
                username=data["practitioner"], is_active=True
            ).first()
            if practitioner is None:
                raise ValidationError({"practitioner": "No such practitioner."})
        if data.get("agency"):
            agency = Agency.objects.filter(code=data["agency"]).first()
            if agency is None:
                raise ValidationError({"agency": "No such agency."})
        if data.get("person") is not None:
            person = open_record(
                user,
                data["person"],
                intent=Intent.VIEW_RECORD,
                origin=origin,
                detail={"part": "core group"},
            ).person
        return actions.add_core_group_member(
            actor=user,
            origin=origin,
            plan=_mine(ChildProtectionPlan, child, data["plan"], "plan"),
            started_on=data["started_on"],
            practitioner=practitioner,
            agency=agency,
            person=person,
        )

    return _write(request, public_id, CoreGroupInput, act)


@_schema(
    "people_case_core_group_confirm",
    "Confirm a proposed core group member",
    "A member proposed from the agencies involved joins the core group.",
    CoreGroupMemberInput,
)
@api_view(["POST"])
def confirm_member(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.confirm_core_group_member(
            actor=user,
            origin=origin,
            member=_mine(CoreGroupMember, child, data["member"], "member"),
        )

    return _write(request, public_id, CoreGroupMemberInput, act)


@_schema(
    "people_case_core_group_end",
    "End a core group membership",
    "On ended_on; a practitioner's access relationship ends with it.",
    CoreGroupMemberInput,
)
@api_view(["POST"])
def end_member(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        if data.get("ended_on") is None:
            raise ValidationError({"ended_on": "Give the day the membership ends."})
        return actions.end_core_group_member(
            actor=user,
            origin=origin,
            member=_mine(CoreGroupMember, child, data["member"], "member"),
            ended_on=data["ended_on"],
        )

    return _write(request, public_id, CoreGroupMemberInput, act)


def _family_member(user: User, public_id: uuid.UUID, origin: Origin) -> Person:
    """The family member, opened through the read side (404 for a person you may not
    see, with its audit row)."""
    return open_record(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"part": "family"}
    ).person


@_schema(
    "people_case_family_create",
    "Record a family or household member",
    "relative is <kind> (parent, carer, sibling, household member...) of the child, from "
    "started_on; lives_with when they share the child's home. Children's social care.",
    FamilyInput,
)
@api_view(["POST"])
def family(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.record_family_member(
            actor=user,
            origin=origin,
            child=child,
            relative=_family_member(user, data["relative"], origin),
            kind=data["kind"],
            lives_with=data["lives_with"],
            started_on=data.get("started_on"),
        )

    return _write(request, public_id, FamilyInput, act)


@_schema(
    "people_case_family_end",
    "End a family or household relationship",
    "The child's current <kind> relationship with relative ends on ended_on, with a reason; "
    "it stays in the case as history.",
    FamilyEndInput,
)
@api_view(["POST"])
def end_family(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.end_family_member(
            actor=user,
            origin=origin,
            child=child,
            relative=_family_member(user, data["relative"], origin),
            kind=data["kind"],
            ended_on=data["ended_on"],
            reason=data["reason"],
        )

    return _write(request, public_id, FamilyEndInput, act)


@_schema(
    "people_case_looked_after_review_create",
    "Record a looked-after review",
    "With the child's participation (REVIEW_CODE); decides the open review step.",
    LookedAfterReviewInput,
)
@api_view(["POST"])
def looked_after_review(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.record_looked_after_review(
            actor=user,
            origin=origin,
            child=child,
            review=data["review"],
            review_code=data["review_code"],
        )

    return _write(request, public_id, LookedAfterReviewInput, act)


@_schema(
    "people_case_missing_create",
    "Record a missing or away episode",
    "MISSING M (missing) or A (away without authorisation), with its dates and, once the "
    "child is back, whether a return interview was offered and accepted.",
    MissingInput,
)
@api_view(["POST"])
def missing(request: Request, public_id: uuid.UUID) -> Response:
    def act(user: User, child: Person, data: Mapping[str, Any], origin: Origin) -> object:
        return actions.record_missing_episode(
            actor=user,
            origin=origin,
            child=child,
            missing=data["missing"],
            mis_start=data["mis_start"],
            mis_end=data.get("mis_end"),
            rhi_offered=data.get("rhi_offered"),
            rhi_accepted=data.get("rhi_accepted"),
        )

    return _write(request, public_id, MissingInput, act)


CASE = "people/<uuid:public_id>/case/"
urlpatterns: list[Any] = [
    path(CASE, case_detail, name="api-case"),
    path(CASE + "episodes/", open_episode, name="api-case-episodes"),
    path(CASE + "allocations/", allocate, name="api-case-allocations"),
    path(
        CASE + "strategy-discussions/",
        strategy_discussion,
        name="api-case-strategy-discussions",
    ),
    path(CASE + "conferences/", conference, name="api-case-conferences"),
    path(CASE + "looked-after/", start_looked_after, name="api-case-looked-after"),
    path(
        CASE + "looked-after/changes/",
        change_looked_after,
        name="api-case-looked-after-changes",
    ),
    path(CASE + "looked-after/end/", end_looked_after, name="api-case-looked-after-end"),
    path(CASE + "corrections/", correct, name="api-case-corrections"),
    path(CASE + "withdrawals/", withdraw, name="api-case-withdrawals"),
    path(CASE + "episodes/close/", close_episode, name="api-case-episode-close"),
    path(CASE + "assessments/", assessment, name="api-case-assessments"),
    path(CASE + "assessments/authorise/", authorise, name="api-case-assessment-authorise"),
    path(CASE + "cin-plans/", cin_plan, name="api-case-cin-plans"),
    path(CASE + "cin-plans/end/", end_cin_plan, name="api-case-cin-plan-end"),
    path(CASE + "core-group/", core_group, name="api-case-core-group"),
    path(CASE + "core-group/confirm/", confirm_member, name="api-case-core-group-confirm"),
    path(CASE + "core-group/end/", end_member, name="api-case-core-group-end"),
    path(CASE + "looked-after/reviews/", looked_after_review, name="api-case-looked-after-reviews"),
    path(CASE + "missing/", missing, name="api-case-missing"),
    path(CASE + "family/", family, name="api-case-family"),
    path(CASE + "family/end/", end_family, name="api-case-family-end"),
]
