"""Work left in progress in the demo, written through the same actions a practitioner's
pages call, so the queues have something in them when the demo starts: a referral
decision waiting on the clock, a referral from health to children's social care
awaiting acknowledgement, a serious incident notification not yet sent to the national
panel, another sent with its rapid review under way, and, where a child's chronology
gives cause, a proposed case closure that the challenge rules question (a challenge to
answer), and the area's monthly exploitation meetings: last month's, held, with an action
agreed about a child and still open, and the next one, scheduled (an upcoming meeting).
The alerts these raise are delivered to the inboxes, unread, by the worker's own action.

The records officers have theirs too. The data quality officer logs two subject access
requests (``subjectaccess.actions.record_request``; one with the requester's identity
verified, the other waiting for it). Three agencies submit, through the import's own
submission path, the records of people they last worked with long ago (an adult the police
last arrested seven years before the last day of the data, a former tenant housing last
served notice on six and a half years before it, and a young adult children's social care
last saw at 16); the retention run on the last day of the data
(``governance.actions.propose_disposals``, what ``sightline retention`` calls) finds them
past the schedule and proposes them for the information governance officer's review.

Reviews in the coding queue and the identity review queue come from the other steps of
``make demo`` (``load-review-corpus --for-coding``, ``train-linkage-model``, ``link``).
"""

import datetime as dt
from dataclasses import dataclass

from sightline import challenges
from sightline.accounts.models import User
from sightline.agencies.models import Agency
from sightline.assessments import queries as assessment_queries
from sightline.assessments.actions import open_decision_point, record_decision
from sightline.assessments.workflow import DecisionStep, Outcome
from sightline.audit.actions import Origin
from sightline.governance.actions import propose_disposals
from sightline.importing.formats import parse_event, parse_person_record
from sightline.importing.submissions import submit_events, submit_person_records
from sightline.incidents import actions as incidents
from sightline.networks import actions as networks
from sightline.people.models import (
    Involvement,
    InvolvementRole,
    Person,
    Relationship,
    RelationshipKind,
)
from sightline.record.access import Intent, open_record
from sightline.sharing.actions import deliver_alerts, raise_referral
from sightline.sharing.models import Urgency
from sightline.subjectaccess import actions as subject_access
from sightline.subjectaccess.models import Relationship as Requester
from sightline.subjectaccess.models import VerificationMethod


@dataclass(frozen=True)
class WorkInProgress:
    decision_points: int
    referrals: int
    notifications: int
    rapid_reviews: int
    challenges: int = 0
    meetings: int = 0
    subject_access_requests: int = 0
    disposals_proposed: int = 0


def _challenged_closure(worker: User, children: list[Person], on: dt.date, origin: Origin) -> int:
    """The social worker proposes closing the case of the first child (of ``children``)
    whose chronology the challenge rules would question, and the challenge is raised by
    ``record_decision`` as on the page. Children whose closure would pass are left open."""
    rule_set = assessment_queries.current_rule_set()
    for child in children:
        plan, since = assessment_queries.plan_for(child, on=on)
        proposal = challenges.Proposal(
            step=DecisionStep.CASE_CLOSURE,
            outcome=Outcome.CLOSE_CASE,
            on=on,
            history_considered=True,
            plan=plan,
            open_since=since,
        )
        history = assessment_queries.history_for(child, on=on)
        if not challenges.evaluate(rule_set, proposal, history):
            continue
        decision = record_decision(
            actor=worker,
            origin=origin,
            child=child,
            step=DecisionStep.CASE_CLOSURE.value,
            outcome=Outcome.CLOSE_CASE.value,
            decided_on=on,
            reasons="The family has engaged with the plan and things are calmer at home.",
            history_considered=True,
            history_summary="Read the multi-agency chronology for the last year.",
        )
        return decision.challenges.count()
    return 0


def _allocated_children(worker: User, on: dt.date) -> list[Person]:
    ids = (
        Involvement.objects.active_on(on)
        .filter(practitioner=worker, role=InvolvementRole.ALLOCATED_SOCIAL_WORKER)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )
    return list(Person.objects.filter(pk__in=list(ids)).order_by("pk"))


def leave_work_in_progress(
    *,
    users: dict[str, User],
    agencies: dict[str, Agency],
    icb: Agency,
    origin: Origin,
    as_of: dt.date,
) -> WorkInProgress:
    social_worker = users["social.worker"]
    manager = users["team.manager"]
    health_visitor = users["health.visitor"]
    children = _allocated_children(social_worker, as_of)
    if len(children) < 2:
        return WorkInProgress(0, 0, 0, 0)
    first, second = children[0], children[1]

    # A referral decision on the clock, received the last day of the data.
    open_decision_point(
        actor=social_worker, origin=origin, child=first, step="referral_decision", started_on=as_of
    )

    # Health refers a child it sees to the social worker's team.
    referrals = 0
    seen_by_health = (
        Involvement.objects.active_on(as_of)
        .filter(practitioner=health_visitor)
        .order_by("person_id")
        .values_list("person__public_id", flat=True)
        .first()
    )
    if seen_by_health is not None and social_worker.team_id is not None:
        record = open_record(
            health_visitor, seen_by_health, intent=Intent.VIEW_RECORD, origin=origin
        )
        raise_referral(
            actor=health_visitor,
            person=record.person,
            to_team=social_worker.team_id,
            urgency=Urgency.AMBER,
            reason="Bruising to the upper arm seen at a home visit; mother's explanation changed.",
            shared="Home visit record and the photographs' description.",
            origin=origin,
        )
        referrals = 1

    # The team manager notifies two serious incidents; the second is sent to the
    # national panel and its rapid review opened.
    notified = []
    for number, child in enumerate((first, second)):
        entries = incidents.resolve_children(
            actor=manager,
            origin=origin,
            entries=[
                incidents.ChildEntry(
                    person_id=str(child.public_id),
                    disability="None known",
                    placement_type="Living with parents",
                    perpetrator_relationship="Not known",
                )
            ],
        )
        notified.append(
            incidents.record_notification(
                actor=manager,
                origin=origin,
                local_authority=agencies["CSC"],
                police=agencies["POLICE"],
                integrated_care_board=icb,
                incident_on=as_of - dt.timedelta(days=3 + number * 10),
                aware_on=as_of - dt.timedelta(days=2 + number * 10),
                nature="serious_harm",
                case_outline="Admitted to hospital with an injury the family could not explain.",
                police_involvement="investigating",
                children=entries,
            )
        )
    sent = incidents.submit_notification(
        actor=manager,
        origin=origin,
        notification=notified[1],
        submitted_on=as_of - dt.timedelta(days=11),
    )
    incidents.open_rapid_review(actor=manager, origin=origin, notification=sent)
    # A closure the challenge rules question, for one of the worker's other children.
    raised = _challenged_closure(social_worker, children[2:], as_of, origin)
    meetings = _exploitation_meetings(users, first, as_of, origin)
    requests = _subject_access_requests(users.get("data.quality"), children[1:], as_of, origin)
    disposals = _records_past_retention(agencies, as_of, origin)
    # What the worker does first when it starts: the alerts these acts raised reach the
    # inboxes (and their e-mails the outbox), unread.
    deliver_alerts()
    return WorkInProgress(
        decision_points=1,
        referrals=referrals,
        notifications=2,
        rapid_reviews=1,
        challenges=raised,
        meetings=meetings,
        subject_access_requests=requests,
        disposals_proposed=disposals,
    )


def _exploitation_meetings(
    users: dict[str, User], child: Person, as_of: dt.date, origin: Origin
) -> int:
    """The police officer chairs the area's exploitation meeting each month: last month's
    was held and agreed an action about ``child`` for the social worker, still open; the
    next is scheduled a week after the last day of the data. An action is agreed at a
    meeting, so only the held one has one (its chronology entry is dated that day)."""
    chair = users["police.officer"]
    area = "Westvale"
    held = networks.record_exploitation_meeting(
        actor=chair, origin=origin, area=area, held_on=as_of - dt.timedelta(days=21), chair=chair
    )
    networks.agree_meeting_action(
        actor=chair,
        origin=origin,
        meeting=held,
        description="Visit the child at school and talk about who they spend time with after school.",
        owner=users["social.worker"],
        due_on=as_of + dt.timedelta(days=14),
        person=child,
    )
    networks.record_exploitation_meeting(
        actor=chair, origin=origin, area=area, held_on=as_of + dt.timedelta(days=7), chair=chair
    )
    return 2


def _subject_access_requests(
    officer: User | None, children: list[Person], as_of: dt.date, origin: Origin
) -> int:
    """The data quality officer logs two requests for the records of the social worker's
    children: a parent's, received a week before the last day of the data, whose identity
    was checked against the records held; and the next child's, received that day, with
    identity still to verify."""
    if officer is None or officer.agency_id is None:
        return 0
    logged = 0
    for child, days_ago in zip(children[:2], (7, 0), strict=False):
        parent = (
            Relationship.objects.filter(relative=child, kind=RelationshipKind.PARENT)
            .select_related("person")
            .order_by("pk")
            .first()
        )
        if parent is not None and parent.person.given_name and parent.person.family_name:
            requester, relationship = parent.person, Requester.PARENT
        else:
            requester, relationship = child, Requester.SELF
        request = subject_access.record_request(
            actor=officer,
            person=child,
            agency_id=officer.agency_id,
            requester_name=f"{requester.given_name} {requester.family_name}".strip() or "The child",
            relationship=relationship,
            received_on=as_of - dt.timedelta(days=days_ago),
            origin=origin,
        )
        if days_ago:
            subject_access.verify_identity(
                actor=officer, request=request, method=VerificationMethod.KNOWN, origin=origin
            )
        logged += 1
    return logged


# People the agencies last worked with long ago: (agency, record id, given name, family
# name, sex, years before the last day of the data they were born, their events as
# (years before that day, category, summary)).
_PAST_RETENTION: tuple[
    tuple[str, str, str, str, str, int, tuple[tuple[float, str, str], ...]], ...
] = (
    (
        "POLICE", "P-ARCHIVE-0001", "Lee", "Hardcastle", "M", 49,
        (
            (8.0, "suspect_in_crime", "Named as a suspect in a shop theft; no further action."),
            (7.0, "arrest", "Arrested for criminal damage; cautioned."),
        ),
    ),
    (
        "HOUSING", "H-ARCHIVE-0001", "Tracey", "Moorcroft", "F", 43,
        (
            (7.5, "anti_social_behaviour", "Complaint of noise from neighbours; warning given."),
            (6.5, "eviction_notice", "Notice served for rent arrears; tenancy ended."),
        ),
    ),
    (
        "CSC", "C-ARCHIVE-0001", "Kieran", "Ollerton", "M", 27,
        (
            (11.0, "contact", "Contact from school about attendance; advice given."),
            (10.9, "step_down_early_help", "Stepped down to early help; no further action."),
        ),
    ),
)  # fmt: skip


def _records_past_retention(agencies: dict[str, Agency], as_of: dt.date, origin: Origin) -> int:
    """Records the agencies submit of people they last worked with long ago, through the
    import's submission path, then the retention run on ``as_of``: it proposes every
    record past the schedule (these, and any other) for the officer's review."""
    now = dt.datetime.combine(as_of, dt.time(12), tzinfo=dt.UTC)
    for code, record_id, given, family, sex, born, history in _PAST_RETENTION:
        person, errors = parse_person_record(
            {
                "record_id": record_id,
                "agency": code,
                "given_name": given,
                "family_name": family,
                "date_of_birth": _years_before(as_of, born).isoformat(),
                "sex": sex,
                "address": "14 Cinder Lane, Westvale",
                "postcode": "WF99 2QX",
            },
            line=2,
        )
        if person is None:
            raise ValueError(f"a demo record past retention is invalid: {errors[0]}")
        submit_person_records(
            actor=None, agency=agencies[code], rows=[person], origin=origin,
            audit_detail={"source": "demo data"},
        )  # fmt: skip
        rows = []
        for number, (years_ago, category, summary) in enumerate(history, start=1):
            row, errors = parse_event(
                {
                    "event_id": f"{record_id}-{number}",
                    "agency": code,
                    "subject_record_id": record_id,
                    "occurred_at": _years_before(as_of, years_ago).isoformat(),
                    "category": category,
                    "summary": summary,
                    "significance": "low",
                },
                line=number + 1,
                now=now,
            )
            if row is None:
                raise ValueError(f"a demo event past retention is invalid: {errors[0]}")
            rows.append(row)
        submit_events(
            actor=None, agency=agencies[code], rows=rows, origin=origin,
            audit_detail={"source": "demo data"},
        )  # fmt: skip
    return len(propose_disposals(actor=None, as_of=as_of, origin=origin))


def _years_before(day: dt.date, years: float) -> dt.date:
    return day - dt.timedelta(days=round(years * 365.25))
