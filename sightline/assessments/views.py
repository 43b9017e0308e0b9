"""Pages for decisions, challenges and structured assessments: thin function views over
``record.access.open_record`` (every child's record read is decided and audited there)
and ``assessments.actions`` (every write)."""

import json
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline import challenges, indicators
from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency
from sightline.assessments import access, actions, forms, queries
from sightline.assessments.models import (
    Assessment,
    AssessmentStatus,
    Challenge,
    ChallengeStatus,
    Decision,
    DecisionPoint,
    DecisionStatus,
    PointStatus,
)
from sightline.assessments.workflow import DecisionStep
from sightline.audit.actions import Origin
from sightline.chronology.models import ChronologyEvent
from sightline.chronology.queries import counts_by_agency
from sightline.deadlines.queries import local_closures
from sightline.people.models import Person
from sightline.record.access import Intent, open_record
from sightline.record.queries import visible_to


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _child(request: HttpRequest, person: Person | str, page: str, **detail: Any) -> Person:
    public_id = person.public_id if isinstance(person, Person) else person
    return open_record(
        _user(request),
        public_id,
        intent=Intent.VIEW_RECORD,
        origin=Origin.from_request(request),
        detail={"page": page, **detail},
    ).person


def _apply_errors(form: django_forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, field_messages in error.message_dict.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


def _summary(user: User, person: Person) -> dict[str, Any]:
    """The chronology summary shown beside a decision or assessment form: every indicator
    with the events behind it (as ``user`` may see them), and counts per agency."""
    today = timezone.localdate()
    profile = indicators.profile(queries.history_for(person, on=today), on=today)
    refs = {e.ref for i in profile.indicators for e in i.evidence}
    refs |= {e.ref for row in profile.rows for e in row.events}
    if profile.seen_alone.last is not None:
        refs.add(profile.seen_alone.last.ref)
    pks = [int(ref) for ref in refs if ref.isdigit()]
    found = ChronologyEvent.objects.filter(pk__in=pks).select_related("agency", "category")
    by_ref = {str(row.event_id): row for row in queries.evidence_rows(user, person, found)}

    agency_names = dict(Agency.objects.values_list("code", "name"))

    def events(items: tuple[indicators.Event, ...]) -> list[queries.EvidenceRow]:
        return [by_ref[e.ref] for e in items if e.ref in by_ref]

    return {
        "profile": profile,
        "indicator_rows": [
            {"indicator": i, "events": events(i.evidence)} for i in profile.indicators
        ],
        "trend_rows": [
            {"row": row, "events": events(row.events), "agency": agency_names.get(row.agency)}
            for row in profile.rows
        ],
        "seen_alone_event": (
            by_ref.get(profile.seen_alone.last.ref) if profile.seen_alone.last else None
        ),
        "counts": counts_by_agency(person),
    }


# --- dashboards ----------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Steps due and overdue per team and per worker, and what waits for this manager."""
    user = _user(request)
    awaiting_sign_off = []
    if access.is_manager(user):
        awaiting_sign_off = list(
            Challenge.objects.filter(
                status=ChallengeStatus.RATIONALE_RECORDED,
                decision__child__in=visible_to(user),
            )
            .exclude(decision_made_by=user)
            .exclude(rationale_by=user)
            .select_related("decision", "decision__child")
        )
    today = timezone.localdate()
    closures = local_closures()
    children = visible_to(user)
    return render(
        request,
        "assessments/dashboard.html",
        {
            # The user's own work first, each list what "Your work" counts on the home page.
            "to_answer": list(
                Challenge.objects.filter(
                    decision_made_by=user,
                    status=ChallengeStatus.OPEN,
                    decision__child__in=children,
                )
                .select_related("decision", "decision__child")
                .order_by("raised_at", "pk")
            ),
            "drafts": list(
                Assessment.objects.filter(
                    author=user,
                    status__in=[AssessmentStatus.DRAFT, AssessmentStatus.RETURNED],
                    child__in=children,
                )
                .select_related("child")
                .order_by("pk")
            ),
            "my_steps": [
                queries.point_state(point, today, closures)
                for point in queries.open_points(user).filter(responsible=user)
            ],
            "teams": queries.due_by_team(user),
            "awaiting_sign_off": awaiting_sign_off,
            "assessments_awaiting": (
                list(queries.assessments_awaiting(user).select_related("child", "author"))
                if access.is_manager(user)
                else []
            ),
            "today": today,
            "can_see_reports": access.can_see_reports(user),
        },
    )


@login_required
@require_GET
def overrides_report(request: HttpRequest) -> HttpResponse:
    """Challenges per team: raised, answered by a changed decision, or overridden."""
    user = _user(request)
    if not access.can_see_reports(user):
        raise PermissionDenied("Reports are for managers, analysts and administrators.")
    scope = Challenge.objects.all()
    if user.role == Role.TEAM_MANAGER:
        scope = scope.filter(decision__team=user.team) if user.team else scope.none()
    return render(
        request,
        "assessments/report.html",
        {
            "teams": queries.overrides_by_team(scope),
            "rules": queries.overrides_by_rule(scope),
            "own_team_only": user.role == Role.TEAM_MANAGER,
        },
    )


@login_required
@require_GET
def rules_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not (access.in_social_care(user) or access.can_see_reports(user)):
        raise PermissionDenied("The challenge rules are shown to social care and reviewers.")
    rule_set = queries.current_rule_set()
    data = challenges.rule_set_to_data(rule_set)["rules"]
    return render(
        request,
        "assessments/rules.html",
        {
            "rule_set": rule_set,
            "rules": [
                {"rule": rule, "params": json.dumps(item["params"], sort_keys=True)}
                for rule, item in zip(rule_set.rules, data, strict=True)
            ],
            "shipped": rule_set.version == challenges.SHIPPED.version,
            "is_administrator": user.role == Role.ADMINISTRATOR,
        },
    )


# --- the child's decisions -------------------------------------------------------------------


@login_required
@require_GET
def child_page(request: HttpRequest, public_id: str) -> HttpResponse:
    person = _child(request, public_id, "decisions")
    user = _user(request)
    today = timezone.localdate()
    closures = local_closures()
    return render(
        request,
        "assessments/child.html",
        {
            "person": person,
            "can_decide": access.can_decide(user, person),
            "points": [
                queries.point_state(p, today, closures)
                for p in DecisionPoint.objects.open()
                .filter(child=person)
                .select_related("responsible")
            ],
            "decisions": Decision.objects.filter(child=person)
            .select_related("made_by", "point")
            .prefetch_related("challenges"),
            "assessments": Assessment.objects.filter(child=person).select_related(
                "author", "reviewed_by"
            ),
            "open_form": forms.OpenStepForm(initial={"step": DecisionStep.REFERRAL_DECISION}),
            **_summary(user, person),
        },
    )


@login_required
@require_POST
def open_step(request: HttpRequest, public_id: str) -> HttpResponse:
    person = _child(request, public_id, "open step")
    user = _user(request)
    form = forms.OpenStepForm(request.POST)
    url = reverse("assessments:child", args=[person.public_id])
    if form.is_valid():
        try:
            point = actions.open_decision_point(
                actor=user,
                origin=Origin.from_request(request),
                child=person,
                step=form.cleaned_data["step"],
                started_on=form.cleaned_data["started_on"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                f"{point.get_step_display()} due by {point.due_on:%-d %B %Y}.",
            )
            return HttpResponseRedirect(url)
    return render(
        request,
        "assessments/open_step.html",
        {"person": person, "form": form},
        status=400,
    )


def _decision_form_page(
    request: HttpRequest,
    person: Person,
    step: DecisionStep,
    point: DecisionPoint | None,
) -> HttpResponse:
    user = _user(request)
    if not access.can_decide(user, person):
        raise PermissionDenied("You cannot record decisions for this child.")
    form = forms.DecisionForm(
        request.POST or None, step=step, initial={"decided_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = actions.record_decision(
                actor=user,
                origin=Origin.from_request(request),
                point=point,
                child=person,
                step=step.value,
                outcome=data["outcome"],
                decided_on=data["decided_on"],
                reasons=data["reasons"],
                history_considered=data["history_considered"],
                history_summary=data["history_summary"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if decision.status == DecisionStatus.CHALLENGED:
                messages.warning(
                    request,
                    "Decision recorded and challenged: look at the evidence below, then change "
                    "the decision or record why it stands.",
                )
            else:
                messages.success(request, "Decision recorded.")
            return HttpResponseRedirect(reverse("assessments:decision", args=[decision.pk]))
    return render(
        request,
        "assessments/decide.html",
        {"person": person, "step": step, "point": point, "form": form, **_summary(user, person)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_object_or_404(DecisionPoint, pk=pk)
    person = _child(request, point.child, "decide", point=point.pk)
    if point.status != PointStatus.OPEN:
        messages.info(request, "This step has already been decided.")
        return HttpResponseRedirect(reverse("assessments:child", args=[person.public_id]))
    return _decision_form_page(request, person, point.decision_step, point)


@login_required
@require_http_methods(["GET", "POST"])
def close_case(request: HttpRequest, public_id: str) -> HttpResponse:
    person = _child(request, public_id, "close case")
    return _decision_form_page(request, person, DecisionStep.CASE_CLOSURE, None)


def _evidence_detail(decision: Decision) -> dict[str, Any]:
    """For the audit row of a page that shows the decision's challenges: the decision, and
    the other people (household adults) their facts and evidence are about."""
    return {
        "decision": decision.pk,
        "evidence_about": queries.people_in_evidence(decision),
    }


def _decision_context(user: User, person: Person, decision: Decision) -> dict[str, Any]:
    """The decision page for ``person`` (from ``access_person``): each challenge as
    ``queries.challenge_rows`` gives it to ``user``, with what they may do about it."""
    rows = []
    for challenge in queries.challenge_rows(user, person, decision):
        status = challenge.status
        rows.append(
            {
                "challenge": challenge,
                "can_answer": status == ChallengeStatus.OPEN
                and decision.status == DecisionStatus.CHALLENGED
                and access.can_decide(user, person),
                "can_sign_off": status == ChallengeStatus.RATIONALE_RECORDED
                and access.can_review(user, person)
                and user.pk not in {decision.made_by_id, challenge.rationale_by_id},
                "rationale_form": forms.RationaleForm(prefix=f"c{challenge.pk}"),
                "return_form": forms.ReturnForm(prefix=f"r{challenge.pk}"),
            }
        )
    return {
        "decision": decision,
        "person": person,
        "challenges": rows,
        "can_change": decision.status == DecisionStatus.CHALLENGED
        and access.can_decide(user, person),
        "replaced_by": Decision.objects.filter(replaces=decision).first(),
        "next_points": decision.next_points.all(),
    }


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(Decision.objects.select_related("made_by", "point"), pk=pk)
    person = _child(request, decision.child, "decision", **_evidence_detail(decision))
    return render(
        request, "assessments/decision.html", _decision_context(_user(request), person, decision)
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_decision(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(Decision, pk=pk)
    person = _child(request, decision.child, "change decision", decision=decision.pk)
    user = _user(request)
    if not access.can_decide(user, person):
        raise PermissionDenied("You cannot record decisions for this child.")
    form = forms.ChangeDecisionForm(
        request.POST or None,
        step=decision.decision_step,
        initial={"decided_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = actions.change_decision(
                actor=user,
                origin=Origin.from_request(request),
                decision=decision,
                outcome=data["outcome"],
                decided_on=data["decided_on"],
                reasons=data["reasons"],
                history_considered=data["history_considered"],
                history_summary=data["history_summary"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Decision changed.")
            return HttpResponseRedirect(reverse("assessments:decision", args=[changed.pk]))
    return render(
        request,
        "assessments/decide.html",
        {
            "person": person,
            "step": decision.decision_step,
            "changing": decision,
            "form": form,
            **_summary(user, person),
        },
        status=400 if request.method == "POST" else 200,
    )


def _challenge_post(
    request: HttpRequest, pk: int, what: str
) -> tuple[Challenge, Person, User, Origin]:
    challenge = get_object_or_404(Challenge.objects.select_related("decision"), pk=pk)
    # The page may be shown again with its errors, with the decision's evidence.
    person = _child(
        request,
        challenge.decision.child,
        what,
        challenge=challenge.pk,
        **_evidence_detail(challenge.decision),
    )
    return challenge, person, _user(request), Origin.from_request(request)


def _back_to_decision(challenge: Challenge) -> HttpResponseRedirect:
    url = reverse("assessments:decision", args=[challenge.decision_id])
    return HttpResponseRedirect(f"{url}#challenge-{challenge.pk}")


def _decision_with_error(
    request: HttpRequest,
    person: Person,
    challenge: Challenge,
    form_key: str,
    form: django_forms.Form,
) -> HttpResponse:
    context = _decision_context(_user(request), person, challenge.decision)
    for row in context["challenges"]:
        if row["challenge"].pk == challenge.pk:
            row[form_key] = form
    return render(request, "assessments/decision.html", context, status=400)


@login_required
@require_POST
def challenge_rationale(request: HttpRequest, pk: int) -> HttpResponse:
    challenge, person, user, origin = _challenge_post(request, pk, "challenge rationale")
    form = forms.RationaleForm(request.POST, prefix=f"c{challenge.pk}")
    if form.is_valid():
        try:
            actions.record_rationale(
                actor=user,
                origin=origin,
                challenge=challenge,
                rationale=form.cleaned_data["rationale"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Rationale recorded. A second manager must sign it off.")
            return _back_to_decision(challenge)
    return _decision_with_error(request, person, challenge, "rationale_form", form)


@login_required
@require_POST
def challenge_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    challenge, _person, user, origin = _challenge_post(request, pk, "challenge sign-off")
    try:
        actions.sign_off_challenge(actor=user, origin=origin, challenge=challenge)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Rationale signed off: the decision stands.")
    return _back_to_decision(challenge)


@login_required
@require_POST
def challenge_return(request: HttpRequest, pk: int) -> HttpResponse:
    challenge, person, user, origin = _challenge_post(request, pk, "challenge return")
    form = forms.ReturnForm(request.POST, prefix=f"r{challenge.pk}")
    if form.is_valid():
        try:
            actions.return_challenge(
                actor=user,
                origin=origin,
                challenge=challenge,
                comments=form.cleaned_data["comments"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Rationale returned with your comments.")
            return _back_to_decision(challenge)
    return _decision_with_error(request, person, challenge, "return_form", form)


# --- structured assessments ------------------------------------------------------------------


@login_required
@require_POST
def assessment_new(request: HttpRequest, public_id: str) -> HttpResponse:
    person = _child(request, public_id, "new assessment")
    point = None
    if request.POST.get("point"):
        point = get_object_or_404(DecisionPoint, pk=request.POST["point"], child=person)
    assessment = actions.start_assessment(
        actor=_user(request), origin=Origin.from_request(request), child=person, point=point
    )
    return HttpResponseRedirect(reverse("assessments:assessment", args=[assessment.pk]))


def _assessment_values(assessment: Assessment) -> dict[str, Any]:
    return {name: getattr(assessment, name) for name in actions.ASSESSMENT_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment.objects.select_related("author"), pk=pk)
    person = _child(request, assessment.child, "assessment", assessment=assessment.pk)
    user = _user(request)
    can_edit = assessment.is_editable and user.pk == assessment.author_id
    form = forms.AssessmentForm(
        request.POST if request.method == "POST" else None,
        initial=_assessment_values(assessment),
    )
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only the author edits a draft or returned assessment.")
        if form.is_valid():
            origin = Origin.from_request(request)
            values = dict(form.cleaned_data)
            try:
                actions.save_assessment(
                    actor=user, origin=origin, assessment=assessment, values=values
                )
                if request.POST.get("submit") == "submit":
                    actions.submit_assessment(actor=user, origin=origin, assessment=assessment)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                submitted = request.POST.get("submit") == "submit"
                messages.success(
                    request, "Submitted to a manager." if submitted else "Draft saved."
                )
                return HttpResponseRedirect(reverse("assessments:assessment", args=[pk]))
        status = 400
        assessment.refresh_from_db()
    versions = Assessment.objects.filter(series=assessment.series).order_by("version")
    return render(
        request,
        "assessments/assessment.html",
        {
            "assessment": assessment,
            "person": person,
            "form": form,
            "can_edit": can_edit,
            "can_review": assessment.status == AssessmentStatus.SUBMITTED
            and access.can_review(user, person)
            and user.pk != assessment.author_id,
            "can_amend": assessment.status == AssessmentStatus.SIGNED_OFF
            and access.can_decide(user, person)
            and not versions.filter(version__gt=assessment.version).exists(),
            "review_form": forms.ReviewForm(),
            "versions": versions,
            **_summary(user, person),
        },
        status=status,
    )


@login_required
@require_POST
def assessment_review(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment, pk=pk)
    _child(request, assessment.child, "assessment review", assessment=assessment.pk)
    user, origin = _user(request), Origin.from_request(request)
    form = forms.ReviewForm(request.POST)
    form.is_valid()
    comments = form.cleaned_data.get("comments", "")
    try:
        if request.POST.get("decision") == "sign_off":
            actions.sign_off_assessment(actor=user, origin=origin, assessment=assessment)
            messages.success(request, "Assessment signed off.")
        else:
            actions.return_assessment(
                actor=user, origin=origin, assessment=assessment, comments=comments
            )
            messages.success(request, "Assessment returned to the author.")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return HttpResponseRedirect(reverse("assessments:assessment", args=[pk]))


@login_required
@require_POST
def assessment_amend(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment, pk=pk)
    _child(request, assessment.child, "assessment amend", assessment=assessment.pk)
    try:
        amended = actions.amend_assessment(
            actor=_user(request), origin=Origin.from_request(request), assessment=assessment
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(reverse("assessments:assessment", args=[pk]))
    messages.success(request, f"Version {amended.version} started from the signed-off one.")
    return HttpResponseRedirect(reverse("assessments:assessment", args=[amended.pk]))
