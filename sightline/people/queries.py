"""Reads of people: the persons a user may see (the queryset form of the rules), search
with its minimum criteria, and current statuses."""

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sightline.access.models import BreakGlassGrant, CaseRelationship
from sightline.accounts.models import User
from sightline.people import normalise, rules
from sightline.people.models import Involvement, Person, StatusPeriod


def visible_to(
    user: User, *, on: dt.date | None = None, emergency: bool = True
) -> QuerySet[Person]:
    """The persons ``user`` may see: the queryset form of ``people.view_person``.

    ``on`` is the day for dated relationships; emergency access counts if it is open now
    (unless ``emergency=False``: exports need a legitimate relationship).
    """
    if not rules.holds_case_records(user):
        return Person.objects.none()
    day = on or timezone.localdate()
    involvements = Involvement.objects.filter(
        rules.relationship_filter(user, day), person=OuterRef("pk")
    )
    case_relationships = CaseRelationship.objects.filter(
        rules.case_relationship_filter(user, day), person=OuterRef("pk")
    )
    grants = BreakGlassGrant.objects.filter(
        rules.grant_filter(user, timezone.now()), person=OuterRef("pk")
    )
    conditions = [Exists(involvements), Exists(case_relationships)]
    if emergency:
        conditions.append(Exists(grants))
    return Person.objects.filter(reduce(operator.or_, conditions), merged_into__isnull=True)


def searchable_by(user: User) -> QuerySet[Person]:
    """Whom a search by ``user`` may find: everyone (identity only, with the minimum
    criteria) for those who may trace; otherwise only those they may see."""
    if rules.may_trace(user):
        return Person.objects.filter(merged_into__isnull=True)
    return visible_to(user)


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


def current_statuses(person: Person, *, on: dt.date) -> list[StatusPeriod]:
    return [
        period
        for period in person.status_periods.all()
        if period.started_on <= on and (period.ended_on is None or period.ended_on >= on)
    ]
