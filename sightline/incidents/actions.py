"""Every write to serious incident records: permission checked, validated, audited.

Bad input raises ``ValidationError`` with a message per field; nothing is half-written
(each action is one transaction). Deadlines come from ``sightline.deadlines`` and are
stored with their rule version.
"""

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from sightline import calendars
from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.chronology.actions import append_event
from sightline.deadlines import queries as deadlines
from sightline.deadlines.rules import Step
from sightline.incidents import access, queries, reminders
from sightline.incidents.models import (
    DEATHS,
    AgencySummary,
    LocalReview,
    Milestone,
    Nature,
    NotifiedChild,
    PanelResponse,
    PanelView,
    Partner,
    PoliceInvolvement,
    RapidReview,
    SafetyAction,
    SeriousIncidentNotification,
    SignOff,
)
from sightline.learning.intake import enter_local_review, enter_rapid_review
from sightline.people.models import Person
from sightline.record import access as people_access
from sightline.sharing import reminders as waiting_work


def _today() -> dt.date:
    return timezone.localdate()


def _fail(**errors: str) -> ValidationError:
    return ValidationError(errors)


def _audit(
    actor: User,
    action: AuditAction,
    origin: Origin,
    notification: SeriousIncidentNotification,
    **detail: object,
) -> None:
    payload = {"notification": notification.reference, **detail}
    for child in notification.children.select_related("person"):
        record_audit(actor=actor, action=action, origin=origin, person=child.person, detail=payload)


def _not_in_future(field: str, day: dt.date, label: str) -> None:
    if day > _today():
        raise _fail(**{field: f"{label} cannot be in the future ({day:%-d %B %Y})."})


# Notification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildEntry:
    """A child on the notification form: the person, and what the record does not hold."""

    person_id: str
    disability: str = ""
    placement_type: str = ""
    perpetrator_relationship: str = ""


def resolve_children(
    *, actor: User, origin: Origin, entries: Sequence[ChildEntry]
) -> list[tuple[Person, ChildEntry]]:
    """Each child through ``open_record`` (audited, denials kept), or a field error.

    Called before the notification's transaction so that a refused look-up stays in the
    audit trail even though the notification is not written.
    """
    if not entries:
        raise _fail(children="Name at least one child.")
    resolved: list[tuple[Person, ChildEntry]] = []
    for number, entry in enumerate(entries, start=1):
        try:
            person = people_access.open_record(
                actor,
                entry.person_id.strip(),
                intent=people_access.Intent.VIEW_RECORD,
                origin=origin,
                detail={"purpose": "serious incident notification"},
            ).person
        except Http404:
            raise _fail(
                children=f"Child {number}: no child you may see has the reference "
                f"{entry.person_id.strip()!r}."
            ) from None
        resolved.append((person, entry))
    return resolved


def _check_partnership(local_authority: Agency, police: Agency, icb: Agency) -> None:
    errors = {}
    if local_authority.kind != AgencyKind.CHILDRENS_SOCIAL_CARE:
        errors["local_authority"] = (
            f"{local_authority.name} is not a children's social care agency."
        )
    if police.kind != AgencyKind.POLICE:
        errors["police"] = f"{police.name} is not a police force."
    if icb.kind not in {AgencyKind.INTEGRATED_CARE_BOARD, AgencyKind.HEALTH}:
        errors["integrated_care_board"] = (
            f"{icb.name} is not an integrated care board or a health agency."
        )
    if errors:
        raise ValidationError(errors)


def _check_children(
    nature: str, children: Sequence[tuple[Person, ChildEntry]], on: dt.date
) -> None:
    persons = [person for person, _ in children]
    if len({person.pk for person in persons}) != len(persons):
        raise _fail(children="The same child is named twice.")
    if nature in DEATHS and len(persons) > 1:
        raise _fail(children="One notification per child who died: name one child only.")
    for person in persons:
        age = person.age_on(on)
        if age is not None and age >= 18:
            raise _fail(children=f"{person.full_name} was {age} on the day of the incident.")
    for first, second in itertools.combinations(persons, 2):
        if not queries.are_siblings(first, second):
            raise _fail(
                children=f"{first.full_name} and {second.full_name} are not recorded as "
                "siblings: children who are not siblings need separate notifications."
            )


@transaction.atomic
def record_notification(
    *,
    actor: User,
    origin: Origin,
    local_authority: Agency,
    police: Agency,
    integrated_care_board: Agency,
    incident_on: dt.date,
    aware_on: dt.date,
    nature: str,
    case_outline: str,
    police_involvement: str,
    children: Sequence[tuple[Person, ChildEntry]],
    nature_details: str = "",
    police_details: str = "",
) -> SeriousIncidentNotification:
    """Record a notification; ``children`` come from ``resolve_children``."""
    if actor.role not in access.PARTNER_ROLES or actor.agency_id != local_authority.pk:
        raise PermissionDenied(
            "Notifications are recorded by a safeguarding lead or team manager of the "
            "local authority."
        )
    _check_partnership(local_authority, police, integrated_care_board)
    if nature not in Nature.values:
        raise _fail(nature=f"Choose one of: {', '.join(Nature.labels)}.")
    if police_involvement not in PoliceInvolvement.values:
        raise _fail(police_involvement=f"Choose one of: {', '.join(PoliceInvolvement.labels)}.")
    _not_in_future("incident_on", incident_on, "The date of the incident")
    _not_in_future("aware_on", aware_on, "The date the authority became aware")
    if aware_on < incident_on:
        raise _fail(aware_on="The authority cannot have become aware before the incident.")
    if not case_outline.strip():
        raise _fail(case_outline="Give an outline of the case.")
    if nature == Nature.OTHER and not nature_details.strip():
        raise _fail(nature_details="Describe the nature of the incident.")
    _check_children(nature, children, incident_on)
    due = deadlines.deadline(Step.SERIOUS_INCIDENT_NOTIFICATION, aware_on)
    notification = SeriousIncidentNotification.objects.create(
        local_authority=local_authority,
        police=police,
        integrated_care_board=integrated_care_board,
        notifier=actor,
        incident_on=incident_on,
        aware_on=aware_on,
        nature=nature,
        nature_details=nature_details.strip(),
        case_outline=case_outline.strip(),
        police_involvement=police_involvement,
        police_details=police_details.strip(),
        due_on=due.due_on,
        due_rule=due.step.value,
        due_rule_version=due.rule_version,
    )
    for person, entry in children:
        snapshot = queries.child_snapshot(person, incident_on)
        NotifiedChild.objects.create(
            notification=notification,
            person=person,
            name=snapshot.name,
            date_of_birth=snapshot.date_of_birth,
            sex=snapshot.sex,
            age_at_incident=snapshot.age_at_incident,
            ethnicity=snapshot.ethnicity,
            child_in_need=snapshot.child_in_need,
            child_protection_plan=snapshot.child_protection_plan,
            protection_category=snapshot.protection_category,
            looked_after=snapshot.looked_after,
            agencies_known=snapshot.agencies_known,
            key_relationships=snapshot.key_relationships,
            disability=entry.disability.strip()[:300],
            placement_type=entry.placement_type.strip()[:200],
            perpetrator_relationship=entry.perpetrator_relationship.strip()[:200],
        )
    for person, _ in children:
        # In each child's chronology, as an event of the local authority: what and when,
        # never the case outline (the notification itself is read by its own rule).
        append_event(
            actor=actor,
            person=person,
            agency=local_authority,
            category="serious_incident_notified",
            summary=f"Serious incident notified to the national panel: "
            f"{notification.get_nature_display().lower()} on {incident_on:%-d %B %Y} "
            f"(notification {notification.reference}).",
            occurred_at=notification.created_at,
            event_id=f"notification-{notification.public_id}-{person.public_id}",
            origin=origin,
            audit_detail={"notification": notification.reference},
        )
    _audit(
        actor,
        AuditAction.RECORD_NOTIFICATION,
        origin,
        notification,
        due_on=due.due_on.isoformat(),
        rule_version=due.rule_version,
    )
    return notification


@transaction.atomic
def submit_notification(
    *, actor: User, origin: Origin, notification: SeriousIncidentNotification, submitted_on: dt.date
) -> SeriousIncidentNotification:
    """Record that it went to the national panel (copied to the three partners)."""
    access.require_partner(actor, notification)
    locked = SeriousIncidentNotification.objects.select_for_update().get(pk=notification.pk)
    if locked.submitted_on is not None:
        raise _fail(submitted_on=f"Already sent on {locked.submitted_on:%-d %B %Y}.")
    _not_in_future("submitted_on", submitted_on, "The date it was sent")
    if submitted_on < notification.aware_on:
        raise _fail(submitted_on="It cannot have been sent before the authority became aware.")
    notification.submitted_on = submitted_on
    notification.save(update_fields=["submitted_on"])
    _audit(
        actor,
        AuditAction.SUBMIT_NOTIFICATION,
        origin,
        notification,
        submitted_on=submitted_on.isoformat(),
        met_deadline=notification.met_deadline,
    )
    return notification


# Rapid review ---------------------------------------------------------------------------


@transaction.atomic
def open_rapid_review(
    *,
    actor: User,
    origin: Origin,
    notification: SeriousIncidentNotification,
    summary_working_day: int | None = None,
) -> RapidReview:
    """Open the review, propose the agencies to ask and set every deadline.

    Agencies proposed: any with an involvement with the child(ren), or a chronology event
    about them, in the two years before the authority became aware (up to today).
    """
    access.require_partner(actor, notification)
    if notification.submitted_on is None:
        raise _fail(notification="Record when the notification was sent before the review.")
    if RapidReview.objects.filter(notification=notification).exists():
        raise _fail(notification="A rapid review is already open for this notification.")
    day = (
        summary_working_day
        if summary_working_day is not None
        else settings.SIGHTLINE_RAPID_REVIEW_SUMMARY_DAY
    )
    if not 1 <= day <= 15:
        raise _fail(summary_working_day="The summary day must be working day 1 to 15.")
    due = deadlines.deadline(Step.RAPID_REVIEW, notification.submitted_on)
    summaries_due_on = calendars.add_working_days(
        notification.submitted_on, day, deadlines.local_closures()
    )
    review = RapidReview.objects.create(
        notification=notification,
        opened_by=actor,
        due_on=due.due_on,
        due_rule=due.step.value,
        due_rule_version=due.rule_version,
        summary_working_day=day,
        summaries_due_on=summaries_due_on,
    )
    persons = [child.person for child in notification.children.select_related("person")]
    until = max(_today(), notification.aware_on)
    known = queries.agencies_known(persons, notification.aware_on - queries.LOOK_BACK, until)
    for agency in Agency.objects.filter(pk__in=known).order_by("name"):
        AgencySummary.objects.create(
            review=review,
            agency=agency,
            proposed_because=sorted(known[agency.pk]),
            due_on=summaries_due_on,
        )
    _audit(
        actor,
        AuditAction.OPEN_RAPID_REVIEW,
        origin,
        notification,
        due_on=due.due_on.isoformat(),
        rule_version=due.rule_version,
        summaries_due_on=summaries_due_on.isoformat(),
        proposed_agencies={str(agency_id): sorted(why) for agency_id, why in known.items()},
    )
    return review


def _open_for_changes(review: RapidReview) -> None:
    if review.sign_offs.exists():
        raise _fail(review="Sign-off has begun: the rapid review can no longer be changed.")


@transaction.atomic
def request_agency_summary(
    *,
    actor: User,
    origin: Origin,
    review: RapidReview,
    agency: Agency,
    contributor: User | None,
) -> AgencySummary:
    """Ask an agency (proposed or added) for its summary, naming who writes it."""
    notification = review.notification
    access.require_partner(actor, notification)
    _open_for_changes(review)
    if contributor is not None and (
        contributor.agency_id != agency.pk or not contributor.is_active
    ):
        raise _fail(contributor=f"{contributor} is not an active user of {agency.name}.")
    summary, created = AgencySummary.objects.get_or_create(
        review=review,
        agency=agency,
        defaults={"proposed_because": ["added"], "due_on": review.summaries_due_on},
    )
    if summary.submitted_at is not None:
        raise _fail(agency=f"{agency.name} has already sent its summary.")
    summary.contributor = contributor
    summary.save(update_fields=["contributor"])
    if contributor is not None:
        reminders.queue_assignment(
            item=f"summary:{summary.pk}",
            due_on=summary.due_on,
            user=contributor,
            notification=notification,
            what=f"the rapid review summary from {agency.name}",
        )
    _audit(
        actor,
        AuditAction.REQUEST_AGENCY_SUMMARY,
        origin,
        notification,
        agency=agency.code,
        added=created,
        contributor=contributor.username if contributor else "",
    )
    return summary


@transaction.atomic
def record_agency_summary(
    *,
    actor: User,
    origin: Origin,
    summary: AgencySummary,
    involvement: str,
    analysis: str,
    learning: str,
) -> AgencySummary:
    if not access.can_contribute(actor, summary):
        raise PermissionDenied("Only the named contributor or the agency's lead may write this.")
    _open_for_changes(summary.review)
    errors = {
        name: f"Give the agency's {label}."
        for name, label, value in (
            ("involvement", "involvement with the child", involvement),
            ("analysis", "analysis", analysis),
            ("learning", "learning", learning),
        )
        if not value.strip()
    }
    if errors:
        raise ValidationError(errors)
    summary.involvement = involvement.strip()
    summary.analysis = analysis.strip()
    summary.learning = learning.strip()
    summary.submitted_at = timezone.now()
    summary.submitted_by = actor
    summary.save()
    _audit(
        actor,
        AuditAction.RECORD_AGENCY_SUMMARY,
        origin,
        summary.review.notification,
        agency=summary.agency.code,
        on_time=timezone.localdate(summary.submitted_at) <= summary.due_on,
    )
    # The last summary in may make the review ready: its partner leads are told.
    waiting_work.notify_review_sign_offs(review=summary.review, origin=origin)
    return summary


@transaction.atomic
def record_review_meeting(
    *,
    actor: User,
    origin: Origin,
    review: RapidReview,
    held_on: dt.date,
    attendees: str,
    notes: str,
) -> RapidReview:
    notification = review.notification
    access.require_partner(actor, notification)
    _open_for_changes(review)
    _not_in_future("held_on", held_on, "The meeting date")
    if notification.submitted_on and held_on < notification.submitted_on:
        raise _fail(held_on="The meeting cannot be before the notification was sent.")
    if not attendees.strip():
        raise _fail(attendees="List who attended.")
    if not notes.strip():
        raise _fail(notes="Record what the meeting found.")
    review.meeting_held_on = held_on
    review.meeting_attendees = attendees.strip()
    review.meeting_notes = notes.strip()
    review.save(update_fields=["meeting_held_on", "meeting_attendees", "meeting_notes"])
    _audit(actor, AuditAction.RECORD_REVIEW_MEETING, origin, notification, held_on=str(held_on))
    return review


@transaction.atomic
def add_safety_action(
    *,
    actor: User,
    origin: Origin,
    review: RapidReview,
    description: str,
    owner: User,
    due_on: dt.date,
) -> SafetyAction:
    access.require_partner(actor, review.notification)
    if not description.strip():
        raise _fail(description="Describe the action.")
    if not owner.is_active or owner.role == Role.ADMINISTRATOR:
        raise _fail(owner=f"{owner} cannot own a safety action.")
    if due_on < review.opened_at.date():
        raise _fail(due_on="The action cannot be due before the review opened.")
    action = SafetyAction.objects.create(
        review=review, description=description.strip(), owner=owner, due_on=due_on
    )
    reminders.queue_assignment(
        item=f"safety_action:{action.pk}",
        due_on=due_on,
        user=owner,
        notification=review.notification,
        what="an immediate safety action",
    )
    _audit(
        actor,
        AuditAction.RECORD_SAFETY_ACTION,
        origin,
        review.notification,
        safety_action=action.pk,
        owner=owner.username,
        due_on=due_on.isoformat(),
    )
    return action


@transaction.atomic
def complete_safety_action(
    *, actor: User, origin: Origin, action: SafetyAction, completed_on: dt.date
) -> SafetyAction:
    notification = action.review.notification
    if actor.pk != action.owner_id and not access.is_partner(actor, notification):
        raise PermissionDenied("Only the owner or a partner lead may complete this action.")
    _not_in_future("completed_on", completed_on, "The completion date")
    if action.completed_on is not None:
        raise _fail(completed_on="This action is already complete.")
    action.completed_on = completed_on
    action.save(update_fields=["completed_on"])
    _audit(
        actor,
        AuditAction.RECORD_SAFETY_ACTION,
        origin,
        notification,
        safety_action=action.pk,
        completed_on=completed_on.isoformat(),
    )
    return action


@transaction.atomic
def decide_local_review(
    *,
    actor: User,
    origin: Origin,
    review: RapidReview,
    needed: bool,
    reasons: str,
    decided_on: dt.date,
) -> RapidReview:
    notification = review.notification
    access.require_partner(actor, notification)
    _open_for_changes(review)
    if review.meeting_held_on is None:
        raise _fail(decision="Record the review meeting before the decision.")
    if not reasons.strip():
        raise _fail(reasons="Give the reasons for the decision.")
    _not_in_future("decided_on", decided_on, "The decision date")
    if decided_on < review.meeting_held_on:
        raise _fail(decided_on="The decision cannot be before the review meeting.")
    review.local_review_needed = needed
    review.decision_reasons = reasons.strip()
    review.decided_on = decided_on
    review.decided_by = actor
    review.save(
        update_fields=["local_review_needed", "decision_reasons", "decided_on", "decided_by"]
    )
    _audit(
        actor,
        AuditAction.DECIDE_LOCAL_REVIEW,
        origin,
        notification,
        local_review_needed=needed,
        decided_on=decided_on.isoformat(),
    )
    # Ready for sign-off once every summary is in: the partner leads are told.
    waiting_work.notify_review_sign_offs(review=review, origin=origin)
    return review


@transaction.atomic
def sign_off_rapid_review(
    *, actor: User, origin: Origin, review: RapidReview, partner: Partner
) -> SignOff:
    """A partner's safeguarding lead signs off; the third sign-off completes the review."""
    review = RapidReview.objects.select_for_update().get(pk=review.pk)
    notification = review.notification
    if not access.can_sign_off(actor, notification, partner):
        raise PermissionDenied(
            f"Only a safeguarding lead or the partner lead of the {partner.label.lower()} "
            "partner may sign off for it. Ask them to sign in and sign off."
        )
    if review.local_review_needed is None:
        raise _fail(sign_off="Record the decision on a local review before signing off.")
    missing = [
        summary.agency.name
        for summary in review.summaries.select_related("agency")
        if summary.submitted_at is None
    ]
    if missing:
        raise _fail(sign_off=f"Summaries still awaited from: {', '.join(missing)}.")
    if review.sign_offs.filter(partner=partner).exists():
        raise _fail(sign_off=f"The {partner.label.lower()} has already signed off.")
    try:
        with transaction.atomic():
            sign_off = SignOff.objects.create(
                review=review,
                partner=partner,
                agency_id=access.partner_agency_id(notification, partner),
                signed_by=actor,
                signed_on=_today(),
            )
    except IntegrityError:  # pragma: no cover - the row lock above makes this a race only
        raise _fail(sign_off=f"The {partner.label.lower()} has already signed off.") from None
    if review.sign_offs.count() == len(Partner):
        review.completed_on = _today()
        review.save(update_fields=["completed_on"])
        # Into learning's coding queue, by itself.
        enter_rapid_review(actor=actor, origin=origin, review=review)
    _audit(
        actor,
        AuditAction.SIGN_OFF_RAPID_REVIEW,
        origin,
        notification,
        partner=partner.value,
        completed_on=review.completed_on.isoformat() if review.completed_on else None,
        met_deadline=review.met_deadline,
    )
    return sign_off


# Panel response and local review --------------------------------------------------------


@transaction.atomic
def record_panel_response(
    *,
    actor: User,
    origin: Origin,
    review: RapidReview,
    received_on: dt.date,
    view: str,
    national_review_considered: bool,
    comments: str = "",
) -> PanelResponse:
    notification = review.notification
    if not access.may_record_panel_response(actor):
        raise PermissionDenied(
            "The national panel's response is recorded by the panel: ask a panel analyst."
        )
    if review.completed_on is None:
        raise _fail(review="The rapid review must be signed off before the panel responds.")
    if view not in PanelView.values:
        raise _fail(view=f"Choose one of: {', '.join(PanelView.labels)}.")
    _not_in_future("received_on", received_on, "The date of the response")
    if received_on < review.completed_on:
        raise _fail(received_on="The response cannot be before the review was signed off.")
    if PanelResponse.objects.filter(review=review).exists():
        raise _fail(view="The panel's response is already recorded.")
    response = PanelResponse.objects.create(
        review=review,
        received_on=received_on,
        view=view,
        national_review_considered=national_review_considered,
        comments=comments.strip(),
        recorded_by=actor,
    )
    _audit(
        actor,
        AuditAction.RECORD_PANEL_RESPONSE,
        origin,
        notification,
        view=view,
        national_review_considered=national_review_considered,
    )
    return response


@transaction.atomic
def commission_local_review(
    *,
    actor: User,
    origin: Origin,
    review: RapidReview,
    reviewer: str,
    terms_of_reference: str,
) -> LocalReview:
    """Publication is due 6 months after the decision; the report goes to the panel and
    the Secretary of State 7 working days before publication."""
    notification = review.notification
    access.require_partner(actor, notification)
    if review.local_review_needed is not True or review.decided_on is None:
        raise _fail(review="The rapid review did not decide to hold a local review.")
    if not reviewer.strip():
        raise _fail(reviewer="Name the reviewer.")
    if not terms_of_reference.strip():
        raise _fail(terms_of_reference="Set out the terms of reference.")
    if LocalReview.objects.filter(review=review).exists():
        raise _fail(review="A local review is already commissioned.")
    publication = deadlines.deadline(Step.LOCAL_REVIEW_PUBLICATION, review.decided_on)
    send = deadlines.deadline(
        Step.LOCAL_REVIEW_SEND_TO_PANEL, publication.due_on, version=publication.rule_version
    )
    local_review = LocalReview.objects.create(
        review=review,
        decided_on=review.decided_on,
        reviewer=reviewer.strip()[:200],
        terms_of_reference=terms_of_reference.strip(),
        publication_due_on=publication.due_on,
        send_to_panel_due_on=send.due_on,
        due_rule_version=publication.rule_version,
        commissioned_by=actor,
    )
    _audit(
        actor,
        AuditAction.COMMISSION_LOCAL_REVIEW,
        origin,
        notification,
        publication_due_on=publication.due_on.isoformat(),
        send_to_panel_due_on=send.due_on.isoformat(),
        rule_version=publication.rule_version,
    )
    return local_review


@transaction.atomic
def add_milestone(
    *, actor: User, origin: Origin, local_review: LocalReview, name: str, due_on: dt.date
) -> Milestone:
    notification = local_review.review.notification
    access.require_partner(actor, notification)
    if not name.strip():
        raise _fail(name="Name the milestone.")
    if due_on > local_review.publication_due_on:
        raise _fail(
            due_on=f"Milestones fall before publication ({local_review.publication_due_on:%-d %B %Y})."
        )
    milestone = Milestone.objects.create(
        local_review=local_review, name=name.strip()[:200], due_on=due_on
    )
    _audit(
        actor,
        AuditAction.RECORD_REVIEW_MILESTONE,
        origin,
        notification,
        milestone=milestone.name,
        due_on=due_on.isoformat(),
    )
    return milestone


@transaction.atomic
def record_local_review_progress(
    *,
    actor: User,
    origin: Origin,
    local_review: LocalReview,
    sent_to_panel_on: dt.date | None = None,
    published_on: dt.date | None = None,
    milestone: Milestone | None = None,
    milestone_completed_on: dt.date | None = None,
) -> LocalReview:
    """Record a milestone met, the report sent to the panel, or publication."""
    notification = local_review.review.notification
    access.require_partner(actor, notification)
    changes: dict[str, str] = {}
    if milestone is not None:
        if milestone.local_review_id != local_review.pk or milestone_completed_on is None:
            raise _fail(milestone="Choose a milestone of this review and the date it was met.")
        _not_in_future("milestone_completed_on", milestone_completed_on, "The date")
        milestone.completed_on = milestone_completed_on
        milestone.save(update_fields=["completed_on"])
        changes["milestone"] = milestone.name
    if sent_to_panel_on is not None:
        _not_in_future("sent_to_panel_on", sent_to_panel_on, "The date it was sent")
        if sent_to_panel_on < local_review.decided_on:
            raise _fail(sent_to_panel_on="It cannot have been sent before the decision.")
        local_review.sent_to_panel_on = sent_to_panel_on
        changes["sent_to_panel_on"] = sent_to_panel_on.isoformat()
    if published_on is not None:
        _not_in_future("published_on", published_on, "The publication date")
        sent = local_review.sent_to_panel_on
        if sent is None:
            raise _fail(published_on="Record when the report went to the panel first.")
        if published_on < sent:
            raise _fail(published_on="Publication cannot be before the report went to the panel.")
        local_review.published_on = published_on
        changes["published_on"] = published_on.isoformat()
    if not changes:
        raise _fail(local_review="Nothing to record.")
    local_review.save(update_fields=["sent_to_panel_on", "published_on"])
    if local_review.published_on is not None:
        # Published: into learning's coding queue, by itself.
        enter_local_review(actor=actor, origin=origin, local_review=local_review)
    _audit(actor, AuditAction.RECORD_REVIEW_MILESTONE, origin, notification, **changes)
    return local_review
