"""Information sharing over the API: flag checks, the inbox, who else is involved and
referrals. The same actions and access rules as the pages."""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from sightline.accounts.models import User
from sightline.agencies.models import Agency
from sightline.core.api import acting_user, api_origin, error_response, invalid_parameters
from sightline.core.serializers import DetailSerializer, ErrorSerializer
from sightline.record.access import Intent, open_record
from sightline.record.search import SearchRateLimitedError, check_search_rate
from sightline.sharing import actions, queries
from sightline.sharing.access import (
    access_referral,
    open_decisions_for_api,
    open_inbox,
    open_referral_lists,
)
from sightline.sharing.models import LawfulBasis, SharingDecision
from sightline.sharing.serializers import (
    FlagCheckInput,
    FlagCheckOutput,
    InboxSerializer,
    InvolvedSerializer,
    OutcomeInput,
    ReferralInput,
    ReferralSerializer,
    SharingDecisionInput,
    SharingDecisionSerializer,
)

ERRORS = {401: DetailSerializer, 403: DetailSerializer}
INBOX_LIMIT = 100


def _refused(message: str) -> Response:
    return error_response(message, [{"index": 0, "field": None, "message": message}])


@extend_schema(
    operation_id="flags_check",
    summary="Check a child for a child protection flag",
    description=(
        "By NHS number (and optionally date of birth), as unscheduled care does. Gives only "
        "the flag and the responsible authority's numbers; an unknown number and an "
        "unflagged child give the same answer. A lookup of a flagged child by someone "
        "without a relationship alerts the allocated social worker. Audited; counted "
        "against the user's search limit (429 with Retry-After)."
    ),
    tags=["sharing"],
    request=FlagCheckInput,
    responses={200: FlagCheckOutput, 400: ErrorSerializer, 429: DetailSerializer, **ERRORS},
)
@api_view(["POST"])
def check_flag(request: Request) -> Response:
    user = acting_user(request)
    data = FlagCheckInput(data=request.data)
    if not data.is_valid():
        return invalid_parameters(data)
    origin = api_origin(request)
    try:
        if user.role in actions.FLAG_CHECK_ROLES:
            check_search_rate(user, origin=origin)  # a flag check is a search
        result = actions.check_flag(
            actor=user,
            nhs_number=data.validated_data["nhs_number"],
            date_of_birth=data.validated_data.get("date_of_birth"),
            origin=origin,
        )
    except PermissionDenied as denied:
        return Response({"detail": str(denied)}, status=403)
    except SearchRateLimitedError as refused:
        return Response(
            {"detail": str(refused)},
            status=429,
            headers={"Retry-After": str(refused.retry_after)},
        )
    if result.flag is None or result.person is None:
        return Response({"flagged": False, "person": None, "flag": None})
    flag, person = result.flag, result.person
    return Response(
        {
            "flagged": True,
            "person": {
                "name": person.full_name,
                "date_of_birth": person.date_of_birth,
                "nhs_number": person.nhs_number,
            },
            "flag": {
                "plan": flag.flag.kind.value,
                "plan_label": flag.label,
                "started_on": flag.flag.started_on,
                "ended_on": flag.flag.ended_on,
                "shown_until": flag.flag.shown_until,
                "authority": {
                    "name": flag.authority.name,
                    "office_hours_phone": flag.authority.office_hours_phone,
                    "out_of_hours_phone": flag.authority.out_of_hours_phone,
                },
            },
        }
    )


@extend_schema(
    operation_id="people_involved",
    summary="Who else is involved with a child",
    description=(
        "Practitioners and agencies working with the child now: role, contact details and "
        "the date each agency last recorded something. For anyone with a relationship; "
        "404 otherwise. Audited as a view of the record."
    ),
    tags=["sharing"],
    responses={200: InvolvedSerializer(many=True), 404: DetailSerializer, **ERRORS},
)
@api_view(["GET"])
def involved(request: Request, public_id: uuid.UUID) -> Response:
    user = acting_user(request)
    person = open_record(
        user,
        public_id,
        intent=Intent.VIEW_RECORD,
        origin=api_origin(request),
        detail={"part": "involved"},
    ).person
    rows = []
    for row in queries.involved(person):
        i, who = row.involvement, row.involvement.practitioner
        rows.append(
            {
                "agency": i.agency.name,
                "role": i.get_role_display(),
                "practitioner": str(who) if who else "",
                "job_title": who.job_title if who else "",
                "team": who.team.name if who and who.team else "",
                "phone": (who.phone or (who.team.phone if who.team else "")) if who else "",
                "email": who.email if who else "",
                "office_hours_phone": i.agency.office_hours_phone,
                "out_of_hours_phone": i.agency.out_of_hours_phone,
                "since": i.started_on,
                "last_contact": row.last_contact,
            }
        )
    return Response(InvolvedSerializer(rows, many=True).data)


@extend_schema(
    operation_id="inbox",
    summary="My alerts",
    description=(
        "My own alerts and my team's duty inbox, newest first (at most 100), each as I may "
        "see it now. An alert about a child names the child (person, person_name), says "
        "what happened (summary) and lists its events, their summaries withheld by "
        "section as in the chronology, only if I may see the child's record; a referral "
        "alert only if I may see the referral. Otherwise named is false, person and "
        "referral are null, the summary is a generic notice and ask says whom to ask. "
        "Audited: one row per child listed."
    ),
    tags=["sharing"],
    responses={200: InboxSerializer, **ERRORS},
)
@api_view(["GET"])
def inbox(request: Request) -> Response:
    user = acting_user(request)
    rows, unread = open_inbox(user, origin=api_origin(request), limit=INBOX_LIMIT)
    items = [
        {
            "id": row.item_id,
            "reason": row.reason,
            "named": row.named,
            "summary": row.summary,
            "person": row.person_public_id,
            "person_name": row.person_name,
            "events": [
                {
                    "occurred_at": line.occurred_at,
                    "date_only": line.date_only,
                    "agency": line.agency,
                    "category": line.category,
                    "summary": line.summary,
                    "withheld": line.withheld,
                    "corrected": line.corrected,
                }
                for line in row.events
            ],
            "more_events": row.more_events,
            "ask": row.ask,
            "referral": row.referral_public_id,
            "inbox": row.inbox,
            "created_at": row.created_at,
            "read_at": row.read_at,
        }
        for row in rows
    ]
    return Response(InboxSerializer({"unread": unread, "items": items}).data)


@extend_schema(
    operation_id="referrals_list",
    summary="Referrals I and my team sent, and referrals to my team",
    description=(
        "Newest first (at most 100 of each), with status and outcome. The referrer is also "
        "alerted (inbox and e-mail) when a referral they made is acknowledged, when its "
        "outcome is recorded and when it escalates as overdue."
    ),
    tags=["sharing"],
    responses={200: ReferralSerializer(many=True), **ERRORS},
    methods=["GET"],
)
@extend_schema(
    operation_id="referrals_create",
    summary="Refer a child to another team",
    description=(
        "Refused (400) with a clear message for an unknown team, no reason or an unknown "
        "urgency; 404 for a child one may not see. The receiving team must acknowledge by "
        "the urgency's limit (acknowledge_by)."
    ),
    tags=["sharing"],
    request=ReferralInput,
    responses={201: ReferralSerializer, 400: ErrorSerializer, 404: DetailSerializer, **ERRORS},
    methods=["POST"],
)
@api_view(["GET", "POST"])
def referrals(request: Request) -> Response:
    user = acting_user(request)
    if request.method == "GET":
        both = open_referral_lists(user, origin=api_origin(request), limit=INBOX_LIMIT)
        return Response(ReferralSerializer(both, many=True).data)
    data = ReferralInput(data=request.data)
    if not data.is_valid():
        return invalid_parameters(data)
    origin = api_origin(request)
    person = open_record(
        user, data.validated_data["person"], intent=Intent.VIEW_RECORD, origin=origin
    ).person
    try:
        referral = actions.raise_referral(
            actor=user,
            person=person,
            to_team=data.validated_data["to_team"],
            urgency=data.validated_data["urgency"],
            reason=data.validated_data["reason"],
            shared=data.validated_data.get("shared", ""),
            origin=origin,
        )
    except actions.ReferralRefusedError as refused:
        return _refused(str(refused))
    return Response(ReferralSerializer(referral).data, status=201)


def _act(request: Request, public_id: uuid.UUID, step: str) -> Response:
    user = acting_user(request)
    origin = api_origin(request)
    referral = access_referral(user, public_id, origin=origin)
    try:
        if step == "acknowledge":
            referral = actions.acknowledge_referral(actor=user, referral=referral, origin=origin)
        else:
            data = OutcomeInput(data=request.data)
            if not data.is_valid():
                return invalid_parameters(data)
            referral = actions.record_outcome(
                actor=user,
                referral=referral,
                outcome=data.validated_data["outcome"],
                reason=data.validated_data.get("reason", ""),
                redirect_to=data.validated_data.get("redirect_to"),
                origin=origin,
            )
    except PermissionDenied as denied:
        return Response({"detail": str(denied)}, status=403)
    except actions.ReferralRefusedError as refused:
        return _refused(str(refused))
    return Response(ReferralSerializer(referral).data)


@extend_schema(
    operation_id="referrals_acknowledge",
    summary="Acknowledge a referral to my team",
    tags=["sharing"],
    request=None,
    responses={200: ReferralSerializer, 400: ErrorSerializer, 404: DetailSerializer, **ERRORS},
)
@api_view(["POST"])
def acknowledge(request: Request, public_id: uuid.UUID) -> Response:
    return _act(request, public_id, "acknowledge")


@extend_schema(
    operation_id="referrals_outcome",
    summary="Record the outcome of a referral to my team",
    description=(
        "accepted; no_further_action (reason required); redirected (redirect_to: a team "
        "id; raises a new referral there). Accepting makes the practitioner who accepts "
        "involved with the child for the receiving agency (who else is involved). The "
        "referrer is alerted."
    ),
    tags=["sharing"],
    request=OutcomeInput,
    responses={200: ReferralSerializer, 400: ErrorSerializer, 404: DetailSerializer, **ERRORS},
)
@api_view(["POST"])
def outcome(request: Request, public_id: uuid.UUID) -> Response:
    return _act(request, public_id, "outcome")


def _decision(decision: SharingDecision, named: bool) -> dict[str, object]:
    by = decision.decided_by
    return {
        "public_id": decision.public_id,
        "person": decision.person.public_id if named else None,
        "decided_at": decision.decided_at,
        "decided_by": by.get_full_name() or by.username,
        "agency": decision.agency.code,
        "outcome": decision.outcome,
        "about": decision.about,
        "what": decision.what,
        "why": decision.why,
        "with_agency": decision.with_agency.code if decision.with_agency else None,
        "with_user": decision.with_user.username if decision.with_user else None,
        "lawful_basis": decision.lawful_basis.code,
        "lawful_basis_source": decision.lawful_basis.source,
        "consent": decision.consent,
        "consent_not_sought_reason": decision.consent_not_sought_reason,
        "family_informed": decision.family_informed,
        "not_informed_reason": decision.not_informed_reason,
        "not_informed_detail": decision.not_informed_detail,
    }


def _decision_refused(field: str, message: str) -> Response:
    return error_response(message, [{"index": 0, "field": field, "message": message}])


@extend_schema(
    operation_id="sharing_decisions_list",
    summary="Sharing decisions: my agency's (safeguarding leads and managers) or my own",
    description=(
        "Newest first (at most 100). person is null when you may not open the child's "
        "record. Audited: one row per child listed."
    ),
    tags=["sharing"],
    responses={200: SharingDecisionSerializer(many=True), **ERRORS},
    methods=["GET"],
)
@extend_schema(
    operation_id="sharing_decisions_create",
    summary="Record a sharing decision: shared or not shared",
    description=(
        "What, with whom (with_agency: an agency code; with_user: a username), why, the "
        "lawful basis (a configured code; blank for the default), consent (a reason when "
        "not_sought), and whether the family was informed (a reason when not; detail for "
        "other). Refused (400) naming the field; 404 for a child one may not see. Written "
        "to the child's chronology as an event of your agency and audited. Needs a token "
        "with the write scope."
    ),
    tags=["sharing"],
    request=SharingDecisionInput,
    responses={
        201: SharingDecisionSerializer,
        400: ErrorSerializer,
        404: DetailSerializer,
        **ERRORS,
    },
    methods=["POST"],
)
@api_view(["GET", "POST"])
def sharing_decisions(request: Request) -> Response:
    user = acting_user(request)
    origin = api_origin(request)
    if request.method == "GET":
        listed = open_decisions_for_api(user, origin=origin, limit=INBOX_LIMIT)
        return Response(
            SharingDecisionSerializer([_decision(d, named) for d, named in listed], many=True).data
        )
    data = SharingDecisionInput(data=request.data)
    if not data.is_valid():
        return invalid_parameters(data)
    given = data.validated_data
    person = open_record(user, given["person"], intent=Intent.VIEW_RECORD, origin=origin).person
    with_agency = with_user = basis = None
    if given.get("with_agency"):
        with_agency = Agency.objects.filter(code=given["with_agency"]).first()
        if with_agency is None:
            return _decision_refused("with_agency", "That agency is not known.")
    if given.get("with_user"):
        with_user = User.objects.filter(username=given["with_user"], is_active=True).first()
        if with_user is None:
            return _decision_refused("with_user", "That person is not known.")
    if given.get("lawful_basis"):
        basis = LawfulBasis.objects.filter(code=given["lawful_basis"], active=True).first()
        if basis is None:
            return _decision_refused("lawful_basis", "That lawful basis is not configured.")
    try:
        decision = actions.record_sharing_decision(
            actor=user,
            child=person,
            outcome=given["outcome"],
            what=given["what"],
            why=given["why"],
            with_agency=with_agency,
            with_user=with_user,
            lawful_basis=basis,
            consent=given["consent"],
            consent_not_sought_reason=given.get("consent_not_sought_reason", ""),
            family_informed=given["family_informed"],
            not_informed_reason=given.get("not_informed_reason", ""),
            not_informed_detail=given.get("not_informed_detail", ""),
            origin=origin,
        )
    except actions.DecisionRefusedError as refused:
        return _decision_refused(refused.field, str(refused))
    return Response(SharingDecisionSerializer(_decision(decision, True)).data, status=201)


urlpatterns: list[Any] = [
    path("sharing-decisions/", sharing_decisions, name="api-sharing-decisions"),
    path("flags/check/", check_flag, name="api-flag-check"),
    path("inbox/", inbox, name="api-inbox"),
    path("people/<uuid:public_id>/involved/", involved, name="api-person-involved"),
    path("referrals/", referrals, name="api-referrals"),
    path("referrals/<uuid:public_id>/acknowledge/", acknowledge, name="api-referral-acknowledge"),
    path("referrals/<uuid:public_id>/outcome/", outcome, name="api-referral-outcome"),
]
