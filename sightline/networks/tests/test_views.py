"""Pages and the graph endpoint: who may, who may not (404), what each is shown, and the
audit rows written."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.networks import queries
from sightline.networks.models import (
    Context,
    ContextKind,
    ExploitationMeeting,
    MeetingAction,
    Nature,
)
from sightline.networks.tests.conftest import flag, link, make_context
from sightline.people.models import InvolvementRole
from sightline.record.access import Intent, open_record
from sightline.record.picker import PICK_BUTTON
from sightline.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(agencies, social_worker, child, peer, adult, place):
    """child - peer (the social worker's too) - peer's friend (nobody's);
    child - adult of concern (nobody's); child - place of concern - another child."""
    factories.InvolvementFactory.create(
        person=peer,
        practitioner=social_worker,
        agency=agencies["CSC"],
        role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
        started_on=dt.date(2024, 1, 1),
    )
    friend = factories.PersonFactory.create(given_name="Sasha", family_name="Friendofpeer")
    other_child = factories.PersonFactory.create(given_name="Kim", family_name="Otherchild")
    police = agencies["POLICE"]
    link(child, agency=police, other=peer)
    link(peer, agency=police, other=friend)
    link(child, agency=police, other=adult, nature=Nature.EXPLOITED_BY)
    link(child, agency=police, context=place, nature=Nature.FOUND_AT)
    link(other_child, agency=police, context=place)
    flag(police, person=adult, reason="Known to run a drugs line")
    flag(police, context=place, reason="Dealing")
    return {"friend": friend, "other_child": other_child}


def graph_url(person):
    return reverse("networks:child-network-data", kwargs={"public_id": person.public_id})


def page_url(person):
    return reverse("networks:child-network", kwargs={"public_id": person.public_id})


def test_the_allocated_worker_sees_who_they_may_and_counts_for_the_rest(
    client, social_worker, child, peer, adult, place, network
):
    client.force_login(social_worker)
    response = client.get(graph_url(child))
    assert response.status_code == 200
    data = response.json()
    labels = {n["data"]["id"]: n["data"]["label"] for n in data["nodes"]}
    assert labels[f"p:{child.pk}"] == "Jamie Testchild"
    assert labels[f"p:{peer.pk}"] == "Robin Peer"
    assert labels[f"c:{place.pk}"] == "Canal towpath"
    assert f"p:{adult.pk}" not in labels
    assert f"p:{network['friend'].pk}" not in labels
    assert labels[f"hidden:p:{child.pk}"] == "1 person not shown"
    assert labels[f"hidden:p:{peer.pk}"] == "1 person not shown"
    assert labels[f"hidden:c:{place.pk}"] == "1 person not shown"
    body = response.content.decode()
    for secret in ("Adultofconcern", "Dale", "Friendofpeer", "Otherchild", "drugs line"):
        assert secret not in body
    assert data["summary"]["people_not_shown"] == 3
    place_node = next(n["data"] for n in data["nodes"] if n["data"]["id"] == f"c:{place.pk}")
    assert place_node["of_concern"] is True
    assert place_node["url"] == f"/networks/contexts/{place.public_id}/"

    rows = AuditEvent.objects.filter(person=child).order_by("id")
    assert [r.action for r in rows] == [AuditAction.VIEW_PERSON, AuditAction.VIEW_NETWORK]
    assert rows[1].detail["shown_people"] == [peer.pk]
    assert rows[1].detail["people_not_shown"] == 3


def test_the_police_officer_sees_the_child_but_not_the_peer(
    client, police_officer, child, peer, network
):
    client.force_login(police_officer)
    data = client.get(graph_url(child)).json()
    ids = {n["data"]["id"] for n in data["nodes"]}
    assert f"p:{peer.pk}" not in ids
    # Not walked through the peer: the peer's friend is not even counted.
    assert data["summary"]["people_not_shown"] == 3  # peer, adult, other child at the place
    assert "Robin" not in str(data)


def test_the_team_manager_sees_what_the_team_sees(client, team_manager, child, peer, network):
    client.force_login(team_manager)
    data = client.get(graph_url(child)).json()
    assert f"p:{peer.pk}" in {n["data"]["id"] for n in data["nodes"]}


@pytest.mark.parametrize("persona", ["teacher", "panel_analyst", "administrator"])
def test_those_without_a_relationship_get_404_and_a_denial_is_recorded(
    client, request, child, network, persona
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in (graph_url(child), page_url(child)):
        assert client.get(url).status_code == 404
    denied = AuditEvent.objects.filter(actor=user, action=AuditAction.DENIED)
    assert denied.count() == 2
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW_NETWORK).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, child):
    response = client.get(page_url(child))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_page_lists_signals_and_links_without_hidden_names(
    client, social_worker, child, network
):
    client.force_login(social_worker)
    response = client.get(page_url(child))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Linked to an adult of concern" in html
    assert "Linked to a place or group of concern" in html
    assert "a person not shown to you" in html
    assert "Robin Peer" in html
    for secret in ("Adultofconcern", "Friendofpeer", "drugs line"):
        assert secret not in html
    assert f'data-graph-url="{graph_url(child)}"' in html
    assert "<script>" not in html  # no inline script
    assert " style=" not in html


def test_the_child_panel_renders_signals_for_the_childs_page(social_worker, child, network):
    record = open_record(social_worker, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI)
    panel = queries.child_panel(record)
    html = " ".join(render_to_string("networks/_child_panel.html", {"network": panel}).split())
    assert "Harm outside the home" in html
    assert "Linked to an adult of concern" in html
    assert "1 person and 1 place or group within two links" in html
    assert page_url(child) in html


# --- contexts -------------------------------------------------------------------------


def context_url(context):
    return reverse("networks:context-detail", kwargs={"public_id": context.public_id})


def test_a_practitioner_sees_a_context_with_people_they_may_not_see_counted(
    client, teacher, place, network
):
    client.force_login(teacher)
    response = client.get(context_url(place))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Canal towpath" in html
    assert "Dealing" in html
    assert "2 other people not shown to you" in html
    assert "Jamie" not in html
    assert AuditEvent.objects.filter(actor=teacher, action=AuditAction.VIEW_CONTEXT).count() == 1


def test_the_allocated_worker_sees_the_child_linked_to_the_context(
    client, social_worker, place, network
):
    client.force_login(social_worker)
    html = client.get(context_url(place)).content.decode()
    assert "Jamie Testchild" in html
    assert "Jamie Testchild</a>: found at, probable, West Yorkshire Police" in html
    assert "1 other person not shown to you" in html


@pytest.mark.parametrize("persona", ["panel_analyst", "administrator"])
def test_contexts_are_404_for_those_without_a_case_role(client, request, place, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(context_url(place)).status_code == 404
    assert client.get("/networks/contexts/not-a-uuid/").status_code == 404
    assert AuditEvent.objects.filter(actor=user, action=AuditAction.DENIED).count() == 1


def test_an_unknown_context_is_404_and_recorded(client, social_worker, db):
    client.force_login(social_worker)
    url = "/networks/contexts/00000000-0000-0000-0000-000000000000/"
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.get(action=AuditAction.DENIED).detail["intent"] == "view_context"


# --- the meeting ----------------------------------------------------------------------


def test_the_meeting_list_shows_children_with_signals_and_contexts(
    client, social_worker, child, peer, place, network
):
    client.force_login(social_worker)
    response = client.get(reverse("networks:meeting-list"))
    assert response.status_code == 200
    listing = response.context["listing"]
    assert [item.person for item in listing.children] == [child]
    assert [item.context for item in listing.contexts] == [place]
    html = response.content.decode()
    assert "Linked to an adult of concern" in html
    assert "Adultofconcern" not in html
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_EXPLOITATION_MEETING).count() == 1


def test_the_meeting_list_names_no_child_the_viewer_may_not_see(client, teacher, network):
    client.force_login(teacher)
    response = client.get(reverse("networks:meeting-list"))
    assert response.status_code == 200
    assert response.context["listing"].children == []
    assert "Jamie" not in response.content.decode()


@pytest.mark.parametrize("persona", ["panel_analyst", "administrator"])
def test_the_meeting_pages_are_404_without_a_case_role(client, request, persona, db):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("networks:meeting-list")).status_code == 404


@pytest.fixture
def meeting(team_manager):
    from sightline.audit.actions import CLI
    from sightline.networks.actions import record_exploitation_meeting

    return record_exploitation_meeting(
        actor=team_manager,
        origin=CLI,
        area="Leeds North",
        held_on=dt.date(2025, 3, 1),
        chair=team_manager,
    )


def due(day):
    return {"due_on_day": day.day, "due_on_month": day.month, "due_on_year": day.year}


def test_actions_are_agreed_on_the_meeting_page(
    client, team_manager, social_worker, police_officer, child, meeting
):
    client.force_login(team_manager)
    url = reverse("networks:meeting-detail", kwargs={"pk": meeting.pk})
    response = client.post(
        url,
        {
            "child": str(child.public_id),
            "description": "Return home interview",
            "owner": str(social_worker.pk),
            **due(dt.date(2025, 3, 8)),
        },
    )
    assert response.status_code == 302
    action = MeetingAction.objects.get()
    assert (action.person, action.owner, action.due_on) == (
        child,
        social_worker,
        dt.date(2025, 3, 8),
    )
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_MEETING_ACTION).count() == 1
    # The police officer sees it (they have a role with the child); the teacher does not.
    client.force_login(police_officer)
    assert "Return home interview" in client.get(url).content.decode()
    # Done: marked from the meeting page, by its owner.
    client.force_login(social_worker)
    done = client.post(
        url,
        {
            "action": str(action.pk),
            "completed_on_day": "9",
            "completed_on_month": "3",
            "completed_on_year": "2025",
        },
    )
    assert done.status_code == 302
    action.refresh_from_db()
    assert action.completed_on == dt.date(2025, 3, 9)


def test_a_bad_action_is_refused_with_the_field_named_and_nothing_written(
    client, teacher, social_worker, child, meeting
):
    client.force_login(teacher)
    url = reverse("networks:meeting-detail", kwargs={"pk": meeting.pk})
    # A child the teacher does not work with is not offered: choosing them is refused.
    response = client.post(
        url,
        {
            "child": str(child.public_id),
            "description": "x",
            "owner": str(social_worker.pk),
            **due(dt.date(2025, 3, 8)),
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.context["form"].errors["child"][0]
    response = client.post(url, {"description": "x", "owner": "nobody", **due(dt.date(2025, 3, 8))})
    assert (
        response.context["form"]
        .errors["owner"][0]
        .startswith("Choose a practitioner from the search results")
    )
    assert MeetingAction.objects.count() == 0


def test_a_meeting_is_scheduled_with_its_chair_chosen_and_the_agenda_shown(
    client, team_manager, social_worker
):
    client.force_login(team_manager)
    page = client.get(reverse("networks:meeting-list")).content.decode()
    assert 'id="schedule-meeting-form"' in page
    # The chair is the user unless another is chosen with the one picker.
    assert f'value="{team_manager.pk}" checked' in page
    assert f'value="{social_worker.pk}"' not in page
    next_month = timezone.localdate() + dt.timedelta(days=30)
    searching = client.post(
        reverse("networks:meeting-list"),
        {"area": "Leeds East", "chair-q": "sally", PICK_BUTTON: "chair"},
    )
    assert searching.status_code == 200  # only searching: nothing refused, nothing written
    assert f'value="{social_worker.pk}"' in searching.content.decode()
    assert 'value="Leeds East"' in searching.content.decode()
    response = client.post(
        reverse("networks:meeting-list"),
        {
            "area": "Leeds East",
            "held_on_day": next_month.day,
            "held_on_month": next_month.month,
            "held_on_year": next_month.year,
            "chair": str(social_worker.pk),
        },
    )
    meeting = ExploitationMeeting.objects.get(area="Leeds East")
    assert response["Location"] == reverse("networks:meeting-detail", kwargs={"pk": meeting.pk})
    assert (meeting.chair, meeting.held_on) == (social_worker, next_month)
    detail = client.get(response["Location"]).content.decode()
    assert "Agenda: children and places with signals" in detail
    assert "Scheduled." in detail
    listing = client.get(reverse("networks:meeting-list")).content.decode()
    assert "Leeds East" in listing.split('id="upcoming"')[1]


def test_a_chair_is_chosen_from_the_search_never_typed_nor_slipped_in(
    client, team_manager, administrator
):
    client.force_login(team_manager)
    next_month = timezone.localdate() + dt.timedelta(days=30)
    form = {
        "area": "Leeds East",
        "held_on_day": next_month.day,
        "held_on_month": next_month.month,
        "held_on_year": next_month.year,
    }
    # Text that matches nobody does not submit, and the error names what to choose.
    typed = client.post(reverse("networks:meeting-list"), {**form, "chair-q": "Nobody Atall"})
    assert typed.status_code == 400
    assert typed.context["form"].errors["chair"] == [
        "No practitioner matches “Nobody Atall”: search again, then choose a practitioner "
        "from the results"
    ]
    assert "No practitioner matches “Nobody Atall”. Check the spelling" in typed.content.decode()
    # An administrator may not chair (out of scope), though their key is a real user's.
    slipped = client.post(reverse("networks:meeting-list"), {**form, "chair": administrator.pk})
    assert slipped.status_code == 400
    assert (
        slipped.context["form"]
        .errors["chair"][0]
        .startswith("Choose a practitioner from the search results")
    )
    assert not ExploitationMeeting.objects.exists()


def test_scheduling_without_an_area_says_what_to_do(client, team_manager):
    client.force_login(team_manager)
    response = client.post(reverse("networks:meeting-list"), {"chair": str(team_manager.pk)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the area the meeting covers" in html
    assert "Enter the date of the meeting" in html


def test_context_actions_are_shown_to_practitioners(
    client, team_manager, teacher, police_officer, meeting
):
    place = make_context(team_manager.agency, name="Bus station", kind=ContextKind.STATION)
    client.force_login(team_manager)
    url = reverse("networks:meeting-detail", kwargs={"pk": meeting.pk})
    response = client.post(
        url,
        {
            "context": str(place.public_id),
            "description": "Lighting survey",
            "owner": str(police_officer.pk),
            **due(dt.date(2025, 4, 1)),
        },
    )
    assert response.status_code == 302
    client.force_login(teacher)
    assert "Lighting survey" in client.get(url).content.decode()
    assert Context.objects.get().events.get().kind == "meeting_action"


def test_a_context_names_the_survivor_of_a_merged_person(client, agencies, social_worker, child):
    duplicate = factories.PersonFactory.create(merged_into=child)
    place = make_context(agencies["POLICE"], name="Skate park")
    link(duplicate, agency=agencies["POLICE"], context=place)
    client.force_login(social_worker)
    html = client.get(context_url(place)).content.decode()
    assert "Jamie Testchild</a>: spends time at" in html
    assert "not shown to you" not in html


def test_an_action_for_a_meeting_still_to_come_is_agreed_from_its_page(
    client, team_manager, social_worker, child
):
    from sightline.networks.actions import record_exploitation_meeting

    today = timezone.localdate()
    ahead = record_exploitation_meeting(
        actor=team_manager,
        origin=CLI,
        area="Leeds South",
        held_on=today + dt.timedelta(days=7),
        chair=team_manager,
    )
    client.force_login(team_manager)
    url = reverse("networks:meeting-detail", kwargs={"pk": ahead.pk})
    response = client.post(
        url,
        {
            "child": str(child.public_id),
            "description": "Return home interview",
            "owner": str(social_worker.pk),
            **due(today + dt.timedelta(days=14)),
        },
    )
    assert response.status_code == 302
    assert MeetingAction.objects.get().due_on == today + dt.timedelta(days=14)
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_MEETING_ACTION).count() == 1
