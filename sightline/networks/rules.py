"""Who may see contexts (places, online spaces, peer groups) and the exploitation meeting.

A context is not a person's record: the people linked to it are filtered one by one with
``people.view_person``. Contexts themselves are shared with every practitioner, manager
and safeguarding lead of a partner agency, because contextual safeguarding is work done
together on the place; administrators (who manage users) and panel analysts (with no
case role) may not see them. ``queries.contexts_visible_to`` is the queryset form.
"""

from rules.permissions import add_perm
from rules.predicates import predicate

from sightline.accounts.models import Role, User

CONTEXT_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD})


def may_view_contexts(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.agency_id is not None
        and user.role in CONTEXT_ROLES
    )


def _may_view_context(user: User, context: object = None) -> bool:
    return may_view_contexts(user)


view_context = predicate(_may_view_context)  # type: ignore[no-untyped-call]
add_perm("networks.view_context", view_context)  # type: ignore[no-untyped-call]
add_perm("networks.view_exploitation_meeting", view_context)  # type: ignore[no-untyped-call]
