"""The audit trail behind the access rules: a read fails if its audit row cannot be
written, and `sightline verify-audit` exits 0 on an intact trail and non-zero, naming
the row, when a read's row is changed, deleted or moved."""

import pytest
from django.core.management import ManagementUtility
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def verify_audit(capsys) -> tuple[int, str]:
    """Run the command as the CLI does; its exit code and what it printed."""
    try:
        ManagementUtility(["sightline", "verify-audit"]).execute()
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def reads(social_worker, police_officer, child):
    for user in (social_worker, police_officer, social_worker):
        client = Client()
        client.force_login(user)
        assert (
            client.get(reverse("person-detail", args=[child.public_id]), secure=True).status_code
            == 200
        )
    return list(AuditEvent.objects.filter(action=AuditAction.VIEW_PERSON).order_by("id"))


def test_verify_audit_exits_zero_on_an_intact_trail(reads, capsys):
    assert verify_audit(capsys) == (0, "audit trail intact: 3 rows\n")


@pytest.mark.parametrize("tamper", ["change", "delete", "reorder"])
def test_verify_audit_exits_non_zero_and_names_the_row(reads, capsys, tamper):
    first, second, third = reads
    if tamper == "change":  # someone hides that the police officer looked
        AuditEvent.objects.filter(pk=second.pk).update(actor_username="someone.else")
        named = second.pk
    elif tamper == "delete":
        AuditEvent.objects.filter(pk=second.pk).delete()
        named = third.pk
    else:  # swap the contents of two rows, hashes and all
        AuditEvent.objects.filter(pk=first.pk).update(
            actor=second.actor, actor_username=second.actor_username, hash="x" * 64
        )
        AuditEvent.objects.filter(pk=second.pk).update(
            actor=first.actor,
            actor_username=first.actor_username,
            hash=first.hash,
            previous_hash=first.previous_hash,
        )
        AuditEvent.objects.filter(pk=first.pk).update(
            hash=second.hash, previous_hash=second.previous_hash
        )
        named = first.pk
    code, output = verify_audit(capsys)
    assert code == 1
    assert f"audit row {named}:" in output


def test_a_read_fails_when_its_audit_row_cannot_be_written(social_worker, child, monkeypatch):
    def broken(**kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr("sightline.record.access.record_audit", broken)
    client = Client(raise_request_exception=False)
    client.force_login(social_worker)
    response = client.get(reverse("person-detail", args=[child.public_id]), secure=True)
    assert response.status_code == 500
    assert "Jamie" not in response.content.decode()
