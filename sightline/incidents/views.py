"""Pages for serious incidents and reviews: thin function views over access and actions."""

import json
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline.accounts.models import User
from sightline.agencies.models import AgencyKind
from sightline.audit.actions import Origin
from sightline.incidents import access, actions, exports, forms, queries
from sightline.incidents.models import (
    LocalReview,
    Milestone,
    PanelResponse,
    Partner,
    RapidReview,
    SafetyAction,
    SeriousIncidentNotification,
)
from sightline.people.models import Person, Relationship, RelationshipKind
from sightline.record.access import Intent, open_record
from sightline.record.picker import PersonSearcher, PickingFormMixin
from sightline.record.queries import visible_to


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _apply_errors(form: django_forms.Form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


def _can_notify(user: User) -> bool:
    return access.may_notify(user)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    notifications = list(
        access.visible_to(user).select_related("notifier", "local_authority").order_by("-aware_on")
    )
    today = timezone.localdate()
    open_items: list[dict[str, object]] = []
    done_items: list[dict[str, object]] = []
    for item in queries.due_items(notifications):
        row: dict[str, object] = {
            "item": item,
            "status": item.status(today).value,
            "working_days_left": item.working_days_left(today),
        }
        (done_items if item.done_on is not None else open_items).append(row)
    return render(
        request,
        "incidents/dashboard.html",
        {
            "open_items": open_items,
            "done_items": done_items,
            "rates": queries.on_time_rates(notifications),
            "today": today,
            "can_notify": _can_notify(user),
            "to_send": queries.notifications_to_send_for(user),
            "to_start": queries.reviews_to_start_for(user),
            "sign_offs_waiting": queries.sign_offs_waiting_for(user),
            "summaries_to_write": queries.summaries_to_write_for(user),
            "panel_responses": queries.panel_responses_for(user),
            "to_commission": queries.local_reviews_to_commission_for(user),
        },
    )


def _child_entries(data: dict[str, Any]) -> list[actions.ChildEntry]:
    entries = []
    for slot in range(1, forms.CHILD_SLOTS + 1):
        chosen = data.get(f"child_{slot}_id")
        person_id = str(chosen.public_id) if isinstance(chosen, Person) else (chosen or "").strip()
        if person_id:
            entries.append(
                actions.ChildEntry(
                    person_id=person_id,
                    disability=data.get(f"child_{slot}_disability") or "",
                    placement_type=data.get(f"child_{slot}_placement_type") or "",
                    perpetrator_relationship=data.get(f"child_{slot}_perpetrator_relationship")
                    or "",
                )
            )
    return entries


def _siblings(user: User, child: Person) -> list[Person]:
    """``child``'s brothers and sisters whose records ``user`` may see."""
    relationships = Relationship.objects.filter(
        Q(person=child) | Q(relative=child), kind=RelationshipKind.SIBLING
    )
    ids = {r.relative_id if r.person_id == child.pk else r.person_id for r in relationships}
    return list(visible_to(user).filter(pk__in=ids).order_by("date_of_birth", "pk"))


@login_required
@require_http_methods(["GET", "POST"])
def notification_new(request: HttpRequest) -> HttpResponse:
    """The notification, pre-filled with the child when it is opened from the child's page
    (``?child=``, read through ``open_record``); otherwise the child is found by search."""
    user = _user(request)
    if not _can_notify(user):
        raise PermissionDenied(
            "Notifications are recorded by the local authority's safeguarding lead or a team "
            "manager: ask one of them to record it."
        )
    origin = Origin.from_request(request)
    case: list[tuple[Person, str]] = []
    if request.GET.get("child"):
        child = open_record(
            user,
            request.GET["child"],
            intent=Intent.VIEW_RECORD,
            origin=origin,
            detail={"purpose": "serious incident notification"},
        ).person
        case.append((child, "The child whose page you came from"))
    initial: dict[str, Any] = {"child_1_id": str(case[0][0].public_id)} if case else {}
    if user.agency is not None and user.agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE:
        initial["local_authority"] = user.agency
    form = forms.NotificationForm(request.POST or None, initial=initial)
    searcher = PersonSearcher(user=user, origin=origin, noun="child", case=tuple(case))
    form.set_searchers({"child_1_id": searcher})
    # The siblings offered are the chosen child's (or, before a choice, the page's child).
    first = searcher.get(request.POST.get("child_1_id", "")) if request.POST else None
    first = first or (case[0][0] if case else None)
    siblings = _siblings(user, first) if first is not None else []
    form.offer_siblings(
        [
            (
                str(p.public_id),
                f"{p.full_name}, born {p.date_of_birth:%-d %B %Y}"
                if p.date_of_birth
                else p.full_name,
            )
            for p in siblings
        ]
    )
    if request.method == "POST" and not form.picking and form.is_valid():
        data = form.cleaned_data
        try:
            children = actions.resolve_children(
                actor=user, origin=origin, entries=_child_entries(data)
            )
            notification = actions.record_notification(
                actor=user,
                origin=origin,
                local_authority=data["local_authority"],
                police=data["police"],
                integrated_care_board=data["integrated_care_board"],
                incident_on=data["incident_on"],
                aware_on=data["aware_on"],
                nature=data["nature"],
                nature_details=data["nature_details"],
                case_outline=data["case_outline"],
                police_involvement=data["police_involvement"],
                police_details=data["police_details"],
                children=children,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                f"Notification {notification.reference} recorded. "
                f"Send it to the national panel by {notification.due_on:%-d %B %Y}.",
            )
            return HttpResponseRedirect(
                reverse("incidents:notification", args=[notification.public_id])
            )
    return render(
        request,
        "incidents/notification_form.html",
        {"form": form, "action": request.get_full_path()},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def notification_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    notification = access.access_notification(
        user, public_id, intent=access.Intent.VIEW, origin=Origin.from_request(request)
    )
    review = RapidReview.objects.filter(notification=notification).first()
    return render(
        request,
        "incidents/notification_detail.html",
        {
            "notification": notification,
            "children": notification.children.all(),
            "review": review,
            "can_change": access.is_partner(user, notification),
            "submit_form": forms.SubmitForm(initial={"submitted_on": timezone.localdate()}),
        },
    )


@login_required
@require_GET
def notification_export(request: HttpRequest, public_id: str, fmt: str) -> HttpResponse:
    if fmt not in {"pdf", "json"}:
        raise Http404("Exports are PDF or JSON")
    notification = access.access_notification(
        _user(request),
        public_id,
        intent=access.Intent.EXPORT,
        origin=Origin.from_request(request),
        detail={"format": fmt},
    )
    filename = f"{notification.reference}.{fmt}"
    if fmt == "json":
        body = json.dumps(exports.notification_document(notification), indent=2)
        response = HttpResponse(body, content_type="application/json")
    else:
        response = HttpResponse(
            exports.notification_pdf(notification), content_type="application/pdf"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def notification_submit(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    origin = Origin.from_request(request)
    notification = access.access_notification(
        user, public_id, intent=access.Intent.CHANGE, origin=origin
    )
    form = forms.SubmitForm(request.POST)
    url = reverse("incidents:notification", args=[notification.public_id])
    if form.is_valid():
        try:
            actions.submit_notification(
                actor=user,
                origin=origin,
                notification=notification,
                submitted_on=form.cleaned_data["submitted_on"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Recorded as sent to the national panel.")
            return HttpResponseRedirect(url)
    return render(
        request,
        "incidents/notification_detail.html",
        {
            "notification": notification,
            "children": notification.children.all(),
            "review": None,
            "can_change": True,
            "submit_form": form,
        },
        status=400,
    )


@login_required
@require_POST
def review_open(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    origin = Origin.from_request(request)
    notification = access.access_notification(
        user, public_id, intent=access.Intent.CHANGE, origin=origin
    )
    try:
        actions.open_rapid_review(actor=user, origin=origin, notification=notification)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(
            reverse("incidents:notification", args=[notification.public_id])
        )
    messages.success(request, "Rapid review opened. Ask each agency for its summary.")
    return HttpResponseRedirect(reverse("incidents:review", args=[notification.public_id]))


# The rapid review page and its steps ----------------------------------------------------

Step = Callable[[User, Origin, RapidReview, dict[str, Any]], object]


def _complete_action(
    user: User, origin: Origin, review: RapidReview, data: dict[str, Any]
) -> object:
    action = get_object_or_404(SafetyAction, pk=data["action"], review=review)
    return actions.complete_safety_action(
        actor=user, origin=origin, action=action, completed_on=data["completed_on"]
    )


def _local_review(review: RapidReview) -> LocalReview:
    local_review = LocalReview.objects.filter(review=review).first()
    if local_review is None:
        raise ValidationError({"review": "No local review has been commissioned."})
    return local_review


def _milestone(user: User, origin: Origin, review: RapidReview, data: dict[str, Any]) -> object:
    return actions.add_milestone(
        actor=user,
        origin=origin,
        local_review=_local_review(review),
        name=data["name"],
        due_on=data["due_on"],
    )


def _progress(user: User, origin: Origin, review: RapidReview, data: dict[str, Any]) -> object:
    return actions.record_local_review_progress(
        actor=user,
        origin=origin,
        local_review=_local_review(review),
        sent_to_panel_on=data["sent_to_panel_on"],
        published_on=data["published_on"],
    )


STEPS: dict[str, tuple[type[django_forms.Form], Step, str]] = {
    "request_summary": (
        forms.RequestSummaryForm,
        lambda u, o, r, d: actions.request_agency_summary(
            actor=u, origin=o, review=r, agency=d["agency"], contributor=d["contributor"]
        ),
        "Summary requested.",
    ),
    "meeting": (
        forms.MeetingForm,
        lambda u, o, r, d: actions.record_review_meeting(actor=u, origin=o, review=r, **d),
        "Review meeting recorded.",
    ),
    "safety_action": (
        forms.SafetyActionForm,
        lambda u, o, r, d: actions.add_safety_action(actor=u, origin=o, review=r, **d),
        "Safety action recorded.",
    ),
    "complete_action": (forms.CompleteActionForm, _complete_action, "Action completed."),
    "decision": (
        forms.DecisionForm,
        lambda u, o, r, d: actions.decide_local_review(actor=u, origin=o, review=r, **d),
        "Decision recorded.",
    ),
    "sign_off": (
        forms.SignOffForm,
        lambda u, o, r, d: actions.sign_off_rapid_review(
            actor=u, origin=o, review=r, partner=Partner(d["partner"])
        ),
        "Signed off.",
    ),
    "panel_response": (
        forms.PanelResponseForm,
        lambda u, o, r, d: actions.record_panel_response(actor=u, origin=o, review=r, **d),
        "The panel's response is recorded.",
    ),
    "commission": (
        forms.CommissionForm,
        lambda u, o, r, d: actions.commission_local_review(actor=u, origin=o, review=r, **d),
        "Local review commissioned.",
    ),
    "milestone": (forms.MilestoneForm, _milestone, "Milestone added."),
    "progress": (forms.ProgressForm, _progress, "Local review progress recorded."),
}


def _review_context(
    user: User, notification: SeriousIncidentNotification, review: RapidReview
) -> dict[str, Any]:
    partner = access.is_partner(user, notification)
    signed = {sign_off.partner for sign_off in review.sign_offs.all()}
    local_review = LocalReview.objects.filter(review=review).first()
    today = timezone.localdate()
    blockers = [] if review.completed_on else queries.sign_off_blockers(review)
    return {
        "notification": notification,
        "review": review,
        "can_change": partner,
        "summaries": [
            {"summary": summary, "can_write": access.can_contribute(user, summary)}
            for summary in review.summaries.select_related("agency", "contributor")
        ],
        "safety_actions": review.actions.select_related("owner"),
        "sign_offs": review.sign_offs.select_related("agency", "signed_by"),
        "sign_off_blockers": blockers,
        # Each partner still to sign, and whom Sightline asked (told in the app and by
        # e-mail once the review is ready).
        "awaiting_partners": [
            {"label": p.label, "signers": queries.signers(notification, p)}
            for p in Partner
            if p.value not in signed
        ],
        "partners_to_sign": [
            {"value": p.value, "label": p.label}
            for p in Partner
            if not blockers and p.value not in signed and access.can_sign_off(user, notification, p)
        ],
        "panel_response": PanelResponse.objects.filter(review=review).first(),
        "may_record_panel_response": access.may_record_panel_response(user),
        "local_review": local_review,
        "milestones": Milestone.objects.filter(local_review=local_review) if local_review else [],
        "forms": {
            "request_summary": forms.RequestSummaryForm(),
            "meeting": forms.MeetingForm(initial={"held_on": today}),
            "safety_action": forms.SafetyActionForm(),
            "decision": forms.DecisionForm(initial={"decided_on": today}),
            "panel_response": forms.PanelResponseForm(initial={"received_on": today}),
            "commission": forms.CommissionForm(),
            "milestone": forms.MilestoneForm(),
            "progress": forms.ProgressForm(),
            "complete_action": forms.CompleteActionForm(initial={"completed_on": today}),
        },
        "today": today,
    }


def _review_for(notification: SeriousIncidentNotification) -> RapidReview:
    review = (
        RapidReview.objects.filter(notification=notification).select_related("opened_by").first()
    )
    if review is None:
        raise Http404("No rapid review for this notification")
    return review


@login_required
@require_GET
def review_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    notification = access.access_notification(
        user,
        public_id,
        intent=access.Intent.VIEW,
        origin=Origin.from_request(request),
        detail={"page": "rapid review"},
    )
    review = _review_for(notification)
    return render(
        request, "incidents/review_detail.html", _review_context(user, notification, review)
    )


@login_required
@require_POST
def review_step(request: HttpRequest, public_id: str, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404("No such step")
    user = _user(request)
    origin = Origin.from_request(request)
    # Sign-off is decided per partner in the action; a named contributor may not change.
    # The panel's response is the panel analyst's (a reader of every notification).
    viewing = {"sign_off", "complete_action", "panel_response"}
    intent = access.Intent.VIEW if step in viewing else access.Intent.CHANGE
    notification = access.access_notification(
        user, public_id, intent=intent, origin=origin, detail={"step": step}
    )
    review = _review_for(notification)
    form_class, handler, done = STEPS[step]
    form = form_class(request.POST)
    # Only searching with the one picker: the page again, the step open, nothing refused.
    picking = isinstance(form, PickingFormMixin) and form.picking
    if not picking and form.is_valid():
        try:
            handler(user, origin, review, form.cleaned_data)
        except PermissionDenied as refused:
            form.add_error(None, str(refused))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(
                reverse("incidents:review", args=[notification.public_id]) + f"#{step}"
            )
    context = _review_context(user, notification, review)
    context["forms"][step] = form
    context["failed_step"] = step
    context["failed_form"] = form
    return render(request, "incidents/review_detail.html", context, status=200 if picking else 400)


@login_required
@require_GET
def review_export(request: HttpRequest, public_id: str) -> HttpResponse:
    notification = access.access_notification(
        _user(request),
        public_id,
        intent=access.Intent.EXPORT,
        origin=Origin.from_request(request),
        detail={"format": "pdf", "document": "rapid review"},
    )
    review = _review_for(notification)
    response = HttpResponse(exports.review_pdf(review), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{notification.reference}-rapid-review.pdf"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def summary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    origin = Origin.from_request(request)
    summary = access.access_summary(user, pk, origin=origin)
    notification = summary.review.notification
    initial = {
        "involvement": summary.involvement,
        "analysis": summary.analysis,
        "learning": summary.learning,
    }
    form = forms.SummaryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_agency_summary(
                actor=user, origin=origin, summary=summary, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Summary from {summary.agency.name} sent.")
            return HttpResponseRedirect(reverse("incidents:review", args=[notification.public_id]))
    elif request.method == "GET":
        access.access_notification(
            user,
            notification.public_id,
            intent=access.Intent.VIEW,
            origin=origin,
            detail={"page": "agency summary", "agency": summary.agency.code},
        )
    return render(
        request,
        "incidents/summary_form.html",
        {"form": form, "summary": summary, "notification": notification},
        status=400 if request.method == "POST" else 200,
    )
