"""The national returns through the upload page: the same check, then commit."""

import dataclasses
import datetime as dt
import io
import zipfile
from html import unescape

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.cases.models import EpisodeOfNeed, LookedAfterEpisode
from sightline.importing.models import ImportBatch, PendingUpload
from sightline.importing.tests.test_views import HttpsClient
from sightline.returns import cin_census, ssda903, synthetic
from sightline.returns.years import CollectionYear

UPLOAD = reverse("importing-upload")
CENSUS = synthetic.census(3, year=CollectionYear(2026))


@pytest.fixture(autouse=True)
def _after_the_year():
    with time_machine.travel(dt.datetime(2026, 4, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def client():
    return HttpsClient()


def upload(client, kind, name, content):
    response = client.post(
        UPLOAD, {"kind": kind, "file": SimpleUploadedFile(name, content, "application/xml")}
    )
    return response, unescape(response.content.decode())


def test_a_census_is_checked_then_committed(client, social_worker):
    client.force_login(social_worker)
    response, page = upload(client, "cin_census", "cin.xml", cin_census.write(CENSUS))
    assert response.status_code == 200
    assert "cin.xml is ready to import" in page
    assert EpisodeOfNeed.objects.count() == 0
    check = AuditEvent.objects.get(action=AuditAction.IMPORT_RETURN)  # one, not two
    assert (check.detail["dry_run"], check.via) == (True, "page")
    pending = PendingUpload.objects.get()
    response = client.post(reverse("importing-commit", args=[pending.pk]))
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.actor, batch.kind, batch.rows) == (social_worker, "cin_census", 3)
    assert EpisodeOfNeed.objects.current().count() == 3


def test_a_bad_census_shows_the_place_and_offers_no_commit(client, social_worker):
    client.force_login(social_worker)
    bad = cin_census.write(CENSUS).replace(b"<Sex>", b"<Sex>Q", 1)
    response, page = upload(client, "cin_census", "cin.xml", bad)
    assert response.status_code == 200
    assert "Message/Children/Child[1]/ChildIdentifiers" in page
    assert "unknown code 'Q" in page
    assert not PendingUpload.objects.exists()


def test_a_903_zip_is_checked(client, social_worker):
    client.force_login(social_worker)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in ssda903.write_files(synthetic.return903(CENSUS, 2)).items():
            archive.writestr(name, content)
    response, page = upload(client, "ssda903", "ssda903.zip", buffer.getvalue())
    assert response.status_code == 200
    assert "ssda903.zip is ready to import" in page
    assert "Not imported" not in page  # the return has no SWEpisodes
    assert LookedAfterEpisode.objects.count() == 0


def test_a_903_zip_with_social_worker_episodes_says_they_are_not_imported(client, social_worker):
    client.force_login(social_worker)
    result = synthetic.return903(CENSUS, 2)
    child = result.header[0]
    episode = ssda903.SWEpisode(
        child=child.child,
        dob=child.dob,
        sw_id="SW123456",
        sw_decom=dt.date(2025, 6, 2),
        sw_reason="OTHERS",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in ssda903.write_files(
            dataclasses.replace(result, sw_episodes=(episode,))
        ).items():
            archive.writestr(name, content)
    response, page = upload(client, "ssda903", "ssda903.zip", buffer.getvalue())
    assert response.status_code == 200
    assert "ssda903.zip is ready to import" in page
    skipped = page[page.index('id="skipped"') :]
    assert "Not imported" in skipped
    assert "SWEpisodes: 1 social worker episode skipped" in skipped


def test_a_teacher_cannot_import_a_census(client, teacher):
    client.force_login(teacher)
    _, page = upload(client, "cin_census", "cin.xml", cin_census.write(CENSUS))
    assert "only children's social care sends the national returns" in page
    assert not PendingUpload.objects.exists()
    assert EpisodeOfNeed.objects.count() == 0
