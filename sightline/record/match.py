"""Matching, as the read side answers it: what a caller may learn from a match.

The matcher (``linkage.realtime``) finds the persons a record may describe, each with an
id, a score and a per-field explanation. Handed to a caller as they are, they tell anyone
the ids of children they cannot open, and, by varying the input, the hidden date of birth
("differs by one digit") and postcode ("same postcode district"). So the candidates come
here first and leave as frozen rows already decided for this caller:

- a person the caller may open (``record.rules.standing(...).allowed``, the rule of the
  person page): the full row, with the id, the score, the explanation and the identity;
- anyone else: nothing of their own. The answer as a whole says only "a possible
  existing record" (request access or refer), once, whatever the number of such
  persons and wherever they rank; and only to those who may trace (search beyond their
  own relationships, ADR 0007). Others learn nothing of persons they cannot open.

A match is a trace: it needs the minimum criteria of a search, counts against the same
rate limit (``record.search.check_search_rate``), and writes one audit row per matched
person, naming the criteria, so the probe shows in that child's "who has seen this
record" (or one row naming no one when no one matched).

The matcher is passed in (``find``): this module sits below the features and imports
none of them.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sightline.accounts.models import User
from sightline.audit.actions import Origin, append_audit, new_audit_event
from sightline.audit.models import AuditAction
from sightline.audit.sealing import seal_criteria
from sightline.people import normalise
from sightline.people.models import Person
from sightline.record import rules, search
from sightline.record.search import SearchRateLimitedError, check_search_rate

__all__ = [
    "MINIMUM_CRITERIA",
    "POSSIBLE_EXISTING_RECORD",
    "Evidence",
    "InsufficientCriteriaError",
    "MatchCriteria",
    "MatchOutcome",
    "MatchRow",
    "SearchRateLimitedError",
    "match",
    "meets_minimum_criteria",
]

MINIMUM_CRITERIA = (
    "a given or family name (at least two letters in each part) with a date of birth or "
    "a postcode, or a valid NHS number"
)
POSSIBLE_EXISTING_RECORD = (
    "Sightline may already hold a record of this person that you are not working with. "
    "Do not record them again as someone new without checking: find the child to ask for "
    "emergency access, or refer to the agency that holds the record."
)


class InsufficientCriteriaError(ValueError):
    """The record to match has less than the minimum criteria."""

    def __init__(self) -> None:
        super().__init__(f"a match needs {MINIMUM_CRITERIA}")


@dataclass(frozen=True)
class MatchCriteria:
    """What the caller typed, as far as the minimum criteria and the audit need it."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    # Digits of a valid NHS number, or "" (an invalid one is treated as missing).
    nhs_number: str = ""
    postcode: str = ""

    def for_audit(self) -> dict[str, str]:
        """The criteria as the audit row keeps them: only those given, each sealed (the
        trail keeps no names: ``audit.sealing``)."""
        given = {
            "given_name": self.given_name.strip(),
            "family_name": self.family_name.strip(),
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "nhs_number": self.nhs_number,
            "postcode": self.postcode.strip(),
        }
        return seal_criteria(given)


def meets_minimum_criteria(criteria: MatchCriteria) -> bool:
    """The search's minimum (``record.search.criteria_problem``): a valid NHS number; or
    a name, each part given with at least two letters, with a date of birth or a
    postcode."""
    nhs_number = criteria.nhs_number
    return search.meets_minimum_criteria(
        name=f"{criteria.given_name} {criteria.family_name}",
        date_of_birth=criteria.date_of_birth,
        nhs_number=nhs_number if nhs_number and normalise.is_valid_nhs_number(nhs_number) else "",
        postcode=criteria.postcode.strip(),
    )


class CandidateEvidence(Protocol):
    """One field's comparison, as the matcher explains it."""

    @property
    def field(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def explanation(self) -> str: ...
    @property
    def weight(self) -> float: ...


class Candidate(Protocol):
    """A person the matcher found (``linkage.realtime.Candidate``), before any decision."""

    @property
    def person_id(self) -> int: ...
    @property
    def probability(self) -> float: ...
    @property
    def evidence(self) -> Sequence[CandidateEvidence]: ...
    @property
    def guard(self) -> str: ...


@dataclass(frozen=True)
class Evidence:
    field: str
    level: str
    explanation: str
    # log2 Bayes factor: above 0 for, below 0 against.
    weight: float


@dataclass(frozen=True)
class MatchRow:
    """A candidate the caller may open: everything the matcher said, and who it is."""

    public_id: str
    probability: float
    explanation: tuple[Evidence, ...]
    # Why the pair is never linked automatically (twins, siblings), or "".
    caution: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    sex: str
    postcode: str

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def percent(self) -> str:
        return f"{self.probability:.1%}"


@dataclass(frozen=True)
class MatchOutcome:
    """The answer to one match, already decided for its caller."""

    # The candidates the caller may open, most likely first.
    rows: tuple[MatchRow, ...]
    # Someone the caller may not open may be this person: no more is said of them.
    possible_existing_record: bool

    @property
    def advice(self) -> str:
        return POSSIBLE_EXISTING_RECORD if self.possible_existing_record else ""


def match(
    user: User,
    criteria: MatchCriteria,
    *,
    origin: Origin,
    find: Callable[[], Sequence[Candidate]],
    limit: int = 10,
) -> MatchOutcome:
    """Check the criteria and the rate, run ``find`` (the matcher), and return what
    ``user`` may learn from it, with the probe audited against each matched person.

    Raises ``InsufficientCriteriaError`` (nothing counted, nothing run) or
    ``SearchRateLimitedError`` (the refusal audited, nothing run).
    """
    if not meets_minimum_criteria(criteria):
        raise InsufficientCriteriaError
    check_search_rate(user, origin=origin)
    found = list(find())
    persons = {p.pk: p for p in Person.objects.filter(pk__in=[c.person_id for c in found])}
    opens = {
        pk: rules.standing(user, person).allowed
        for pk, person in persons.items()
        if person.merged_into_id is None
    }
    opened = [c for c in found if opens.get(c.person_id, False)][:limit]
    rows = tuple(_row(candidate, persons[candidate.person_id]) for candidate in opened)
    hidden = any(not opens.get(c.person_id, False) for c in found)
    tell = hidden and rules.may_trace(user)
    _audit(
        user,
        criteria,
        origin=origin,
        found=found,
        shown={c.person_id for c in opened},
        told=tell,
    )
    return MatchOutcome(rows=rows, possible_existing_record=tell)


def _row(candidate: Candidate, person: Person) -> MatchRow:
    return MatchRow(
        public_id=str(person.public_id),
        probability=round(candidate.probability, 6),
        explanation=tuple(
            Evidence(
                field=item.field,
                level=item.level,
                explanation=item.explanation,
                weight=round(item.weight, 2),
            )
            for item in candidate.evidence
        ),
        caution=candidate.guard,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        postcode=person.postcode,
    )


def _audit(
    user: User,
    criteria: MatchCriteria,
    *,
    origin: Origin,
    found: Sequence[Candidate],
    shown: set[int],
    told: bool,
) -> None:
    """One row per matched person (what the caller was told of them), or one naming
    no one when no one matched."""
    given = criteria.for_audit()
    if not found:
        append_audit(
            [
                new_audit_event(
                    actor=user,
                    action=AuditAction.MATCH_PERSON,
                    origin=origin,
                    detail={"criteria": given, "matched": 0},
                )
            ]
        )
        return
    events = []
    for candidate in found:
        if candidate.person_id in shown:
            told_of = "record"
        else:
            told_of = "possible existing record" if told else "nothing"
        events.append(
            new_audit_event(
                actor=user,
                action=AuditAction.MATCH_PERSON,
                origin=origin,
                person_id=candidate.person_id,
                detail={"criteria": given, "matched": len(found), "shown": told_of},
            )
        )
    append_audit(events)
