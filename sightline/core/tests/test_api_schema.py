import json

import pytest
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/api/v1/agencies/", "get"),
    ("/api/v1/categories/", "get"),
    ("/api/v1/people/", "get"),
    ("/api/v1/people/{public_id}/", "get"),
    ("/api/v1/people/{public_id}/chronology/", "get"),
    ("/api/v1/person-records/", "post"),
    ("/api/v1/person-records/batch/", "post"),
    ("/api/v1/events/", "post"),
    ("/api/v1/events/batch/", "post"),
}


@pytest.fixture
def schema():
    response = Client().get("/api/schema/", {"format": "json"}, secure=True)
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_valid_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_every_operation_is_documented(schema):
    documented = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert documented >= OPERATIONS
    for path, method in OPERATIONS:
        operation = schema["paths"][path][method]
        assert operation["summary"], (path, method)
        assert "200" in operation["responses"] or "201" in operation["responses"]
        assert "401" in operation["responses"], (path, method)


def test_the_chronology_documents_its_query_parameters(schema):
    parameters = schema["paths"]["/api/v1/people/{public_id}/chronology/"]["get"]["parameters"]
    assert {p["name"] for p in parameters if p["in"] == "query"} == {
        "agency",
        "category",
        "significance",
        "from",
        "to",
        "order",
        "include_superseded",
        "page",
        "page_size",
    }


def test_the_docs_page_renders():
    response = Client().get("/api/docs/", secure=True)
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
