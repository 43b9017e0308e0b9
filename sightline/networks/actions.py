"""Every write about networks, contexts and the exploitation meeting.

Each action is atomic, takes keyword-only arguments and an explicit actor, checks its
input before writing anything (``ValidationError`` naming the field), and writes its
audit row in the same transaction.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.chronology.actions import EntryRefusedError, append_event, start_of_day
from sightline.chronology.models import ChronologyEvent
from sightline.core import dates
from sightline.networks.models import (
    CONTEXT_NATURES,
    PERSON_NATURES,
    ActionStatus,
    Association,
    ConcernFlag,
    Confidence,
    Context,
    ContextAssessment,
    ContextEvent,
    ContextEventKind,
    ContextKind,
    ContextPlan,
    EventLocation,
    ExploitationMeeting,
    MeetingAction,
    Nature,
)
from sightline.networks.rules import may_view_contexts
from sightline.people.models import Person

# What an event's category says about the subject's link to the place it names.
CATEGORY_NATURE = {
    "missing_episode": Nature.MISSING_FROM,
    "found_after_missing": Nature.FOUND_AT,
    "victim_of_crime": Nature.VICTIM_AT,
}


def _text(value: str, field: str, what: str, *, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"Enter {what}."})
    if len(value) > max_length:
        raise ValidationError(
            {field: f"{what.capitalize()} must be {max_length} characters or fewer."}
        )
    return value


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: "The date cannot be in the future."})


def _agency_of(actor: User) -> Agency:
    if actor.agency is None:
        raise ValidationError({"actor": f"{actor.username} belongs to no agency."})
    return actor.agency


def _current(person: Person, field: str) -> Person:
    """The person to link: a merged person's survivor, never the merged row."""
    seen = 0
    while person.merged_into_id is not None:
        person = Person.objects.get(pk=person.merged_into_id)
        seen += 1
        if seen > 20:
            raise ValidationError({field: "This person's merge history loops."})
    return person


def _practitioner(user: User, field: str) -> User:
    if not user.is_active or user.role == Role.ADMINISTRATOR or not may_view_contexts(user):
        raise ValidationError(
            {field: f"{user} cannot own safeguarding work (inactive or not a practitioner)."}
        )
    return user


# --- contexts -------------------------------------------------------------------------


@transaction.atomic
def record_context(
    *,
    actor: User,
    origin: Origin,
    kind: str,
    name: str,
    description: str = "",
    area: str = "",
    postcode: str = "",
) -> Context:
    """Record a place, online space or peer group."""
    if kind not in ContextKind.values:
        raise ValidationError({"kind": f"Unknown kind {kind!r}."})
    context = Context.objects.create(
        kind=kind,
        name=_text(name, "name", "a name", max_length=200),
        description=(description or "").strip()[:2000],
        area=(area or "").strip()[:200],
        postcode=(postcode or "").strip().upper()[:8],
        recorded_by_agency=_agency_of(actor),
        recorded_by=actor,
    )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_CONTEXT,
        origin=origin,
        detail={"context": str(context.public_id), "kind": kind},
    )
    return context


@transaction.atomic
def raise_concern(
    *,
    actor: User,
    origin: Origin,
    reason: str,
    started_on: dt.date,
    person: Person | None = None,
    context: Context | None = None,
) -> ConcernFlag:
    """Flag an adult of concern, or a context of concern."""
    if (person is None) == (context is None):
        raise ValidationError({"subject": "Name either a person or a context, not both."})
    _not_future(started_on, "started_on")
    reason = _text(reason, "reason", "the reason for concern", max_length=2000)
    agency = _agency_of(actor)
    if person is not None:
        person = _current(person, "person")
    flag = ConcernFlag.objects.create(
        person=person,
        context=context,
        reason=reason,
        agency=agency,
        raised_by=actor,
        started_on=started_on,
    )
    if context is not None:
        ContextEvent.objects.create(
            context=context,
            kind=ContextEventKind.CONCERN_RAISED,
            occurred_on=started_on,
            summary=reason,
            agency=agency,
            recorded_by=actor,
        )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_CONCERN_FLAG,
        origin=origin,
        person=person,
        detail={
            "flag": flag.pk,
            "context": str(context.public_id) if context else None,
            "started_on": started_on.isoformat(),
        },
    )
    return flag


@transaction.atomic
def end_concern(
    *, actor: User, origin: Origin, flag: ConcernFlag, ended_on: dt.date, reason: str
) -> ConcernFlag:
    flag = ConcernFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.ended_on is not None:
        raise ValidationError({"flag": "This concern has already ended."})
    if ended_on < flag.started_on:
        raise ValidationError({"ended_on": "The end cannot be before the concern was raised."})
    _not_future(ended_on, "ended_on")
    flag.ended_on = ended_on
    flag.ended_reason = _text(reason, "reason", "why the concern has ended", max_length=500)
    flag.save(update_fields=["ended_on", "ended_reason"])
    if flag.context is not None:
        ContextEvent.objects.create(
            context=flag.context,
            kind=ContextEventKind.CONCERN_ENDED,
            occurred_on=ended_on,
            summary=flag.ended_reason,
            agency=_agency_of(actor),
            recorded_by=actor,
        )
    record_audit(
        actor=actor,
        action=AuditAction.END_CONCERN_FLAG,
        origin=origin,
        person=flag.person,
        detail={"flag": flag.pk, "ended_on": ended_on.isoformat()},
    )
    return flag


# --- associations ---------------------------------------------------------------------


def _validate_association(
    *,
    person: Person,
    other_person: Person | None,
    context: Context | None,
    nature: str,
    confidence: str,
    started_on: dt.date,
    ended_on: dt.date | None,
) -> None:
    if (other_person is None) == (context is None):
        raise ValidationError(
            {"other_person": "Name either another person or a context, not both."}
        )
    if other_person is not None and other_person.pk == person.pk:
        raise ValidationError({"other_person": "A person cannot be associated with themselves."})
    if nature not in Nature.values:
        raise ValidationError({"nature": f"Unknown nature {nature!r}."})
    if other_person is not None and nature not in PERSON_NATURES:
        raise ValidationError(
            {"nature": f"{Nature(nature).label!r} describes a link to a place, not a person."}
        )
    if context is not None and nature not in CONTEXT_NATURES:
        raise ValidationError(
            {"nature": f"{Nature(nature).label!r} describes a link to a person, not a place."}
        )
    if context is not None and context.archived_at is not None:
        raise ValidationError({"context": "This context is archived."})
    if confidence not in Confidence.values:
        raise ValidationError({"confidence": f"Unknown confidence {confidence!r}."})
    _not_future(started_on, "started_on")
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": "The end cannot be before the start."})


@transaction.atomic
def record_association(
    *,
    actor: User,
    origin: Origin,
    person: Person,
    nature: str,
    confidence: str,
    source_agency: Agency,
    started_on: dt.date,
    other_person: Person | None = None,
    context: Context | None = None,
    ended_on: dt.date | None = None,
    note: str = "",
) -> Association:
    """Link a young person to a peer, an adult, a place, an online space or a peer group."""
    person = _current(person, "person")
    if other_person is not None:
        other_person = _current(other_person, "other_person")
    _validate_association(
        person=person,
        other_person=other_person,
        context=context,
        nature=nature,
        confidence=confidence,
        started_on=started_on,
        ended_on=ended_on,
    )
    association = Association.objects.create(
        person=person,
        other_person=other_person,
        context=context,
        nature=nature,
        confidence=confidence,
        source_agency=source_agency,
        started_on=started_on,
        ended_on=ended_on,
        note=(note or "").strip()[:2000],
        recorded_by=actor,
    )
    if actor.agency is not None:
        # Who the other person is stays on the network page, under its own rule.
        with_whom = (
            f"{context.get_kind_display().lower()} {context.name}"
            if context
            else ("another person (see Outside the home)")
        )
        append_event(
            actor=actor,
            person=person,
            category="association_recorded",
            summary=f"Association recorded: {association.get_nature_display().lower()}, "
            f"{with_whom}; {association.get_confidence_display().lower()}, known since "
            f"{started_on:%-d %B %Y}.",
            occurred_at=association.recorded_at,
            event_id=f"association-{association.pk}",
            origin=origin,
            audit_detail={"association": association.pk},
        )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_ASSOCIATION,
        origin=origin,
        person=person,
        detail=_association_detail(association),
    )
    return association


def _association_detail(association: Association) -> dict[str, object]:
    return {
        "association": association.pk,
        "other_person": association.other_person_id,
        "context": association.context_id,
        "nature": association.nature,
        "confidence": association.confidence,
        "source_event": association.source_event_id,
    }


@transaction.atomic
def withdraw_association(
    *, actor: User, origin: Origin, association: Association, reason: str
) -> Association:
    """Withdraw an association recorded in error; the row stays, marked withdrawn."""
    association = Association.objects.select_for_update().get(pk=association.pk)
    if association.withdrawn_at is not None:
        raise ValidationError({"association": "This association is already withdrawn."})
    association.withdrawn_reason = _text(reason, "reason", "why it is withdrawn", max_length=500)
    association.withdrawn_at = timezone.now()
    association.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    if actor.agency is not None:
        append_event(
            actor=actor,
            person=association.person,
            category="association_withdrawn",
            summary=f"Association withdrawn ({association.get_nature_display().lower()}): "
            f"{association.withdrawn_reason}",
            occurred_at=association.withdrawn_at,
            event_id=f"association-{association.pk}-withdrawn",
            origin=origin,
            audit_detail={"association": association.pk},
        )
    record_audit(
        actor=actor,
        action=AuditAction.WITHDRAW_ASSOCIATION,
        origin=origin,
        person=association.person,
        detail={"association": association.pk, "reason": association.withdrawn_reason},
    )
    return association


@dataclass(frozen=True)
class EventContextResult:
    location: EventLocation | None
    created: tuple[Association, ...]
    already_recorded: int


@transaction.atomic
def record_event_context(
    *,
    actor: User,
    origin: Origin,
    event: ChronologyEvent,
    context: Context | None = None,
    confidence: str = Confidence.PROBABLE,
) -> EventContextResult:
    """Record where ``event`` happened and create the associations it implies.

    The event's subject is linked to each other person the event names ("seen with") and
    to the place ("missing from", "found at", "victim at" by the event's category, "seen
    with" otherwise); each other person is linked to the place ("seen with"). The
    associations are the event agency's, dated on the event's day. Calling again with the
    same event and place adds only what is missing; a different place is refused.
    """
    if confidence not in Confidence.values:
        raise ValidationError({"confidence": f"Unknown confidence {confidence!r}."})
    event = ChronologyEvent.objects.select_related("category", "agency").get(pk=event.pk)
    if ChronologyEvent.objects.filter(supersedes=event).exists():
        raise ValidationError({"event": "This revision has been corrected; use the latest one."})
    if context is not None and context.archived_at is not None:
        raise ValidationError({"context": "This context is archived."})
    location = EventLocation.objects.filter(event=event).first()
    if location is not None and context is not None and location.context_id != context.pk:
        raise ValidationError(
            {"context": f"This event is already recorded as happening at {location.context}."}
        )
    if context is None and location is not None:
        context = location.context
    subject = _current(event.person, "event")
    others: list[Person] = []
    for record in event.other_records.select_related("person").order_by("pk"):
        other = _current(record.person, "event")
        if other.pk != subject.pk and other.pk not in {p.pk for p in others}:
            others.append(other)
    if context is None and not others:
        raise ValidationError(
            {"context": "The event names no other people; name the place it happened at."}
        )

    if location is None and context is not None:
        location = EventLocation.objects.create(event=event, context=context, recorded_by=actor)
    day = timezone.localtime(event.occurred_at).date()
    wanted: list[tuple[Person, Person | None, Context | None, str]] = [
        (subject, other, None, Nature.SEEN_WITH) for other in others
    ]
    if context is not None:
        wanted.append(
            (subject, None, context, CATEGORY_NATURE.get(event.category.code, Nature.SEEN_WITH))
        )
        wanted.extend((other, None, context, Nature.SEEN_WITH) for other in others)
    existing = set(
        Association.objects.filter(source_event=event).values_list(
            "person_id", "other_person_id", "context_id"
        )
    )
    created: list[Association] = []
    for person, other_person, place, nature in wanted:
        key = (person.pk, other_person.pk if other_person else None, place.pk if place else None)
        if key in existing:
            continue
        created.append(
            Association.objects.create(
                person=person,
                other_person=other_person,
                context=place,
                nature=nature,
                confidence=confidence,
                source_agency=event.agency,
                started_on=day,
                source_event=event,
                recorded_by=actor,
            )
        )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_EVENT_CONTEXT,
        origin=origin,
        person=subject,
        detail={
            "event": event.pk,
            "context": str(context.public_id) if context else None,
            "associations": [a.pk for a in created],
        },
    )
    return EventContextResult(location, tuple(created), len(wanted) - len(created))


# --- contexts as subjects -------------------------------------------------------------


def _context_event(
    *, actor: User, context: Context, kind: str, occurred_on: dt.date, summary: str
) -> ContextEvent:
    return ContextEvent.objects.create(
        context=context,
        kind=kind,
        occurred_on=occurred_on,
        summary=summary,
        agency=_agency_of(actor),
        recorded_by=actor,
    )


def _audit_context_work(
    actor: User, origin: Origin, context: Context, what: str, **detail: object
) -> None:
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_CONTEXT_WORK,
        origin=origin,
        detail={"context": str(context.public_id), "what": what, **detail},
    )


@transaction.atomic
def refer_context(
    *, actor: User, origin: Origin, context: Context, referred_on: dt.date, reason: str
) -> ContextEvent:
    """Refer a place or peer group for a context assessment."""
    _not_future(referred_on, "referred_on")
    event = _context_event(
        actor=actor,
        context=context,
        kind=ContextEventKind.REFERRAL,
        occurred_on=referred_on,
        summary=_text(reason, "reason", "the reason for the referral", max_length=4000),
    )
    _audit_context_work(actor, origin, context, "referral", event=event.pk)
    return event


@transaction.atomic
def record_context_assessment(
    *,
    actor: User,
    origin: Origin,
    context: Context,
    assessed_on: dt.date,
    what_happens: str,
    when_it_happens: str,
    who_is_involved: str,
    what_would_make_it_safer: str,
) -> ContextAssessment:
    _not_future(assessed_on, "assessed_on")
    assessment = ContextAssessment(
        context=context,
        assessed_on=assessed_on,
        what_happens=_text(what_happens, "what_happens", "what happens there", max_length=4000),
        when_it_happens=_text(
            when_it_happens, "when_it_happens", "when it happens", max_length=2000
        ),
        who_is_involved=_text(
            who_is_involved, "who_is_involved", "who is involved", max_length=2000
        ),
        what_would_make_it_safer=_text(
            what_would_make_it_safer,
            "what_would_make_it_safer",
            "what would make it safer",
            max_length=4000,
        ),
        agency=_agency_of(actor),
        assessed_by=actor,
    )
    assessment.save()
    _context_event(
        actor=actor,
        context=context,
        kind=ContextEventKind.ASSESSMENT,
        occurred_on=assessed_on,
        summary=f"Context assessment completed. What would make it safer: "
        f"{assessment.what_would_make_it_safer}",
    )
    _audit_context_work(actor, origin, context, "assessment", assessment=assessment.pk)
    return assessment


@transaction.atomic
def start_context_plan(
    *,
    actor: User,
    origin: Origin,
    context: Context,
    started_on: dt.date,
    review_on: dt.date,
    objectives: str,
    lead_practitioner: User,
) -> ContextPlan:
    _not_future(started_on, "started_on")
    if review_on < started_on:
        raise ValidationError({"review_on": "The review cannot be before the plan starts."})
    objectives = _text(objectives, "objectives", "the plan's objectives", max_length=4000)
    lead = _practitioner(lead_practitioner, "lead_practitioner")
    if ContextPlan.objects.select_for_update().filter(context=context, ended_on=None).exists():
        raise ValidationError({"context": f"{context} already has an open plan; end it first."})
    if lead.agency is None:
        raise ValidationError({"lead_practitioner": f"{lead} belongs to no agency."})
    plan = ContextPlan.objects.create(
        context=context,
        started_on=started_on,
        review_on=review_on,
        objectives=objectives,
        lead_agency=lead.agency,
        lead_practitioner=lead,
    )
    _context_event(
        actor=actor,
        context=context,
        kind=ContextEventKind.PLAN_STARTED,
        occurred_on=started_on,
        summary=f"Plan started, led by {lead} ({lead.agency.name}), review by "
        f"{dates.long_date(review_on)}: {objectives}",
    )
    _audit_context_work(actor, origin, context, "plan_started", plan=plan.pk)
    return plan


@transaction.atomic
def end_context_plan(
    *, actor: User, origin: Origin, plan: ContextPlan, ended_on: dt.date, reason: str
) -> ContextPlan:
    plan = ContextPlan.objects.select_for_update().select_related("context").get(pk=plan.pk)
    if plan.ended_on is not None:
        raise ValidationError({"plan": "This plan has already ended."})
    if ended_on < plan.started_on:
        raise ValidationError({"ended_on": "The plan cannot end before it started."})
    _not_future(ended_on, "ended_on")
    plan.ended_reason = _text(reason, "reason", "why the plan ended", max_length=500)
    plan.ended_on = ended_on
    plan.save(update_fields=["ended_on", "ended_reason"])
    _context_event(
        actor=actor,
        context=plan.context,
        kind=ContextEventKind.PLAN_ENDED,
        occurred_on=ended_on,
        summary=f"Plan ended: {plan.ended_reason}",
    )
    _audit_context_work(actor, origin, plan.context, "plan_ended", plan=plan.pk)
    return plan


# --- the exploitation meeting ---------------------------------------------------------


@transaction.atomic
def record_exploitation_meeting(
    *, actor: User, origin: Origin, area: str, held_on: dt.date, chair: User
) -> ExploitationMeeting:
    area = _text(area, "area", "the area the meeting covers", max_length=200)
    chair = _practitioner(chair, "chair")
    if ExploitationMeeting.objects.filter(area=area, held_on=held_on).exists():
        raise ValidationError({"held_on": f"There is already a meeting for {area} that day."})
    meeting = ExploitationMeeting.objects.create(
        area=area, held_on=held_on, chair=chair, recorded_by=actor
    )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_EXPLOITATION_MEETING,
        origin=origin,
        detail={"meeting": meeting.pk, "area": area, "held_on": held_on.isoformat()},
    )
    return meeting


@transaction.atomic
def agree_meeting_action(
    *,
    actor: User,
    origin: Origin,
    meeting: ExploitationMeeting,
    description: str,
    owner: User,
    due_on: dt.date,
    person: Person | None = None,
    context: Context | None = None,
) -> MeetingAction:
    """Record an action agreed at ``meeting`` about a child or a context."""
    if (person is None) == (context is None):
        raise ValidationError({"subject": "Name either a child or a context, not both."})
    description = _text(description, "description", "the action", max_length=2000)
    owner = _practitioner(owner, "owner")
    if due_on < meeting.held_on:
        raise ValidationError({"due_on": "The action cannot be due before the meeting."})
    if person is not None:
        person = _current(person, "person")
    action = MeetingAction.objects.create(
        meeting=meeting,
        person=person,
        context=context,
        description=description,
        owner=owner,
        due_on=due_on,
        agreed_by=actor,
    )
    # The chronology holds what has happened: an action agreed for a meeting still to
    # come (scheduled ahead, its actions set in advance) is dated the day it is recorded,
    # and says which meeting it is for; the action itself keeps its due date.
    today = timezone.localdate()
    ahead = meeting.held_on > today
    recorded_on = today if ahead else meeting.held_on
    owner_name = owner.get_full_name() or owner.username
    if ahead:
        said = (
            f"Action agreed for the exploitation meeting for {meeting.area} on "
            f"{meeting.held_on:%-d %B %Y}: {description}"
        )
    else:
        said = f"Discussed at the exploitation meeting for {meeting.area}. Action agreed: {description}"
    if person is not None and actor.agency is not None:
        try:
            append_event(
                actor=actor,
                person=person,
                category="exploitation_meeting",
                summary=f"{said} (owner {owner_name}, due {due_on:%-d %B %Y}).",
                occurred_at=start_of_day(recorded_on),
                date_only=True,
                event_id=f"meeting-action-{action.pk}",
                origin=origin,
                audit_detail={"meeting": meeting.pk, "action": action.pk},
            )
        except EntryRefusedError as refused:
            raise ValidationError({"person": str(refused)}) from refused
    if context is not None:
        _context_event(
            actor=actor,
            context=context,
            kind=ContextEventKind.MEETING_ACTION,
            occurred_on=recorded_on,
            summary=f"{description} (owner {owner_name}, due {dates.long_date(due_on)})",
        )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_MEETING_ACTION,
        origin=origin,
        person=person,
        detail={
            "meeting": meeting.pk,
            "action": action.pk,
            "owner": owner.username,
            "due_on": due_on.isoformat(),
            "context": str(context.public_id) if context else None,
        },
    )
    return action


@transaction.atomic
def complete_meeting_action(
    *, actor: User, origin: Origin, action: MeetingAction, completed_on: dt.date, note: str = ""
) -> MeetingAction:
    action = MeetingAction.objects.select_for_update().get(pk=action.pk)
    if action.status == ActionStatus.DONE:
        raise ValidationError({"action": "This action is already done."})
    _not_future(completed_on, "completed_on")
    action.status = ActionStatus.DONE
    action.completed_on = completed_on
    action.completion_note = (note or "").strip()[:2000]
    action.save(update_fields=["status", "completed_on", "completion_note"])
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_MEETING_ACTION,
        origin=origin,
        person=action.person,
        detail={"action": action.pk, "completed_on": completed_on.isoformat()},
    )
    return action
