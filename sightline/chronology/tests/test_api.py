import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.cases.defaults import CASE_CATEGORIES
from sightline.chronology.vocabulary import ACT_CODES, STARTING_VOCABULARY

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


def day(n, hour=9):
    return dt.datetime(2026, 1, n, hour, tzinfo=dt.UTC)


# -- vocabulary and agencies -------------------------------------------------------------


def test_it_lists_the_category_vocabulary(social_worker):
    response = client_for(social_worker).get("/api/v1/categories/")
    assert response.status_code == 200
    codes = {c["code"] for c in response.json()["results"]}
    starting = {code for entries in STARTING_VOCABULARY.values() for code, _ in entries}
    # The starting vocabulary, and the category sharing decisions are recorded under
    # (seeded by the sharing app's migration: an added code, as administrators may add),
    # those of the acts Sightline records itself, and the case's steps (the cases app's
    # migration seeds them).
    case_codes = {code for code, _ in CASE_CATEGORIES}
    assert codes == starting | ACT_CODES | case_codes | {"information_sharing_decision"}
    assert {
        "code": "home_visit",
        "label": "Home visit",
        "agency_kind": "childrens_social_care",
        "active": True,
    } in response.json()["results"]
    assert client_for().get("/api/v1/categories/").status_code == 401
