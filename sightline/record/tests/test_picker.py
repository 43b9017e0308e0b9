"""The one picker's person search (``record.picker.PersonSearcher``): people from the
case first, then people found by the record's search; only people the user may see, and
only as the search offered them, can be chosen, checked again when the form is sent."""

import datetime as dt

import pytest
from django import forms

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.core.forms import GovukFormMixin
from sightline.people.models import InvolvementRole
from sightline.record.picker import (
    PICK_BUTTON,
    PersonSearcher,
    PickField,
    PickingFormMixin,
    person_criteria,
)
from sightline.testing import factories

pytestmark = pytest.mark.django_db


class PersonForm(GovukFormMixin, PickingFormMixin, forms.Form):
    person = PickField(noun="person", label="Person")
    note = forms.CharField()


def _mother(child, social_worker, *, known=True):
    mother = factories.PersonFactory.create(
        given_name="Jo", family_name="Testchild", date_of_birth=dt.date(1990, 4, 3)
    )
    if known:
        factories.InvolvementFactory.create(
            person=mother,
            practitioner=social_worker,
            role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
            started_on=dt.date(2024, 1, 1),
        )
    return mother


def test_it_reads_an_nhs_number_alone_as_an_nhs_number():
    assert person_criteria("999 000 0018").nhs_number == "9990000018"
    # Not a valid NHS number: read as a name (which the minimum criteria then refuse).
    assert person_criteria("999 000 0019").nhs_number == ""


def test_it_offers_only_people_whose_record_the_user_may_see(child, social_worker):
    _mother(child, social_worker, known=False)
    searcher = PersonSearcher(user=social_worker, origin=CLI, exclude=child.pk)
    options, message = searcher.search("Jo Testchild 3/4/1990")
    assert options == []
    assert "Nobody you may choose matches “Jo Testchild 3/4/1990”" in message
    assert "1 person matches whose record you may not see: ask their allocated worker" in message
    assert "NHS number" in message
    # The search is the record's: audited like the search page.
    assert AuditEvent.objects.filter(actor=social_worker, action=AuditAction.SEARCH).count() == 1


def test_it_takes_someone_found_then_checks_again_that_the_user_may_see_them(child, social_worker):
    mother = _mother(child, social_worker)
    searcher = PersonSearcher(user=social_worker, origin=CLI, exclude=child.pk)
    (option,) = searcher.search("Jo Testchild 3/4/1990")[0]
    assert option.label == "Jo Testchild"
    assert searcher.get(option.key) == mother
    # Her public id typed or slipped into the form, not offered by a search: refused.
    assert searcher.get(str(mother.public_id)) is None
    # Another user cannot replay the key the search offered this one.
    other = PersonSearcher(user=factories.UserFactory.create(), origin=CLI)
    assert other.get(option.key) is None
    # Access ended between the search and the submit: refused on submit.
    mother.involvements.update(ended_on=dt.date(2024, 6, 1))
    assert searcher.get(option.key) is None


def test_it_offers_the_case_first_and_accepts_only_those_offered(child, social_worker):
    mother = _mother(child, social_worker)
    stranger = _mother(child, social_worker)
    searcher = PersonSearcher(
        user=social_worker, origin=CLI, exclude=child.pk, case=((mother, "Family: mother"),)
    )
    form = PersonForm({"person": str(mother.public_id), "note": "x"})
    form.set_searchers({"person": searcher})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] == mother
    assert "Family: mother" in str(form["person"])
    # Someone the user may see but not offered by the case or a search: refused.
    slipped = PersonForm({"person": str(stranger.public_id), "note": "x"})
    slipped.set_searchers({"person": searcher})
    assert not slipped.is_valid()
    assert slipped.errors["person"] == ["Choose a person from the search results"]


def test_searching_keeps_the_form_and_text_matching_nobody_does_not_submit(child, social_worker):
    searcher = PersonSearcher(user=social_worker, origin=CLI, exclude=child.pk)
    searching = PersonForm(
        {"person-q": "Zz Nobody 1/1/2000", PICK_BUTTON: "person", "note": "kept"}
    )
    searching.set_searchers({"person": searcher})
    assert searching.picking
    assert searching.errors == {}
    html = str(searching["person"])
    assert "Nobody you may choose matches" in html
    assert 'value="Zz Nobody 1/1/2000"' in html
    sent = PersonForm({"person-q": "Zz Nobody 1/1/2000", "note": "kept"})
    sent.set_searchers({"person": searcher})
    assert not sent.is_valid()
    assert sent.errors["person"] == [
        "No person matches “Zz Nobody 1/1/2000”: search again, then choose a person from the results"
    ]
