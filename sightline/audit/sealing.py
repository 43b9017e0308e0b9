"""Search criteria kept in the audit trail as seals, not as the names typed.

An audit row must say what a user searched for, so that misuse can be investigated; and
it must keep no name, so that disposing of a child's record (docs/governance.md) leaves
nothing of them behind in a trail that can never be changed (its rows are hash-chained).
A seal is a keyed digest (HMAC-SHA256, key derived from the secret key) of one
normalised criterion: an investigator who knows what to look for computes the same seal
(``sightline audit-search-for``) and finds the rows; nobody can read a name back out.

Changing the secret key orphans the seals made before it (they can no longer be looked
up); the chain still verifies.
"""

import hashlib
import hmac

from django.conf import settings

PREFIX = "seal:"
_LENGTH = 32  # hex digits kept: 128 bits


def _key() -> bytes:
    return hmac.new(
        str(settings.SECRET_KEY).encode(), b"sightline audit criteria seal", hashlib.sha256
    ).digest()


def _normalise(value: str) -> str:
    return " ".join(value.casefold().split())


def seal(field: str, value: str) -> str:
    """The seal of ``value`` given as ``field`` (names, dates, numbers alike)."""
    message = f"{field}\n{_normalise(value)}".encode()
    return PREFIX + hmac.new(_key(), message, hashlib.sha256).hexdigest()[:_LENGTH]


def seal_criteria(criteria: dict[str, str]) -> dict[str, str]:
    """Each criterion given, sealed; the keys (which criteria were used) stay readable."""
    return {field: seal(field, value) for field, value in criteria.items() if value}
