"""Pages for subject access requests: thin function views over ``access`` and
``actions``. Only the agency's data quality officers get them; anyone else gets 404."""

import uuid
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.people.models import Person
from sightline.record.search import SearchRateLimitedError, result_limit, search_people
from sightline.subjectaccess import access, actions, forms
from sightline.subjectaccess.models import (
    Decision,
    Relationship,
    Status,
    SubjectAccessRequest,
    VerificationMethod,
)


def _officer(request: HttpRequest) -> User:
    """The signed-in data quality officer, or 404 (audited) for anyone else."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    if not access.may_answer_subject_access(user):
        raise access.refuse(user, origin=Origin.from_request(request), requested=request.path)
    return user


def _detail_url(found: SubjectAccessRequest) -> str:
    return reverse("subjectaccess:detail", args=[found.public_id])


def _status_tag(found: SubjectAccessRequest, today: Any) -> tuple[str, str]:
    if found.status == Status.SENT:
        return "Sent", "govuk-tag--green"
    if found.current_due_on < today:
        return "Overdue", "govuk-tag--red"
    return found.get_status_display(), {
        Status.RECEIVED: "govuk-tag--grey",
        Status.VERIFIED: "govuk-tag--blue",
        Status.IN_REVIEW: "govuk-tag--yellow",
    }.get(Status(found.status), "")


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    today = timezone.localdate()
    rows = [
        (found, *_status_tag(found, today))
        for found in access.requests_for(user).select_related("person")
    ]
    return render(request, "subjectaccess/list.html", {"rows": rows, "today": today})


@login_required
@require_GET
def find_person(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    form = forms.FindPersonForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "limit": result_limit(), "submitted": False}
    if request.GET and form.is_valid():
        try:
            outcome = search_people(user, form.criteria(), origin=Origin.from_request(request))
        except SearchRateLimitedError as refused:
            context["refused"] = refused
        else:
            context.update(submitted=True, results=outcome.results, more=outcome.more)
    return render(request, "subjectaccess/find.html", context)


def _person_for_request(request: HttpRequest, user: User, public_id: uuid.UUID) -> Person:
    """The chosen person's name and date of birth only, with a view_identity row."""
    person = get_object_or_404(Person, public_id=public_id, merged_into__isnull=True)
    record_audit(
        actor=user,
        action=AuditAction.VIEW_IDENTITY,
        origin=Origin.from_request(request),
        person=person,
        detail={"intent": "subject_access"},
    )
    return person


def _apply(form: django_forms.Form, error: actions.SubjectAccessError, field: str) -> None:
    form.add_error(field, str(error))


@login_required
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _officer(request)
    person = _person_for_request(request, user, public_id)
    form = forms.RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = actions.record_request(
                actor=user,
                person=person,
                agency_id=user.agency_id or 0,
                requester_name=data["requester_name"],
                relationship=Relationship(data["relationship"]),
                received_on=data["received_on"],
                origin=Origin.from_request(request),
            )
        except actions.SubjectAccessError as error:
            _apply(form, error, "received_on")
        else:
            messages.success(request, f"Request {created.reference} logged")
            return HttpResponseRedirect(_detail_url(created))
    return render(request, "subjectaccess/new.html", {"form": form, "person": person})


def _render_detail(
    request: HttpRequest,
    found: SubjectAccessRequest,
    *,
    refusal: str = "",
    **bound: django_forms.Form,
) -> HttpResponse:
    label, tag = _status_tag(found, timezone.localdate())
    suggestions = list(found.suggestions.all())
    context: dict[str, Any] = {
        "found": found,
        "status_label": label,
        "status_tag": tag,
        "suggestions": suggestions,
        "pending": sum(1 for s in suggestions if s.decision == Decision.PENDING),
        "verify_form": bound.get("verify_form") or forms.VerifyForm(),
        "extend_form": bound.get("extend_form") or forms.ExtendForm(),
        "sent_form": bound.get("sent_form") or forms.SentForm(),
        "refusal": refusal,
    }
    status = 400 if bound or refusal else 200
    return render(request, "subjectaccess/detail.html", context, status=status)


@login_required
@require_GET
def request_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _officer(request)
    found = access.get_request(user, public_id, origin=Origin.from_request(request))
    return _render_detail(request, found)


@login_required
@require_POST
def verify(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _officer(request)
    origin = Origin.from_request(request)
    found = access.get_request(user, public_id, origin=origin)
    form = forms.VerifyForm(request.POST)
    if form.is_valid():
        try:
            actions.verify_identity(
                actor=user,
                request=found,
                method=VerificationMethod(form.cleaned_data["method"]),
                origin=origin,
            )
        except actions.SubjectAccessError as error:
            _apply(form, error, "method")
        else:
            messages.success(request, "Identity verified")
            return HttpResponseRedirect(_detail_url(found))
    return _render_detail(request, found, verify_form=form)


@login_required
@require_POST
def extend(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _officer(request)
    origin = Origin.from_request(request)
    found = access.get_request(user, public_id, origin=origin)
    form = forms.ExtendForm(request.POST)
    if form.is_valid():
        try:
            actions.extend_deadline(
                actor=user, request=found, reason=form.cleaned_data["reason"], origin=origin
            )
        except actions.SubjectAccessError as error:
            _apply(form, error, "reason")
        else:
            messages.success(request, "Deadline extended")
            return HttpResponseRedirect(_detail_url(found))
    return _render_detail(request, found, extend_form=form)


@login_required
@require_POST
def gather(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _officer(request)
    origin = Origin.from_request(request)
    found = access.get_request(user, public_id, origin=origin)
    try:
        actions.gather(actor=user, request=found, origin=origin)
    except actions.SubjectAccessError as error:
        return _render_detail(request, found, refusal=str(error))
    messages.success(request, "Records gathered; review the suggested redactions")
    return HttpResponseRedirect(_detail_url(found))


@login_required
@require_POST
def decide(request: HttpRequest, public_id: uuid.UUID, suggestion: int) -> HttpResponse:
    user = _officer(request)
    origin = Origin.from_request(request)
    found = access.get_request(user, public_id, origin=origin)
    chosen = get_object_or_404(found.suggestions, pk=suggestion)
    form = forms.DecideForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, found, refusal="Choose whether to redact the name")
    try:
        actions.decide_suggestion(
            actor=user,
            suggestion=chosen,
            decision=Decision(form.cleaned_data["decision"]),
            origin=origin,
        )
    except actions.SubjectAccessError as error:
        return _render_detail(request, found, refusal=str(error))
    return HttpResponseRedirect(_detail_url(found) + "#redactions")


@login_required
@require_POST
def download(request: HttpRequest, public_id: uuid.UUID, kind: str) -> HttpResponse:
    """The pack, produced now from the records and the decisions: ``zip`` or ``pdf``."""
    user = _officer(request)
    origin = Origin.from_request(request)
    found = access.get_request(user, public_id, origin=origin)
    if kind not in {"zip", "pdf"}:
        raise Http404("No such file")
    try:
        produced = actions.produce_pack(actor=user, request=found, origin=origin)
    except actions.SubjectAccessError as error:
        return _render_detail(request, found, refusal=str(error))
    if kind == "pdf":
        response = HttpResponse(produced.pdf, content_type="application/pdf")
    else:
        response = HttpResponse(produced.zip, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{produced.reference}.{kind}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def sent(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _officer(request)
    origin = Origin.from_request(request)
    found = access.get_request(user, public_id, origin=origin)
    form = forms.SentForm(request.POST)
    if form.is_valid():
        try:
            actions.record_sent(
                actor=user, request=found, sent_on=form.cleaned_data["sent_on"], origin=origin
            )
        except actions.SubjectAccessError as error:
            _apply(form, error, "sent_on")
        else:
            messages.success(request, "Recorded as sent")
            return HttpResponseRedirect(_detail_url(found))
    return _render_detail(request, found, sent_form=form)
