"""Search for a person: the minimum criteria, the rate limit, capped results, and which
results the searcher may open."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from sightline.access import limits
from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.people import normalise
from sightline.people.models import Person
from sightline.record.queries import searchable_by, visible_to

MINIMUM_CRITERIA = "a name with a date of birth or a postcode, or an NHS number"


def meets_minimum_criteria(
    *,
    name: str = "",
    date_of_birth: dt.date | None = None,
    nhs_number: str = "",
    postcode: str = "",
) -> bool:
    """A name with a date of birth or postcode, or an NHS number (bulk-data limits)."""
    has_name = bool(normalise.name_key(name).split())
    return bool(nhs_number) or (has_name and (date_of_birth is not None or bool(postcode)))


def result_limit() -> int:
    return int(settings.SIGHTLINE_SEARCH_RESULT_LIMIT)


@dataclass(frozen=True)
class Found:
    """One search result; ``relationship`` says whether the user may open the record."""

    person: Person
    relationship: bool


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
    (only then may they open the record); others find only those they may see. The
    caller has checked the criteria, checked the rate and audits the search.
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
