"""The case API: read and write with token scopes; who may; what it audits."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.access.models import TokenPolicy
from sightline.audit.models import AuditAction, AuditEvent
from sightline.cases.models import ChildProtectionPlan, EpisodeOfNeed, LookedAfterEpisode

pytestmark = pytest.mark.django_db


def token_client(user, *, scopes=None):
    token = Token.objects.create(user=user)
    if scopes is not None:
        TokenPolicy.objects.create(token=token, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def url(child, tail=""):
    return f"/api/v1/people/{child.public_id}/case/{tail}"


def post(client, child, tail, body):
    return client.post(url(child, tail), body, format="json", secure=True)


def test_it_reads_the_case_for_those_who_see_the_record_and_audits_it(
    child, police_officer, teacher
):
    client = token_client(police_officer)
    response = client.get(url(child), secure=True)
    assert response.status_code == 200
    body = response.json()
    assert body["child"] == str(child.public_id)
    assert body["episodes"] == []
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW_PERSON, actor=police_officer, person_id=child.pk
    ).exists()
    assert token_client(teacher).get(url(child), secure=True).status_code == 404


def test_a_read_only_token_cannot_record(child, social_worker):
    response = post(
        token_client(social_worker, scopes=["read"]),
        child,
        "episodes/",
        {"referral_date": "2026-02-02", "referral_source": "2A"},
    )
    assert response.status_code == 403
    assert "scope" in response.json()["detail"]
    assert not EpisodeOfNeed.objects.exists()


def test_the_journey_over_the_api(child, social_worker):
    client = token_client(social_worker, scopes=["read", "write"])
    response = post(
        client, child, "episodes/", {"referral_date": "2026-02-02", "referral_source": "2A"}
    )
    assert response.status_code == 201, response.json()
    [episode] = response.json()["episodes"]
    assert [d["step"] for d in response.json()["deadlines"]] == ["referral_decision"]
    response = post(
        client,
        child,
        "strategy-discussions/",
        {"episode": episode["id"], "date": "2026-02-06", "outcome": "section47"},
    )
    assert response.status_code == 201, response.json()
    [enquiry] = response.json()["section47s"]
    assert enquiry["initial_cpc_target"] == "2026-02-27"
    response = post(
        client,
        child,
        "conferences/",
        {
            "episode": episode["id"],
            "kind": "initial",
            "date": "2026-02-20",
            "outcome": "plan",
            "category": "EMO",
            "reasons": "Emotional harm from domestic abuse at home",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    [plan] = body["plans"]
    assert (plan["initial_category"], plan["end_date"]) == ("EMO", None)
    assert {d["step"] for d in body["deadlines"]} >= {"core_group", "first_review_conference"}
    assert body["core_group"]
    # The episode was superseded (the conference's date went on it): that is history.
    assert any(row["kind"] == "episodeofneed" for row in body["history"])


def test_a_bad_code_is_a_400_naming_the_field(child, social_worker):
    client = token_client(social_worker, scopes=["read", "write"])
    response = post(
        client, child, "episodes/", {"referral_date": "2026-02-02", "referral_source": "2Z"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "referral_source"
    assert not EpisodeOfNeed.objects.exists()


def test_a_conference_plan_without_a_category_is_a_400_naming_it(child, social_worker):
    client = token_client(social_worker, scopes=["read", "write"])
    episode = post(
        client, child, "episodes/", {"referral_date": "2026-02-02", "referral_source": "2A"}
    ).json()["episodes"][0]
    response = post(
        client,
        child,
        "conferences/",
        {"episode": episode["id"], "kind": "initial", "date": "2026-02-20", "outcome": "plan"},
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["category"]
    assert not ChildProtectionPlan.objects.exists()


def test_a_practitioner_who_sees_the_record_but_is_not_social_care_cannot_record(
    child, police_officer
):
    client = token_client(police_officer, scopes=["read", "write"])
    response = post(
        client, child, "episodes/", {"referral_date": "2026-02-02", "referral_source": "6"}
    )
    assert response.status_code == 403
    assert not EpisodeOfNeed.objects.exists()


def test_looked_after_start_change_end_and_correct_over_the_api(child, social_worker):
    client = token_client(social_worker, scopes=["read", "write"])
    response = post(
        client,
        child,
        "looked-after/",
        {"decom": "2026-01-05", "ls": "V2", "cin": "N4", "place": "U4", "place_provider": "PR1"},
    )
    assert response.status_code == 201, response.json()
    [first] = response.json()["looked_after_episodes"]
    response = post(
        client,
        child,
        "looked-after/changes/",
        {"episode": first["id"], "on": "2026-02-02", "ls": "C1"},
    )
    assert response.status_code == 201, response.json()
    episodes = response.json()["looked_after_episodes"]
    assert [(e["rne"], e["ls"], e["rec"]) for e in episodes] == [
        ("L", "C1", ""),
        ("S", "V2", "X1"),
    ]
    response = post(
        client,
        child,
        "corrections/",
        {
            "kind": "lookedafterepisode",
            "record": episodes[0]["id"],
            "changes": {"cin": "N1"},
            "reason": "Abuse or neglect was the need",
        },
    )
    assert response.status_code == 201, response.json()
    current = response.json()["looked_after_episodes"][0]
    response = post(
        client,
        child,
        "looked-after/end/",
        {"episode": current["id"], "dec": "2026-03-02", "rec": "E13"},
    )
    assert response.status_code == 201, response.json()
    assert LookedAfterEpisode.objects.current().filter(dec__isnull=True).count() == 0
    refused = post(
        client,
        child,
        "corrections/",
        {
            "kind": "lookedafterepisode",
            "record": current["id"],
            "changes": {"child": 1},
            "reason": "No",
        },
    )
    assert refused.status_code == 400


def test_allocation_over_the_api(child, team_manager, csc_team, agencies):
    from sightline.accounts.models import Role
    from sightline.testing import factories

    worker = factories.UserFactory.create(
        username="new.worker", agency=agencies["CSC"], team=csc_team, role=Role.PRACTITIONER
    )
    client = token_client(team_manager, scopes=["read", "write"])
    response = post(
        client, child, "allocations/", {"worker": "new.worker", "start_date": "2026-03-02"}
    )
    assert response.status_code == 201, response.json()
    [allocation] = response.json()["allocations"]
    assert (allocation["worker"], allocation["team"]) == ("new.worker", csc_team.name)
    assert worker.involvements.filter(person=child, ended_on__isnull=True).exists()
    unknown = post(client, child, "allocations/", {"worker": "nobody", "start_date": "2026-03-02"})
    assert unknown.json()["errors"][0]["field"] == "worker"


def test_the_case_endpoints_are_in_the_openapi_schema(social_worker):
    client = APIClient()
    client.force_authenticate(social_worker)
    schema = client.get("/api/schema/", {"format": "json"}, secure=True).json()
    paths = schema["paths"]
    assert "/api/v1/people/{public_id}/case/" in paths
    assert "post" in paths["/api/v1/people/{public_id}/case/conferences/"]
    assert "post" in paths["/api/v1/people/{public_id}/case/family/"]
    assert "post" in paths["/api/v1/people/{public_id}/case/family/end/"]


def test_assessment_cin_plan_core_group_reviews_and_missing_over_the_api(
    child, social_worker, agencies
):
    from sightline.access.models import CaseRelationship
    from sightline.accounts.models import Role
    from sightline.testing import factories

    nurse = factories.UserFactory.create(
        username="nia.nurse", agency=agencies["HEALTH"], role=Role.PRACTITIONER
    )
    client = token_client(social_worker, scopes=["read", "write"])
    episode = post(
        client, child, "episodes/", {"referral_date": "2026-02-02", "referral_source": "2A"}
    ).json()["episodes"][0]
    response = post(
        client, child, "assessments/", {"episode": episode["id"], "start_date": "2026-02-03"}
    )
    assert response.status_code == 201, response.json()
    [assessment] = response.json()["assessments"]
    response = post(
        client,
        child,
        "assessments/authorise/",
        {"assessment": assessment["id"], "authorisation_date": "2026-02-17", "factors": ["21"]},
    )
    assert response.json()["assessments"][0]["factors"] == ["21"]
    response = post(
        client, child, "cin-plans/", {"episode": episode["id"], "start_date": "2026-02-18"}
    )
    [cin_plan] = response.json()["cin_plans"]
    response = post(
        client, child, "cin-plans/end/", {"plan": cin_plan["id"], "end_date": "2026-02-19"}
    )
    assert response.json()["cin_plans"][0]["end_date"] == "2026-02-19"
    body = post(
        client,
        child,
        "conferences/",
        {
            "episode": episode["id"],
            "kind": "initial",
            "date": "2026-02-20",
            "outcome": "plan",
            "category": "SAB",
        },
    ).json()
    plan = body["plans"][0]
    response = post(
        client,
        child,
        "core-group/",
        {"plan": plan["id"], "started_on": "2026-02-20", "practitioner": "nia.nurse"},
    )
    assert response.status_code == 201, response.json()
    member = next(m for m in response.json()["core_group"] if m["practitioner"] == "nia.nurse")
    assert CaseRelationship.objects.filter(practitioner=nurse, person=child).exists()
    response = post(
        client, child, "core-group/end/", {"member": member["id"], "ended_on": "2026-02-27"}
    )
    assert response.status_code == 201, response.json()
    ended_on = CaseRelationship.objects.get(practitioner=nurse).ended_on
    assert ended_on is not None
    assert ended_on.isoformat() == "2026-02-27"
    response = post(
        client, child, "looked-after/reviews/", {"review": "2026-02-25", "review_code": "PN0"}
    )
    assert response.json()["looked_after_reviews"][0]["review_code"] == "PN0"
    response = post(client, child, "missing/", {"missing": "A", "mis_start": "2026-02-26"})
    assert response.json()["missing_episodes"][0]["missing"] == "A"
    refused = post(client, child, "missing/", {"missing": "Q", "mis_start": "2026-02-26"})
    assert refused.json()["errors"][0]["field"] == "missing"


def test_family_is_recorded_and_ended_over_the_api(child, social_worker, police_officer, agencies):
    from sightline.people.models import InvolvementRole, Relationship
    from sightline.testing import factories

    mother = factories.PersonFactory.create(given_name="Maria", family_name="Testchild")
    factories.InvolvementFactory.create(
        person=mother,
        practitioner=social_worker,
        agency=agencies["CSC"],
        role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
    )
    hidden = factories.PersonFactory.create(given_name="Hidden", family_name="Stranger")
    client = token_client(social_worker, scopes=["read", "write"])
    body = {"relative": str(mother.public_id), "kind": "parent", "lives_with": True}
    response = post(client, child, "family/", {**body, "started_on": "2020-01-01"})
    assert response.status_code == 201, response.json()
    [member] = response.json()["family"]
    assert (member["person"], member["kind"], member["lives_with"]) == (
        str(mother.public_id),
        "parent",
        True,
    )
    # Someone the worker may not see is not found (404, as the read side answers).
    stranger = {**body, "relative": str(hidden.public_id)}
    assert post(client, child, "family/", stranger).status_code == 404
    # Other agencies do not record the family (police may see the child, not the mother:
    # the mother is not found for them; the child is, and they may not record).
    police = token_client(police_officer, scopes=["read", "write"])
    assert post(police, child, "family/", body).status_code == 404
    itself = {**body, "relative": str(child.public_id)}
    assert post(police, child, "family/", itself).status_code == 403
    refused = post(client, child, "family/", itself)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "relative"
    # Ending: a date before the start is refused naming the field; then it ends, kept.
    end = {"relative": str(mother.public_id), "kind": "parent", "reason": "Moved out"}
    refused = post(client, child, "family/end/", {**end, "ended_on": "2019-12-31"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "ended_on"
    response = post(client, child, "family/end/", {**end, "ended_on": "2026-02-27"})
    assert response.status_code == 201, response.json()
    assert response.json()["family"][0]["ended_on"] == "2026-02-27"
    assert Relationship.objects.get(person=mother, relative=child).ended_on is not None
    again = post(client, child, "family/end/", {**end, "ended_on": "2026-02-28"})
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "relative"
    assert AuditEvent.objects.filter(actor=social_worker, person_id=mother.pk).exists()
