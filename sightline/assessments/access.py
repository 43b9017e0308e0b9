"""Who may record decisions, answer challenges and sign them off.

Seeing the child is decided by ``record.access`` (pages call ``open_record`` first).
On top of that, decisions belong to children's social care: its practitioners and
managers record them; only a manager who did not make the decision (and did not write the
rationale) signs off a rationale against a challenge, or an assessment they did not write.
"""

from sightline.accounts.models import Role, User
from sightline.agencies.models import AgencyKind
from sightline.people.models import Person

MANAGER_ROLES = frozenset({Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD})
DECIDER_ROLES = MANAGER_ROLES | {Role.PRACTITIONER}
REPORT_ROLES = MANAGER_ROLES | {Role.PANEL_ANALYST, Role.ADMINISTRATOR}


def in_social_care(user: User) -> bool:
    return (
        user.is_active
        and user.agency is not None
        and user.agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE
    )


def sees(user: User, person: Person) -> bool:
    return bool(user.has_perm("people.view_person", person))


def can_decide(user: User, person: Person) -> bool:
    """Records decisions, assessments and rationales for ``person``."""
    return in_social_care(user) and user.role in DECIDER_ROLES and sees(user, person)


def is_manager(user: User) -> bool:
    return in_social_care(user) and user.role in MANAGER_ROLES


def can_review(user: User, person: Person) -> bool:
    """Signs off or returns (other people's) rationales and assessments for ``person``."""
    return is_manager(user) and sees(user, person)


def can_see_reports(user: User) -> bool:
    return user.is_active and user.role in REPORT_ROLES
