"""Who may see a person's record, and which parts of it. The one place these rules live.

A practitioner sees a child's record because of a dated, legitimate relationship
(information-sharing.md). Everything else is denied by default; administrators manage
users, not case records, and panel analysts see national reviews, not records.

Relationships that open a record, on a given day:

- an active **involvement** with the child (allocated social worker, health visitor,
  school safeguarding lead, police officer, ...: ``people.Involvement``);
- **team manager** of an active practitioner of their team who has such an involvement;
- **safeguarding lead** of an agency that has an active involvement with the child;
- **core group member** or **conference invitee** (``access.CaseRelationship``);
- **emergency access** (break-glass, ``access.BreakGlassGrant``): time-limited, with a
  reason, reviewed by a manager.

``record.queries.visible_to`` is the same rule as a queryset filter; a test keeps the two
in step. Page views, the API, search, exports and background jobs all go through one of
the two (``record.access.open_record`` for one record).
"""

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from rules.permissions import add_perm
from rules.predicates import predicate

from sightline.access import sections
from sightline.access.models import BreakGlassGrant, CaseRelationship, CaseRole
from sightline.accounts.models import Role, User
from sightline.core.statements import Value, ValuesStatement
from sightline.people.models import Involvement, InvolvementRole, Person

# Roles that hold case records (search beyond their own relationships, break glass).
CASE_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD})
# Roles that may export lists of children (caseload, with a reason).
BULK_EXPORT_ROLES = frozenset({Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD})


class Basis(enum.StrEnum):
    """Why a user may see a record."""

    ALLOCATED = "allocated"
    INVOLVEMENT = "involvement"
    TEAM_MANAGER = "team_manager"
    AGENCY_SAFEGUARDING_LEAD = "agency_safeguarding_lead"
    CORE_GROUP = "core_group"
    CONFERENCE_INVITEE = "conference_invitee"
    BREAK_GLASS = "break_glass"

    @property
    def label(self) -> str:
        return {
            Basis.ALLOCATED: "Allocated social worker",
            Basis.INVOLVEMENT: "Involved with the child",
            Basis.TEAM_MANAGER: "Manager of a practitioner involved with the child",
            Basis.AGENCY_SAFEGUARDING_LEAD: "Safeguarding lead of an agency involved",
            Basis.CORE_GROUP: "Core group member",
            Basis.CONFERENCE_INVITEE: "Invited to a child protection conference",
            Basis.BREAK_GLASS: "Emergency access",
        }[self]


def _today() -> dt.date:
    return timezone.localdate()


def holds_case_records(user: User) -> bool:
    """Whether ``user`` can have relationships with children's records at all."""
    return bool(user.is_authenticated and user.is_active and user.role != Role.ADMINISTRATOR)


def may_trace(user: User) -> bool:
    """May search beyond their own relationships (with the minimum criteria) and ask for
    emergency access: practitioners, team managers and safeguarding leads of an agency."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in CASE_ROLES
        and user.agency_id is not None
    )


def may_answer_subject_access(user: User) -> bool:
    """Answers subject access requests (information governance): the data quality officer
    of an agency. Such an officer may find anyone by a search (identity only, with the
    minimum criteria) and read a whole record only for a verified request
    (``record.access.open_for_subject_access``)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.DATA_QUALITY
        and user.agency_id is not None
    )


def _manages_team(user: User) -> bool:
    return user.role == Role.TEAM_MANAGER and user.team_id is not None


def _leads_agency(user: User) -> bool:
    return user.role == Role.SAFEGUARDING_LEAD and user.agency_id is not None


def _active(day: dt.date) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def relationship_filter(user: User, day: dt.date) -> Q:
    """Involvements that give ``user`` a legitimate reason to see the person, on ``day``."""
    mine = Q(practitioner=user)
    if _manages_team(user):
        mine |= Q(practitioner__team_id=user.team_id, practitioner__is_active=True)
    if _leads_agency(user):
        mine |= Q(agency_id=user.agency_id)
    return _active(day) & mine


def case_relationship_filter(user: User, day: dt.date) -> Q:
    """Core group memberships and conference invitations of ``user`` on ``day``."""
    return _active(day) & Q(practitioner=user)


def grant_filter(user: User, moment: dt.datetime) -> Q:
    """Emergency access of ``user`` that is open at ``moment``."""
    return Q(user=user, granted_at__lte=moment, expires_at__gt=moment, ended_at__isnull=True)


@dataclass(frozen=True)
class Standing:
    """Where ``user`` stands with one person's record today, read in two or three queries:
    every basis for seeing it, the emergency access in force, and whether they are (or
    manage) the allocated worker."""

    bases: tuple[Basis, ...] = ()
    grant: BreakGlassGrant | None = None
    allocated: bool = False
    manages_allocated: bool = False

    @property
    def legitimate(self) -> bool:
        return any(basis is not Basis.BREAK_GLASS for basis in self.bases)

    @property
    def allowed(self) -> bool:
        return bool(self.bases)


def _ids_filter(values: Mapping[str, Any], shape: tuple[bool, bool]) -> Q:
    """``relationship_filter`` from plain values (``core.statements``)."""
    manages_team, leads_agency = shape
    mine = Q(practitioner_id=values["user"])
    if manages_team:
        mine |= Q(practitioner__team_id=values["team"], practitioner__is_active=True)
    if leads_agency:
        mine |= Q(agency_id=values["agency"])
    return _active(values["day"]) & mine


_INVOLVEMENTS = ValuesStatement(
    "record.rules.involvements",
    lambda values, shape: Involvement.objects.filter(
        _ids_filter(values, shape), person_id=values["person"]
    ).values_list("role", "practitioner_id", "agency_id"),
)
_CASE_ROLES = ValuesStatement(
    "record.rules.case_roles",
    lambda values, shape: CaseRelationship.objects.filter(
        _active(values["day"]), practitioner_id=values["user"], person_id=values["person"]
    ).values_list("role"),
)


def standing(user: User, person: Person, *, on: dt.date | None = None) -> Standing:
    if not holds_case_records(user):
        return Standing()
    day = on or _today()
    found: list[Basis] = []
    allocated = manages_allocated = False
    # The same SQL as relationship_filter and case_relationship_filter build, compiled once
    # per kind of reader: the child's page asks on every request.
    shape = (_manages_team(user), _leads_agency(user))
    values: dict[str, Value] = {"user": user.pk, "person": person.pk, "day": day}
    if user.team_id is not None and shape[0]:
        values["team"] = user.team_id
    if user.agency_id is not None and shape[1]:
        values["agency"] = user.agency_id
    rows = _INVOLVEMENTS.fetch(values, shape=shape)
    for role, practitioner_id, agency_id in rows:
        allocation = role == InvolvementRole.ALLOCATED_SOCIAL_WORKER
        if practitioner_id == user.pk:
            found.append(Basis.ALLOCATED if allocation else Basis.INVOLVEMENT)
            allocated = allocated or allocation
            continue
        # Otherwise the row is there through the team (a manager) or the agency (a lead).
        if _manages_team(user) and practitioner_id is not None:
            found.append(Basis.TEAM_MANAGER)
        if _leads_agency(user) and agency_id == user.agency_id:
            found.append(Basis.AGENCY_SAFEGUARDING_LEAD)
        manages_allocated = manages_allocated or allocation
    case_roles = [
        role for (role,) in _CASE_ROLES.fetch({"user": user.pk, "person": person.pk, "day": day})
    ]
    found.extend(
        Basis.CORE_GROUP if role == CaseRole.CORE_GROUP_MEMBER else Basis.CONFERENCE_INVITEE
        for role in case_roles
    )
    grant = None
    if not found:
        grant = active_grant(user, person)
        if grant is not None:
            found.append(Basis.BREAK_GLASS)
    return Standing(
        bases=tuple(sorted(set(found), key=list(Basis).index)),
        grant=grant,
        allocated=allocated,
        manages_allocated=manages_allocated,
    )


def has_legitimate_relationship(user: User, person: Person, *, on: dt.date | None = None) -> bool:
    if not holds_case_records(user):
        return False
    day = on or _today()
    return (
        Involvement.objects.filter(relationship_filter(user, day), person=person).exists()
        or CaseRelationship.objects.filter(
            case_relationship_filter(user, day), person=person
        ).exists()
    )


def active_grant(
    user: User, person: Person, *, at: dt.datetime | None = None
) -> BreakGlassGrant | None:
    """The user's open emergency access to ``person``, the latest if several."""
    if not may_trace(user):
        return None
    moment = at or timezone.now()
    return (
        BreakGlassGrant.objects.filter(grant_filter(user, moment), person=person)
        .order_by("-expires_at")
        .first()
    )


def decide_view(user: User, person: Person) -> Standing:
    """May ``user`` see ``person``'s record now (``.allowed``), and through what."""
    return standing(user, person)


def bases(user: User, person: Person, *, on: dt.date | None = None) -> list[Basis]:
    """Every reason ``user`` may see ``person`` today, for display ("why can I see this?")."""
    return list(standing(user, person, on=on).bases)


# -- the allocated worker and their managers ------------------------------------------


def is_allocated_worker(user: User, person: Person, *, on: dt.date | None = None) -> bool:
    return standing(user, person, on=on).allocated


def manages_allocated_worker(user: User, person: Person, *, on: dt.date | None = None) -> bool:
    """Team manager of the allocated worker, or safeguarding lead of the allocating agency."""
    return standing(user, person, on=on).manages_allocated


def may_view_access_log(user: User, person: Person) -> bool:
    """ "Who has seen this record": the allocated worker and their managers."""
    found = standing(user, person)
    return found.allocated or found.manages_allocated


# -- need to know by section ------------------------------------------------------------


def sections_visible(
    user: User, person: Person, *, known: Standing | None = None
) -> frozenset[sections.Section]:
    """The restricted sections whose detail ``user`` may see in ``person``'s record.

    Staff of the owning kind of agency see their section; the allocated social worker
    and their managers also see health and education detail.
    """
    if not holds_case_records(user):
        return frozenset()
    kind = user.agency.kind if user.agency_id is not None and user.agency else ""
    visible = {section for section, owner in sections.OWNING_AGENCY_KIND.items() if owner == kind}
    found = known or standing(user, person)
    if found.allocated or found.manages_allocated:
        visible |= sections.ALLOCATED_WORKER_SECTIONS
    return frozenset(visible)


def may_see_referrer(user: User, person: Person, *, known: Standing | None = None) -> bool:
    """The front door (permission ``access.front_door``) and the allocated worker.

    The agency that recorded a referral also sees its own referrer's name; callers check
    that per event.
    """
    if not holds_case_records(user):
        return False
    if (known or standing(user, person)).allocated:
        return True
    return user.has_perm("access.front_door")


# -- emergency access, review, export --------------------------------------------------


def may_review_grant(user: User, grant: BreakGlassGrant) -> bool:
    """The team manager of the user who broke the glass, or their agency's safeguarding
    lead; never the same person."""
    if not (user.is_authenticated and user.is_active) or grant.user_id == user.pk:
        return False
    other = grant.user
    if _manages_team(user) and other.team_id == user.team_id:
        return True
    return _leads_agency(user) and other.agency_id == user.agency_id


def may_export_chronology(user: User, person: Person) -> bool:
    """A legitimate relationship (not emergency access) is needed to export a record."""
    return has_legitimate_relationship(user, person)


def may_export_caseload(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in BULK_EXPORT_ROLES)


def _view_person(user: User, person: Person) -> bool:
    return decide_view(user, person).allowed


def _see_referrer(user: User, person: Person) -> bool:
    return may_see_referrer(user, person)


add_perm("people.view_person", predicate(_view_person))  # type: ignore[no-untyped-call]
add_perm("people.view_access_log", predicate(may_view_access_log))  # type: ignore[no-untyped-call]
add_perm("people.export_chronology", predicate(may_export_chronology))  # type: ignore[no-untyped-call]
add_perm("people.view_referrer", predicate(_see_referrer))  # type: ignore[no-untyped-call]
add_perm("access.review_grant", predicate(may_review_grant))  # type: ignore[no-untyped-call]
