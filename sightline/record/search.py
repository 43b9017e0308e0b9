"""Search for a person: the minimum criteria, the rate limit, capped results, and which
results the searcher may open. The page and the API are adapters over ``search_people``,
which writes the one audit row of a search.

The minimum criteria keep a search from listing a household: at least two letters of
each part of a name, with a date of birth or a postcode; or an NHS number, which is
exact on its own. One letter and a postcode would list everyone at an address whose
name starts with it.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from sightline.access import limits
from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.audit.sealing import seal_criteria
from sightline.people import normalise
from sightline.people.models import Person
from sightline.record.queries import searchable_by, visible_to

MINIMUM_CRITERIA = (
    "at least 2 letters of each name with a date of birth or a postcode, or an NHS number"
)
MINIMUM_NAME_LETTERS = 2


@dataclass(frozen=True)
class SearchCriteria:
    name: str = ""
    date_of_birth: dt.date | None = None
    nhs_number: str = ""
    postcode: str = ""

    def for_audit(self) -> dict[str, str]:
        """The criteria as the audit row keeps them: only those given, each sealed (the
        trail keeps no names: ``audit.sealing``)."""
        return seal_criteria(
            {
                "name": self.name,
                "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
                "nhs_number": self.nhs_number,
                "postcode": self.postcode,
            }
        )


@dataclass(frozen=True)
class CriteriaProblem:
    """Why criteria fall short, and the field to fix (``name``, ``date_of_birth``)."""

    field: str
    message: str


def criteria_problem(criteria: SearchCriteria) -> CriteriaProblem | None:
    """The first thing wrong with ``criteria`` as a search, or None if they may be used."""
    if criteria.nhs_number:
        return None
    words = normalise.name_key(criteria.name).split()
    if not words:
        return CriteriaProblem(
            "name", "Enter a name with a date of birth or a postcode, or enter an NHS number"
        )
    if any(len(word) < MINIMUM_NAME_LETTERS for word in words):
        return CriteriaProblem(
            "name", f"Enter at least {MINIMUM_NAME_LETTERS} letters of each name you give"
        )
    if criteria.date_of_birth is None and not criteria.postcode:
        return CriteriaProblem(
            "date_of_birth", "Enter a date of birth or a postcode as well as the name"
        )
    return None


def meets_minimum_criteria(
    *,
    name: str = "",
    date_of_birth: dt.date | None = None,
    nhs_number: str = "",
    postcode: str = "",
) -> bool:
    return (
        criteria_problem(
            SearchCriteria(
                name=name, date_of_birth=date_of_birth, nhs_number=nhs_number, postcode=postcode
            )
        )
        is None
    )


def result_limit() -> int:
    return int(settings.SIGHTLINE_SEARCH_RESULT_LIMIT)


@dataclass(frozen=True)
class Found:
    """One search result, as the searcher may see it: without a relationship, only the
    identity that was searched for (name, date of birth, sex), and a way to ask for
    emergency access; the NHS number and postcode are blank.

    ``person`` is kept for the features that act on a result (a flagged child's lookup).
    """

    person: Person
    relationship: bool

    @property
    def public_id(self) -> uuid.UUID:
        return self.person.public_id

    @property
    def full_name(self) -> str:
        return self.person.full_name

    @property
    def given_name(self) -> str:
        return self.person.given_name

    @property
    def family_name(self) -> str:
        return self.person.family_name

    @property
    def date_of_birth(self) -> dt.date | None:
        return self.person.date_of_birth

    @property
    def sex(self) -> str:
        return self.person.sex

    @property
    def nhs_number(self) -> str:
        return self.person.nhs_number if self.relationship else ""

    @property
    def postcode(self) -> str:
        return self.person.postcode if self.relationship else ""


def found_with_access(user: User, people: list[Person]) -> list[Found]:
    visible = set(
        visible_to(user).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    )
    return [Found(person=p, relationship=p.pk in visible) for p in people]


def search(
    people: QuerySet[Person],
    *,
    q: str = "",
    date_of_birth: dt.date | None = None,
    nhs_number: str = "",
    postcode: str = "",
) -> QuerySet[Person]:
    """Filter ``people`` by name words, date of birth, NHS number and postcode.

    Each name word must match the start of the given or family name (or an alias from a
    source record), so "jo smi" finds "Joanne Smith".
    """
    result = people
    for word in normalise.name_key(q).split():
        result = result.filter(
            Q(search_name__startswith=word) | Q(search_name__contains=f" {word}")
        )
    if date_of_birth is not None:
        result = result.filter(date_of_birth=date_of_birth)
    if nhs_number:
        result = result.filter(nhs_number=normalise.nhs_digits(nhs_number))
    if postcode:
        result = result.filter(postcode=normalise.postcode(postcode))
    return result


class SearchRateLimitedError(Exception):
    """Too many searches: the user may search again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many searches; try again in {retry_after} seconds")


def check_search_rate(user: User, *, origin: Origin) -> None:
    """Count one search by ``user`` (pages and API together) or refuse it, audited."""
    rate = limits.parse_rate(settings.SIGHTLINE_SEARCH_RATE)
    verdict = limits.hit(f"search:{user.pk}", rate)
    if not verdict.allowed:
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": "search", "limit": str(rate), "retry_after": verdict.retry_after},
        )
        raise SearchRateLimitedError(verdict.retry_after)


@dataclass(frozen=True)
class SearchOutcome:
    results: list[Found]
    # More people matched than the limit; only the first ``limit`` are given.
    more: bool


def find_people(
    user: User,
    *,
    name: str = "",
    date_of_birth: dt.date | None = None,
    nhs_number: str = "",
    postcode: str = "",
) -> SearchOutcome:
    """Search with the minimum criteria, capped at ``SIGHTLINE_SEARCH_RESULT_LIMIT``.

    Those who may trace find anyone who matches, told whether they have a relationship
    (only then may they open the record); others find only those they may see. Neither
    checks the rate nor audits: ``search_people`` does both.
    """
    if not meets_minimum_criteria(
        name=name, date_of_birth=date_of_birth, nhs_number=nhs_number, postcode=postcode
    ):
        raise ValueError(f"a search needs {MINIMUM_CRITERIA}")
    limit = result_limit()
    found = list(
        search(
            searchable_by(user),
            q=name,
            date_of_birth=date_of_birth,
            nhs_number=nhs_number,
            postcode=postcode,
        ).order_by("family_name", "given_name", "pk")[: limit + 1]
    )
    return SearchOutcome(results=found_with_access(user, found[:limit]), more=len(found) > limit)


def search_people(
    user: User, criteria: SearchCriteria, *, origin: Origin, page: int = 1
) -> SearchOutcome:
    """One search, from the page or the API: the rate (``SearchRateLimitedError``, its
    refusal audited), the capped results, and one ``search`` audit row with the criteria
    given, how many were found and the page shown.

    The criteria must meet the minimum (``criteria_problem``): adapters check them first
    to name the field at fault.
    """
    check_search_rate(user, origin=origin)
    outcome = find_people(
        user,
        name=criteria.name,
        date_of_birth=criteria.date_of_birth,
        nhs_number=criteria.nhs_number,
        postcode=criteria.postcode,
    )
    record_audit(
        actor=user,
        action=AuditAction.SEARCH,
        origin=origin,
        detail={
            "criteria": criteria.for_audit(),
            "results": len(outcome.results),
            "more": outcome.more,
            "page": page,
        },
    )
    return outcome
