import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.audit.models import AuditAction, AuditEvent
from sightline.audit.sealing import seal_criteria
from sightline.testing import factories

pytestmark = pytest.mark.django_db


class HttpsClient(APIClient):
    """Every request over HTTPS: the settings redirect plain HTTP, as in production."""

    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def client_for(user=None):
    client = HttpsClient()
    if user is not None:
        token = Token.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def audit_rows():
    return list(AuditEvent.objects.values_list("action", "actor__username", "person_id"))


# -- search ----------------------------------------------------------------------------


def test_it_finds_a_child_the_social_worker_works_with_and_audits_the_search(child, social_worker):
    dob = child.date_of_birth.isoformat()
    response = client_for(social_worker).get(
        "/api/v1/people/", {"q": "jam testc", "date_of_birth": dob}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": str(child.public_id),
            "given_name": "Jamie",
            "family_name": "Testchild",
            "date_of_birth": dob,
            "sex": child.sex,
            "postcode": child.postcode,
            "relationship": True,
            "flag": None,
        }
    ]
    [row] = AuditEvent.objects.all()
    assert (row.action, row.actor, row.via) == (AuditAction.SEARCH, social_worker, "api")
    assert row.detail == {
        # The same shape as the search page's rows.
        "criteria": seal_criteria({"name": "jam testc", "date_of_birth": dob}),
        "results": 1,
        "more": False,
        "page": 1,
    }


def test_a_practitioner_without_a_relationship_finds_the_identity_only(child, teacher):
    client = client_for(teacher)
    response = client.get("/api/v1/people/", {"nhs_number": child.nhs_number})
    assert response.status_code == 200
    [found] = response.json()["results"]
    assert (found["id"], found["relationship"], found["postcode"]) == (
        str(child.public_id),
        False,
        "",
    )
    assert client.get(f"/api/v1/people/{child.public_id}/").status_code == 404


@pytest.mark.parametrize("persona", ["administrator", "panel_analyst"])
def test_it_finds_nobody_for_roles_without_case_records(request, child, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get("/api/v1/people/", {"nhs_number": child.nhs_number})
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert audit_rows() == [(AuditAction.SEARCH, user.username, None)]


def test_it_searches_by_date_of_birth_postcode_and_nhs_number(child, social_worker):
    other = factories.PersonFactory.create(
        given_name="Jamie", date_of_birth=dt.date(2019, 5, 5), postcode="LS6 1AA"
    )
    factories.InvolvementFactory.create(person=other, practitioner=social_worker)
    client = client_for(social_worker)

    def ids(**criteria):
        response = client.get("/api/v1/people/", criteria)
        assert response.status_code == 200, response.json()
        return {r["id"] for r in response.json()["results"]}

    assert ids(q="jamie", date_of_birth="2019-05-05") == {str(other.public_id)}
    assert ids(q="jamie", postcode="ls61aa") == {str(other.public_id)}
    assert ids(q="jamie", postcode=child.postcode) == {str(child.public_id)}
    spaced = f"{child.nhs_number[:3]} {child.nhs_number[3:6]} {child.nhs_number[6:]}"
    assert ids(nhs_number=spaced) == {str(child.public_id)}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "  "}, "q"),
        ({"q": "!!", "postcode": "LS1 4AP"}, "q"),
        ({"q": "jamie"}, "date_of_birth"),
        ({"date_of_birth": "2015-03-14", "postcode": "LS1 4AP"}, "q"),
        ({"q": "jamie", "date_of_birth": "14/03/2015"}, "date_of_birth"),
        ({"nhs_number": "123"}, "nhs_number"),
        ({"q": "jamie", "postcode": "NOT A CODE"}, "postcode"),
        ({"nhs_number": "9990000018", "page_size": "500"}, "page_size"),
        ({"nhs_number": "9990000018", "page": "0"}, "page"),
    ],
)
def test_it_refuses_a_search_without_the_minimum_criteria_or_with_bad_ones(
    social_worker, params, field
):
    response = client_for(social_worker).get("/api/v1/people/", params)
    assert response.status_code == 400
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["errors"][0]["message"]
    assert AuditEvent.objects.count() == 0


def test_it_pages_search_results(social_worker):
    for n in range(5):
        person = factories.PersonFactory.create(given_name="Robin", family_name=f"Page{n}")
        factories.InvolvementFactory.create(person=person, practitioner=social_worker)
    client = client_for(social_worker)
    criteria = {"q": "robin", "postcode": "LS1 4AP", "page_size": 2}
    first = client.get("/api/v1/people/", criteria).json()
    assert first["count"] == 5
    assert [r["family_name"] for r in first["results"]] == ["Page0", "Page1"]
    assert "page=2" in first["next"]
    assert first["previous"] is None
    last = client.get("/api/v1/people/", {**criteria, "page": 3}).json()
    assert [r["family_name"] for r in last["results"]] == ["Page4"]
    assert last["next"] is None
    beyond = client.get("/api/v1/people/", {**criteria, "page": 4})
    assert beyond.status_code == 404
    # A search is audited when it is made, the page beyond the last too.
    assert [r.detail["page"] for r in AuditEvent.objects.all()] == [1, 3, 4]


def test_results_are_capped_at_the_setting(social_worker, settings):
    settings.SIGHTLINE_SEARCH_RESULT_LIMIT = 3
    for n in range(5):
        factories.PersonFactory.create(given_name="Robin", family_name=f"Cap{n}")
    body = (
        client_for(social_worker)
        .get("/api/v1/people/", {"q": "robin", "postcode": "LS1 4AP"})
        .json()
    )
    assert body["count"] == 3
    assert AuditEvent.objects.get().detail["more"] is True


def test_searches_are_rate_limited_per_user_and_the_refusal_is_audited(
    child, social_worker, teacher, settings
):
    settings.SIGHTLINE_SEARCH_RATE = "2/hour"
    criteria = {"nhs_number": child.nhs_number}
    client = client_for(social_worker)
    assert [client.get("/api/v1/people/", criteria).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    refused = client.get("/api/v1/people/", criteria)
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert client_for(teacher).get("/api/v1/people/", criteria).status_code == 200
    denials = AuditEvent.objects.filter(action=AuditAction.DENIED, actor=social_worker)
    assert [row.detail["intent"] for row in denials] == ["search", "search"]


def test_it_refuses_anonymous_callers(child):
    response = client_for().get("/api/v1/people/", {"nhs_number": child.nhs_number})
    assert response.status_code == 401
    assert client_for().get(f"/api/v1/people/{child.public_id}/").status_code == 401
    assert AuditEvent.objects.count() == 0


def test_it_accepts_a_session_as_well_as_a_token(child, social_worker):
    client = client_for()
    client.force_login(social_worker)
    assert client.get(f"/api/v1/people/{child.public_id}/").status_code == 200
