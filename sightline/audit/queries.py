from collections.abc import Iterator
from typing import Any

from sightline.audit import chain
from sightline.audit.actions import hashed_fields
from sightline.audit.models import AuditChainHead, AuditEvent


def chain_rows() -> Iterator[tuple[int, str, str, dict[str, Any]]]:
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=5000):
        yield event.pk, event.previous_hash, event.hash, hashed_fields(event)


def verify_chain() -> list[chain.ChainProblem]:
    """Every problem in the audit chain, including rows removed from its end."""
    problems = chain.verify(chain_rows())
    head = AuditChainHead.objects.filter(pk=1).first()
    last = AuditEvent.objects.order_by("-id").first()
    if head is not None and (last is None or last.hash != head.last_hash):
        problems.append(
            chain.ChainProblem(
                head.last_id,
                "the newest rows are missing: the chain head records a row that is not there",
            )
        )
    return problems
