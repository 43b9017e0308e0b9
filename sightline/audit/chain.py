"""Hash chaining for the audit trail. Pure: no Django imports."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


def row_hash(previous_hash: str, fields: Mapping[str, Any]) -> str:
    """The hash of one row: the previous row's hash and this row's fields, canonically."""
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous_hash}|{payload}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    row_id: int
    problem: str


def verify(rows: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> list[ChainProblem]:
    """Check rows given as ``(id, previous_hash, hash, fields)`` in id order.

    Finds a changed row (its hash no longer matches its fields), a deleted or reordered
    row (its ``previous_hash`` is not the hash of the row before it).
    """
    problems: list[ChainProblem] = []
    expected_previous = GENESIS_HASH
    for row_id, previous_hash, stored_hash, fields in rows:
        if previous_hash != expected_previous:
            problems.append(
                ChainProblem(
                    row_id,
                    "the chain is broken before this row: a row was deleted, inserted or reordered",
                )
            )
        if row_hash(previous_hash, fields) != stored_hash:
            problems.append(ChainProblem(row_id, "this row was changed after it was written"))
        expected_previous = stored_hash
    return problems
