"""Who may see a person's record. The one place these rules live.

Today: a practitioner with an active involvement with the person, or the team manager
of such a practitioner. Nobody else, administrators included (they manage users, not
case records). ``queries.visible_to`` is the same rule as a queryset filter; a test keeps
the two in step.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from rules.permissions import add_perm
from rules.predicates import predicate

from sightline.accounts.models import Role, User
from sightline.people.models import Involvement, Person


def _today() -> dt.date:
    return timezone.localdate()


def relationship_filter(user: User, day: dt.date) -> Q:
    """Involvements that give ``user`` a legitimate reason to see the person, on ``day``."""
    active = Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    mine = Q(practitioner=user)
    if user.role == Role.TEAM_MANAGER and user.team_id is not None:
        mine |= Q(practitioner__team_id=user.team_id, practitioner__is_active=True)
    return active & mine


def _has_legitimate_relationship(user: User, person: Person) -> bool:
    if not user.is_authenticated or not user.is_active or user.role == Role.ADMINISTRATOR:
        return False
    return Involvement.objects.filter(relationship_filter(user, _today()), person=person).exists()


has_legitimate_relationship = predicate(_has_legitimate_relationship)  # type: ignore[no-untyped-call]
add_perm("people.view_person", has_legitimate_relationship)  # type: ignore[no-untyped-call]
