from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.importing.actions import import_people_file
from sightline.importing.models import ImportBatch, PendingUpload
from sightline.people.models import SourceRecord
from sightline.testing import factories

pytestmark = pytest.mark.django_db

UPLOAD = reverse("importing-upload")
PEOPLE = b"record_id,agency,given_name,family_name,date_of_birth\nC1,CSC,Jamie,Testchild,2016-05-04\nC2,CSC,Robin,Testchild,2014-01-02\n"
BAD_PEOPLE = b"record_id,agency,given_name,date_of_birth,colour\nC1,CSC,Jamie,2016-05-04,red\nC2,CSC,Robin,2016-02-30,blue\n"
EVENTS = b"event_id,agency,subject_record_id,occurred_at,category,summary\nE1,CSC,C1,2025-06-01,home_visit,Seen at home\n"


class HttpsClient(Client):
    """A browser on HTTPS, as in production (plain HTTP is redirected)."""

    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


@pytest.fixture
def client() -> Client:
    return HttpsClient()


def upload_file(client, content, *, kind="people", name="people.csv"):
    return client.post(
        UPLOAD, {"kind": kind, "file": SimpleUploadedFile(name, content, "text/csv")}
    )


def text(response) -> str:
    return unescape(response.content.decode())


def test_it_requires_login(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_of_no_agency_is_forbidden(client, agencies):
    client.force_login(factories.UserFactory.create(agency=None))
    assert client.get(UPLOAD).status_code == 403
    assert upload_file(client, PEOPLE).status_code == 403


def test_the_page_offers_the_form(client, social_worker):
    client.force_login(social_worker)
    response = client.get(UPLOAD)
    assert response.status_code == 200
    page = text(response)
    for govuk_class in ("govuk-radios", "govuk-file-upload", "govuk-button"):
        assert govuk_class in page
    assert 'enctype="multipart/form-data"' in page
    assert "No files have been imported for your agency yet" in page


def test_check_then_commit(client, social_worker):
    client.force_login(social_worker)
    response = upload_file(client, PEOPLE)
    assert response.status_code == 200
    page = text(response)
    assert "people.csv is ready to import" in page
    assert "Would be created" in page
    assert "Commit this file" in page
    assert SourceRecord.objects.count() == 0
    pending = PendingUpload.objects.get()
    assert pending.owner == social_worker
    assert reverse("importing-commit", args=[pending.pk]) in page
    check = AuditEvent.objects.get()
    assert (check.action, check.detail["dry_run"], check.via) == (
        AuditAction.IMPORT_PEOPLE,
        True,
        "page",
    )

    response = client.post(reverse("importing-commit", args=[pending.pk]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("importing-batch", args=[batch.pk])
    assert SourceRecord.objects.count() == 2
    assert (batch.actor, batch.via, batch.created) == (social_worker, "page", 2)
    assert not PendingUpload.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.IMPORT_PEOPLE, detail__dry_run=False
    ).exists()

    page = text(client.get(response["Location"]))
    assert "Person records imported" in page
    assert batch.sha256 in page

    listing = text(client.get(UPLOAD))
    assert "people.csv" in listing
    assert "govuk-table" in listing

    # Committing again: the pending copy has gone.
    assert client.post(reverse("importing-commit", args=[pending.pk])).status_code == 404


def test_events_in_json_lines_through_the_page(client, social_worker):
    import_people_file(actor=None, content=PEOPLE, filename="p.csv", origin=CLI)
    client.force_login(social_worker)
    line = (
        b'{"event_id": "E1", "agency": "CSC", "subject_record_id": "C1", '
        b'"occurred_at": "2025-06-01", "category": "home_visit", "summary": "Seen"}\n'
    )
    response = upload_file(client, line, kind="events", name="events.jsonl")
    assert "Would be corrected" in text(response)
    pending = PendingUpload.objects.get()
    client.post(reverse("importing-commit", args=[pending.pk]))
    assert ChronologyEvent.objects.count() == 1


def test_a_bad_file_shows_every_problem_and_offers_no_commit(client, social_worker):
    client.force_login(social_worker)
    response = upload_file(client, BAD_PEOPLE, name="bad.csv")
    page = text(response)
    assert "govuk-error-summary" in page
    assert "bad.csv cannot be imported" in page
    assert "2 problems found" in page
    assert "unknown column 'colour'" in page
    assert "'2016-02-30' is not a real date" in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in page
    assert "date_of_birth" in page
    assert "Commit this file" not in page
    assert not PendingUpload.objects.exists()
    assert SourceRecord.objects.count() == 0


def test_a_teacher_cannot_submit_social_care_records(client, teacher):
    client.force_login(teacher)
    page = text(upload_file(client, PEOPLE))
    assert "you may submit only for EDUCATION, not CSC" in page
    assert not PendingUpload.objects.exists()


def test_an_administrator_may_submit_for_any_agency(client, administrator):
    client.force_login(administrator)
    upload_file(
        client,
        b"record_id,agency,given_name\nP1,POLICE,Jamie\nH1,HEALTH,Jamie\n",
    )
    pending = PendingUpload.objects.get()
    client.post(reverse("importing-commit", args=[pending.pk]))
    assert SourceRecord.objects.count() == 2


def test_nobody_may_commit_another_users_upload(client, social_worker, team_manager):
    client.force_login(social_worker)
    upload_file(client, PEOPLE)
    pending = PendingUpload.objects.get()
    client.force_login(team_manager)
    assert client.post(reverse("importing-commit", args=[pending.pk])).status_code == 404
    assert SourceRecord.objects.count() == 0
    assert PendingUpload.objects.filter(pk=pending.pk).exists()


def test_commit_takes_post_only(client, social_worker):
    client.force_login(social_worker)
    upload_file(client, PEOPLE)
    pending = PendingUpload.objects.get()
    assert client.get(reverse("importing-commit", args=[pending.pk])).status_code == 405
    assert SourceRecord.objects.count() == 0


def test_imports_are_listed_for_their_agency_only(client, agencies, social_worker, teacher):
    import_people_file(actor=None, content=PEOPLE, filename="csc-people.csv", origin=CLI)
    batch = ImportBatch.objects.get()
    client.force_login(teacher)
    assert "csc-people.csv" not in text(client.get(UPLOAD))
    assert client.get(reverse("importing-batch", args=[batch.pk])).status_code == 404
    client.force_login(social_worker)
    assert "csc-people.csv" in text(client.get(UPLOAD))
    assert client.get(reverse("importing-batch", args=[batch.pk])).status_code == 200


def test_the_form_reports_missing_choices(client, social_worker):
    client.force_login(social_worker)
    page = text(client.post(UPLOAD, {}))
    assert "govuk-error-summary" in page
    assert "Select what the file holds" in page
    assert "Select a file to upload" in page


def test_a_file_over_the_page_limit_is_refused(client, social_worker, settings):
    settings.SIGHTLINE_UPLOAD_MAX_BYTES = 20
    client.force_login(social_worker)
    page = text(upload_file(client, PEOPLE))
    assert "the largest file this page accepts is 20 bytes" in page
    assert not AuditEvent.objects.exists()
    assert not PendingUpload.objects.exists()
