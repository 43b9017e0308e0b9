"""Finding and removing third parties' names in text. Pure: no Django.

A term is matched as whole words, ignoring case and runs of spaces ("Karen  SMITH" is
"Karen Smith"); longer terms first, so a full name is one redaction, not two.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

REDACTED = "[redacted: third party]"
MINIMUM_TERM_LETTERS = 2


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted(
        {" ".join(term.split()) for term in terms if usable(term)}, key=len, reverse=True
    )
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in word.split()) for word in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def usable(term: str) -> bool:
    return len("".join(term.split())) >= MINIMUM_TERM_LETTERS


def count(text: str, *terms: str) -> int:
    """How many times ``terms`` occur in ``text`` as whole words (longest first)."""
    pattern = _pattern(terms)
    return len(pattern.findall(text)) if pattern is not None else 0


@dataclass(frozen=True)
class Redactor:
    """Removes ``terms`` from text."""

    terms: frozenset[str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", _pattern(self.terms))

    def __call__(self, text: str) -> str:
        compiled: re.Pattern[str] | None = getattr(self, "_compiled")  # noqa: B009
        if compiled is None or not text:
            return text
        return compiled.sub(REDACTED, text)


def name_terms(given: str, family: str, *, own: frozenset[str]) -> list[str]:
    """The terms that name one third party: the full name, and each name that is not one
    of the person's own names (``own``, lower case; a sibling shares a family name)."""
    given, family = " ".join(given.split()), " ".join(family.split())
    terms = []
    full = f"{given} {family}".strip()
    if usable(full):
        terms.append(full)
    for part in (*given.split(), *family.split()):
        if usable(part) and part.lower() not in own and part not in terms:
            terms.append(part)
    return terms
