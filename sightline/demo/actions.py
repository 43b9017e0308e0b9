"""Loading the synthetic demo data through the same actions real submissions use.

Person records go through ``importing.submissions.submit_person_records`` and events
through ``importing.submissions.submit_events``, after the same validation an import applies
(``importing.formats``), so the demo exercises the real path. The case (episodes of need,
plans, looked-after episodes, and the status periods that flag them) comes in through
the importers of the national returns (``importing.returns``), from the files
``generate-demo-data --out`` writes; social workers are allocated through the case's
batch path (``cases.bulk.allocate_in_bulk``, what the allocation actions write). Involvements of the other agencies and relationships, which no import format
carries, have bulk actions here, each writing one audit row per batch: the per-row
actions would write one audit row per row and take minutes.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from sightline.accounts.actions import create_user, reset_password
from sightline.accounts.models import Role, User
from sightline.agencies.actions import create_agency, create_team
from sightline.agencies.models import Agency, AgencyKind, Team
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction, AuditEvent
from sightline.cases.bulk import NewAllocation, allocate_in_bulk
from sightline.demo import generator as gen
from sightline.demo import returns as demo_returns
from sightline.demo.files import event_row, person_row
from sightline.demo.workflow import leave_work_in_progress
from sightline.importing.formats import parse_event, parse_person_record
from sightline.importing.returns import import_cin_census, import_ssda903
from sightline.importing.rows import EventRow, PersonRecordRow
from sightline.importing.submissions import submit_events, submit_person_records
from sightline.people.models import Involvement, Person, Relationship, SourceRecord
from sightline.record.queries import visible_to
from sightline.returns import cin_census, ssda903

LOGIN_URL = "http://127.0.0.1:8000/login/"
# Why a demo allocation ends: the case closed (the SSDA903's "other" reason).
CASE_CLOSED = "OTHERS"

ICB = "ICB"

# The fictional partnership. Telephone numbers are from Ofcom's range for drama (0113 496 0xxx).
AGENCIES: dict[str, tuple[str, str, str, str]] = {
    gen.CSC: (
        "Westvale Council Children's Social Care",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        "0113 496 0100",
        "0113 496 0199",
    ),
    gen.POLICE: ("Westvale Police", AgencyKind.POLICE, "0113 496 0200", "0113 496 0299"),
    gen.HEALTH: (
        "Westvale Health and Care Partnership",
        AgencyKind.HEALTH,
        "0113 496 0300",
        "0113 496 0399",
    ),
    gen.EDUCATION: (
        "Westvale Schools and Learning",
        AgencyKind.EDUCATION,
        "0113 496 0400",
        "0113 496 0499",
    ),
    gen.HOUSING: ("Westvale Homes", AgencyKind.HOUSING, "0113 496 0500", "0113 496 0599"),
    # The third safeguarding partner. It submits no records: its partner lead signs off
    # rapid reviews.
    ICB: (
        "Westvale Integrated Care Board",
        AgencyKind.INTEGRATED_CARE_BOARD,
        "0113 496 0700",
        "0113 496 0799",
    ),
}
# The order records are submitted in: health first, so NHS numbers anchor the linking.
SUBMISSION_ORDER = (gen.HEALTH, gen.CSC, gen.EDUCATION, gen.POLICE, gen.HOUSING)
_BATCH = 1000


class DemoDataError(Exception):
    """The demo data cannot be loaded into this database; the message says why."""


@dataclass(frozen=True)
class PersonaSpec:
    username: str
    title: str
    role: str
    agency: str
    practitioner: gen.Practitioner | None  # whose caseload in the data is theirs
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class Persona:
    username: str
    password: str
    title: str
    full_name: str
    agency: str
    children_visible: int
    example_child: str  # a child they can open, if any


@dataclass
class LoadResult:
    loaded: bool  # False when this seed was already loaded and only passwords were reissued
    seed: int
    children: int
    as_of: dt.date | None
    counts: dict[str, int] = field(default_factory=dict)
    personas: list[Persona] = field(default_factory=list)


ProgressCallback = Callable[[str, int, int], None]
"""Called with (stage, done, total) as the load goes."""


def persona_specs(roster: gen.Roster) -> list[PersonaSpec]:
    return [
        PersonaSpec("social.worker", "Social worker", Role.PRACTITIONER, gen.CSC, roster.social_workers[0]),
        PersonaSpec("police.officer", "Police officer", Role.PRACTITIONER, gen.POLICE, roster.police_officers[0]),
        PersonaSpec("health.visitor", "Health visitor", Role.PRACTITIONER, gen.HEALTH, roster.health_visitors[0]),
        PersonaSpec("school.lead", "School safeguarding lead", Role.SAFEGUARDING_LEAD, gen.EDUCATION, roster.primary_leads[0]),
        PersonaSpec("housing.officer", "Housing officer", Role.PRACTITIONER, gen.HOUSING, roster.housing_officers[0]),
        PersonaSpec("team.manager", "Team manager", Role.TEAM_MANAGER, gen.CSC, roster.team_managers[0]),
        PersonaSpec("panel.analyst", "Panel analyst", Role.PANEL_ANALYST, gen.CSC, None, "Morgan", "Ellis"),
        PersonaSpec("admin", "Administrator", Role.ADMINISTRATOR, gen.CSC, None, "Jordan", "Price"),
        # The local authority's records officers: possible duplicates and subject access
        # requests; disposals under the retention schedule.
        PersonaSpec("data.quality", "Data quality officer", Role.DATA_QUALITY, gen.CSC, None, "Robin", "Ashworth"),
        PersonaSpec("ig.officer", "Information governance officer", Role.INFORMATION_GOVERNANCE, gen.CSC, None, "Dana", "Whitfield"),
        # The partnership: its business manager and the three partner leads, who between
        # them sign off a rapid review.
        PersonaSpec("partnership.manager", "Partnership business manager", Role.PARTNERSHIP_BUSINESS_MANAGER, gen.CSC, None, "Sam", "Okafor"),
        PersonaSpec("la.lead", "Local authority partner lead", Role.PARTNER_LEAD_LOCAL_AUTHORITY, gen.CSC, None, "Priya", "Nair"),
        PersonaSpec("police.lead", "Police partner lead", Role.PARTNER_LEAD_POLICE, gen.POLICE, None, "Gareth", "Lloyd"),
        PersonaSpec("icb.lead", "Integrated care board partner lead", Role.PARTNER_LEAD_ICB, ICB, None, "Helen", "Marsh"),
    ]  # fmt: skip


def previous_load() -> AuditEvent | None:
    """The audit row of the demo data load this database holds, if any."""
    return (
        AuditEvent.objects.filter(action=AuditAction.LOAD_DEMO_DATA, detail__loaded=True)
        .order_by("id")
        .first()
    )


@transaction.atomic
def load_demo_data(
    *,
    actor: User | None,
    children: int,
    seed: int,
    as_of: dt.date,
    origin: Origin,
    progress: ProgressCallback | None = None,
) -> LoadResult:
    """Load the demo data for ``seed`` and issue the personas' passwords.

    If this seed and size are already loaded, nothing is loaded again: the personas get
    new passwords. A database holding other demo data (or another size) is refused.
    """
    config = gen.DemoConfig(children=children, seed=seed, as_of=as_of)
    roster = gen.build_roster(config)
    specs = persona_specs(roster)
    report = progress or (lambda stage, done, total: None)
    previous = previous_load()
    if previous is not None:
        if previous.detail.get("seed") != seed or previous.detail.get("children") != children:
            raise DemoDataError(
                f"this database already holds demo data for seed {previous.detail.get('seed')} "
                f"and {previous.detail.get('children')} children; use an empty database "
                "to load another"
            )
        return _reissue_passwords(actor=actor, roster=roster, previous=previous, origin=origin)
    if User.objects.filter(username__in=[s.username for s in specs]).exists():
        raise DemoDataError(
            "the demo personas' usernames are taken but no demo data load is recorded; "
            "use an empty database"
        )

    report("Agencies, teams and users", 0, 1)
    agencies = _agencies(actor=actor, origin=origin)
    teams = _teams(actor=actor, roster=roster, agencies=agencies, origin=origin)
    users, passwords = _users(
        actor=actor, roster=roster, specs=specs, agencies=agencies, teams=teams, origin=origin
    )
    report("Agencies, teams and users", 1, 1)

    households: list[gen.Household] = []
    report("Generating", 0, children)
    for household in gen.generate(config, roster):
        households.append(household)
        report("Generating", sum(1 for h in households for p in h.persons if p.role == gen.CHILD), children)  # fmt: skip

    counts: dict[str, int] = defaultdict(int)
    record_person = _load_records(actor, households, agencies, origin, report, counts)
    _load_events(actor, households, agencies, origin, report, counts)
    _import_returns(actor, households, agencies[gen.CSC], config, origin, report, counts)
    _load_case_data(actor, households, agencies, users, record_person, origin, report, counts)
    work = leave_work_in_progress(
        users=users, agencies=agencies, icb=agencies[ICB], origin=origin, as_of=as_of
    )
    counts.update(
        decision_points=work.decision_points,
        referrals=work.referrals,
        notifications=work.notifications,
        rapid_reviews=work.rapid_reviews,
        challenges=work.challenges,
        meetings=work.meetings,
        subject_access_requests=work.subject_access_requests,
        disposals_proposed=work.disposals_proposed,
    )

    record_audit(
        actor=actor,
        action=AuditAction.LOAD_DEMO_DATA,
        origin=origin,
        detail={"loaded": True, "seed": seed, "children": children, "as_of": as_of.isoformat(), **counts},
    )  # fmt: skip
    return LoadResult(
        loaded=True,
        seed=seed,
        children=children,
        as_of=as_of,
        counts=dict(counts),
        personas=_personas(specs, users, passwords, households),
    )


def _reissue_passwords(
    *, actor: User | None, roster: gen.Roster, previous: AuditEvent, origin: Origin
) -> LoadResult:
    detail = previous.detail
    specs = persona_specs(roster)
    users = {u.username: u for u in User.objects.filter(username__in=[s.username for s in specs])}
    passwords = {}
    added = []
    for spec in specs:
        user = users.get(spec.username)
        if user is None and spec.practitioner is None:
            # A persona added to the demo since this database was loaded (a new role):
            # its account is created now, in its agency, so every role still has a login.
            agency = Agency.objects.filter(code=spec.agency).first()
            if agency is None:
                raise DemoDataError(f"demo agency {spec.agency!r} is missing from this database")
            users[spec.username], passwords[spec.username] = _create_persona(
                actor=actor, spec=spec, agency=agency, origin=origin
            )
            added.append(spec.username)
            continue
        if user is None:
            raise DemoDataError(f"demo persona {spec.username!r} is missing from this database")
        passwords[spec.username] = reset_password(actor=actor, user=user, origin=origin)
    record_audit(
        actor=actor,
        action=AuditAction.LOAD_DEMO_DATA,
        origin=origin,
        detail={
            "loaded": False,
            "seed": detail["seed"],
            "passwords_reissued": sorted(set(passwords) - set(added)),
            "personas_added": sorted(added),
        },
    )
    # The data is deterministic: generating it again names the same example children.
    as_of = dt.date.fromisoformat(detail["as_of"])
    config = gen.DemoConfig(children=int(detail["children"]), seed=int(detail["seed"]), as_of=as_of)
    households = list(gen.generate(config, roster, with_events=False))
    return LoadResult(
        loaded=False,
        seed=config.seed,
        children=config.children,
        as_of=as_of,
        counts={k: v for k, v in detail.items() if isinstance(v, int) and not isinstance(v, bool)},
        personas=_personas(specs, users, passwords, households),
    )


def _agencies(*, actor: User | None, origin: Origin) -> dict[str, Agency]:
    existing = {a.code: a for a in Agency.objects.filter(code__in=list(AGENCIES))}
    agencies = {}
    for code, (name, kind, office, out_of_hours) in AGENCIES.items():
        agencies[code] = existing.get(code) or create_agency(
            actor=actor,
            code=code,
            name=name,
            kind=kind,
            origin=origin,
            office_hours_phone=office,
            out_of_hours_phone=out_of_hours,
            email=f"duty.{code.lower()}@example.org",
        )
    return agencies


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _teams(
    *, actor: User | None, roster: gen.Roster, agencies: dict[str, Agency], origin: Origin
) -> dict[tuple[str, str], Team]:
    wanted = dict.fromkeys((p.agency, p.team) for p in roster.all())
    existing = {(t.agency.code, t.name): t for t in Team.objects.select_related("agency")}
    teams = {}
    for number, (code, name) in enumerate(wanted):
        teams[(code, name)] = existing.get((code, name)) or create_team(
            actor=actor,
            agency=agencies[code],
            name=name,
            origin=origin,
            duty_email=f"{_slug(name)}.{code.lower()}@example.org",
            phone=f"0113 496 0{600 + number % 400:03d}",
        )
    return teams


_ROLE_FOR = {gen.TEAM_MANAGER: Role.TEAM_MANAGER, gen.SCHOOL_LEAD: Role.SAFEGUARDING_LEAD}


def _users(
    *,
    actor: User | None,
    roster: gen.Roster,
    specs: Sequence[PersonaSpec],
    agencies: dict[str, Agency],
    teams: dict[tuple[str, str], Team],
    origin: Origin,
) -> tuple[dict[str, User], dict[str, str]]:
    """Users by practitioner key (and by username for personas), and persona passwords."""
    persona_for = {s.practitioner.key: s for s in specs if s.practitioner is not None}
    taken = set(User.objects.values_list("username", flat=True))
    users: dict[str, User] = {}
    passwords: dict[str, str] = {}
    for practitioner in roster.all():
        spec = persona_for.get(practitioner.key)
        if spec is None:
            base = re.sub(
                r"[^a-z0-9.]", "", f"{practitioner.given_name}.{practitioner.family_name}".lower()
            )
            username, n = base, 1
            while username in taken:
                n += 1
                username = f"{base}{n}"
        else:
            username = spec.username
        taken.add(username)
        new = create_user(
            actor=actor,
            username=username,
            agency=agencies[practitioner.agency],
            role=spec.role if spec else _ROLE_FOR.get(practitioner.role, Role.PRACTITIONER),
            email=f"{username}@example.org",
            origin=origin,
            team=teams[(practitioner.agency, practitioner.team)],
            first_name=practitioner.given_name,
            last_name=practitioner.family_name,
            job_title=practitioner.job_title,
            can_log_in=spec is not None,
        )
        users[practitioner.key] = new.user
        if spec is not None:
            users[spec.username] = new.user
            passwords[spec.username] = _password(new.password)
    for spec in specs:
        if spec.practitioner is None:
            users[spec.username], passwords[spec.username] = _create_persona(
                actor=actor, spec=spec, agency=agencies[spec.agency], origin=origin
            )
    return users, passwords


def _create_persona(
    *, actor: User | None, spec: PersonaSpec, agency: Agency, origin: Origin
) -> tuple[User, str]:
    """A persona's account (``accounts.actions.create_user``, its audit row) and the
    password shown at the end of the load."""
    new = create_user(
        actor=actor,
        username=spec.username,
        agency=agency,
        role=spec.role,
        email=f"{spec.username}@example.org",
        origin=origin,
        first_name=spec.first_name,
        last_name=spec.last_name,
        job_title=spec.title,
    )
    return new.user, _password(new.password)


def _password(password: str | None) -> str:
    if password is None:  # create_user gives one to every account that can log in
        raise DemoDataError("a persona was created without a password")
    return password


def _load_records(
    actor: User | None,
    households: Sequence[gen.Household],
    agencies: dict[str, Agency],
    origin: Origin,
    report: ProgressCallback,
    counts: dict[str, int],
) -> dict[tuple[str, str], int]:
    """Submit every agency's person records; returns (agency, record_id) -> person id."""
    rows: dict[str, list[PersonRecordRow]] = defaultdict(list)
    for household in households:
        for record in household.records:
            line = len(rows[record.agency]) + 2
            row, errors = parse_person_record(person_row(record), line=line)
            if row is None:
                raise DemoDataError(f"generated person record is invalid: {errors[0]}")
            rows[record.agency].append(row)
    total = sum(len(r) for r in rows.values())
    done = 0
    report("Person records", done, total)
    for code in SUBMISSION_ORDER:
        result = submit_person_records(
            actor=actor,
            agency=agencies[code],
            rows=rows[code],
            origin=origin,
            audit_detail={"source": "demo data"},
        )
        done += len(rows[code])
        counts["person_records"] += result.created
        counts["persons_created"] += result.persons_created
        report("Person records", done, total)
    return {
        (code, record_id): person_id
        for code, record_id, person_id in SourceRecord.objects.filter(
            agency__code__in=list(AGENCIES)
        ).values_list("agency__code", "record_id", "person_id")
    }


def _load_events(
    actor: User | None,
    households: Sequence[gen.Household],
    agencies: dict[str, Agency],
    origin: Origin,
    report: ProgressCallback,
    counts: dict[str, int],
) -> None:
    now = timezone.now()
    rows: dict[str, list[EventRow]] = defaultdict(list)
    for household in households:
        for event in household.events:
            line = len(rows[event.agency]) + 2
            row, errors = parse_event(event_row(event), line=line, now=now)
            if row is None:
                raise DemoDataError(f"generated event is invalid: {errors[0]}")
            rows[event.agency].append(row)
    total = sum(len(r) for r in rows.values())
    done = 0
    report("Events", done, total)
    for code in SUBMISSION_ORDER:
        agency_rows = rows[code]
        for start in range(0, len(agency_rows), 10 * _BATCH):
            batch = agency_rows[start : start + 10 * _BATCH]
            result = submit_events(
                actor=actor,
                agency=agencies[code],
                rows=batch,
                origin=origin,
                audit_detail={"source": "demo data"},
            )
            counts["events"] += result.created
            done += len(batch)
            report("Events", done, total)


def _load_case_data(
    actor: User | None,
    households: Sequence[gen.Household],
    agencies: dict[str, Agency],
    users: dict[str, User],
    record_person: dict[tuple[str, str], int],
    origin: Origin,
    report: ProgressCallback,
    counts: dict[str, int],
) -> None:
    """Involvements, relationships and ethnicity, on the linked persons; allocations of
    social workers through the case action."""
    # Each true person's records, so an agency's involvement lands on the person its own
    # record was linked to (another agency's may not have been linked to the same one).
    by_agency: dict[str, dict[str, int]] = defaultdict(dict)
    ethnicity: dict[int, str] = {}
    for household in households:
        for record in household.records:
            by_agency[record.person_id].setdefault(
                record.agency, record_person[(record.agency, record.record_id)]
            )

    def person_for(true_id: str, agency: str) -> int:
        linked = by_agency[true_id]
        if agency in linked:
            return linked[agency]
        return next(linked[code] for code in SUBMISSION_ORDER if code in linked)

    involvements: list[Involvement] = []
    relationships: list[Relationship] = []
    allocations: list[tuple[int, gen.DemoInvolvement]] = []
    for household in households:
        for true_person in household.persons:
            ethnicity.setdefault(
                person_for(true_person.person_id, gen.HEALTH), true_person.ethnicity
            )
        for i in household.involvements:
            if i.agency == gen.CSC and i.role == gen.SOCIAL_WORKER:
                # An allocation of the case (``cases.actions.allocate``) starts the worker's
                # involvement, and ending it ends the involvement.
                allocations.append((person_for(i.person_id, i.agency), i))
                continue
            involvements.append(
                Involvement(
                    person_id=person_for(i.person_id, i.agency),
                    agency=agencies[i.agency],
                    practitioner=users[i.practitioner_key],
                    role=i.role,
                    started_on=i.started_on,
                    ended_on=i.ended_on,
                )
            )
        for r in household.relationships:
            person_id = person_for(r.person_id, r.source_agency)
            relative_id = person_for(r.relative_id, r.source_agency)
            if person_id == relative_id:  # two people the deterministic linking joined
                continue
            relationships.append(
                Relationship(
                    person_id=person_id,
                    relative_id=relative_id,
                    kind=r.kind,
                    lives_with=r.lives_with,
                    started_on=r.started_on,
                    ended_on=r.ended_on,
                    source_agency=agencies[r.source_agency],
                )
            )
    total = len(involvements) + len(relationships)
    report("Involvements, relationships", 0, total)
    counts["involvements"] = record_involvements_in_bulk(actor=actor, involvements=involvements, origin=origin)  # fmt: skip
    report("Involvements, relationships", len(involvements), total)
    counts["relationships"] = record_relationships_in_bulk(actor=actor, relationships=relationships, origin=origin)  # fmt: skip
    report("Involvements, relationships", total, total)
    counts["allocations"] = _allocate(allocations, agencies, users, origin, report)
    counts["involvements"] += counts["allocations"]
    persons = list(Person.objects.filter(pk__in=list(ethnicity)).only("pk", "ethnicity"))
    for person in persons:
        person.ethnicity = ethnicity[person.pk]
    Person.objects.bulk_update(persons, ["ethnicity"], batch_size=_BATCH)
    counts["ethnicity_recorded"] = len(persons)


@transaction.atomic
def record_involvements_in_bulk(
    *, actor: User | None, involvements: Sequence[Involvement], origin: Origin
) -> int:
    """Record many involvements (unsaved instances) with one audit row for the batch."""
    Involvement.objects.bulk_create(involvements, batch_size=_BATCH)
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_INVOLVEMENT,
        origin=origin,
        detail={"bulk": True, "count": len(involvements)},
    )
    return len(involvements)


@transaction.atomic
def record_relationships_in_bulk(
    *, actor: User | None, relationships: Sequence[Relationship], origin: Origin
) -> int:
    """Record many relationships (unsaved instances) with one audit row for the batch."""
    Relationship.objects.bulk_create(relationships, batch_size=_BATCH)
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_RELATIONSHIP,
        origin=origin,
        detail={"bulk": True, "count": len(relationships)},
    )
    return len(relationships)


def _allocate(
    allocations: Sequence[tuple[int, gen.DemoInvolvement]],
    agencies: dict[str, Agency],
    users: dict[str, User],
    origin: Origin,
    report: ProgressCallback,
) -> int:
    """Each social worker's allocation, ended when the case closed, through the case's
    batch path (``cases.bulk.allocate_in_bulk``: what ``cases.actions.allocate`` and
    ``end_allocation`` write, for the whole load at once). Each starts the worker's
    involvement, which the access rules read, and chronicles itself."""
    report("Allocations", 0, len(allocations))
    written = allocate_in_bulk(
        origin=origin,
        agency=agencies[gen.CSC],
        allocations=[
            NewAllocation(
                child_id=person_id,
                worker=users[involvement.practitioner_key],
                start_date=involvement.started_on,
                end_date=involvement.ended_on,
                reason_for_change=CASE_CLOSED if involvement.ended_on else "",
            )
            for person_id, involvement in allocations
        ],
        audit_detail={"source": "demo data"},
    )
    report("Allocations", len(written), len(allocations))
    return len(written)


def _import_returns(
    actor: User | None,
    households: Sequence[gen.Household],
    agency: Agency,
    config: gen.DemoConfig,
    origin: Origin,
    report: ProgressCallback,
    counts: dict[str, int],
) -> None:
    """The year's CIN census and SSDA903 (``demo/returns.py``, the files
    ``generate-demo-data --out`` writes), imported as an authority's own returns are
    (``importing.returns``): the episodes of need, plans and looked-after episodes, with
    the status periods (the flags) the case derives from them."""
    returns = demo_returns.build(households, seed=config.seed, as_of=config.as_of)
    report("National returns", 0, 2)
    census = import_cin_census(
        actor=actor,
        agency=agency,
        content=cin_census.write(returns.census()),
        filename=demo_returns.CIN_CENSUS_FILE,
        origin=origin,
    )
    report("National returns", 1, 2)
    looked_after = import_ssda903(
        actor=actor,
        agency=agency,
        files=ssda903.write_files(returns.return903()),
        name=demo_returns.SSDA903_DIR,
        year=returns.year,
        origin=origin,
    )
    report("National returns", 2, 2)
    for result in (census, looked_after):
        if result.errors:
            raise DemoDataError(f"the demo's {result.filename} was refused: {result.errors[0]}")
    counts["census_children"] = census.children
    counts["looked_after_children"] = looked_after.children
    counts["case_rows"] = census.created + looked_after.created


def _personas(
    specs: Sequence[PersonaSpec],
    users: dict[str, User],
    passwords: dict[str, str],
    households: Sequence[gen.Household],
) -> list[Persona]:
    """Each persona with a child they can open (a name from the generated data)."""
    practitioners = {
        s.practitioner.key: s.practitioner for s in specs if s.practitioner is not None
    }
    names = {p.person_id: f"{p.given_name} {p.family_name}" for h in households for p in h.persons}
    example: dict[str, str] = {}
    for household in households:
        for i in household.involvements:
            if i.ended_on is None:
                example.setdefault(i.practitioner_key, names[i.person_id])
    personas = []
    for spec in specs:
        user = users[spec.username]
        if spec.practitioner is None:
            child = ""
        elif spec.role == Role.TEAM_MANAGER:  # sees their team's children
            team = spec.practitioner.team
            child = next(
                (example[k] for k, p in practitioners.items() if p.team == team and k in example),
                "",
            )
        else:
            child = example.get(spec.practitioner.key, "")
        personas.append(
            Persona(
                username=spec.username,
                password=passwords[spec.username],
                title=spec.title,
                full_name=user.get_full_name(),
                agency=spec.agency,
                children_visible=visible_to(user).count(),
                example_child=child,
            )
        )
    return personas
