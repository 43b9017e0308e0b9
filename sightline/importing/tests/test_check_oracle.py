"""The upload check (dry run) is not an existence oracle (issue 13, leak 3).

The attack: a user of any agency, the panel analyst included, uploads a file with one row
(a name with a date of birth, or an NHS number) and reads "N new people" off the check. A
person known only to another agency must get the same answer as an unknown one.
"""

import datetime as dt
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sightline.audit.actions import Origin
from sightline.audit.models import AuditAction, AuditEvent
from sightline.importing.actions import check_upload, commit_upload
from sightline.importing.models import ImportKind
from sightline.people import normalise
from sightline.people.models import SourceRecord
from sightline.testing import factories
from sightline.testing.factories import synthetic_nhs_number

pytestmark = pytest.mark.django_db

PAGE = Origin(via="page", ip_address="127.0.0.1")
HEADER = "record_id,agency,given_name,family_name,date_of_birth,nhs_number"
NHS = synthetic_nhs_number(41)


class HttpsClient(Client):
    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


@pytest.fixture
def known_to_police(agencies):
    """A child the police hold; social care holds nothing about them."""
    return factories.SourceRecordFactory.create(
        agency=agencies["POLICE"],
        record_id="P1",
        given_name="Jamie",
        family_name="Hiddenchild",
        date_of_birth=dt.date(2016, 5, 4),
        nhs_number=NHS,
        name_dob_key=normalise.name_dob_key("Jamie", "Hiddenchild", "2016-05-04"),
    )


def one_row(row: str) -> bytes:
    return f"{HEADER}\n{row}\n".encode()


KNOWN_BY_NAME = one_row("C9,CSC,Jamie,Hiddenchild,2016-05-04,")
KNOWN_BY_NHS = one_row(f"C9,CSC,Someone,Else,2012-01-01,{NHS}")
UNKNOWN = one_row("C9,CSC,Zara,Nobody,2011-01-01,")


def counts(report):
    return (report.rows, report.created, report.updated, report.unchanged, report.persons_created)


@pytest.mark.parametrize("probe", [KNOWN_BY_NAME, KNOWN_BY_NHS])
def test_the_check_says_the_same_for_a_person_known_elsewhere_as_for_an_unknown_one(
    social_worker, known_to_police, probe
):
    def check(content):
        report, _pending = check_upload(
            actor=social_worker,
            kind=ImportKind.PEOPLE,
            content=content,
            filename="probe.csv",
            origin=PAGE,
        )
        return report

    assert counts(check(probe)) == counts(check(UNKNOWN))


def _counts_on_page(response) -> str:
    page = unescape(response.content.decode())
    found = re.search(r'<dl class="govuk-summary-list">(.*?)</dl>', page, re.S)
    assert found
    # Drop the file's name and hash: the rest is what the check says.
    return re.sub(r"SHA-256 [0-9a-f]{64}", "", found.group(1))


@pytest.mark.parametrize("persona", ["panel_analyst", "social_worker"])
def test_the_check_page_is_no_oracle(request, persona, known_to_police):
    client = HttpsClient()
    client.force_login(request.getfixturevalue(persona))

    def upload(content):
        file = SimpleUploadedFile("probe.csv", content, "text/csv")
        return client.post(reverse("importing-upload"), {"kind": "people", "file": file})

    pages = {_counts_on_page(upload(content)) for content in (KNOWN_BY_NAME, UNKNOWN)}
    assert len(pages) == 1
    assert "new person" not in next(iter(pages))


def test_the_check_compares_with_the_agencys_own_records_and_audits_their_people(
    agencies, social_worker, known_to_police
):
    own = factories.SourceRecordFactory.create(
        agency=agencies["CSC"], record_id="C1", given_name="Robin", family_name="Own"
    )
    content = f"{HEADER}\nC1,CSC,Robin,Renamed,,\nC9,CSC,Jamie,Hiddenchild,2016-05-04,\n"
    report, _pending = check_upload(
        actor=social_worker,
        kind=ImportKind.PEOPLE,
        content=content.encode(),
        filename="mine.csv",
        origin=PAGE,
    )
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    touched = AuditEvent.objects.get(action=AuditAction.IMPORT_PEOPLE, person=own.person)
    assert touched.detail["records"] == ["CSC:C1"]
    assert touched.detail["dry_run"] is True
    # The police's child is not touched by a social care check: nothing names them.
    assert not AuditEvent.objects.filter(person=known_to_police.person).exists()


def test_the_real_import_still_links_to_the_known_person(social_worker, known_to_police):
    # The same child by NHS number, name and date of birth: a record that contradicts the
    # person it names is held apart for review instead (people/identity.py, leak 4).
    _report, pending = check_upload(
        actor=social_worker,
        kind=ImportKind.PEOPLE,
        content=one_row(f"C9,CSC,Jamie,Hiddenchild,2016-05-04,{NHS}"),
        filename="probe.csv",
        origin=PAGE,
    )
    assert pending is not None
    committed = commit_upload(actor=social_worker, upload=pending, origin=PAGE)
    assert committed.ok
    assert committed.persons_created == 0
    assert SourceRecord.objects.get(record_id="C9").person_id == known_to_police.person_id
