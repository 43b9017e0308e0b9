"""Who may do what with retention: a role, not a relationship with a child."""

from sightline.accounts.models import Role, User


def may_review_disposals(user: User) -> bool:
    """Information governance officers review proposals, approve or refuse disposals and
    place or release legal holds."""
    return user.is_authenticated and user.is_active and user.role == Role.INFORMATION_GOVERNANCE


def may_change_schedule(user: User) -> bool:
    """The administrator keeps the schedule; the officer applies it."""
    return user.is_authenticated and user.is_active and user.role == Role.ADMINISTRATOR
