"""Exports: a reason and the password again; restricted sections stay withheld; only
managers and leads export lists of children; every export is audited with its reason."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import Category
from sightline.testing import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's
FORM = {"reason_code": "conference_report", "reason_text": "Report for Monday's conference"}


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def events(agencies, child):
    def add(code, category, summary):
        record = factories.SourceRecordFactory.create(
            agency=agencies[code], person=child, record_id=f"{code}-{category}"
        )
        factories.ChronologyEventFactory.create(
            subject_record=record, category=Category.objects.get(code=category), summary=summary
        )

    add("CSC", "home_visit", '=HYPERLINK("http://example.org")')
    add("POLICE", "exploitation_intelligence", "Seen with older males")


def test_the_chronology_export_needs_a_reason_and_the_password(social_worker, child, events):
    client = signed_in(social_worker)
    url = reverse("access-export-chronology", args=[child.public_id])
    page = client.get(url, secure=True)
    assert page.status_code == 200
    assert "Jamie Testchild" in page.content.decode()
    refused = client.post(url, {**FORM, "password": "wrong"}, secure=True)
    assert refused.status_code == 400
    assert "Jamie" not in refused.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_CHRONOLOGY).exists()

    response = client.post(url, {**FORM, "password": PASSWORD}, secure=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    summaries = [row["summary"] for row in rows]
    # Police intelligence stays withheld; a formula is neutralised.
    assert "Seen with older males" not in summaries
    assert any(s.startswith("Police intelligence is shared only") for s in summaries)
    assert '\'=HYPERLINK("http://example.org")' in summaries
    export = AuditEvent.objects.get(action=AuditAction.EXPORT_CHRONOLOGY)
    assert (export.actor, export.person, export.reason) == (
        social_worker,
        child,
        "Report for Monday's conference",
    )
    assert export.detail["reason_code"] == "conference_report"


def test_the_chronology_export_is_404_without_a_relationship(teacher, child):
    client = signed_in(teacher)
    url = reverse("access-export-chronology", args=[child.public_id])
    assert client.get(url, secure=True).status_code == 404
    assert client.post(url, {**FORM, "password": PASSWORD}, secure=True).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_CHRONOLOGY).exists()


def test_team_managers_export_the_list_of_children_of_their_team(team_manager, child):
    client = signed_in(team_manager)
    url = reverse("access-export-caseload")
    assert client.get(url, secure=True).status_code == 200
    response = client.post(url, {**FORM, "password": PASSWORD}, secure=True)
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["given_name"], r["family_name"]) for r in rows] == [("Jamie", "Testchild")]
    export = AuditEvent.objects.get(action=AuditAction.EXPORT_CASELOAD)
    assert (export.detail["people"], export.reason) == (1, "Report for Monday's conference")


@pytest.mark.parametrize("persona", ["social_worker", "teacher", "panel_analyst", "administrator"])
def test_others_cannot_export_lists_of_children(request, persona):
    user = request.getfixturevalue(persona)
    response = signed_in(user).post(
        reverse("access-export-caseload"), {**FORM, "password": PASSWORD}, secure=True
    )
    assert response.status_code == 404
    assert AuditEvent.objects.get().action == AuditAction.DENIED
