"""Each step of the Case tab, sent as its form is sent, through its action: what it
records, and the message it leaves."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.audit.actions import CLI
from sightline.cases import actions
from sightline.cases import models as case_models
from sightline.people.models import Relationship, RelationshipKind
from sightline.record.picker import PICK_BUTTON
from sightline.testing import factories

pytestmark = pytest.mark.django_db


class HttpsClient(Client):
    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def step_url(person, step):
    return reverse("case-step", kwargs={"public_id": person.public_id, "step": step})


def date_data(name, day):
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


@pytest.fixture
def client(social_worker):
    client = HttpsClient()
    client.force_login(social_worker)
    return client


def sent(client, child, step, data):
    response = client.post(step_url(child, step), data)
    html = response.content.decode()
    problems = (
        re.findall(r'<a href="#[^"]*">([^<]*)</a></li>', html)
        if "govuk-error-summary" in html
        else []
    )
    assert response.status_code == 302, problems
    # The step's own message (earlier ones wait, unshown, as the redirect is not followed).
    return [str(message) for message in get_messages(response.wsgi_request)][-1:]


def test_it_allocates_the_worker_chosen_by_a_search(client, child, social_worker, team_manager):
    today = timezone.localdate()
    searched = client.post(
        step_url(child, "allocate"), {"worker-q": "manny", PICK_BUTTON: "worker"}
    )
    assert searched.status_code == 200
    html = searched.content.decode()
    assert "Manny Manager" in html
    assert "There is a problem" not in html
    messages = sent(
        client,
        child,
        "allocate",
        {"worker-q": "manny", "worker": str(team_manager.pk), **date_data("started_on", today)},
    )
    assert messages == ["Manny Manager is allocated."]
    allocation = case_models.Allocation.objects.current().get(child=child)
    assert (allocation.worker, allocation.start_date) == (team_manager, today)


def test_it_records_a_family_member_found_by_name_at_the_childs_postcode(client, child):
    mother = factories.PersonFactory.create(
        given_name="Jo", family_name="Testchild", date_of_birth=dt.date(1990, 4, 3)
    )
    searched = client.post(
        step_url(child, "relationship"), {"relative-q": "Jo Testchild", PICK_BUTTON: "relative"}
    )
    html = searched.content.decode()
    assert "born 3 April 1990" in html
    # The radio's value: the search's, not her public id (which alone is refused).
    (offered,) = re.findall(r'name="relative" type="radio" value="([^"]+)"', html)
    slipped = client.post(
        step_url(child, "relationship"),
        {
            "relative-q": "Jo Testchild",
            "relative": str(mother.public_id),
            "kind": RelationshipKind.PARENT,
            "lives_with": "yes",
        },
    )
    assert slipped.status_code == 400
    assert "Choose a person from the search results" in slipped.content.decode()
    messages = sent(
        client,
        child,
        "relationship",
        {
            "relative-q": "Jo Testchild",
            "relative": offered,
            "kind": RelationshipKind.PARENT,
            "lives_with": "yes",
        },
    )
    assert messages == ["Jo Testchild recorded."]
    relationship = Relationship.objects.get(relative=child)
    assert (relationship.person, relationship.kind, relationship.lives_with) == (
        mother,
        RelationshipKind.PARENT,
        True,
    )


def test_an_episode_opens_and_closes(client, child):
    today = timezone.localdate()
    assert sent(
        client,
        child,
        "episode",
        {
            **date_data("referral_date", today - dt.timedelta(days=10)),
            "source": "2A",
            "primary_need": "N1",
            "no_further_action": "no",
        },
    ) == ["Referral outcome recorded: the episode of need is open."]
    episode = case_models.EpisodeOfNeed.objects.current().get(child=child)
    assert (episode.referral_source, episode.primary_need) == ("2A", "N1")
    # Closing before the referral is refused on the form.
    early = client.post(
        step_url(child, "close-episode"),
        {**date_data("closed_on", today - dt.timedelta(days=11)), "reason": "RC8"},
    )
    assert early.status_code == 400
    assert "The closure date must be on or after the date of referral" in early.content.decode()
    assert sent(
        client, child, "close-episode", {**date_data("closed_on", today), "reason": "RC8"}
    ) == ["Episode of need closed."]
    assert case_models.EpisodeOfNeed.objects.current().get(child=child).closure_date == today


def test_a_plan_gains_a_core_group_member_and_ends(client, child, social_worker, police_officer):
    today = timezone.localdate()
    start = today - dt.timedelta(days=20)
    episode = actions.open_episode_of_need(
        actor=social_worker, origin=CLI, child=child, referral_date=start, referral_source="2A"
    )
    actions.record_strategy_discussion(
        actor=social_worker, origin=CLI, episode=episode, date=start, outcome="section47"
    )
    assert sent(
        client,
        child,
        "conference",
        {
            **date_data("held_on", start + dt.timedelta(days=5)),
            "outcome": "plan",
            "category": "PHY",
        },
    )[0].startswith("Conference recorded: a child protection plan (physical abuse) has started")
    plan = case_models.ChildProtectionPlan.objects.current().get(child=child)
    assert (plan.initial_category, plan.end_date) == ("PHY", None)

    assert sent(
        client,
        child,
        "core-group",
        {
            "member-q": "pat",
            "member": str(police_officer.pk),
            **date_data("started_on", start + dt.timedelta(days=6)),
        },
    ) == ["Pat Police added to the core group."]
    assert (
        case_models.CoreGroupMember.objects.current()
        .filter(plan=plan, practitioner=police_officer)
        .exists()
    )

    assert sent(client, child, "end-plan", date_data("ended_on", today)) == [
        "The child protection plan has ended."
    ]
    assert case_models.ChildProtectionPlan.objects.current().get(child=child).end_date == today


def test_a_looked_after_episode_starts_and_ends(client, child):
    today = timezone.localdate()
    assert sent(
        client,
        child,
        "looked-after",
        {
            **date_data("started_on", today - dt.timedelta(days=40)),
            "legal_status": "C2",
            "category_of_need": "N1",
            "placement": "U1",
            "provider": "PR1",
            "home_postcode": "LS1 4AP",
        },
    )[0].startswith("The child is looked after from")
    assert sent(
        client, child, "looked-after-end", {**date_data("ended_on", today), "reason": "E11"}
    ) == ["The child is no longer looked after."]
    episode = case_models.LookedAfterEpisode.objects.current().get(child=child)
    assert (episode.ls, episode.dec, episode.rec) == ("C2", today, "E11")


def test_a_teacher_who_may_see_the_record_may_not_record_a_step(child, teacher, agencies):
    factories.InvolvementFactory.create(
        person=child,
        practitioner=teacher,
        agency=agencies["EDUCATION"],
        started_on=dt.date(2024, 1, 1),
    )
    client = HttpsClient()
    client.force_login(teacher)
    response = client.post(
        step_url(child, "episode"),
        {
            **date_data("referral_date", timezone.localdate()),
            "source": "2A",
            "no_further_action": "no",
        },
    )
    assert response.status_code == 403
    assert not case_models.EpisodeOfNeed.objects.exists()


def test_the_proposed_core_group_is_confirmed_from_the_case(client, child, social_worker):
    today = timezone.localdate()
    episode = actions.open_episode_of_need(
        actor=social_worker, origin=CLI, child=child, referral_date=today, referral_source="6"
    )
    actions.record_strategy_discussion(
        actor=social_worker, origin=CLI, episode=episode, date=today, outcome="section47"
    )
    sent(
        client,
        child,
        "conference",
        {**date_data("held_on", today), "outcome": "plan", "category": "NEG"},
    )
    proposed = list(case_models.CoreGroupMember.objects.current().filter(proposed=True))
    assert proposed  # the agencies involved: police and social care
    page = client.get(step_url(child, "core-group-confirm")).content.decode()
    assert "Pat Police (West Yorkshire Police)" in page
    assert sent(
        client, child, "core-group-confirm", {"members": [str(m.public_id) for m in proposed]}
    ) == [f"{len(proposed)} member{'s' if len(proposed) != 1 else ''} of the core group confirmed."]
    assert not case_models.CoreGroupMember.objects.current().filter(proposed=True).exists()
