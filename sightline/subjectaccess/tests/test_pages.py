"""The pages: who may (the agency's data quality officer), who may not (404, audited),
and each step through the page writing its audit row."""

import datetime as dt
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency
from sightline.audit.actions import Origin
from sightline.audit.models import AuditAction, AuditEvent
from sightline.people.models import Person
from sightline.subjectaccess import actions
from sightline.subjectaccess.models import Relationship, Status, SubjectAccessRequest
from sightline.subjectaccess.tests.conftest import Family
from sightline.testing import factories

PAGE = Origin(via="page")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def logged(officer: User, family: Family) -> SubjectAccessRequest:
    return actions.record_request(
        actor=officer,
        person=family.child,
        agency_id=officer.agency_id or 0,
        requester_name="Jamie Testchild",
        relationship=Relationship.SELF,
        received_on=dt.date(2025, 1, 31),
        origin=PAGE,
    )


@pytest.mark.parametrize(
    "persona", ["social_worker", "team_manager", "police_officer", "administrator", "panel_analyst"]
)
def test_others_get_404_everywhere(
    request: pytest.FixtureRequest, persona: str, logged: SubjectAccessRequest
) -> None:
    user = request.getfixturevalue(persona)
    client = _client(user)
    urls = [
        reverse("subjectaccess:list"),
        reverse("subjectaccess:find"),
        reverse("subjectaccess:new", args=[logged.person.public_id]),
        reverse("subjectaccess:detail", args=[logged.public_id]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for name in ("verify", "gather", "sent"):
        url = reverse(f"subjectaccess:{name}", args=[logged.public_id])
        assert client.post(url, {"method": "documents"}).status_code == 404, url
    pack = reverse("subjectaccess:download", args=[logged.public_id, "zip"])
    assert client.post(pack).status_code == 404
    assert AuditEvent.objects.filter(actor=user, action=AuditAction.DENIED).count() == 8
    assert not AuditEvent.objects.filter(actor=user, action=AuditAction.SUBJECT_ACCESS_READ)
    logged.refresh_from_db()
    assert logged.status == Status.RECEIVED


def test_an_officer_of_another_agency_gets_404(
    agencies: dict[str, Agency], logged: SubjectAccessRequest
) -> None:
    other = factories.UserFactory.create(agency=agencies["HEALTH"], role=Role.DATA_QUALITY)
    client = _client(other)
    assert client.get(reverse("subjectaccess:list")).status_code == 200
    assert client.get(reverse("subjectaccess:detail", args=[logged.public_id])).status_code == 404


def test_the_officer_finds_the_person_and_logs_a_request(officer: User, family: Family) -> None:
    client = _client(officer)
    nav = client.get(reverse("home"))
    assert reverse("subjectaccess:list") in nav.content.decode()
    found = client.get(
        reverse("subjectaccess:find"),
        {
            "name": "Jamie Testchild",
            "date_of_birth_day": "27",
            "date_of_birth_month": "3",
            "date_of_birth_year": "2012",
        },
    )
    assert found.status_code == 200
    new_url = reverse("subjectaccess:new", args=[family.child.public_id])
    assert new_url in found.content.decode()
    assert AuditEvent.objects.filter(actor=officer, action=AuditAction.SEARCH).exists()
    response = client.post(
        new_url,
        {
            "requester_name": "Jamie Testchild",
            "relationship": "self",
            "received_on_day": "31",
            "received_on_month": "1",
            "received_on_year": "2025",
        },
    )
    created = SubjectAccessRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("subjectaccess:detail", args=[created.public_id])
    assert created.due_on == dt.date(2025, 2, 28)
    listing = client.get(reverse("subjectaccess:list")).content.decode()
    assert created.reference in listing
    assert "28 February 2025" in listing


def test_the_steps_through_the_pages(officer: User, logged: SubjectAccessRequest) -> None:
    client = _client(officer)
    detail = reverse("subjectaccess:detail", args=[logged.public_id])
    page = client.get(detail)
    assert page.status_code == 200
    assert "Not verified" in page.content.decode()
    # No pack without verification: a clear refusal, nothing read.
    refused = client.post(reverse("subjectaccess:download", args=[logged.public_id, "pdf"]))
    assert refused.status_code == 400
    assert "identity has not been verified" in refused.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_READ).exists()
    # The verification form's error.
    empty = client.post(reverse("subjectaccess:verify", args=[logged.public_id]), {})
    assert empty.status_code == 400
    assert "Choose how the identity was verified" in empty.content.decode()
    verified = client.post(
        reverse("subjectaccess:verify", args=[logged.public_id]), {"method": "documents"}
    )
    assert verified.status_code == 302
    assert client.post(reverse("subjectaccess:gather", args=[logged.public_id])).status_code == 302
    review = client.get(detail).content.decode()
    assert "Karen Woodhouse" in review  # the reviewer sees the names to decide on
    suggestion = logged.suggestions.get(term="Karen Woodhouse")
    decided = client.post(
        reverse("subjectaccess:decide", args=[logged.public_id, suggestion.pk]),
        {"decision": "confirmed"},
    )
    assert decided.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.decision == "confirmed"
    pack = client.post(reverse("subjectaccess:download", args=[logged.public_id, "zip"]))
    assert pack.status_code == 200
    assert pack["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(pack.content)).namelist()
    assert f"{logged.reference}.pdf" in names
    assert (
        "Karen"
        not in b"".join(
            zipfile.ZipFile(io.BytesIO(pack.content)).read(n) for n in names if n.endswith(".csv")
        ).decode()
    )
    pdf = client.post(reverse("subjectaccess:download", args=[logged.public_id, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    sent = client.post(
        reverse("subjectaccess:sent", args=[logged.public_id]),
        {"sent_on_day": "20", "sent_on_month": "2", "sent_on_year": "2025"},
    )
    assert sent.status_code == 302
    logged.refresh_from_db()
    assert logged.status == Status.SENT
    actions_seen = set(AuditEvent.objects.filter(actor=officer).values_list("action", flat=True))
    assert {
        AuditAction.VERIFY_SUBJECT_ACCESS,
        AuditAction.GATHER_SUBJECT_ACCESS,
        AuditAction.REVIEW_SUBJECT_ACCESS,
        AuditAction.PRODUCE_SUBJECT_ACCESS,
        AuditAction.SEND_SUBJECT_ACCESS,
        AuditAction.SUBJECT_ACCESS_READ,
    } <= actions_seen


def test_the_officer_cannot_open_the_record_page(officer: User, family: Family) -> None:
    """Subject access opens the record for the request only, not the child's page."""
    client = _client(officer)
    assert client.get(reverse("person-detail", args=[family.child.public_id])).status_code == 404


def test_the_cli_writes_the_pack(family: Family, tmp_path: object) -> None:
    from pathlib import Path

    from django.core.management import call_command

    out = Path(str(tmp_path))
    call_command("subject-access", "EDUCATION:EDUCATION-0001", "--out", str(out), "--agency", "CSC")
    created = SubjectAccessRequest.objects.get()
    assert created.person == family.child
    assert created.verification_method == "cli_operator"
    pack = out / f"{created.reference}.zip"
    assert pack.exists()
    assert (out / f"{created.reference}.pdf").exists()
    assert pack.stat().st_mode & 0o077 == 0
    text = b"".join(
        zipfile.ZipFile(pack).read(n)
        for n in zipfile.ZipFile(pack).namelist()
        if n.endswith(".csv")
    ).decode()
    assert "POLICE-0001" in text
    assert "Karen" not in text
    assert "Tyler" not in text
    verified = AuditEvent.objects.get(action=AuditAction.VERIFY_SUBJECT_ACCESS)
    assert verified.actor is None
    assert verified.via == "cli"
    assert "operator of the command line" in verified.reason
    read = AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_READ).first()
    assert read is not None
    assert read.detail["identity_verified_by"] == "cli operator"


def test_the_cli_refuses_an_unknown_person(db: None, tmp_path: object) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="no person found"):
        call_command("subject-access", "NOPE:1", "--out", str(tmp_path))


def test_found_person_is_not_a_child_in_the_record(officer: User, child: Person) -> None:
    """The search finds identity only for the officer: no record link on the result."""
    client = _client(officer)
    page = client.get(
        reverse("subjectaccess:find"), {"name": "Jamie Testchild", "postcode": child.postcode}
    ).content.decode()
    assert reverse("person-detail", args=[child.public_id]) not in page
