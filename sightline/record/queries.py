"""Reads of people: the persons a user may see (the queryset form of the rules), whom a
search may find, and current statuses."""

import datetime as dt
import operator
from functools import reduce

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from sightline.access.models import BreakGlassGrant, CaseRelationship
from sightline.accounts.models import User
from sightline.people.models import Involvement, Person, StatusPeriod
from sightline.record import rules


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
    criteria) for those who may trace or answer subject access requests; otherwise only
    those they may see."""
    if rules.may_trace(user) or rules.may_answer_subject_access(user):
        return Person.objects.filter(merged_into__isnull=True)
    return visible_to(user)


def current_statuses(person: Person, *, on: dt.date) -> list[StatusPeriod]:
    return [
        period
        for period in person.status_periods.all()
        if period.started_on <= on and (period.ended_on is None or period.ended_on >= on)
    ]
