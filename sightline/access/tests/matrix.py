"""The authorization matrix: every route x every persona x every relationship state.

``ROUTES`` names the expected answer of every URL in the resolver, as a rule of
(persona, state). ``test_matrix.py`` walks the resolver, so a route without an entry
fails the suite: add one here, saying who may use it.

The states are the persona's relationship with the child the routes are about:

- ``none``: no relationship;
- ``active``: an active involvement (the social worker's is the allocation);
- ``expired``: an involvement that ended yesterday;
- ``break_glass``: no relationship but emergency access open now.

Routes about another kind of object (a review document, an import batch...) are probed
with an id that does not exist: the answer must then be the same "not found" (or the
role refusal that comes before the look-up) for everyone, never a server error.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from sightline.access.models import BreakGlassGrant, BreakGlassReason
from sightline.accounts.models import User
from sightline.people.models import InvolvementRole, Person
from sightline.testing import factories

PERSONAS = (
    "anonymous",
    "social_worker",
    "police_officer",
    "teacher",
    "team_manager",
    "panel_analyst",
    "administrator",
)
STATES = ("none", "active", "expired", "break_glass")

# The involvement each persona holds in the "active" and "expired" states.
ROLE_OF = {
    "social_worker": InvolvementRole.ALLOCATED_SOCIAL_WORKER,
    "police_officer": InvolvementRole.POLICE_OFFICER,
    "teacher": InvolvementRole.SCHOOL_SAFEGUARDING_LEAD,
    "team_manager": InvolvementRole.OTHER,
    "panel_analyst": InvolvementRole.OTHER,
    "administrator": InvolvementRole.OTHER,
}
# Who can hold case records, and who can trace and break the glass (record.rules).
CASE_HOLDERS = frozenset(PERSONAS) - {"anonymous", "administrator"}
TRACERS = frozenset({"social_worker", "police_officer", "teacher", "team_manager"})

Expect = Callable[[str, str], int]


@dataclass(frozen=True)
class Route:
    expect: Expect
    method: str = "GET"
    headers: dict[str, str] | None = None
    # Values for URL parts that are neither an id nor a format (e.g. a panel's name).
    kwargs: dict[str, str] | None = None


# -- rules of expectation --------------------------------------------------------------------


def sees(persona: str, state: str) -> bool:
    """``people.view_person`` as the matrix states it."""
    return (state == "active" and persona in CASE_HOLDERS) or (
        state == "break_glass" and persona in TRACERS
    )


def _anonymous(api: bool) -> int:
    return 401 if api else 302


def record(ok: int = 200, *, api: bool = False, denied: int = 404) -> Expect:
    """A page or endpoint about the child: ``ok`` for those who may see the record."""
    return lambda p, s: _anonymous(api) if p == "anonymous" else ok if sees(p, s) else denied


def legitimate(ok: int = 200, *, api: bool = False) -> Expect:
    """Needs a relationship, not emergency access (exports, and bulk reads such as the
    API's pages of a chronology)."""
    return lambda p, s: (
        _anonymous(api) if p == "anonymous" else ok if s == "active" and p in CASE_HOLDERS else 404
    )


def allocated_or_manager(ok: int = 200) -> Expect:
    """The allocated worker (the social worker when active) and their managers (the team
    manager manages the social worker, whose allocation is the active state's)."""
    return lambda p, s: (
        302
        if p == "anonymous"
        else ok
        if s == "active" and p in {"social_worker", "team_manager"}
        else 404
    )


def tracers(ok: int = 200) -> Expect:
    """Those who may search beyond their relationships and ask for emergency access."""

    def expect(p: str, s: str) -> int:
        if p == "anonymous":
            return 302
        if p not in TRACERS:
            return 404
        # With a relationship, emergency access is not needed: straight to the record.
        if p in CASE_HOLDERS and s == "active":
            return 302
        return ok

    return expect


def signed_in(ok: int = 200, *, api: bool = False, **by_persona: int) -> Expect:
    """Any signed-in persona gets ``ok`` unless named otherwise."""
    return lambda p, s: _anonymous(api) if p == "anonymous" else by_persona.get(p, ok)


def only(*allowed: str, ok: int = 200, denied: int = 404, api: bool = False) -> Expect:
    return lambda p, s: _anonymous(api) if p == "anonymous" else ok if p in allowed else denied


def everyone(status: int) -> Expect:
    return lambda p, s: status


def by_persona(table: dict[str, int]) -> Expect:
    return lambda p, s: table[p]


# -- the world ----------------------------------------------------------------------------------


@dataclass
class World:
    child: Person
    user: User | None


def build_world(users: dict[str, User], persona: str, state: str) -> World:
    """The child the routes are about, allocated to the social worker when the social
    worker's state is active, and the persona's relationship in ``state``."""
    child = factories.PersonFactory.create(given_name="Matrix", family_name="Child")
    user = users.get(persona)
    today = timezone.localdate()
    if user is not None and state in {"active", "expired"}:
        factories.InvolvementFactory.create(
            person=child,
            practitioner=user,
            agency=user.agency,
            role=ROLE_OF[persona],
            started_on=today - dt.timedelta(days=365),
            ended_on=None if state == "active" else today - dt.timedelta(days=1),
        )
    if persona == "team_manager" and state == "active":
        # The manager's team member is the allocated worker.
        factories.InvolvementFactory.create(
            person=child,
            practitioner=users["social_worker"],
            role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
            started_on=today - dt.timedelta(days=365),
        )
    if user is not None and state == "break_glass":
        now = timezone.now()
        BreakGlassGrant.objects.create(
            user=user,
            person=child,
            reason_code=BreakGlassReason.IMMEDIATE_RISK,
            reason_text="Authorization matrix",
            granted_at=now - dt.timedelta(minutes=1),
            expires_at=now + dt.timedelta(hours=4),
        )
    return World(child=child, user=user)


# -- URLs ----------------------------------------------------------------------------------------

# Path prefixes whose uuid (or id) is the child's; any other id is probed as unknown.
PERSON_PREFIXES = (
    "people/",
    "access/people/",
    "networks/people/",
    "api/v1/people/",
    "assessments/children/",
    "sharing/referrals/new/",
    "sharing/decisions/new/",
)
UNKNOWN_UUID = uuid.UUID("00000000-0000-4000-8000-00000000dead")
UNKNOWN_INT = 987654321


@dataclass(frozen=True)
class ResolvedRoute:
    name: str
    pattern: str
    converters: dict[str, str]


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[ResolvedRoute]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), space)
        else:
            converters = {
                name: type(converter).__name__
                for name, converter in getattr(entry.pattern, "converters", {}).items()
            }
            yield ResolvedRoute(f"{namespace}{entry.name}", prefix + str(entry.pattern), converters)


def all_routes() -> list[ResolvedRoute]:
    return sorted(_walk(get_resolver().url_patterns), key=lambda r: r.name)


def url_for(route: ResolvedRoute, world: World, given: dict[str, str] | None = None) -> str:
    about_child = route.pattern.startswith(PERSON_PREFIXES)
    path = route.pattern
    for name, converter in route.converters.items():
        if given and name in given:
            value = given[name]
        elif converter == "UUIDConverter":
            value = str(world.child.public_id if about_child else UNKNOWN_UUID)
        elif converter == "IntConverter":
            value = str(2024 if name == "year" else UNKNOWN_INT)
        elif converter == "StringConverter" and name in {"public_id", "person_id"}:
            value = str(world.child.public_id if about_child else UNKNOWN_UUID)
        elif name == "fmt":
            value = "csv"
        else:
            value = "unknown"
        path = _replace(path, name, value)
    return "/" + path


def _replace(path: str, name: str, value: str) -> str:
    start = path.index("<")
    while start >= 0:
        end = path.index(">", start)
        if path[start + 1 : end].split(":")[-1] == name:
            return path[:start] + value + path[end + 1 :]
        start = path.find("<", end)
    raise ValueError(f"{name} not in {path}")
