"""Pages for networks, contexts and the exploitation meeting (function views)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline.accounts.models import User
from sightline.audit.actions import Origin
from sightline.chronology.models import ChronologyEvent
from sightline.core import dates
from sightline.networks import actions, queries
from sightline.networks import forms as network_forms
from sightline.networks.access import access_context, record_network_view, require_meeting_access
from sightline.networks.graph import text_rows
from sightline.networks.models import (
    Association,
    ConcernFlag,
    Context,
    ContextPlan,
    ExploitationMeeting,
)
from sightline.people.models import Person, Relationship
from sightline.record.access import Intent, open_record
from sightline.record.picker import PersonSearcher, PickingFormMixin
from sightline.record.queries import visible_to


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404("No such page")
    return user


@login_required
@require_GET
def child_network(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    origin = Origin.from_request(request)
    person = open_record(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"section": "network"}
    ).person
    network = queries.child_network(user, person)
    record_network_view(
        user=user, origin=origin, person=person, graph=network.graph, signals=len(network.signals)
    )
    return render(
        request,
        "networks/child_network.html",
        {
            "person": person,
            "signals": network.signals,
            "summary": network.graph.as_json()["summary"],
            "rows": text_rows(network.graph),
            "graph_url": reverse("networks:child-network-data", kwargs={"public_id": public_id}),
            "fanout": queries.FANOUT,
            "events_without_place": queries.events_without_place(person),
            **_recorded_by_agency(user, person),
        },
    )


def _recorded_by_agency(user: User, person: Person) -> dict[str, object]:
    """The child's live associations and open concerns the user's agency recorded: those
    it may withdraw or end. Another person is named only if the user may see them."""
    if user.agency_id is None:
        return {"own_associations": [], "own_concerns": []}
    rows = list(
        Association.objects.live()
        .filter(person=person, source_agency_id=user.agency_id)
        .select_related("other_person", "context")
    )
    others = [a.other_person_id for a in rows if a.other_person_id]
    visible = set(visible_to(user).filter(pk__in=others).values_list("pk", flat=True))
    return {
        "own_associations": [
            {
                "association": a,
                "with": a.context.name
                if a.context
                else (
                    str(a.other_person)
                    if a.other_person_id in visible
                    else "A person not shown to you"
                ),
            }
            for a in rows
        ],
        "own_concerns": list(
            ConcernFlag.objects.filter(
                person=person, agency_id=user.agency_id, ended_on__isnull=True
            )
        ),
    }


def _network_back(person: Person, anchor: str) -> str:
    return reverse("networks:child-network", kwargs={"public_id": person.public_id}) + anchor


def _refusal(error: ValidationError) -> str:
    return " ".join(message for messages_ in error.message_dict.values() for message in messages_)


@login_required
@require_POST
def withdraw_association(request: HttpRequest, public_id: str) -> HttpResponse:
    """Withdraw an association the user's agency recorded in error, with the reason."""
    user = _user(request)
    origin = Origin.from_request(request)
    person = open_record(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"section": "network"}
    ).person
    key = request.POST.get("association", "")
    association = (
        Association.objects.live()
        .filter(pk=int(key), person=person, source_agency_id=user.agency_id)
        .first()
        if key.isdigit() and user.agency_id is not None
        else None
    )
    if association is None:
        messages.error(
            request,
            "That association cannot be withdrawn here: only one your agency recorded, and "
            "not already withdrawn. Ask the agency that recorded it.",
        )
        return redirect(_network_back(person, "#recorded"))
    try:
        actions.withdraw_association(
            actor=user,
            origin=origin,
            association=association,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, f"Not withdrawn: {_refusal(error)}")
    else:
        messages.success(request, "Association withdrawn")
    return redirect(_network_back(person, "#recorded"))


@login_required
@require_POST
def end_concern(request: HttpRequest, public_id: str) -> HttpResponse:
    """End a concern about the person that the user's agency raised, today, with why."""
    user = _user(request)
    origin = Origin.from_request(request)
    person = open_record(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"section": "network"}
    ).person
    key = request.POST.get("flag", "")
    flag = (
        ConcernFlag.objects.filter(
            pk=int(key), person=person, agency_id=user.agency_id, ended_on__isnull=True
        ).first()
        if key.isdigit() and user.agency_id is not None
        else None
    )
    if flag is None:
        messages.error(
            request,
            "That concern cannot be ended here: only an open one your agency raised. Ask the "
            "agency that raised it.",
        )
        return redirect(_network_back(person, "#recorded"))
    try:
        actions.end_concern(
            actor=user,
            origin=origin,
            flag=flag,
            ended_on=timezone.localdate(),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, f"Not ended: {_refusal(error)}")
    else:
        messages.success(request, "Concern ended")
    return redirect(_network_back(person, "#recorded"))


@login_required
@require_GET
def child_network_data(request: HttpRequest, public_id: str) -> JsonResponse:
    """The graph for cytoscape.js: only what the viewer may see, hidden people as counts."""
    user = _user(request)
    origin = Origin.from_request(request)
    person = open_record(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"section": "network"}
    ).person
    network = queries.child_network(user, person, with_signals=False)
    record_network_view(user=user, origin=origin, person=person, graph=network.graph, signals=0)
    return JsonResponse({"root": f"p:{person.pk}", **network.graph.as_json()})


@login_required
@require_GET
def context_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    context = access_context(user, public_id, origin=Origin.from_request(request))
    page = queries.context_page(user, context)
    return render(
        request,
        "networks/context_detail.html",
        {
            "context": context,
            "page": page,
            "assessment": context.assessments.order_by("-assessed_on", "-id").first(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_list(request: HttpRequest) -> HttpResponse:
    """The agenda (children and contexts with their signals), open actions and meetings;
    a meeting is scheduled (or recorded) here, its chair chosen from a list."""
    user = _user(request)
    origin = Origin.from_request(request)
    require_meeting_access(user, origin=origin)
    today = timezone.localdate()
    form = network_forms.MeetingForm(request.POST or None, initial={"chair": user})
    form.set_searchers({"chair": network_forms.practitioners()})
    if request.method == "POST" and not form.picking and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = actions.record_exploitation_meeting(
                actor=user,
                origin=origin,
                area=data["area"],
                held_on=data["held_on"],
                chair=data["chair"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Meeting for {meeting.area} on {meeting.held_on:%-d %B %Y}")
            return redirect("networks:meeting-detail", pk=meeting.pk)
    listing = queries.meeting_list(user, today=today)
    shown_actions, actions_not_shown = queries.actions_visible_to(
        user, queries.open_actions(), today=today
    )
    return render(
        request,
        "networks/meeting_list.html",
        {
            "listing": listing,
            "actions": shown_actions,
            "actions_not_shown": actions_not_shown,
            "upcoming": ExploitationMeeting.objects.filter(held_on__gte=today).order_by(
                "held_on", "pk"
            )[:20],
            "meetings": ExploitationMeeting.objects.filter(held_on__lt=today)[:20],
            "today": today,
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting: its agenda from the signals, the actions agreed (each with an owner
    and a due date, and completed here), and a form to agree another."""
    user = _user(request)
    origin = Origin.from_request(request)
    require_meeting_access(user, origin=origin)
    meeting = get_object_or_404(ExploitationMeeting, pk=pk)
    today = timezone.localdate()
    agenda = queries.meeting_list(user, today=today)
    children = {item.person.pk: item.person for item in agenda.children}
    for action in meeting.actions.select_related("person"):
        if action.person is not None:
            children.setdefault(action.person.pk, action.person)
    # And the children the user works with (their relationships, not emergency access).
    for person in visible_to(user, emergency=False).order_by("family_name", "given_name")[:200]:
        children.setdefault(person.pk, person)
    visible = set(visible_to(user).filter(pk__in=children).values_list("pk", flat=True))
    contexts = queries.contexts_visible_to(user).filter(archived_at__isnull=True).order_by("name")
    posted = request.POST if request.method == "POST" else None
    completing = posted is not None and "completed_on_day" in posted
    form = network_forms.MeetingActionForm(
        None if completing else posted,
        children=[(str(p.public_id), str(p)) for p in children.values() if p.pk in visible],
        contexts=[
            (str(c.public_id), f"{c.name} ({c.get_kind_display().lower()})") for c in contexts
        ],
    )
    form.set_searchers({"owner": network_forms.practitioners()})
    done_form = network_forms.CompleteMeetingActionForm(posted if completing else None)
    if completing and done_form.is_valid():
        done = meeting.actions.filter(pk=done_form.cleaned_data["action"]).first()
        try:
            if done is None:
                raise ValidationError({"action": "That action is not on this meeting."})
            actions.complete_meeting_action(
                actor=user,
                origin=origin,
                action=done,
                completed_on=done_form.cleaned_data["completed_on"],
            )
        except ValidationError as error:
            _add_errors(done_form, error)
        else:
            messages.success(request, "Action marked as done")
            return redirect("networks:meeting-detail", pk=meeting.pk)
    elif posted is not None and not completing and not form.picking and form.is_valid():
        data = form.cleaned_data
        try:
            actions.agree_meeting_action(
                actor=user,
                origin=origin,
                meeting=meeting,
                description=data["description"],
                owner=data["owner"],
                due_on=data["due_on"],
                person=visible_to(user).filter(public_id=data["child"]).first()
                if data["child"]
                else None,
                context=contexts.filter(public_id=data["context"]).first()
                if data["context"]
                else None,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Action recorded")
            return redirect("networks:meeting-detail", pk=meeting.pk)
    shown, not_shown = queries.actions_visible_to(user, meeting.actions.all(), today=today)
    failed = (form.is_bound and form.errors) or (done_form.is_bound and done_form.errors)
    return render(
        request,
        "networks/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "actions": shown,
            "actions_not_shown": not_shown,
            "form": form,
            "done_form": done_form,
            "today": today,
        },
        status=400 if failed else 200,
    )


# --- forms that write -----------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: forms.Form, *, title: str, caption: str, back: str
) -> HttpResponse:
    return render(
        request,
        "networks/form.html",
        {"form": form, "title": title, "caption": caption, "back": back},
    )


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _family_of(user: User, person: Person) -> list[tuple[Person, str]]:
    """The child's family whose records ``user`` may see, to pick from."""
    relationships = Relationship.objects.filter(
        Q(person=person) | Q(relative=person), ended_on__isnull=True
    ).select_related("person", "relative")
    pairs = [
        (r.relative if r.person_id == person.pk else r.person, r.get_kind_display())
        for r in relationships
    ]
    visible = set(
        visible_to(user).filter(pk__in=[p.pk for p, _ in pairs]).values_list("pk", flat=True)
    )
    return [(p, f"Family: {kind.lower()}") for p, kind in pairs if p.pk in visible]


@login_required
@require_http_methods(["GET", "POST"])
def new_association(request: HttpRequest, public_id: str) -> HttpResponse:
    """Link the child to another person (picked from the family or found by the one
    search, whose record the user may see) or to a place, online space or group."""
    user = _user(request)
    origin = Origin.from_request(request)
    person = open_record(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"section": "network"}
    ).person
    contexts = queries.contexts_visible_to(user).filter(archived_at__isnull=True)
    form = network_forms.AssociationForm(
        request.POST or None,
        contexts=[
            (str(c.public_id), f"{c.name} ({c.get_kind_display().lower()})")
            for c in contexts.order_by("name")
        ],
    )
    # The child is not offered as their own associate, even when a search finds them.
    form.set_searchers(
        {
            "other_person": PersonSearcher(
                user=user,
                origin=origin,
                postcode=person.postcode,
                exclude=person.pk,
                case=tuple(_family_of(user, person)),
            )
        }
    )
    back = reverse("networks:child-network", kwargs={"public_id": person.public_id})
    if request.method == "POST" and not form.picking and form.is_valid():
        data = form.cleaned_data
        try:
            if user.agency is None:
                raise ValidationError(
                    {
                        "nature": "Only a practitioner of an agency can record an association: "
                        "ask your administrator to add you to your agency."
                    }
                )
            context = (
                contexts.filter(public_id=data["context"]).first() if data["context"] else None
            )
            actions.record_association(
                actor=user,
                origin=origin,
                person=person,
                other_person=data["other_person"],
                context=context,
                nature=data["nature"],
                confidence=data["confidence"],
                source_agency=user.agency,
                started_on=data["started_on"],
                note=data["note"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Association recorded")
            return redirect(back)
    return render(
        request,
        "networks/association_form.html",
        {"form": form, "person": person, "back": back},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def context_list(request: HttpRequest) -> HttpResponse:
    """Places, online spaces and peer groups; search by name; record a new one."""
    user = _user(request)
    origin = Origin.from_request(request)
    require_meeting_access(user, origin=origin)
    form = network_forms.ContextForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            context = actions.record_context(
                actor=user,
                origin=origin,
                kind=data["kind"],
                name=data["name"],
                description=data["description"],
                area=data["area"],
                postcode=data["postcode"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{context.name} recorded.")
            return redirect("networks:context-detail", public_id=context.public_id)
    q = request.GET.get("q", "").strip()
    contexts = queries.contexts_visible_to(user)
    if q:
        contexts = contexts.filter(name__icontains=q)
    return render(
        request,
        "networks/context_list.html",
        {"contexts": contexts.order_by("name", "pk")[:100], "q": q, "form": form},
    )


_CONTEXT_WORK = {
    "refer": ("Refer for a context assessment", network_forms.ReferralForm),
    "assess": ("Record a context assessment", network_forms.AssessmentForm),
    "plan": ("Start a plan", network_forms.PlanForm),
    "end-plan": ("End the plan", network_forms.EndPlanForm),
    "concern": ("Raise a concern", network_forms.ConcernForm),
}


@login_required
@require_http_methods(["GET", "POST"])
def context_work(request: HttpRequest, public_id: str, what: str) -> HttpResponse:
    """Referral, assessment, plan and concern for a context, each through its action."""
    if what not in _CONTEXT_WORK:
        raise Http404("No such page")
    user = _user(request)
    origin = Origin.from_request(request)
    context = access_context(user, public_id, origin=origin)
    title, form_class = _CONTEXT_WORK[what]
    form = form_class(request.POST or None)
    back = reverse("networks:context-detail", kwargs={"public_id": context.public_id})
    picking = isinstance(form, PickingFormMixin) and form.picking
    if request.method == "POST" and not picking and form.is_valid():
        try:
            _do_context_work(user, origin, context, what, form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{title}: recorded.")
            return redirect(back)
    return _form_page(
        request,
        form,
        title=f"{title}: {context.name}",
        caption=context.get_kind_display(),
        back=back,
    )


def _day(data: dict[str, object], name: str) -> dt.date:
    value = data.get(name)
    if not isinstance(value, dt.date):
        raise ValidationError({name: "Enter a date."})
    return value


def _words(data: dict[str, object], name: str) -> str:
    return str(data.get(name) or "")


def _do_context_work(
    user: User, origin: Origin, context: Context, what: str, data: dict[str, object]
) -> None:
    if what == "refer":
        actions.refer_context(
            actor=user,
            origin=origin,
            context=context,
            referred_on=_day(data, "referred_on"),
            reason=_words(data, "reason"),
        )
    elif what == "assess":
        actions.record_context_assessment(
            actor=user,
            origin=origin,
            context=context,
            assessed_on=_day(data, "assessed_on"),
            what_happens=_words(data, "what_happens"),
            when_it_happens=_words(data, "when_it_happens"),
            who_is_involved=_words(data, "who_is_involved"),
            what_would_make_it_safer=_words(data, "what_would_make_it_safer"),
        )
    elif what == "plan":
        lead = data.get("lead_practitioner")
        if not isinstance(lead, User):
            raise ValidationError(
                {"lead_practitioner": "Search for and choose the lead practitioner"}
            )
        actions.start_context_plan(
            actor=user,
            origin=origin,
            context=context,
            started_on=_day(data, "started_on"),
            review_on=_day(data, "review_on"),
            objectives=_words(data, "objectives"),
            lead_practitioner=lead,
        )
    elif what == "end-plan":
        plan = ContextPlan.objects.filter(context=context, ended_on__isnull=True).first()
        if plan is None:
            raise ValidationError({"ended_on": f"{context} has no open plan."})
        actions.end_context_plan(
            actor=user,
            origin=origin,
            plan=plan,
            ended_on=_day(data, "ended_on"),
            reason=_words(data, "reason"),
        )
    else:
        actions.raise_concern(
            actor=user,
            origin=origin,
            context=context,
            started_on=_day(data, "started_on"),
            reason=_words(data, "reason"),
        )


@login_required
@require_http_methods(["GET", "POST"])
def event_context(request: HttpRequest, pk: int) -> HttpResponse:
    """Say where a chronology event happened; its people and place become associations."""
    user = _user(request)
    origin = Origin.from_request(request)
    event = (
        ChronologyEvent.objects.select_related("person", "category", "agency").filter(pk=pk).first()
    )
    public_id = str(event.person.public_id) if event is not None else f"event:{pk}"
    person = open_record(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"section": "network"}
    ).person
    if event is None:  # open_record has already refused an unknown event
        raise Http404("No such event")
    visible = queries.contexts_visible_to(user)
    form = network_forms.EventContextForm(
        request.POST or None,
        contexts=[
            (str(c.public_id), f"{c.name} ({c.get_kind_display().lower()})")
            for c in visible.order_by("name")
        ],
    )
    back = reverse("networks:child-network", kwargs={"public_id": person.public_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            context = None
            if data["context"]:
                context = visible.filter(public_id=data["context"]).first()
                if context is None:
                    raise ValidationError({"context": "Choose a place or group from the list."})
            result = actions.record_event_context(
                actor=user,
                origin=origin,
                event=event,
                context=context,
                confidence=data["confidence"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{len(result.created)} associations recorded.")
            return redirect(back)
    return _form_page(
        request,
        form,
        title=f"Where did this happen? {event.category.label}, "
        f"{dates.long_date(event.occurred_at)}",
        caption=f"{person}: {event.agency.name} event",
        back=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_concern(request: HttpRequest, public_id: str) -> HttpResponse:
    """Flag a person whose record the user may see as an adult of concern."""
    user = _user(request)
    origin = Origin.from_request(request)
    person = open_record(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"section": "network"}
    ).person
    form = network_forms.ConcernForm(request.POST or None)
    back = reverse("networks:child-network", kwargs={"public_id": person.public_id})
    if request.method == "POST" and form.is_valid():
        try:
            actions.raise_concern(
                actor=user,
                origin=origin,
                person=person,
                started_on=_day(form.cleaned_data, "started_on"),
                reason=_words(form.cleaned_data, "reason"),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Concern about {person} recorded.")
            return redirect(back)
    return _form_page(
        request,
        form,
        title=f"Raise a concern about {person}",
        caption="An adult of concern",
        back=back,
    )
