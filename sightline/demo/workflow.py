"""Work left in progress in the demo, written through the same actions a practitioner's
pages call, so the queues have something in them when the demo starts: a referral
decision waiting on the clock, a referral from health to children's social care
awaiting acknowledgement, a serious incident notification not yet sent to the national
panel, another sent with its rapid review under way, and, where a child's chronology
gives cause, a proposed case closure that the challenge rules question (a challenge to
answer), and the area's monthly exploitation meetings: last month's, held, with an action
agreed about a child and still open, and the next one, scheduled (an upcoming meeting).
The alerts these raise are delivered to the inboxes, unread, by the worker's own action.

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
from sightline.incidents import actions as incidents
from sightline.networks import actions as networks
from sightline.people.models import Involvement, InvolvementRole, Person
from sightline.record.access import Intent, open_record
from sightline.sharing.actions import deliver_alerts, raise_referral
from sightline.sharing.models import Urgency


@dataclass(frozen=True)
class WorkInProgress:
    decision_points: int
    referrals: int
    notifications: int
    rapid_reviews: int
    challenges: int = 0
    meetings: int = 0


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
