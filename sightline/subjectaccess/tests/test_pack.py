"""The acceptance test (issue 17, item 3): the pack holds the person's records from every
agency, and no third party's name unredacted; and no pack without verified identity."""

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from pypdf import PdfReader

from sightline.accounts.models import User
from sightline.audit.actions import Origin
from sightline.audit.models import AuditAction, AuditEvent
from sightline.subjectaccess import actions
from sightline.subjectaccess.models import (
    Decision,
    Relationship,
    Status,
    SubjectAccessRequest,
    VerificationMethod,
)
from sightline.subjectaccess.redaction import REDACTED
from sightline.subjectaccess.tests.conftest import Family

PAGE = Origin(via="page")


def _request(officer: User, family: Family) -> SubjectAccessRequest:
    return actions.record_request(
        actor=officer,
        person=family.child,
        agency_id=officer.agency_id or 0,
        requester_name="Jamie Testchild",
        relationship=Relationship.SELF,
        received_on=dt.date(2025, 1, 31),
        origin=PAGE,
    )


def _pdf_text(data: bytes) -> str:
    # Whitespace made one space: table cells wrap their words onto new lines.
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def _names_left(text: str, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.I)]


def test_it_packs_every_agency_and_no_third_party_name(officer: User, family: Family) -> None:
    request = _request(officer, family)
    actions.verify_identity(
        actor=officer, request=request, method=VerificationMethod.DOCUMENTS, origin=PAGE
    )
    actions.gather(actor=officer, request=request, origin=PAGE)
    request.refresh_from_db()
    assert request.status == Status.IN_REVIEW
    terms = set(request.suggestions.values_list("term", flat=True))
    assert {"Karen Woodhouse", "Tyler Testchild", "Dennis Ogunbanjo", "Hattie Nightingale"} <= terms
    # The child's own family name (a sibling shares it) is never a word redacted alone.
    sibling = request.suggestions.get(term="Tyler Testchild")
    assert sibling.words == ["Tyler Testchild", "Tyler"]

    produced = actions.produce_pack(actor=officer, request=request, origin=PAGE)

    text = _pdf_text(produced.pdf)
    archive = zipfile.ZipFile(io.BytesIO(produced.zip))
    zipped = "\n".join(
        archive.read(name).decode("utf-8")
        for name in archive.namelist()
        if not name.endswith(".pdf")
    )
    for agency in ("CSC", "POLICE", "HEALTH", "EDUCATION"):
        assert f"{agency}-0001" in text
        assert f"{agency.lower()}/records.json" in archive.namelist()
        document = json.loads(archive.read(f"{agency.lower()}/records.json"))
        assert document["tables"]["records"][0]["Record id"] == f"{agency}-0001"
        assert document["tables"]["events"]
    assert "Jamie" in text
    assert "Testchild" in text
    assert "not brought to clinic" in text
    assert "not brought to clinic" in zipped
    assert _names_left(text, family.third_party_names) == []
    assert _names_left(zipped, family.third_party_names) == []
    assert _names_left(produced.html, family.third_party_names) == []
    assert REDACTED in text
    assert REDACTED in zipped


def test_it_discloses_only_rejected_suggestions(officer: User, family: Family) -> None:
    request = _request(officer, family)
    actions.verify_identity(
        actor=officer, request=request, method=VerificationMethod.DOCUMENTS, origin=PAGE
    )
    actions.gather(actor=officer, request=request, origin=PAGE)
    practitioner = request.suggestions.get(term="Hattie Nightingale")
    actions.decide_suggestion(
        actor=officer, suggestion=practitioner, decision=Decision.REJECTED, origin=PAGE
    )
    confirmed = request.suggestions.get(term="Karen Woodhouse")
    actions.decide_suggestion(
        actor=officer, suggestion=confirmed, decision=Decision.CONFIRMED, origin=PAGE
    )
    produced = actions.produce_pack(actor=officer, request=request, origin=PAGE)
    # Rejected: the practitioner's name is disclosed.
    assert "Hattie Nightingale" in produced.html
    # Confirmed and pending suggestions are both redacted.
    assert _names_left(produced.html, ("Karen", "Woodhouse", "Tyler", "Dennis")) == []


def test_it_refuses_a_pack_without_identity_verification(officer: User, family: Family) -> None:
    request = _request(officer, family)
    with pytest.raises(actions.IdentityNotVerifiedError, match="identity has not been verified"):
        actions.produce_pack(actor=officer, request=request, origin=PAGE)
    with pytest.raises(actions.IdentityNotVerifiedError):
        actions.gather(actor=officer, request=request, origin=PAGE)
    # Nothing of the record was read.
    assert not AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_READ).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PRODUCE_SUBJECT_ACCESS).exists()


def test_it_audits_every_step(officer: User, family: Family) -> None:
    request = _request(officer, family)
    actions.verify_identity(
        actor=officer, request=request, method=VerificationMethod.IN_PERSON, origin=PAGE
    )
    actions.extend_deadline(
        actor=officer, request=request, reason="Records of 4 agencies", origin=PAGE
    )
    actions.gather(actor=officer, request=request, origin=PAGE)
    suggestion = request.suggestions.first()
    assert suggestion is not None
    actions.decide_suggestion(
        actor=officer, suggestion=suggestion, decision=Decision.CONFIRMED, origin=PAGE
    )
    actions.produce_pack(actor=officer, request=request, origin=PAGE)
    actions.record_sent(actor=officer, request=request, sent_on=dt.date(2025, 2, 20), origin=PAGE)
    rows = list(
        AuditEvent.objects.filter(detail__subject_access_request=str(request.public_id)).order_by(
            "pk"
        )
    )
    assert [row.action for row in rows] == [
        AuditAction.RECORD_SUBJECT_ACCESS,
        AuditAction.VERIFY_SUBJECT_ACCESS,
        AuditAction.EXTEND_SUBJECT_ACCESS,
        AuditAction.SUBJECT_ACCESS_READ,
        AuditAction.GATHER_SUBJECT_ACCESS,
        AuditAction.REVIEW_SUBJECT_ACCESS,
        AuditAction.SUBJECT_ACCESS_READ,
        AuditAction.PRODUCE_SUBJECT_ACCESS,
        AuditAction.SEND_SUBJECT_ACCESS,
    ]
    assert all(row.actor_id == officer.pk and row.person_id == family.child.pk for row in rows)
    read = rows[3]
    assert read.detail["identity_verified_by"] == officer.username
    assert read.detail["verification_method"] == VerificationMethod.IN_PERSON
    # The audit trail keeps no names: not the requester's, not a third party's.
    dumped = json.dumps([(row.reason, row.detail) for row in rows])
    assert "Jamie Testchild" not in dumped
    assert "Karen" not in dumped


def test_the_read_side_refuses_others_and_unverified_requests(
    officer: User, social_worker: User, family: Family
) -> None:
    from django.http import Http404

    from sightline.record.access import SubjectAccessWarrant, open_for_subject_access

    verified = SubjectAccessWarrant("r", dt.datetime(2025, 2, 1, tzinfo=dt.UTC), "x", "documents")
    with pytest.raises(Http404):
        # The allocated social worker is not a subject access officer.
        open_for_subject_access(
            social_worker, family.child.public_id, warrant=verified, origin=PAGE
        )
    with pytest.raises(Http404):
        open_for_subject_access(
            officer,
            family.child.public_id,
            warrant=SubjectAccessWarrant("r", None, "", ""),
            origin=PAGE,
        )
    with pytest.raises(Http404):
        # Nobody but the command line's operator reads without a user.
        open_for_subject_access(None, family.child.public_id, warrant=verified, origin=PAGE)
    assert AuditEvent.objects.filter(action=AuditAction.DENIED).count() == 3
    assert (
        open_for_subject_access(
            officer, family.child.public_id, warrant=verified, origin=PAGE
        ).person
        == family.child
    )
