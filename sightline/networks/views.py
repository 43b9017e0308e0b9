"""Pages for networks, contexts and the exploitation meeting (function views)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from sightline.accounts.models import User
from sightline.audit.actions import Origin
from sightline.networks import actions, queries
from sightline.networks.access import access_context, record_network_view, require_meeting_access
from sightline.networks.graph import text_rows
from sightline.networks.models import ExploitationMeeting
from sightline.people.access import Intent, access_person
from sightline.people.models import Person
from sightline.people.queries import visible_to


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
    person = access_person(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"section": "network"}
    )
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
        },
    )


@login_required
@require_GET
def child_network_data(request: HttpRequest, public_id: str) -> JsonResponse:
    """The graph for cytoscape.js: only what the viewer may see, hidden people as counts."""
    user = _user(request)
    origin = Origin.from_request(request)
    person = access_person(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"section": "network"}
    )
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
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_meeting_access(user, origin=Origin.from_request(request))
    today = timezone.localdate()
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
            "meetings": ExploitationMeeting.objects.all()[:20],
            "today": today,
        },
    )


class MeetingActionForm(forms.Form):
    child = forms.UUIDField(required=False, label="Child (record identifier)")
    context = forms.UUIDField(required=False, label="Place or group (identifier)")
    description = forms.CharField(widget=forms.Textarea, max_length=2000)
    owner = forms.CharField(max_length=150, label="Owner (username)")
    due_on = forms.DateField(label="Due date")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    origin = Origin.from_request(request)
    require_meeting_access(user, origin=origin)
    meeting = get_object_or_404(ExploitationMeeting, pk=pk)
    form = MeetingActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _agree(user, origin, meeting, form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Action recorded.")
            return redirect("networks:meeting-detail", pk=meeting.pk)
    shown, not_shown = queries.actions_visible_to(
        user, meeting.actions.all(), today=timezone.localdate()
    )
    return render(
        request,
        "networks/meeting_detail.html",
        {"meeting": meeting, "actions": shown, "actions_not_shown": not_shown, "form": form},
    )


def _agree(
    user: User, origin: Origin, meeting: ExploitationMeeting, data: dict[str, object]
) -> None:
    person: Person | None = None
    context = None
    if data.get("child"):
        person = visible_to(user).filter(public_id=str(data["child"])).first()
        if person is None:
            raise ValidationError({"child": "No child you may see has that identifier."})
    if data.get("context"):
        found = queries.contexts_visible_to(user).filter(public_id=str(data["context"])).first()
        if found is None:
            raise ValidationError({"context": "No place or group has that identifier."})
        context = found
    owner = User.objects.filter(username=data["owner"], is_active=True).first()
    if owner is None:
        raise ValidationError({"owner": "No active user has that username."})
    due_on = data["due_on"]
    if not isinstance(due_on, dt.date):
        raise ValidationError({"due_on": "Enter a date."})
    actions.agree_meeting_action(
        actor=user,
        origin=origin,
        meeting=meeting,
        description=str(data["description"]),
        owner=owner,
        due_on=due_on,
        person=person,
        context=context,
    )
