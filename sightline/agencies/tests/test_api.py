import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


class HttpsClient(APIClient):
    """Every request over HTTPS: the settings redirect plain HTTP, as in production."""

    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def test_it_lists_the_agencies_by_name(teacher):
    client = HttpsClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=teacher).key}")
    response = client.get("/api/v1/agencies/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [a["code"] for a in results] == ["CSC", "HEALTH", "HOUSING", "EDUCATION", "POLICE"]
    assert results[4] == {
        "code": "POLICE",
        "name": "West Yorkshire Police",
        "kind": "police",
        "kind_label": "Police",
        "office_hours_phone": "0113 496 0000",
        "out_of_hours_phone": "0113 496 0999",
        "email": "",
    }
    assert AuditEvent.objects.count() == 0


def test_it_refuses_anonymous_callers_and_bad_tokens(agencies):
    assert HttpsClient().get("/api/v1/agencies/").status_code == 401
    client = HttpsClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/agencies/").status_code == 401
