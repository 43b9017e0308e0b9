import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.linkage import actions
from sightline.linkage.models import MatchReview, PersonMerge, ReviewStatus
from sightline.linkage.tests.synthetic import nhs_number
from sightline.people.models import SourceRecord
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


@pytest.fixture
def child_records(agencies, child):
    """The persona child, held by social care and by health (as a separate person)."""
    held = factories.SourceRecordFactory.create(
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
    return held, twin


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_it_requires_a_login_to_match(model_version):
    assert api(None).post(MATCH, RECORD, format="json").status_code in (401, 403)


def test_it_returns_ranked_candidates_with_explanations(
    social_worker, child, child_records, model_version
):
    response = api(social_worker).post(MATCH, RECORD, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == model_version.version
    first = body["candidates"][0]
    assert first["person_id"] == str(child.public_id)
    assert first["probability"] > 0.9
    explained = {item["field"]: item["explanation"] for item in first["explanation"]}
    assert explained["date_of_birth"] == "date of birth agrees"
    assert explained["address"] == "same address"
    assert first["identity"]["given_name"] == "Jamie"
    probabilities = [c["probability"] for c in body["candidates"]]
    assert probabilities == sorted(probabilities, reverse=True)
    audit = AuditEvent.objects.get(action=AuditAction.MATCH_PERSON, person=child)
    assert audit.actor == social_worker
    assert audit.detail["shown"] == "record"


def test_it_says_only_possible_existing_record_of_persons_the_caller_may_not_open(
    teacher, child, child_records, model_version
):
    body = api(teacher).post(MATCH, RECORD, format="json").json()
    assert body["candidates"] == []
    assert body["possible_existing_record"] is True
    assert "request access" in body["advice"].lower() or "emergency access" in body["advice"]


def test_it_flags_twins_with_a_caution(social_worker, child_records, model_version):
    twin_query = {**RECORD, "given_name": "Priya", "sex": "F"}
    candidates = api(social_worker).post(MATCH, twin_query, format="json").json()["candidates"]
    jamie = [c for c in candidates if c["identity"]["given_name"] == "Jamie"]
    assert jamie
    assert "twins" in jamie[0]["caution"]


def test_it_treats_an_invalid_nhs_number_as_missing_with_a_warning(
    social_worker, child_records, model_version
):
    valid = nhs_number(5)
    invalid = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    body = api(social_worker).post(MATCH, {**RECORD, "nhs_number": invalid}, format="json").json()
    assert "treated as missing" in body["warnings"][0]
    nhs = [i for i in body["candidates"][0]["explanation"] if i["field"] == "nhs_number"]
    assert nhs[0]["level"] == "missing"


def test_it_refuses_a_record_with_nothing_to_match_on(social_worker, model_version):
    response = api(social_worker).post(MATCH, {"sex": "F"}, format="json")
    assert response.status_code == 400


def test_it_says_when_no_model_has_been_trained(social_worker, db):
    response = api(social_worker).post(MATCH, RECORD, format="json")
    assert response.status_code == 503
    assert "train-linkage-model" in response.json()["detail"]


# --- the person form ---------------------------------------------------------------------

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


def test_it_shows_likely_persons_before_creating_one(
    client, social_worker, child, child_records, model_version
):
    client.force_login(social_worker)
    url = reverse("linkage-record-person")
    assert client.get(url).status_code == 200
    before = SourceRecord.objects.count()
    response = client.post(url, {**FORM, "action": "find"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Is this one of these people?" in page
    assert "Jamie Testchild" in page
    assert "date of birth agrees" in page.lower()
    assert SourceRecord.objects.count() == before  # nothing created yet
    response = client.post(url, {**FORM, "action": "record", "same_as": str(child.public_id)})
    assert response.status_code == 302
    record = SourceRecord.objects.get(record_id="E100")
    assert record.person == child
    assert record.agency == social_worker.agency
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_PERSON, person=child).exists()


def test_the_person_recorded_page_names_the_agency_and_the_reference_in_words(
    client, social_worker, child, child_records, model_version
):
    client.force_login(social_worker)
    url = reverse("linkage-record-person")
    client.post(url, {**FORM, "action": "find"})
    response = client.post(
        url, {**FORM, "action": "record", "same_as": str(child.public_id)}, follow=True
    )
    page = response.content.decode()
    assert "Person recorded" in page
    summary = page.split('id="recorded-reference"', 1)[1].split("</dl>", 1)[0]
    assert "Recorded for" in summary
    assert "Leeds Children&#x27;s Social Care" in summary
    assert "Your agency's reference for this person" in summary
    assert "E100" in summary
    # The agency's code and the record together are Sightline's code: behind Details.
    details = page.split("<details", 1)[1].split("</details>", 1)[0]
    assert "<code>CSC:E100</code>" in details
    assert page.count("CSC:E100") == 1
    panel = page.split("govuk-panel--confirmation", 1)[1].split("</div>\n</div>", 1)[0]
    assert "CSC" not in panel + summary


def test_it_refuses_a_person_that_was_not_offered(
    client, social_worker, child_records, model_version
):
    client.force_login(social_worker)
    stranger = factories.PersonFactory.create()
    response = client.post(
        reverse("linkage-record-person"),
        {**FORM, "action": "record", "same_as": str(stranger.public_id)},
    )
    assert response.status_code == 200
    assert "Choose one of the persons listed" in response.content.decode()
    assert not SourceRecord.objects.filter(record_id="E100").exists()


def test_it_does_not_offer_the_person_form_to_administrators(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse("linkage-record-person")).status_code == 404


# --- the review queue, merges and un-merge ----------------------------------------------


@pytest.fixture
def review(child_records, model_version):
    first, second = child_records
    return MatchReview.objects.create(
        record_a=first,
        record_b=second,
        probability=0.97,
        guard="possible twins or siblings: same family, different given names",
        evidence=[
            {
                "field": "given_name",
                "level": "else",
                "explanation": "given names differ",
                "weight": -3.0,
            }
        ],
        evidence_key="k",
        model_version=model_version.version,
        proposed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize("persona", ["social_worker", "teacher", "police_officer", "administrator"])
def test_it_hides_the_review_queue_from_those_without_the_role(client, request, review, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("linkage-reviews")).status_code == 404
    assert client.get(reverse("linkage-review", args=[review.pk])).status_code == 404
    assert client.get(reverse("linkage-merges")).status_code == 404


def test_it_hides_other_agencies_reviews_from_a_team_manager(client, agencies, review):
    manager = factories.UserFactory.create(agency=agencies["HOUSING"], role=Role.TEAM_MANAGER)
    client.force_login(manager)
    assert client.get(reverse("linkage-review", args=[review.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=manager).exists()


def test_it_shows_the_evidence_side_by_side_and_audits_the_view(client, team_manager, review):
    client.force_login(team_manager)
    assert "C1" in client.get(reverse("linkage-reviews")).content.decode()
    page = client.get(reverse("linkage-review", args=[review.pk])).content.decode()
    assert "Priya" in page
    assert "Jamie" in page
    assert "Given names differ" in page
    assert "possible twins" in page
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW_PERSON, actor=team_manager)
    # The queue (both persons of the pair listed), then the review (both persons shown).
    assert [row.detail["via"] for row in viewed.order_by("id")] == [
        "match review queue",
        "match review queue",
        "match review",
        "match review",
    ]


def test_it_rejects_twins_in_review(client, team_manager, review):
    client.force_login(team_manager)
    response = client.post(
        reverse("linkage-review", args=[review.pk]), {"decision": "reject", "reason": "twins"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.REJECTED
    assert review.record_a.person_id != review.record_b.person_id


def test_it_confirms_in_review_and_undoes_the_merge(client, team_manager, review):
    client.force_login(team_manager)
    client.post(reverse("linkage-review", args=[review.pk]), {"decision": "confirm"})
    merge = PersonMerge.objects.get()
    first = SourceRecord.objects.get(pk=review.record_a_id)
    second = SourceRecord.objects.get(pk=review.record_b_id)
    assert first.person_id == second.person_id
    assert "Undo merge" in client.get(reverse("linkage-merges")).content.decode()
    response = client.post(
        reverse("linkage-undo-merge", args=[merge.pk]), {"reason": "Different NHS numbers"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.person_id != second.person_id
    assert AuditEvent.objects.filter(action=AuditAction.UNMERGE_PERSONS).count() == 1
    with pytest.raises(actions.LinkageError):
        actions.undo_merge(actor=team_manager, merge=merge, origin=CLI, reason="not the same child")


def test_the_undo_page_says_why_a_linkage_run_merged(client, team_manager, review):
    client.force_login(team_manager)
    client.post(reverse("linkage-review", args=[review.pk]), {"decision": "confirm"})
    merge = PersonMerge.objects.get()
    merge.reason = actions.PREBIRTH_MERGE  # as a batch run writes it
    merge.save(update_fields=["reason"])
    page = client.get(reverse("linkage-undo-merge", args=[merge.pk])).content.decode()
    assert "Linkage run: pre-birth record: the one child born within 6 weeks" in page
