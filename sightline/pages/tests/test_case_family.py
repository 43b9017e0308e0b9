"""Ending a family or household relationship from the Case part: the "End" link on each
current member, its form (date, reason, error summary), and the ended relationship kept
as history; a relationship that ended is no longer offered from the case."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.audit.actions import CLI
from sightline.pages.case_state import case_of, family_of, long_date
from sightline.people.models import Relationship, RelationshipKind
from sightline.record.access import Intent, open_record
from sightline.testing import factories

pytestmark = pytest.mark.django_db


class HttpsClient(Client):
    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def login(user):
    client = HttpsClient()
    client.force_login(user)
    return client


def end_url(child, relationship):
    return reverse(
        "case-end-relationship",
        kwargs={"public_id": child.public_id, "relationship_id": relationship.pk},
    )


def case_html(client, child):
    response = client.get(
        reverse("person-panel", kwargs={"public_id": child.public_id, "panel": "case"})
    )
    assert response.status_code == 200
    return response.content.decode()


def date_data(day):
    return {
        "ended_on_day": str(day.day),
        "ended_on_month": str(day.month),
        "ended_on_year": str(day.year),
    }


def summary_errors(html):
    assert "govuk-error-summary" in html
    return re.findall(r'<a href="#([^"]*)">([^<]*)</a></li>', html)


@pytest.fixture
def carer(child):
    """Chris Carer, who has cared for the child and lived with them for two years."""
    person = factories.PersonFactory.create(given_name="Chris", family_name="Carer")
    return factories.RelationshipFactory.create(
        person=person,
        relative=child,
        kind=RelationshipKind.CARER,
        lives_with=True,
        started_on=timezone.localdate() - dt.timedelta(days=730),
    )


def test_the_case_part_lists_the_family_with_an_end_link_for_each_current_member(
    social_worker, child, carer
):
    html = case_html(login(social_worker), child)
    family = html[html.index('id="case-family"') :]
    assert "Chris Carer" in family
    assert f"Lives with the child since {long_date(carer.started_on)}" in family
    assert end_url(child, carer) in html


def test_a_relationship_ends_and_stays_listed_as_history(social_worker, child, carer):
    client = login(social_worker)
    ended = timezone.localdate() - dt.timedelta(days=2)
    form = client.get(end_url(child, carer))
    assert form.status_code == 200
    assert "Chris Carer (carer)" in form.content.decode()
    response = client.post(
        end_url(child, carer),
        {**date_data(ended), "reason": "Chris has stopped caring for Jamie"},
    )
    assert response.status_code == 302
    carer.refresh_from_db()
    assert carer.ended_on == ended
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Chris Carer: the relationship has ended."
    ]
    html = case_html(client, child)
    assert (
        f"Lived with the child from {long_date(carer.started_on)} until {long_date(ended)}" in html
    )
    assert end_url(child, carer) not in html
    # Ended once: the link's page sends the worker back to the case.
    again = client.get(end_url(child, carer))
    assert again.status_code == 302
    assert Relationship.objects.get(pk=carer.pk).ended_on == ended


def test_the_form_names_each_field_in_its_error_summary(social_worker, child, carer):
    client = login(social_worker)
    empty = client.post(end_url(child, carer), {})
    assert empty.status_code == 400
    assert summary_errors(empty.content.decode()) == [
        ("id_ended_on_0", "Enter the date the relationship ended"),
        ("id_reason", "Enter why the relationship ended"),
    ]
    future = client.post(
        end_url(child, carer),
        {**date_data(timezone.localdate() + dt.timedelta(days=1)), "reason": "Moving out"},
    )
    assert future.status_code == 400
    assert summary_errors(future.content.decode()) == [
        ("id_ended_on_0", "Date the relationship ended must be in the past")
    ]
    before = client.post(
        end_url(child, carer),
        {**date_data(carer.started_on - dt.timedelta(days=1)), "reason": "Moved out"},
    )
    assert before.status_code == 400
    assert summary_errors(before.content.decode()) == [
        ("id_ended_on_0", "The relationship cannot end before it started")
    ]
    carer.refresh_from_db()
    assert carer.ended_on is None


def test_only_the_childs_own_relationships_and_only_social_care_may_end_them(
    social_worker, police_officer, child, carer
):
    other = factories.RelationshipFactory.create(started_on=dt.date(2020, 1, 1))
    assert login(social_worker).get(end_url(child, other)).status_code == 404
    police = login(police_officer)
    assert police.get(end_url(child, carer)).status_code == 403
    assert end_url(child, carer) not in case_html(police, child)


def test_a_relationship_that_ended_is_no_longer_offered_from_the_case(social_worker, child, carer):
    from sightline.people.actions import end_relationship

    def offered():
        record = open_record(social_worker, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI)
        return [person for person, _ in family_of(case_of(record), child)]

    assert offered() == [carer.person]
    end_relationship(
        actor=social_worker,
        relationship=carer,
        ended_on=timezone.localdate(),
        reason="Stopped caring",
        origin=CLI,
    )
    assert offered() == []
