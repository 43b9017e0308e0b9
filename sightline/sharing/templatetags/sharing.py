"""Inbox counts for the navigation and the home page."""

from dataclasses import dataclass

from django import template

from sightline.accounts.models import User
from sightline.sharing import queries

register = template.Library()


@dataclass(frozen=True)
class Counts:
    unread: int
    to_acknowledge: int
    overdue: int
    sent_open: int


@register.simple_tag
def unread_alerts(user: object) -> int:
    return queries.unread_count(user) if isinstance(user, User) else 0


@register.simple_tag
def sharing_counts(user: object) -> Counts:
    if not isinstance(user, User):
        return Counts(0, 0, 0, 0)
    return Counts(
        unread=queries.unread_count(user),
        to_acknowledge=queries.referrals_to_acknowledge(user).count(),
        overdue=queries.overdue_for_team(user).count(),
        sent_open=queries.open_referrals_sent_count(user),
    )


@register.filter
def flag_of(flags: object, person_pk: int) -> object:
    """``{{ flags|flag_of:person.pk }}``: the flag of one search result, or None."""
    return flags.get(person_pk) if isinstance(flags, dict) else None
