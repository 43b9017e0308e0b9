import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sightline.accounts.models import Role, User
from sightline.people import normalise
from sightline.people.models import Involvement, Person, StatusPeriod
from sightline.people.rules import relationship_filter


def visible_to(user: User, *, on: dt.date | None = None) -> QuerySet[Person]:
    """The persons ``user`` may see: the queryset form of ``people.view_person``."""
    if not user.is_authenticated or not user.is_active or user.role == Role.ADMINISTRATOR:
        return Person.objects.none()
    day = on or timezone.localdate()
    involvements = Involvement.objects.filter(relationship_filter(user, day), person=OuterRef("pk"))
    return Person.objects.filter(Exists(involvements), merged_into__isnull=True)


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
