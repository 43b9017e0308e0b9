"""Every write for decisions, challenges, structured assessments and challenge rules.

Each action is atomic, takes keyword arguments with an explicit actor and origin, checks
its input (``ValidationError`` naming the field, nothing saved) and writes its audit row.
"""

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sightline import challenges
from sightline.accounts.models import Role, User
from sightline.assessments import access, queries, workflow
from sightline.assessments import thresholds as rule_thresholds
from sightline.assessments.models import (
    Assessment,
    AssessmentStatus,
    Challenge,
    ChallengeRuleSet,
    ChallengeStatus,
    Decision,
    DecisionPoint,
    DecisionStatus,
    PointStatus,
    SeenAlone,
)
from sightline.assessments.workflow import CountsFrom, DecisionStep, Outcome
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.chronology.actions import append_event, start_of_day
from sightline.chronology.models import ChronologyEvent
from sightline.deadlines import queries as deadlines
from sightline.people.models import Person

RATIONALE_MIN_LENGTH = 20


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _step(value: str, field: str = "step") -> DecisionStep:
    try:
        return workflow.parse_step(value)
    except workflow.WorkflowError as error:
        raise ValidationError({field: str(error)}) from None


def _outcome(step: DecisionStep, value: str) -> Outcome:
    try:
        return workflow.parse_outcome(step, value)
    except workflow.WorkflowError as error:
        raise ValidationError({"outcome": str(error)}) from None


def _date(value: object, field: str, label: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError({field: f"Enter the {label} as a date."})
    if value > timezone.localdate():
        raise ValidationError({field: f"The {label} cannot be in the future."})
    return value


def _open_point(
    *,
    actor: User,
    child: Person,
    step: DecisionStep,
    counted_from: dt.date,
    responsible: User,
    follows: Decision | None,
) -> DecisionPoint:
    clock = step.clock_step
    if clock is None:
        raise ValidationError({"step": f"{step.label} has no deadline."})
    if DecisionPoint.objects.open().filter(child=child, step=step.value).exists():
        raise ValidationError(
            {"step": f"{child.full_name} already has an open {step.label.lower()} step."}
        )
    due = deadlines.deadline(clock, counted_from)
    return DecisionPoint.objects.create(
        child=child,
        step=step.value,
        started_on=counted_from,
        due_on=due.due_on,
        rule_version=due.rule_version,
        responsible=responsible,
        team=responsible.team,
        opened_by=actor,
        follows=follows,
    )


@transaction.atomic
def open_decision_point(
    *,
    actor: User,
    origin: Origin,
    child: Person,
    step: str,
    started_on: dt.date,
    responsible: User | None = None,
) -> DecisionPoint:
    """Start a chain on the clock: a referral received, or a child becoming looked after."""
    _require(access.can_decide(actor, child), "You cannot record decisions for this child.")
    parsed = _step(step)
    if parsed not in workflow.OPENING_STEPS:
        names = ", ".join(sorted(s.value for s in workflow.OPENING_STEPS))
        raise ValidationError(
            {"step": f"{parsed.label} follows an earlier decision; a chain starts with: {names}."}
        )
    started_on = _date(started_on, "started_on", "start date")
    responsible = responsible or actor
    if not access.can_decide(responsible, child):
        raise ValidationError(
            {"responsible": f"{responsible} cannot take decisions for {child.full_name}."}
        )
    point = _open_point(
        actor=actor,
        child=child,
        step=parsed,
        counted_from=started_on,
        responsible=responsible,
        follows=None,
    )
    record_audit(
        actor=actor,
        action=AuditAction.OPEN_DECISION_POINT,
        origin=origin,
        person=child,
        detail={
            "point": point.pk,
            "step": point.step,
            "started_on": started_on.isoformat(),
            "due_on": point.due_on.isoformat(),
            "rule_version": point.rule_version,
            "responsible": responsible.username,
        },
    )
    return point


@transaction.atomic
def open_step(
    *,
    actor: User,
    origin: Origin,
    child: Person,
    step: str,
    counted_from: dt.date,
    responsible: User | None = None,
) -> DecisionPoint:
    """Open a step on the clock that a step recorded in the case starts (a strategy
    discussion starting a section 47 enquiry, a conference starting a plan:
    ``cases.actions``) when no decision point led to it. The step's open point, if it has
    one already, is returned as it is: one clock per step, never two."""
    _require(access.can_decide(actor, child), "You cannot record decisions for this child.")
    parsed = _step(step)
    found = DecisionPoint.objects.open().filter(child=child, step=parsed.value).first()
    if found is not None:
        return found
    point = _open_point(
        actor=actor,
        child=child,
        step=parsed,
        counted_from=counted_from,
        responsible=responsible or actor,
        follows=None,
    )
    record_audit(
        actor=actor,
        action=AuditAction.OPEN_DECISION_POINT,
        origin=origin,
        person=child,
        detail={
            "point": point.pk,
            "step": point.step,
            "started_on": counted_from.isoformat(),
            "due_on": point.due_on.isoformat(),
            "rule_version": point.rule_version,
            "responsible": point.responsible.username,
            "opened_by": "case",
        },
    )
    return point


def _check_decision_fields(
    *, reasons: str, history_considered: bool, history_summary: str
) -> tuple[str, str]:
    reasons = (reasons or "").strip()
    history_summary = (history_summary or "").strip()
    if not reasons:
        raise ValidationError({"reasons": "Give the reasons for the decision."})
    if not isinstance(history_considered, bool):
        raise ValidationError(
            {"history_considered": "Say whether the child's history was considered."}
        )
    if history_considered and not history_summary:
        raise ValidationError(
            {"history_summary": "Summarise the history that was considered and what it shows."}
        )
    return reasons, history_summary


def _stored_fact(fact: challenges.Fact) -> dict[str, Any]:
    """A fact as stored on its challenge: the sentence, the person it is about and the
    events it rests on, so that the read side can withhold it from a viewer who may not
    see those events' detail (``queries.challenge_rows``)."""
    return {
        "text": fact.text,
        "person": int(fact.about) if fact.about.isdigit() else None,
        "events": [int(e.ref) for e in fact.evidence if e.ref.isdigit()],
    }


def _raise_challenges(decision: Decision, child: Person) -> list[Challenge]:
    rule_set = queries.current_rule_set()
    plan, since = queries.plan_for(child, on=decision.decided_on)
    proposal = challenges.Proposal(
        step=decision.decision_step,
        outcome=Outcome(decision.outcome),
        on=decision.decided_on,
        history_considered=decision.history_considered,
        plan=plan,
        open_since=since,
        referral_on=decision.point.started_on if decision.point else None,
    )
    findings = challenges.evaluate(
        rule_set,
        proposal,
        queries.history_for(child, on=decision.decided_on),
        closures=deadlines.local_closures(),
    )
    decision.rule_set_version = rule_set.version
    raised = []
    for finding in findings:
        challenge = Challenge.objects.create(
            decision=decision,
            decision_made_by=decision.made_by,
            rule_code=finding.rule.code,
            rule_kind=finding.rule.kind.value,
            rule_version=finding.version,
            title=finding.rule.title,
            question=finding.rule.question,
            explanation=finding.explanation,
            facts=[_stored_fact(fact) for fact in finding.facts],
        )
        pks = [int(e.ref) for e in finding.evidence if e.ref.isdigit()]
        challenge.evidence.set(ChronologyEvent.objects.filter(pk__in=pks))
        raised.append(challenge)
    decision.status = DecisionStatus.CHALLENGED if raised else DecisionStatus.IN_FORCE
    decision.save(update_fields=["rule_set_version", "status"])
    return raised


def _start_next(actor: User, decision: Decision, responsible: User) -> list[DecisionPoint]:
    created = []
    step, outcome = decision.decision_step, Outcome(decision.outcome)
    for following in workflow.next_steps(step, outcome):
        # A step the case record already opened (``cases.actions``) is not opened twice.
        if (
            DecisionPoint.objects.open()
            .filter(child=decision.child, step=following.step.value)
            .exists()
        ):
            continue
        if following.counts_from is CountsFrom.STARTED_ON and decision.point is not None:
            counted_from = decision.point.started_on
        else:
            counted_from = decision.decided_on
        created.append(
            _open_point(
                actor=actor,
                child=decision.child,
                step=following.step,
                counted_from=counted_from,
                responsible=responsible,
                follows=decision,
            )
        )
    return created


def _decision_detail(
    decision: Decision, raised: list[Challenge], started: list[DecisionPoint]
) -> dict[str, Any]:
    return {
        "decision": decision.pk,
        "step": decision.step,
        "outcome": decision.outcome,
        "decided_on": decision.decided_on.isoformat(),
        "history_considered": decision.history_considered,
        "rule_set_version": decision.rule_set_version,
        "challenges": [c.rule_code for c in raised],
        "next": [{"point": p.pk, "step": p.step, "due_on": p.due_on.isoformat()} for p in started],
    }


def _decision_event(actor: User, decision: Decision, origin: Origin) -> None:
    """The decision in the child's chronology, as an event of the decider's agency."""
    if actor.agency is None:
        return
    append_event(
        actor=actor,
        person=decision.child,
        category="decision_recorded",
        summary=f"{decision.get_step_display()}: {decision.get_outcome_display().lower()}. "
        f"Reasons: {decision.reasons}"[:4000],
        occurred_at=start_of_day(decision.decided_on),
        date_only=True,
        event_id=f"decision-{decision.pk}",
        origin=origin,
        audit_detail={"decision": decision.pk},
    )


@transaction.atomic
def record_decision(
    *,
    actor: User,
    origin: Origin,
    step: str,
    outcome: str,
    decided_on: dt.date,
    reasons: str,
    history_considered: bool,
    history_summary: str = "",
    point: DecisionPoint | None = None,
    child: Person | None = None,
) -> Decision:
    """Decide a step on the clock (``point``) or close a case (``child``, no point).

    The challenge rules run against the child's chronology on the day of the decision;
    any that fire are stored with their evidence and the decision is ``challenged`` until
    each is answered. The steps the outcome starts are opened with their deadlines.
    """
    parsed = _step(step)
    if point is not None:
        point = DecisionPoint.objects.select_for_update().get(pk=point.pk)
        child = point.child
        if point.step != parsed.value:
            raise ValidationError({"step": f"This is a {point.get_step_display().lower()} step."})
        if point.status != PointStatus.OPEN:
            raise ValidationError({"point": "This step has already been decided."})
    elif parsed.clock_step is not None:
        raise ValidationError({"point": f"Choose the open {parsed.label.lower()} step to decide."})
    if child is None:
        raise ValidationError({"child": "Choose the child the decision is about."})
    _require(access.can_decide(actor, child), "You cannot record decisions for this child.")
    chosen = _outcome(parsed, outcome)
    decided_on = _date(decided_on, "decided_on", "date of the decision")
    if point is not None and decided_on < point.started_on:
        raise ValidationError(
            {
                "decided_on": f"The decision cannot be before the step started ({point.started_on:%-d %B %Y})."
            }
        )
    reasons, history_summary = _check_decision_fields(
        reasons=reasons, history_considered=history_considered, history_summary=history_summary
    )
    decision = Decision.objects.create(
        child=child,
        point=point,
        step=parsed.value,
        outcome=chosen.value,
        decided_on=decided_on,
        made_by=actor,
        team=actor.team,
        reasons=reasons,
        history_considered=history_considered,
        history_summary=history_summary,
        status=DecisionStatus.IN_FORCE,
        rule_set_version="",
    )
    raised = _raise_challenges(decision, child)
    if point is not None:
        point.status = PointStatus.DECIDED
        point.closed_at = timezone.now()
        point.save(update_fields=["status", "closed_at"])
    started = _start_next(actor, decision, point.responsible if point else actor)
    _decision_event(actor, decision, origin)
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_DECISION,
        origin=origin,
        person=child,
        detail=_decision_detail(decision, raised, started),
    )
    return decision


@transaction.atomic
def change_decision(
    *,
    actor: User,
    origin: Origin,
    decision: Decision,
    outcome: str,
    reasons: str,
    history_considered: bool,
    history_summary: str = "",
    decided_on: dt.date | None = None,
) -> Decision:
    """Answer a challenge by changing the decision: a new decision replaces the old one.

    Unanswered challenges of the old decision are resolved as "decision changed"; steps
    the old outcome started (and not yet decided) are cancelled; the new decision is
    checked against the rules afresh.
    """
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    child = decision.child
    _require(access.can_decide(actor, child), "You cannot record decisions for this child.")
    if decision.status != DecisionStatus.CHALLENGED:
        raise ValidationError(
            {"decision": "Only a decision with an open challenge can be changed here."}
        )
    step = decision.decision_step
    chosen = _outcome(step, outcome)
    if chosen.value == decision.outcome:
        raise ValidationError(
            {
                "outcome": "Choose a different outcome to change the decision, or keep it and "
                "record a rationale for a second manager to sign off."
            }
        )
    decided_on = _date(decided_on or timezone.localdate(), "decided_on", "date of the decision")
    if decided_on < decision.decided_on:
        raise ValidationError(
            {"decided_on": "A changed decision cannot be dated before the one it replaces."}
        )
    reasons, history_summary = _check_decision_fields(
        reasons=reasons, history_considered=history_considered, history_summary=history_summary
    )
    now = timezone.now()
    answered = decision.challenges.exclude(status=ChallengeStatus.OVERRIDDEN)
    answered.update(status=ChallengeStatus.DECISION_CHANGED, resolved_at=now)
    decision.status = DecisionStatus.CHANGED
    decision.save(update_fields=["status"])
    cancelled = list(decision.next_points.filter(status=PointStatus.OPEN))
    DecisionPoint.objects.filter(pk__in=[p.pk for p in cancelled]).update(
        status=PointStatus.CANCELLED, closed_at=now
    )
    replacement = Decision.objects.create(
        child=child,
        point=decision.point,
        step=decision.step,
        outcome=chosen.value,
        decided_on=decided_on,
        made_by=actor,
        team=actor.team,
        reasons=reasons,
        history_considered=history_considered,
        history_summary=history_summary,
        status=DecisionStatus.IN_FORCE,
        rule_set_version="",
        replaces=decision,
    )
    raised = _raise_challenges(replacement, child)
    responsible = decision.point.responsible if decision.point else actor
    started = _start_next(actor, replacement, responsible)
    detail = _decision_detail(replacement, raised, started)
    detail.update(replaces=decision.pk, cancelled=[p.pk for p in cancelled])
    record_audit(
        actor=actor,
        action=AuditAction.CHANGE_DECISION,
        origin=origin,
        person=child,
        detail=detail,
    )
    return replacement


def _locked_challenge(challenge: Challenge) -> Challenge:
    return (
        Challenge.objects.select_for_update()
        .select_related("decision", "decision__child", "decision__made_by")
        .get(pk=challenge.pk)
    )


@transaction.atomic
def record_rationale(
    *, actor: User, origin: Origin, challenge: Challenge, rationale: str
) -> Challenge:
    """Keep the decision against a challenge, saying why; a second manager signs it off."""
    challenge = _locked_challenge(challenge)
    child = challenge.decision.child
    _require(access.can_decide(actor, child), "You cannot answer challenges for this child.")
    if challenge.status != ChallengeStatus.OPEN:
        raise ValidationError({"challenge": "This challenge is not waiting for a rationale."})
    rationale = (rationale or "").strip()
    if len(rationale) < RATIONALE_MIN_LENGTH:
        raise ValidationError(
            {
                "rationale": "Explain why the decision stands despite the evidence "
                f"(at least {RATIONALE_MIN_LENGTH} characters)."
            }
        )
    challenge.rationale = rationale
    challenge.rationale_by = actor
    challenge.rationale_at = timezone.now()
    challenge.status = ChallengeStatus.RATIONALE_RECORDED
    challenge.save(update_fields=["rationale", "rationale_by", "rationale_at", "status"])
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_CHALLENGE_RATIONALE,
        origin=origin,
        person=child,
        detail={"challenge": challenge.pk, "decision": challenge.decision_id},
    )
    return challenge


def _check_second_manager(actor: User, challenge: Challenge) -> None:
    child = challenge.decision.child
    _require(access.can_review(actor, child), "Only a manager can sign off a rationale.")
    if challenge.status != ChallengeStatus.RATIONALE_RECORDED:
        raise ValidationError({"challenge": "This challenge has no rationale waiting."})
    if actor.pk == challenge.decision.made_by_id:
        raise ValidationError(
            {
                "signed_off_by": "You made this decision: a second manager who did not make it "
                "must sign off the rationale."
            }
        )
    if actor.pk == challenge.rationale_by_id:
        raise ValidationError(
            {"signed_off_by": "You wrote this rationale: a second manager must sign it off."}
        )


@transaction.atomic
def sign_off_challenge(*, actor: User, origin: Origin, challenge: Challenge) -> Challenge:
    """A second manager accepts the rationale: the decision stands (an override)."""
    challenge = _locked_challenge(challenge)
    _check_second_manager(actor, challenge)
    now = timezone.now()
    challenge.status = ChallengeStatus.OVERRIDDEN
    challenge.signed_off_by = actor
    challenge.signed_off_at = now
    challenge.resolved_at = now
    challenge.save(update_fields=["status", "signed_off_by", "signed_off_at", "resolved_at"])
    decision = Decision.objects.select_for_update().get(pk=challenge.decision_id)
    unanswered = decision.challenges.exclude(
        status__in=[ChallengeStatus.OVERRIDDEN, ChallengeStatus.DECISION_CHANGED]
    )
    if decision.status == DecisionStatus.CHALLENGED and not unanswered.exists():
        decision.status = DecisionStatus.IN_FORCE
        decision.save(update_fields=["status"])
    record_audit(
        actor=actor,
        action=AuditAction.SIGN_OFF_CHALLENGE,
        origin=origin,
        person=decision.child,
        detail={
            "challenge": challenge.pk,
            "decision": decision.pk,
            "rule": challenge.rule_code,
            "decision_status": decision.status,
        },
    )
    return challenge


@transaction.atomic
def return_challenge(
    *, actor: User, origin: Origin, challenge: Challenge, comments: str
) -> Challenge:
    """A second manager does not accept the rationale: it goes back, with comments."""
    challenge = _locked_challenge(challenge)
    _check_second_manager(actor, challenge)
    comments = (comments or "").strip()
    if not comments:
        raise ValidationError({"comments": "Say why the rationale is not accepted."})
    challenge.status = ChallengeStatus.OPEN
    challenge.return_comments = comments
    challenge.save(update_fields=["status", "return_comments"])
    record_audit(
        actor=actor,
        action=AuditAction.RETURN_CHALLENGE,
        origin=origin,
        person=challenge.decision.child,
        detail={"challenge": challenge.pk, "decision": challenge.decision_id},
    )
    return challenge


# --- challenge rules -------------------------------------------------------------------------


@transaction.atomic
def publish_rule_set(
    *, actor: User, origin: Origin, data: Mapping[str, Any], note: str
) -> ChallengeRuleSet:
    """Publish a new version of the challenge rules; it applies to decisions from now on."""
    _require(
        actor.is_active and actor.role == Role.ADMINISTRATOR,
        "Only administrators publish challenge rules.",
    )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what changed in this version and why."})
    try:
        rule_set = challenges.rule_set_from_data(data)
    except challenges.RuleSetError as error:
        raise ValidationError({"rules": str(error)}) from None
    if (
        rule_set.version == challenges.SHIPPED.version
        or ChallengeRuleSet.objects.filter(version=rule_set.version).exists()
    ):
        raise ValidationError(
            {"rules": f"version: {rule_set.version!r} is already published; choose a new one."}
        )
    published = ChallengeRuleSet.objects.create(
        version=rule_set.version,
        rules=challenges.rule_set_to_data(rule_set),
        note=note[:2000],
        published_by=actor,
        published_at=timezone.now(),
    )
    record_audit(
        actor=actor,
        action=AuditAction.PUBLISH_CHALLENGE_RULES,
        origin=origin,
        detail={
            "version": rule_set.version,
            "rules": [rule.code for rule in rule_set.rules if rule.active],
            "note": published.note,
        },
    )
    return published


@transaction.atomic
def change_challenge_rule(
    *,
    actor: User,
    origin: Origin,
    code: str,
    active: bool,
    values: Mapping[str, int],
    reason: str,
) -> ChallengeRuleSet:
    """Switch one rule on or off and change its thresholds (``assessments.thresholds``),
    from the administration area: the rules in use, so changed, are published as a new
    version (named by the date), with ``reason`` as its note. Errors name the field."""
    _require(
        actor.is_active and actor.role == Role.ADMINISTRATOR,
        "Only administrators change challenge rules.",
    )
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the change."})
    current = queries.current_rule_set()
    try:
        rule = current.rule(code)
    except KeyError:
        raise ValidationError({"active": "This rule is not in the rules in use."}) from None
    known = {t.name: t for t in rule_thresholds.thresholds(rule)}
    errors = {}
    for name, value in values.items():
        threshold = known.get(name)
        if threshold is None:
            errors[name] = "This rule has no such threshold."
        elif not threshold.low <= value <= threshold.high:
            errors[name] = (
                f"{threshold.label} must be from {threshold.low} to {threshold.high} "
                f"{threshold.unit}."
            )
    if errors:
        raise ValidationError(errors)
    changed_values = {n: v for n, v in values.items() if known[n].value != v}
    if active == rule.active and not changed_values:
        raise ValidationError(
            {"active": "Nothing has changed: switch the rule or change a threshold."}
        )
    data = challenges.rule_set_to_data(current)
    for item in data["rules"]:
        if item["code"] == code:
            item["active"] = active
            item["params"] = rule_thresholds.with_thresholds(item["params"], changed_values)
    stem = f"{timezone.localdate():%Y.%m.%d}"
    number = 1
    while ChallengeRuleSet.objects.filter(version=f"{stem}.{number}").exists():
        number += 1
    data["version"] = f"{stem}.{number}"
    return publish_rule_set(actor=actor, origin=origin, data=data, note=reason)


# --- structured assessments ------------------------------------------------------------------

ASSESSMENT_FIELDS = (
    "harm",
    "complicating_factors",
    "working_well",
    "needs_to_happen",
    "seen_alone",
    "seen_alone_on",
    "child_words",
    "safety_scale",
    "danger_statements",
    "safety_goals",
)
_REQUIRED_TO_SUBMIT = {
    "harm": "Describe the harm: what has happened to the child.",
    "working_well": "Describe what is working well.",
    "needs_to_happen": "Describe what needs to happen.",
    "seen_alone": "Say whether the child was seen alone.",
    "child_words": "Record the child's words (or why they could not be gathered).",
    "danger_statements": "Write the danger statements.",
    "safety_goals": "Write the safety goals.",
}


def _clean_assessment_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "This is not a field of an assessment."})
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "safety_scale":
            if value in (None, ""):
                cleaned[name] = None
            elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
                raise ValidationError(
                    {"safety_scale": "The safety scale is a whole number from 0 to 10."}
                )
            else:
                cleaned[name] = value
        elif name == "seen_alone":
            if value not in ("", *SeenAlone.values):
                raise ValidationError({"seen_alone": "Answer yes or no."})
            cleaned[name] = value
        elif name == "seen_alone_on":
            cleaned[name] = (
                None if value in (None, "") else _date(value, "seen_alone_on", "date seen alone")
            )
        else:
            cleaned[name] = str(value or "").strip()
    return cleaned


@transaction.atomic
def start_assessment(
    *, actor: User, origin: Origin, child: Person, point: DecisionPoint | None = None
) -> Assessment:
    _require(access.can_decide(actor, child), "You cannot write assessments for this child.")
    if point is not None and point.child_id != child.pk:
        raise ValidationError({"point": "That step is for another child."})
    assessment = Assessment.objects.create(
        child=child, point=point, author=actor, team=actor.team, series=uuid.uuid4()
    )
    record_audit(
        actor=actor,
        action=AuditAction.START_ASSESSMENT,
        origin=origin,
        person=child,
        detail={"assessment": assessment.pk, "series": str(assessment.series), "version": 1},
    )
    return assessment


def _locked_assessment(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("child").get(pk=assessment.pk)


def _require_author_editing(actor: User, assessment: Assessment) -> None:
    _require(
        access.can_decide(actor, assessment.child),
        "You cannot write assessments for this child.",
    )
    if assessment.status == AssessmentStatus.SIGNED_OFF:
        raise ValidationError(
            {"assessment": "A signed-off assessment cannot change: start an amended version."}
        )
    if not assessment.is_editable:
        raise ValidationError(
            {"assessment": "This assessment is with a manager; it can change if it is returned."}
        )
    if actor.pk != assessment.author_id:
        raise ValidationError({"assessment": "Only the author edits a draft assessment."})


@transaction.atomic
def save_assessment(
    *, actor: User, origin: Origin, assessment: Assessment, values: Mapping[str, Any]
) -> Assessment:
    """Save a draft (or returned) assessment's fields; nothing is required yet."""
    assessment = _locked_assessment(assessment)
    _require_author_editing(actor, assessment)
    cleaned = _clean_assessment_fields(values)
    for name, value in cleaned.items():
        setattr(assessment, name, value)
    assessment.save(update_fields=[*cleaned, "updated_at"])
    record_audit(
        actor=actor,
        action=AuditAction.EDIT_ASSESSMENT,
        origin=origin,
        person=assessment.child,
        detail={"assessment": assessment.pk, "fields": sorted(cleaned)},
    )
    return assessment


@transaction.atomic
def submit_assessment(*, actor: User, origin: Origin, assessment: Assessment) -> Assessment:
    """Send the assessment to a manager; every part of it must be filled in."""
    assessment = _locked_assessment(assessment)
    _require_author_editing(actor, assessment)
    for name, message in _REQUIRED_TO_SUBMIT.items():
        if not getattr(assessment, name):
            raise ValidationError({name: message})
    if assessment.safety_scale is None:
        raise ValidationError({"safety_scale": "Give the safety scale, from 0 to 10."})
    if assessment.seen_alone == SeenAlone.YES and assessment.seen_alone_on is None:
        raise ValidationError({"seen_alone_on": "Give the date the child was seen alone."})
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["status", "submitted_at", "updated_at"])
    record_audit(
        actor=actor,
        action=AuditAction.SUBMIT_ASSESSMENT,
        origin=origin,
        person=assessment.child,
        detail={"assessment": assessment.pk, "version": assessment.version},
    )
    return assessment


def _require_reviewer(actor: User, assessment: Assessment) -> None:
    _require(access.can_review(actor, assessment.child), "Only a manager reviews assessments.")
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError({"assessment": "This assessment has not been submitted."})
    if actor.pk == assessment.author_id:
        raise ValidationError(
            {"reviewed_by": "You wrote this assessment: another manager must review it."}
        )


@transaction.atomic
def sign_off_assessment(*, actor: User, origin: Origin, assessment: Assessment) -> Assessment:
    assessment = _locked_assessment(assessment)
    _require_reviewer(actor, assessment)
    assessment.status = AssessmentStatus.SIGNED_OFF
    assessment.reviewed_by = actor
    assessment.reviewed_at = timezone.now()
    assessment.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    if actor.agency is not None:
        author = assessment.author.get_full_name() or assessment.author.username
        append_event(
            actor=actor,
            person=assessment.child,
            category="assessment_signed_off",
            summary=f"Assessment (version {assessment.version}) by {author} signed off.",
            occurred_at=assessment.reviewed_at,
            event_id=f"assessment-{assessment.pk}-signed-off",
            origin=origin,
            audit_detail={"assessment": assessment.pk},
        )
    record_audit(
        actor=actor,
        action=AuditAction.SIGN_OFF_ASSESSMENT,
        origin=origin,
        person=assessment.child,
        detail={"assessment": assessment.pk, "version": assessment.version},
    )
    return assessment


@transaction.atomic
def return_assessment(
    *, actor: User, origin: Origin, assessment: Assessment, comments: str
) -> Assessment:
    assessment = _locked_assessment(assessment)
    _require_reviewer(actor, assessment)
    comments = (comments or "").strip()
    if not comments:
        raise ValidationError({"comments": "Say what needs to change before sign-off."})
    assessment.status = AssessmentStatus.RETURNED
    assessment.reviewed_by = actor
    assessment.reviewed_at = timezone.now()
    assessment.review_comments = comments
    assessment.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_comments", "updated_at"]
    )
    record_audit(
        actor=actor,
        action=AuditAction.RETURN_ASSESSMENT,
        origin=origin,
        person=assessment.child,
        detail={"assessment": assessment.pk, "version": assessment.version},
    )
    return assessment


@transaction.atomic
def amend_assessment(*, actor: User, origin: Origin, assessment: Assessment) -> Assessment:
    """A new draft version copying a signed-off one; the signed-off version stays as it was."""
    assessment = _locked_assessment(assessment)
    _require(
        access.can_decide(actor, assessment.child),
        "You cannot write assessments for this child.",
    )
    if assessment.status != AssessmentStatus.SIGNED_OFF:
        raise ValidationError(
            {"assessment": "Only a signed-off assessment is amended; edit this one instead."}
        )
    if Assessment.objects.filter(series=assessment.series, version__gt=assessment.version).exists():
        raise ValidationError({"assessment": "A later version already exists: amend that one."})
    amended = Assessment.objects.create(
        child=assessment.child,
        series=assessment.series,
        version=assessment.version + 1,
        amends=assessment,
        point=assessment.point,
        author=actor,
        team=actor.team,
        **{name: getattr(assessment, name) for name in ASSESSMENT_FIELDS},
    )
    record_audit(
        actor=actor,
        action=AuditAction.AMEND_ASSESSMENT,
        origin=origin,
        person=assessment.child,
        detail={
            "assessment": amended.pk,
            "amends": assessment.pk,
            "series": str(assessment.series),
            "version": amended.version,
        },
    )
    return amended
