"""The Case part's steps for children in need plans, looked-after reviews, missing
episodes and the core group's agencies, family and leavers: each sent as its form is
sent (valid, invalid with the error summary naming the field, refused to a reader who
may not record), and each step an event of the recording agency in the chronology."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from sightline.audit.actions import CLI
from sightline.cases import actions
from sightline.cases import models as case_models
from sightline.chronology.models import ChronologyEvent
from sightline.people.models import RelationshipKind
from sightline.record.picker import PICK_BUTTON
from sightline.testing import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


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


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def client(social_worker):
    client = HttpsClient()
    client.force_login(social_worker)
    return client


def sent(client, child, step, data):
    response = client.post(step_url(child, step), data)
    assert response.status_code == 302, re.findall(
        r'<a href="#[^"]*">([^<]*)</a></li>', response.content.decode()
    )
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def refused(client, child, step, data):
    """The form comes back with a GOV.UK error summary; its links' texts."""
    response = client.post(step_url(child, step), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert '<div class="govuk-error-summary"' in html
    return re.findall(r'<a href="#([^"]*)">([^<]*)</a></li>', html)


def events(child, category):
    return list(
        ChronologyEvent.objects.current()
        .filter(person=child, category__code=category)
        .values_list("agency__code", "summary")
    )


@pytest.fixture
def looked_after(child, social_worker):
    return actions.start_looked_after(
        actor=social_worker,
        origin=CLI,
        child=child,
        decom=TODAY - dt.timedelta(days=60),
        ls="V2",
        cin="N1",
        place="U1",
        place_provider="PR1",
    )


@pytest.fixture
def plan(child, social_worker):
    start = TODAY - dt.timedelta(days=30)
    episode = actions.open_episode_of_need(
        actor=social_worker, origin=CLI, child=child, referral_date=start, referral_source="2A"
    )
    actions.record_strategy_discussion(
        actor=social_worker, origin=CLI, episode=episode, date=start, outcome="section47"
    )
    enquiry = case_models.Section47.objects.current().get(child=child)
    actions.record_conference(
        actor=social_worker,
        origin=CLI,
        episode=case_models.EpisodeOfNeed.objects.current().get(child=child),
        section47=enquiry,
        kind="initial",
        date=start + dt.timedelta(days=5),
        outcome="plan",
        category="NEG",
    )
    return case_models.ChildProtectionPlan.objects.current().get(child=child)


# -- child in need plans ------------------------------------------------------------------


def test_a_child_in_need_plan_starts_and_ends(client, child, social_worker):
    referred = TODAY - dt.timedelta(days=20)
    actions.open_episode_of_need(
        actor=social_worker, origin=CLI, child=child, referral_date=referred, referral_source="2A"
    )
    assert sent(
        client, child, "cin-plan", date_data("started_on", TODAY - dt.timedelta(days=5))
    ) == ("Child in need plan recorded from 10 June 2026.")
    assert sent(client, child, "end-cin-plan", date_data("ended_on", TODAY)) == (
        "The child in need plan has ended."
    )
    plan = case_models.CINPlan.objects.current().get(child=child)
    assert (plan.start_date, plan.end_date) == (TODAY - dt.timedelta(days=5), TODAY)
    assert [agency for agency, _ in events(child, "cin_plan_started")] == ["CSC"]
    assert [agency for agency, _ in events(child, "cin_plan_ended")] == ["CSC"]


def test_a_child_in_need_plan_before_the_referral_is_refused_on_the_form(
    client, child, social_worker
):
    actions.open_episode_of_need(
        actor=social_worker, origin=CLI, child=child, referral_date=TODAY, referral_source="2A"
    )
    assert refused(
        client, child, "cin-plan", date_data("started_on", TODAY - dt.timedelta(days=1))
    ) == [("id_started_on_0", "The child in need plan cannot start before the referral")]
    assert not case_models.CINPlan.objects.exists()


# -- looked-after reviews -----------------------------------------------------------------


def test_a_looked_after_review_is_recorded_with_the_childs_participation(
    client, child, looked_after
):
    page = client.get(step_url(child, "looked-after-review")).content.decode()
    # Radios in plain English; the codes behind "Codes for the returns".
    form = page.split('id="step-codes"')[0]
    assert "Child physically attended and spoke for themselves" in form
    assert ">PN1<" not in form
    assert "PN1:" not in form
    assert "PN1" in page.split('id="step-codes"')[1]
    assert (
        sent(
            client,
            child,
            "looked-after-review",
            {**date_data("held_on", TODAY), "participation": "PN1"},
        )
        == "Looked-after review recorded."
    )
    review = case_models.LookedAfterReview.objects.current().get(child=child)
    assert (review.review, review.review_code) == (TODAY, "PN1")
    ((agency, summary),) = events(child, "looked_after_review")
    assert agency == "CSC"
    assert "Child physically attended and spoke for themselves" in summary
    panel = client.get(
        reverse("person-panel", kwargs={"public_id": child.public_id, "panel": "case"}),
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "15 June 2026: Child physically attended and spoke for themselves" in panel


def test_a_review_without_participation_or_before_care_began_gets_the_error_summary(
    client, child, looked_after
):
    assert refused(
        client, child, "looked-after-review", date_data("held_on", TODAY - dt.timedelta(days=61))
    ) == [
        ("id_held_on_0", "The review cannot be before the child started to be looked after"),
        ("id_participation_0", "Select how the child took part in the review"),
    ]
    assert not case_models.LookedAfterReview.objects.exists()


def test_a_review_is_offered_only_while_the_child_is_looked_after(client, child):
    response = client.get(step_url(child, "looked-after-review"))
    assert response.status_code == 302


# -- missing and away ---------------------------------------------------------------------


def test_a_missing_episode_and_the_childs_return_with_the_interview(client, child, looked_after):
    went = TODAY - dt.timedelta(days=3)
    assert (
        sent(client, child, "missing", {"kind": "M", **date_data("started_on", went)})
        == "Missing recorded from 12 June 2026: record the child's return when they are back."
    )
    assert (
        sent(
            client,
            child,
            "missing-return",
            {**date_data("ended_on", TODAY), "rhi_offered": "yes", "rhi_accepted": "no"},
        )
        == "The child's return is recorded."
    )
    episode = case_models.MissingEpisode.objects.current().get(child=child)
    assert (episode.missing, episode.mis_start, episode.mis_end) == ("M", went, TODAY)
    assert (episode.rhi_offered, episode.rhi_accepted) == (True, False)
    assert [agency for agency, _ in events(child, "missing_from_care")] == ["CSC"]
    panel = client.get(
        reverse("person-panel", kwargs={"public_id": child.public_id, "panel": "case"}),
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Offered, not accepted" in panel


def test_an_away_episode_recorded_whole(client, child, looked_after):
    assert (
        sent(
            client,
            child,
            "missing",
            {
                "kind": "A",
                **date_data("started_on", TODAY - dt.timedelta(days=2)),
                **date_data("ended_on", TODAY - dt.timedelta(days=1)),
                "rhi_offered": "yes",
                "rhi_accepted": "yes",
            },
        )
        == "Away from placement without authorisation recorded."
    )
    episode = case_models.MissingEpisode.objects.current().get(child=child)
    assert (episode.missing, episode.rhi_offered, episode.rhi_accepted) == ("A", True, True)


def test_a_missing_episode_with_impossible_answers_gets_the_error_summary(
    client, child, looked_after
):
    assert refused(
        client,
        child,
        "missing",
        {
            **date_data("started_on", TODAY - dt.timedelta(days=2)),
            **date_data("ended_on", TODAY - dt.timedelta(days=4)),
            "rhi_offered": "no",
            "rhi_accepted": "yes",
        },
    ) == [
        ("id_kind_0", "Select whether the child was missing or away without authorisation"),
        ("id_ended_on_0", "The date the child came back must be on or after the date they went"),
        ("id_rhi_accepted_0", "Say whether the interview was accepted only if it was offered"),
    ]
    # An interview is not offered before the child is back.
    assert ("id_rhi_offered_0", "Enter the date the child came back first") in refused(
        client,
        child,
        "missing",
        {"kind": "M", **date_data("started_on", TODAY), "rhi_offered": "yes"},
    )
    assert not case_models.MissingEpisode.objects.exists()


# -- the core group: an agency, a family member, someone leaving ---------------------------


def test_an_agency_found_by_a_search_joins_the_core_group(client, child, plan, agencies):
    searched = client.post(
        step_url(child, "core-group-agency"), {"agency-q": "housing", PICK_BUTTON: "agency"}
    ).content.decode()
    (offered,) = re.findall(r'name="agency" type="radio" value="([^"]+)"', searched)
    assert "There is a problem" not in searched
    assert (
        sent(
            client,
            child,
            "core-group-agency",
            {"agency-q": "housing", "agency": offered, **date_data("started_on", TODAY)},
        )
        == "Leeds Housing added to the core group."
    )
    assert (
        case_models.CoreGroupMember.objects.current()
        .filter(plan=plan, agency=agencies["HOUSING"], practitioner=None)
        .exists()
    )


def test_a_family_member_of_the_case_joins_the_core_group(client, child, plan, social_worker):
    mother = factories.PersonFactory.create(given_name="Jo", family_name="Testchild")
    # Her record is one the worker may see (offered from the case only then).
    factories.InvolvementFactory.create(
        person=mother, practitioner=social_worker, agency=social_worker.agency
    )
    from sightline.people import actions as people_actions

    people_actions.record_relationship(
        actor=social_worker, origin=CLI, person=mother, relative=child, kind=RelationshipKind.PARENT
    )
    page = client.get(step_url(child, "core-group-family")).content.decode()
    assert "Family: parent" in page
    (offered,) = re.findall(r'name="person" type="radio" value="([^"]+)"', page)
    assert (
        sent(
            client,
            child,
            "core-group-family",
            {"person": offered, **date_data("started_on", TODAY)},
        )
        == "Jo Testchild added to the core group."
    )
    assert case_models.CoreGroupMember.objects.current().filter(plan=plan, person=mother).exists()


def test_a_core_group_member_leaves_and_loses_access(client, child, plan, social_worker, teacher):
    member = actions.add_core_group_member(
        actor=social_worker, origin=CLI, plan=plan, practitioner=teacher, started_on=plan.start_date
    )
    page = client.get(step_url(child, "core-group-end")).content.decode()
    assert "Tess Teacher (Leeds Schools)" in page
    assert refused(client, child, "core-group-end", {}) == [
        ("id_member_0", "Select who is leaving the core group"),
        ("id_ended_on_0", "Enter the date they left"),
    ]
    assert (
        sent(
            client,
            child,
            "core-group-end",
            {"member": str(member.public_id), **date_data("ended_on", TODAY)},
        )
        == "Tess Teacher (Leeds Schools) has left the core group."
    )
    ended = case_models.CoreGroupMember.objects.current().get(plan=plan, practitioner=teacher)
    assert ended.ended_on == TODAY
    assert ended.relationship is not None
    assert ended.relationship.ended_on == TODAY


# -- who may record --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "data"),
    [
        ("looked-after-review", {"participation": "PN1"}),
        ("missing", {"kind": "M"}),
    ],
)
def test_a_police_officer_who_may_see_the_record_may_not_record(
    child, police_officer, looked_after, step, data
):
    client = HttpsClient()
    client.force_login(police_officer)
    assert client.get(step_url(child, step)).status_code == 403
    response = client.post(step_url(child, step), {**date_data("held_on", TODAY), **data})
    assert response.status_code == 403
    assert not case_models.LookedAfterReview.objects.exists()
    assert not case_models.MissingEpisode.objects.exists()


@pytest.mark.parametrize("step", ["cin-plan", "core-group-agency", "core-group-end"])
def test_a_police_officer_may_not_open_the_other_steps(child, police_officer, plan, step):
    client = HttpsClient()
    client.force_login(police_officer)
    assert client.get(step_url(child, step)).status_code == 403


def test_someone_who_may_not_see_the_record_is_told_nothing(child, looked_after, teacher):
    client = HttpsClient()
    client.force_login(teacher)
    assert client.get(step_url(child, "looked-after-review")).status_code == 404
