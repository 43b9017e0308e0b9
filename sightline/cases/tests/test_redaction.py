"""Who sees what of the case (docs/cases.md, "Who sees what"): a reader who may see the
record sees the case as the chronology already shares it (plans with their categories,
legal status, placement type, missing episodes), except where a looked-after child lives
and is placed, which only the agency that recorded the episode sees."""

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.audit.actions import CLI
from sightline.cases import actions
from sightline.cases.models import LookedAfterEpisode
from sightline.cases.queries import case_summary
from sightline.record.access import Intent, open_record

pytestmark = pytest.mark.django_db

STARTED = dt.date(2026, 3, 2)


@pytest.fixture
def looked_after(child, social_worker):
    return actions.start_looked_after(
        actor=social_worker,
        origin=CLI,
        child=child,
        decom=STARTED,
        ls="C2",
        cin="N1",
        place="U1",
        place_provider="PR1",
        home_post="LS1 4AP",
        pl_post="BD1 1AA",
        urn="SC123456",
    )


def read(user, child):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = client.get(f"/api/v1/people/{child.public_id}/case/", secure=True)
    assert response.status_code == 200
    return response.json()


def test_the_recording_agency_sees_where_the_child_is_placed(child, social_worker, looked_after):
    (episode,) = read(social_worker, child)["looked_after_episodes"]
    assert (episode["home_post"], episode["pl_post"], episode["urn"]) == (
        "LS1 4AP",
        "BD1 1AA",
        "SC123456",
    )


def test_a_police_officer_sees_the_episode_but_not_where_the_child_is_placed(
    child, police_officer, looked_after
):
    (episode,) = read(police_officer, child)["looked_after_episodes"]
    assert (episode["ls"], episode["place"], episode["decom"]) == ("C2", "U1", "2026-03-02")
    assert (episode["home_post"], episode["pl_post"], episode["urn"]) == ("", "", "")


def test_a_police_officer_sees_the_plans_category_as_the_chronology_shares_it(
    child, social_worker, police_officer
):
    episode = actions.open_episode_of_need(
        actor=social_worker, origin=CLI, child=child, referral_date=STARTED, referral_source="2A"
    )
    actions.record_cp_plan(
        actor=social_worker,
        origin=CLI,
        episode=episode,
        start_date=STARTED,
        initial_category="SAB",
        latest_category="SAB",
    )
    (plan,) = read(police_officer, child)["plans"]
    assert plan["latest_category"] == "SAB"


def test_an_earlier_version_keeps_the_location_from_other_agencies_too(
    child, social_worker, police_officer, looked_after
):
    actions.correct(
        actor=social_worker,
        origin=CLI,
        record=looked_after,
        changes={"pl_post": "BD2 2BB"},
        reason="Wrong postcode",
    )
    record = open_record(police_officer, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI)
    summary = case_summary(record)
    (old,) = summary.history
    assert isinstance(old, LookedAfterEpisode)
    assert (old.pl_post, summary.looked_after_episodes[0].pl_post) == ("", "")
    mine = case_summary(
        open_record(social_worker, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI)
    )
    (earlier,) = mine.history
    assert isinstance(earlier, LookedAfterEpisode)
    assert (earlier.pl_post, mine.looked_after_episodes[0].pl_post) == (
        "BD1 1AA",
        "BD2 2BB",
    )
