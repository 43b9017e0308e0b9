"""The case steps' forms: GOV.UK dates, bad input refused with a message naming the
field, and the picker (search, then choose) that replaces typed identifiers."""

import datetime as dt

import pytest

from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.pages import case_forms
from sightline.record.picker import (
    PICK_BUTTON,
    PersonSearcher,
    Reach,
    TeamSearcher,
    WorkerSearcher,
    person_criteria,
)
from sightline.testing import factories


def date_data(name, day, month, year):
    return {f"{name}_day": str(day), f"{name}_month": str(month), f"{name}_year": str(year)}


def test_it_accepts_a_conference_that_decides_a_plan_with_its_category():
    form = case_forms.ConferenceForm(
        {**date_data("held_on", 4, 12, 2025), "outcome": "plan", "category": "NEG"},
        starts_after=dt.date(2025, 11, 20),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["held_on"] == dt.date(2025, 12, 4)


def test_it_refuses_an_impossible_date():
    form = case_forms.EndPlanForm(date_data("ended_on", 31, 2, 2025))
    assert not form.is_valid()
    assert form.errors["ended_on"] == ["Date the plan ended must be a real date"]


def test_it_refuses_a_missing_required_answer():
    form = case_forms.StrategyDiscussionForm({})
    assert not form.is_valid()
    assert form.errors["held_on"] == ["Enter the date of the strategy discussion"]
    assert form.errors["section_47"] == [
        "Select whether the discussion decided on a section 47 enquiry"
    ]


def test_it_refuses_an_end_before_the_start():
    form = case_forms.EndPlanForm(
        date_data("ended_on", 1, 3, 2025), starts_after=dt.date(2025, 4, 1)
    )
    assert not form.is_valid()
    assert form.errors["ended_on"] == ["The plan cannot end before it started"]


def test_it_refuses_an_authorisation_before_the_assessment_started():
    form = case_forms.AssessmentForm(
        {
            **date_data("started_on", 10, 3, 2025),
            **date_data("authorised_on", 9, 3, 2025),
            "factors": ["2A"],
        }
    )
    assert not form.is_valid()
    assert form.errors["authorised_on"] == [
        "The authorisation date must be on or after the start date"
    ]


def test_it_asks_for_the_category_when_the_conference_decides_a_plan():
    form = case_forms.ConferenceForm({**date_data("held_on", 4, 12, 2025), "outcome": "plan"})
    assert not form.is_valid()
    assert form.errors["category"] == ["Select the category of abuse of the plan"]


def test_it_asks_for_the_new_placement_when_the_placement_changes():
    form = case_forms.LookedAfterChangeForm(
        {**date_data("changed_on", 4, 12, 2025), "change": "placement"}
    )
    assert not form.is_valid()
    assert form.errors["placement"] == ["Select the new placement type"]
    assert "legal_status" not in form.errors


def test_it_shows_codes_by_their_labels():
    html = str(case_forms.ConferenceForm()["category"])
    assert "Neglect" in html
    assert ">NEG<" not in html


def test_it_renders_the_three_field_date():
    html = str(case_forms.EndPlanForm()["ended_on"].as_field_group())
    for part in ("Day", "Month", "Year"):
        assert f">{part}</label>" in html
    assert "govuk-date-input" in html


# -- the picker ------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_finds_a_worker_then_takes_the_chosen_one(agencies, csc_team, social_worker):
    other = factories.UserFactory.create(
        first_name="Sam", last_name="Smith", agency=agencies["POLICE"], role=Role.PRACTITIONER
    )
    searching = case_forms.AllocateWorkerForm({"worker-q": "social", PICK_BUTTON: "worker"})
    searching.set_searchers({"worker": WorkerSearcher(agency_id=agencies["CSC"].pk)})
    assert searching.picking
    assert searching.errors == {}  # only searching: nothing is refused yet
    html = str(searching["worker"])
    assert "Sally Social" in html
    assert "Assessment Team North" in html
    assert "Sam Smith" not in html

    chosen = case_forms.AllocateWorkerForm(
        {
            "worker-q": "social",
            "worker": str(social_worker.pk),
            **date_data("started_on", 1, 12, 2025),
        }
    )
    chosen.set_searchers({"worker": WorkerSearcher(agency_id=agencies["CSC"].pk)})
    assert chosen.is_valid(), chosen.errors
    assert chosen.cleaned_data["worker"] == social_worker

    # A worker of another agency cannot be slipped in.
    slipped = case_forms.AllocateWorkerForm(
        {"worker": str(other.pk), **date_data("started_on", 1, 12, 2025)}
    )
    slipped.set_searchers({"worker": WorkerSearcher(agency_id=agencies["CSC"].pk)})
    assert not slipped.is_valid()
    assert slipped.errors["worker"] == ["Choose a social worker from the search results"]


@pytest.mark.django_db
def test_a_picker_given_text_that_matches_nobody_does_not_submit(agencies, social_worker):
    form = case_forms.AllocateWorkerForm(
        {"worker-q": "zzz", **date_data("started_on", 1, 12, 2025)}
    )
    form.set_searchers(
        {"worker": WorkerSearcher(agency_id=agencies["CSC"].pk, noun="social worker")}
    )
    assert not form.is_valid()
    assert form.errors["worker"] == [
        "No social worker matches “zzz”: search again, then choose a social worker from the results"
    ]
    assert "No social worker matches “zzz”" in str(form["worker"])


@pytest.mark.django_db
def test_a_picker_left_empty_asks_for_a_choice(agencies):
    form = case_forms.AllocateWorkerForm(date_data("started_on", 1, 12, 2025))
    form.set_searchers({"worker": WorkerSearcher(agency_id=agencies["CSC"].pk)})
    assert not form.is_valid()
    assert form.errors["worker"] == ["Search for and choose a social worker"]


@pytest.mark.django_db
def test_it_finds_teams_by_their_name_or_their_agency(csc_team):
    options, message = TeamSearcher().search("north")
    assert [option.label for option in options] == ["Assessment Team North"]
    assert message == ""
    options, _ = TeamSearcher().search("children's social")
    assert [option.label for option in options] == ["Assessment Team North"]


def test_it_reads_a_postcode_or_a_date_of_birth_after_the_name():
    assert person_criteria("Jo Bloggs", postcode="LS1 4AP").postcode == "LS1 4AP"
    by_postcode = person_criteria("Jo Bloggs ls6 2aa", postcode="LS1 4AP")
    assert (by_postcode.name, by_postcode.postcode) == ("Jo Bloggs", "LS6 2AA")
    by_date = person_criteria("Jo Bloggs 3/4/1990", postcode="LS1 4AP")
    assert (by_date.name, by_date.date_of_birth, by_date.postcode) == (
        "Jo Bloggs",
        dt.date(1990, 4, 3),
        "",
    )


@pytest.mark.django_db
def test_it_finds_family_members_through_the_record_search_and_leaves_out_the_child(
    social_worker,
):
    child = factories.PersonFactory.create(
        given_name="Jamie", family_name="Bloggs", postcode="LS1 4AP"
    )
    mother = factories.PersonFactory.create(
        given_name="Jo", family_name="Bloggs", postcode="LS1 4AP", date_of_birth=dt.date(1990, 4, 3)
    )
    # The relationship step's reach: anyone the search finds, as the search shows them.
    searcher = PersonSearcher(
        user=social_worker,
        origin=CLI,
        postcode=child.postcode,
        exclude=child.pk,
        reach=Reach.IDENTITY,
    )
    options, message = searcher.search("Bloggs")
    assert [option.label for option in options] == ["Jo Bloggs"]
    # No postcode: the worker holds no record of hers (the search page shows none either).
    assert options[0].hint == "born 3 April 1990"
    assert searcher.get(options[0].key) == mother
    # Her public id slipped into the form, not offered by a search: refused.
    assert searcher.get(str(mother.public_id)) is None
    assert searcher.get(str(child.public_id)) is None
    _, message = searcher.search("B")
    assert "at least 2 letters" in message
