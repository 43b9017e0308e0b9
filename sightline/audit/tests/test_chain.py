import pytest
from django.core.management import CommandError, call_command

from sightline.audit import chain
from sightline.audit.actions import CLI, record_audit
from sightline.audit.models import AuditAction, AuditEvent


def test_verify_accepts_a_good_chain_and_names_the_changed_row():
    fields = [{"n": i} for i in range(4)]
    rows, previous = [], chain.GENESIS_HASH
    for i, f in enumerate(fields, start=1):
        h = chain.row_hash(previous, f)
        rows.append((i, previous, h, f))
        previous = h
    assert chain.verify(rows) == []
    changed = [*rows[:2], (3, rows[2][1], rows[2][2], {"n": 99}), rows[3]]
    assert chain.verify(changed) == [
        chain.ChainProblem(3, "this row was changed after it was written")
    ]
    deleted = [rows[0], rows[2], rows[3]]
    assert [p.row_id for p in chain.verify(deleted)] == [3]
    reordered = [rows[0], rows[2], rows[1], rows[3]]
    assert [p.row_id for p in chain.verify(reordered)] == [3, 2, 4]


@pytest.fixture
def trail(social_worker):
    for i in range(5):
        record_audit(
            actor=social_worker, action=AuditAction.SEARCH, origin=CLI, detail={"q": f"name {i}"}
        )
    return list(AuditEvent.objects.order_by("id"))


def test_verify_audit_passes_on_an_intact_trail(trail, capsys):
    call_command("verify-audit")
    assert "intact: 5 rows" in capsys.readouterr().out


@pytest.mark.parametrize("tamper", ["change", "delete", "delete_last", "swap"])
def test_verify_audit_fails_on_tampering(trail, tamper, capsys):
    if tamper == "change":
        AuditEvent.objects.filter(pk=trail[2].pk).update(detail={"q": "someone else"})
    elif tamper == "delete":
        AuditEvent.objects.filter(pk=trail[1].pk).delete()
    elif tamper == "delete_last":
        AuditEvent.objects.filter(pk=trail[-1].pk).delete()
    else:
        a, b = trail[1], trail[2]
        AuditEvent.objects.filter(pk=a.pk).update(detail=b.detail, hash=f"x{a.hash[1:]}")
        AuditEvent.objects.filter(pk=b.pk).update(
            detail=a.detail, hash=a.hash, previous_hash=a.previous_hash
        )
        AuditEvent.objects.filter(pk=a.pk).update(hash=b.hash, previous_hash=b.previous_hash)
    with pytest.raises(CommandError, match="problem"):
        call_command("verify-audit")
    assert "audit row" in capsys.readouterr().err
