"""The one picker for users, teams and agencies (``record.picker``): a choice is taken
only if the searcher would offer it (looked up again in its scope when the form is sent),
and text that matches nobody never submits, with an error naming what to choose."""

import pytest
from django import forms

from sightline.accounts.models import Role, User
from sightline.core.forms import GovukFormMixin
from sightline.record.picker import (
    PICK_BUTTON,
    AgencySearcher,
    PickField,
    PickingFormMixin,
    TeamSearcher,
    WorkerSearcher,
)
from sightline.testing import factories

pytestmark = pytest.mark.django_db


class ChoiceForm(GovukFormMixin, PickingFormMixin, forms.Form):
    worker = PickField(noun="worker", label="Worker", required=False)
    team = PickField(noun="team", label="Team", required=False)
    agency = PickField(noun="agency", label="Agency", required=False)


def _form(data, **searchers):
    form = ChoiceForm(data)
    form.set_searchers(
        {
            "worker": WorkerSearcher(agency_id=None),
            "team": TeamSearcher(),
            "agency": AgencySearcher(),
            **searchers,
        }
    )
    return form


def test_a_valid_choice_cleans_to_the_object(agencies, csc_team, social_worker):
    form = _form(
        {
            "worker-q": "sally",
            "worker": str(social_worker.pk),
            "team": str(csc_team.pk),
            "agency": str(agencies["POLICE"].pk),
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "worker": social_worker,
        "team": csc_team,
        "agency": agencies["POLICE"],
    }


@pytest.mark.parametrize("value", ["not-a-key", "999999", "1; DROP TABLE", "-1", " 1"])
def test_a_tampered_value_is_refused(agencies, social_worker, value):
    form = _form({"worker": value, "team": value, "agency": value})
    assert not form.is_valid()
    assert form.errors == {
        "worker": ["Choose a worker from the search results"],
        "team": ["Choose a team from the search results"],
        "agency": ["Choose an agency from the search results"],
    }


def test_text_that_matches_nobody_does_not_submit_and_says_so(agencies, social_worker):
    form = _form({"worker-q": "Zebedee", "team-q": "Magic Roundabout", "agency-q": "Atlantis"})
    assert not form.is_valid()
    assert form.errors["worker"] == [
        "No worker matches “Zebedee”: search again, then choose a worker from the results"
    ]
    assert form.errors["team"] == [
        "No team matches “Magic Roundabout”: search again, then choose a team from the results"
    ]
    assert form.errors["agency"] == [
        "No agency matches “Atlantis”: search again, then choose an agency from the results"
    ]
    # The search says so under the box, and what to try.
    assert "Check the spelling or enter part of the name only" in str(form["agency"])


def test_text_that_matches_someone_not_chosen_does_not_submit_either(social_worker):
    form = _form({"worker-q": "sally"})
    assert not form.is_valid()
    assert form.errors["worker"] == ["Select Search, then choose a worker from the results"]


def test_searching_refuses_nothing_and_shows_the_results(social_worker, police_officer):
    form = _form({"worker-q": "sally", PICK_BUTTON: "worker"})
    assert form.picking
    assert form.errors == {}
    html = str(form["worker"])
    assert "Sally Social" in html
    assert "Pat" not in html


def test_an_out_of_scope_choice_is_refused(agencies, csc_team, social_worker, police_officer):
    inactive = factories.UserFactory.create(
        first_name="Ivy", agency=agencies["CSC"], role=Role.PRACTITIONER, is_active=False
    )
    police_team = factories.TeamFactory.create(agency=agencies["POLICE"], name="Exploitation")
    csc_workers = WorkerSearcher(agency_id=agencies["CSC"].pk)
    form = _form(
        {"worker": str(police_officer.pk), "team": str(police_team.pk), "agency": ""},
        worker=csc_workers,
        team=TeamSearcher(agency_id=agencies["CSC"].pk),
    )
    assert not form.is_valid()
    assert set(form.errors) == {"worker", "team"}
    # Nor is a user who has left (inactive), in any scope.
    assert csc_workers.get(str(inactive.pk)) is None
    assert WorkerSearcher(agency_id=None).get(str(inactive.pk)) is None
    # A narrower scope: only team managers, say.
    managers = WorkerSearcher(agency_id=None, within=User.objects.filter(role=Role.TEAM_MANAGER))
    assert managers.get(str(social_worker.pk)) is None
    assert managers.search("sally") == (
        [],
        "No worker matches “sally”. Check the spelling or enter part of the name only.",
    )
    # An agency of another kind than the one asked for.
    police = AgencySearcher(kind=agencies["POLICE"].kind)
    assert police.get(str(agencies["POLICE"].pk)) == agencies["POLICE"]
    assert police.get(str(agencies["CSC"].pk)) is None
    # A team excluded (the referrer's own).
    assert TeamSearcher(exclude=csc_team.pk).get(str(csc_team.pk)) is None


def test_a_short_scope_is_offered_without_a_search_and_a_long_one_is_not(agencies):
    police = AgencySearcher(kind=agencies["POLICE"].kind, few=5)
    assert [option.label for option in police.offered()] == [agencies["POLICE"].name]
    assert AgencySearcher(few=1).offered() == []  # more agencies than one: search instead
    assert AgencySearcher().offered() == []


def test_an_initial_choice_is_offered_chosen_if_in_scope(agencies, team_manager, administrator):
    form = ChoiceForm(initial={"worker": team_manager})
    form.set_searchers({"worker": WorkerSearcher(agency_id=agencies["CSC"].pk)})
    assert f'value="{team_manager.pk}" checked' in str(form["worker"])
    managers = User.objects.exclude(role=Role.ADMINISTRATOR)
    outside = ChoiceForm(initial={"worker": administrator})
    outside.set_searchers({"worker": WorkerSearcher(agency_id=None, within=managers)})
    assert f'value="{administrator.pk}"' not in str(outside["worker"])


def test_a_search_finding_too_many_shows_the_first_and_says_how_to_narrow_it(agencies):
    for number in range(25):
        factories.TeamFactory.create(agency=agencies["CSC"], name=f"Locality team {number:02}")
    options, message = TeamSearcher().search("locality")
    assert len(options) == 20
    assert options[0].label == "Locality team 00"
    assert message == (
        "More than 20 match: the first 20 are shown. Add more of the name to find the one you want."
    )
    options, message = TeamSearcher().search("locality team 07")
    assert ([option.label for option in options], message) == (["Locality team 07"], "")
