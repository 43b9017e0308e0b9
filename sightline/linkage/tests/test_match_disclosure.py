"""What a caller learns from a match about a person they cannot open: no more than "a
possible existing record". Each test reproduces an attack from issue 13 (leak 1) with
the personas: a teacher, a panel analyst and an administrator with no relationship to
the child; the social worker allocated to the child is the control.
"""

import datetime as dt
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sightline.access.queries import access_log
from sightline.audit.models import AuditAction, AuditEvent
from sightline.audit.sealing import seal_criteria
from sightline.people.models import SourceRecord
from sightline.record import match
from sightline.testing import factories

MATCH = "/api/v1/match/"
RECORD = {
    "given_name": "Jamie",
    "family_name": "Testchild",
    "date_of_birth": "2015-03-14",
    "sex": "M",
    "postcode": "LS6 1AA",
    "address": "12 Acacia Avenue, Leeds",
}
FORM = {
    "record_id": "E100",
    "given_name": "Jamie",
    "family_name": "Testchild",
    "date_of_birth_day": "14",
    "date_of_birth_month": "3",
    "date_of_birth_year": "2015",
    "sex": "M",
    "postcode": "LS6 1AA",
    "address": "12 Acacia Avenue, Leeds",
    "nhs_number": "",
    "other_names": "",
}
OUTSIDERS = ["teacher", "panel_analyst", "administrator"]


@pytest.fixture
def held(agencies, child):
    """The persona child as social care holds them."""
    return factories.SourceRecordFactory.create(
        agency=agencies["CSC"],
        person=child,
        record_id="C1",
        given_name="Jamie",
        family_name="Testchild",
        date_of_birth=dt.date(2015, 3, 14),
        sex="M",
        nhs_number="",
        postcode="LS6 1AA",
        address="12 Acacia Avenue, Leeds",
    )


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_it_gives_no_id_explanation_or_score_of_a_child_one_may_not_open(
    request, persona, child, held, model_version
):
    user = request.getfixturevalue(persona)
    one_name = {"family_name": "Testchild", "date_of_birth": "2015-03-14"}
    for probe in (RECORD, one_name):
        response = api(user).post(MATCH, probe, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["candidates"] == []
        text = response.content.decode()
        assert str(child.public_id) not in text
        for leak in ("date of birth", "postcode", "probability", "explanation", "Testchild"):
            assert leak not in text
        # Only those who may trace are told even that much (ADR 0007).
        assert body["possible_existing_record"] is (persona == "teacher")


def test_it_still_shows_the_allocated_worker_everything(social_worker, child, held, model_version):
    body = api(social_worker).post(MATCH, RECORD, format="json").json()
    assert body["candidates"][0]["person_id"] == str(child.public_id)
    assert body["candidates"][0]["explanation"]
    assert body["possible_existing_record"] is False


def test_a_date_of_birth_one_digit_out_gets_the_same_answer(teacher, child, held, model_version):
    answers = {
        dob: api(teacher).post(MATCH, {**RECORD, "date_of_birth": dob}, format="json").json()
        for dob in ("2015-03-14", "2015-03-16", "2015-08-14")
    }
    assert len({json.dumps(body, sort_keys=True) for body in answers.values()}) == 1
    assert next(iter(answers.values()))["possible_existing_record"] is True


def test_a_postcode_in_the_same_district_gets_the_same_answer(teacher, held, model_version):
    answers = [
        api(teacher).post(MATCH, {**RECORD, "postcode": postcode}, format="json").json()
        for postcode in ("LS6 1AA", "LS6 9ZZ")
    ]
    assert answers[0] == answers[1]


def test_it_needs_the_minimum_criteria_of_a_search(teacher, held, model_version):
    for probe in (
        {"family_name": "Testchild"},  # one name alone
        {"given_name": "J", "date_of_birth": "2015-03-14"},  # a date of birth and an initial
        {"given_name": "J", "family_name": "Testchild", "postcode": "LS6 1AA"},
        {"date_of_birth": "2015-03-14", "postcode": "LS6 1AA"},
    ):
        response = api(teacher).post(MATCH, probe, format="json")
        assert response.status_code == 400, probe
    assert not AuditEvent.objects.filter(action=AuditAction.MATCH_PERSON).exists()


def test_the_probe_shows_in_who_has_seen_the_child(teacher, child, held, model_version):
    api(teacher).post(MATCH, RECORD, format="json")
    seen = access_log(child).filter(action=AuditAction.MATCH_PERSON, actor=teacher)
    assert seen.count() == 1
    assert seen.get().detail["criteria"] == seal_criteria(
        {
            "given_name": "Jamie",
            "family_name": "Testchild",
            "date_of_birth": "2015-03-14",
            "postcode": "LS6 1AA",
        }
    )
    assert "Testchild" not in str(seen.get().detail)
    assert seen.get().detail["shown"] == "possible existing record"


def test_the_probe_shows_on_the_who_has_seen_page(
    client, social_worker, teacher, child, held, model_version
):
    api(teacher).post(MATCH, RECORD, format="json")
    client.force_login(social_worker)
    page = client.get(reverse("access-seen-by", args=[child.public_id])).content.decode()
    assert teacher.username in page or teacher.get_full_name() in page


def test_each_matched_person_gets_an_audit_row(social_worker, agencies, held, model_version):
    twin = factories.SourceRecordFactory.create(
        agency=agencies["HEALTH"],
        record_id="H7",
        given_name="Priya",
        family_name="Testchild",
        date_of_birth=dt.date(2015, 3, 14),
        sex="F",
        nhs_number="",
        postcode="LS6 1AA",
        address="12 Acacia Avenue, Leeds",
    )
    api(social_worker).post(MATCH, RECORD, format="json")
    rows = AuditEvent.objects.filter(action=AuditAction.MATCH_PERSON)
    assert set(rows.values_list("person_id", flat=True)) == {held.person_id, twin.person_id}
    shown = {row.person_id: row.detail["shown"] for row in rows}
    assert shown[held.person_id] == "record"
    assert shown[twin.person_id] == "possible existing record"


def test_the_rate_limit_stops_the_api(settings, teacher, held, model_version):
    settings.SIGHTLINE_SEARCH_RATE = "2/hour"
    client = api(teacher)
    assert client.post(MATCH, RECORD, format="json").status_code == 200
    assert client.post(MATCH, RECORD, format="json").status_code == 200
    refused = client.post(MATCH, RECORD, format="json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, actor=teacher, detail__intent="search"
    ).exists()


def test_searches_and_matches_share_one_limit(settings, client, teacher, held, model_version):
    settings.SIGHTLINE_SEARCH_RATE = "1/hour"
    client.force_login(teacher)
    searched = client.get(reverse("people-search"), {"name": "Jamie", "postcode": "LS6 1AA"})
    assert searched.status_code == 200
    assert api(teacher).post(MATCH, RECORD, format="json").status_code == 429


def test_the_rate_limit_stops_the_page(settings, client, teacher, held, model_version):
    settings.SIGHTLINE_SEARCH_RATE = "1/hour"
    client.force_login(teacher)
    url = reverse("linkage-record-person")
    assert client.post(url, {**FORM, "action": "find"}).status_code == 200
    refused = client.post(url, {**FORM, "action": "find"})
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "govuk-error-summary" in page
    assert "You have made too many searches" in page


def test_the_page_says_only_possible_existing_record(client, teacher, child, held, model_version):
    client.force_login(teacher)
    response = client.post(reverse("linkage-record-person"), {**FORM, "action": "find"})
    page = response.content.decode()
    assert "A possible existing record" in page
    assert str(child.public_id) not in page
    assert "date of birth agrees" not in page.lower()
    assert "likely</strong>" not in page
    assert reverse("people-search") in page


def test_the_page_will_not_join_a_record_to_a_child_one_may_not_open(
    client, teacher, child, held, model_version
):
    # The id is not shown; one learnt elsewhere must not attach this record to the child.
    client.force_login(teacher)
    response = client.post(
        reverse("linkage-record-person"),
        {**FORM, "action": "record", "same_as": str(child.public_id)},
    )
    assert response.status_code == 200
    assert "Choose one of the persons listed" in response.content.decode()
    assert not SourceRecord.objects.filter(record_id="E100").exists()


def test_the_answer_gives_nothing_that_opens_emergency_access(
    client, teacher, child, held, model_version
):
    body = api(teacher).post(MATCH, RECORD, format="json").content.decode()
    client.force_login(teacher)
    page = client.post(reverse("linkage-record-person"), {**FORM, "action": "find"})
    for text in (body, page.content.decode()):
        assert str(child.public_id) not in text
        assert "/emergency-access/" not in text
    # The way to emergency access is a search, which needs the minimum criteria and
    # shows the link only to those who may trace.
    found = client.get(reverse("people-search"), {"nhs_number": child.nhs_number})
    assert reverse("access-break-glass", args=[child.public_id]) in found.content.decode()


def test_minimum_criteria_are_those_of_a_search():
    assert match.meets_minimum_criteria(
        match.MatchCriteria(family_name="Testchild", date_of_birth=dt.date(2015, 3, 14))
    )
    assert match.meets_minimum_criteria(match.MatchCriteria(nhs_number="9990000018"))
    assert not match.meets_minimum_criteria(match.MatchCriteria(nhs_number="9990000019"))
    assert not match.meets_minimum_criteria(
        match.MatchCriteria(given_name="Jo", family_name="S", postcode="LS6 1AA")
    )
    assert not match.meets_minimum_criteria(match.MatchCriteria(given_name="Jamie"))
