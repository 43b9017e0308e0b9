"""Harm outside the home: the peers, adults, places and online spaces around a young person.

An ``Association`` links a young person to another person or to a ``Context`` (a place,
an online space or a peer group), with the agency that knows of it, dates, nature and
confidence. A ``Context`` can itself be the subject of safeguarding work: a referral, a
context assessment and a plan, each entered in the context's own chronology
(``ContextEvent``). ``ExploitationMeeting`` and ``MeetingAction`` support the
multi-agency child exploitation meeting.

Nothing is deleted: associations are withdrawn with a reason, flags and plans end.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sightline.agencies.models import Agency
from sightline.chronology.models import ChronologyEvent
from sightline.core.dates import long_date
from sightline.people.models import Person


class ContextKind(models.TextChoices):
    PARK = "park", "Park or open space"
    SHOP = "shop", "Shop or takeaway"
    STATION = "station", "Station or transport hub"
    ADDRESS = "address", "Address"
    SCHOOL = "school", "School or college"
    OTHER_PLACE = "other_place", "Other place"
    ONLINE_SPACE = "online_space", "Online space"
    PEER_GROUP = "peer_group", "Peer group"


LOCATION_KINDS = frozenset(
    {
        ContextKind.PARK,
        ContextKind.SHOP,
        ContextKind.STATION,
        ContextKind.ADDRESS,
        ContextKind.SCHOOL,
        ContextKind.OTHER_PLACE,
    }
)


class ContextQuerySet(models.QuerySet["Context"]):
    def live(self) -> "ContextQuerySet":
        return self.filter(archived_at__isnull=True)


class Context(models.Model):
    """A place, an online space or a peer group: something that can be assessed and planned for."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=ContextKind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    # Where it is (places) or where it is reached from (online spaces); free text.
    area = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_reason = models.CharField(max_length=500, blank=True)

    objects = ContextQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["kind", "name"], name="context_kind_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_location(self) -> bool:
        return self.kind in LOCATION_KINDS


class ConcernFlagQuerySet(models.QuerySet["ConcernFlag"]):
    def active_on(self, day: dt.date) -> "ConcernFlagQuerySet":
        return self.filter(Q(started_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class ConcernFlag(models.Model):
    """An agency's concern about an adult (an adult of concern) or a context (of concern)."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="concern_flags"
    )
    context = models.ForeignKey(
        Context, on_delete=models.PROTECT, null=True, blank=True, related_name="concern_flags"
    )
    reason = models.TextField(max_length=2000)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    ended_reason = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ConcernFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(context__isnull=True))
                | (Q(person__isnull=True) & Q(context__isnull=False)),
                name="concern_flag_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="concern_flag_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Concern about {self.person or self.context} from {long_date(self.started_on)}"


class Nature(models.TextChoices):
    ASSOCIATES_WITH = "associates_with", "Associates with"
    SEEN_WITH = "seen_with", "Seen with"
    EXPLOITED_BY = "exploited_by", "Exploited by"
    VICTIM_AT = "victim_at", "Victim at"
    MISSING_FROM = "missing_from", "Missing from"
    FOUND_AT = "found_at", "Found at"


# Natures that only make sense towards a place (victim at, missing from, found at) or a person.
CONTEXT_NATURES = frozenset(
    {
        Nature.ASSOCIATES_WITH,
        Nature.SEEN_WITH,
        Nature.VICTIM_AT,
        Nature.MISSING_FROM,
        Nature.FOUND_AT,
    }
)
PERSON_NATURES = frozenset({Nature.ASSOCIATES_WITH, Nature.SEEN_WITH, Nature.EXPLOITED_BY})


class Confidence(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    PROBABLE = "probable", "Probable"
    POSSIBLE = "possible", "Possible"


class AssociationQuerySet(models.QuerySet["Association"]):
    def live(self) -> "AssociationQuerySet":
        return self.filter(withdrawn_at__isnull=True)


class Association(models.Model):
    """``person`` (the young person) ``nature`` ``other_person`` or ``context``.

    Exactly one of ``other_person`` and ``context`` is set. Between two people the link is
    read both ways when drawing a network; its nature is read from ``person``'s side
    ("Jamie was exploited by ...").
    """

    # Indexed below as (column, id), which also serves the foreign keys.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="associations", db_index=False
    )
    other_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="associated_by",
        db_index=False,
    )
    context = models.ForeignKey(
        Context,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="associations",
        db_index=False,
    )
    nature = models.CharField(max_length=20, choices=Nature.choices)
    confidence = models.CharField(max_length=12, choices=Confidence.choices)
    source_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    # The chronology event this association was created from, if any.
    source_event = models.ForeignKey(
        ChronologyEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=500, blank=True)

    objects = AssociationQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "id"]
        indexes = [
            # The adjacency the neighbourhood query walks from each end, newest first:
            # (column, id) lets "the 50 most recent links of this place" stop after 50.
            # On PostgreSQL these indexes also INCLUDE (withdrawn_at), so withdrawn links
            # are skipped without reading the table: migration 0002 creates them so, and
            # 0003 records them here without it (SQLite has no INCLUDE, and Django warns
            # about it on every command).
            models.Index(fields=["person", "id"], name="assoc_person_idx"),
            models.Index(fields=["other_person", "id"], name="assoc_other_person_idx"),
            models.Index(fields=["context", "id"], name="assoc_context_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(other_person__isnull=False) & Q(context__isnull=True))
                | (Q(other_person__isnull=True) & Q(context__isnull=False)),
                name="association_one_other_end",
            ),
            models.CheckConstraint(
                condition=~Q(person=models.F("other_person")), name="association_not_self"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="association_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["source_event", "person", "other_person"],
                condition=Q(source_event__isnull=False, other_person__isnull=False),
                name="association_once_per_event_person",
            ),
            models.UniqueConstraint(
                fields=["source_event", "person", "context"],
                condition=Q(source_event__isnull=False, context__isnull=False),
                name="association_once_per_event_context",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.person} {self.get_nature_display().lower()} {self.other_person or self.context}"
        )


class EventLocation(models.Model):
    """The place (or online space) a chronology event happened at."""

    event = models.OneToOneField(
        ChronologyEvent, on_delete=models.PROTECT, related_name="network_location"
    )
    context = models.ForeignKey(Context, on_delete=models.PROTECT, related_name="event_locations")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.event} at {self.context}"


class ContextEventKind(models.TextChoices):
    REFERRAL = "referral", "Referral"
    ASSESSMENT = "assessment", "Context assessment"
    PLAN_STARTED = "plan_started", "Plan started"
    PLAN_ENDED = "plan_ended", "Plan ended"
    CONCERN_RAISED = "concern_raised", "Concern raised"
    CONCERN_ENDED = "concern_ended", "Concern ended"
    MEETING_ACTION = "meeting_action", "Action agreed at exploitation meeting"
    OBSERVATION = "observation", "Observation"


class ContextEvent(models.Model):
    """One entry in a context's own chronology."""

    context = models.ForeignKey(Context, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=ContextEventKind.choices)
    occurred_on = models.DateField()
    summary = models.TextField(max_length=4000)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_on", "id"]
        indexes = [
            models.Index(fields=["context", "occurred_on", "id"], name="context_event_time_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.context} on {long_date(self.occurred_on)}"


class ContextAssessment(models.Model):
    """What happens in a context, when, who is involved, and what would make it safer."""

    context = models.ForeignKey(Context, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField()
    what_happens = models.TextField(max_length=4000)
    when_it_happens = models.TextField(max_length=2000)
    who_is_involved = models.TextField(max_length=2000)
    what_would_make_it_safer = models.TextField(max_length=4000)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"Assessment of {self.context} on {long_date(self.assessed_on)}"


class ContextPlan(models.Model):
    """A safety plan for a context. At most one is open per context."""

    context = models.ForeignKey(Context, on_delete=models.PROTECT, related_name="plans")
    started_on = models.DateField()
    review_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    ended_reason = models.CharField(max_length=500, blank=True)
    objectives = models.TextField(max_length=4000)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    lead_practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["context"],
                condition=Q(ended_on__isnull=True),
                name="context_plan_one_open",
            ),
            models.CheckConstraint(
                condition=Q(review_on__gte=models.F("started_on")),
                name="context_plan_review_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="context_plan_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan for {self.context} from {long_date(self.started_on)}"


class ExploitationMeeting(models.Model):
    """A multi-agency child exploitation meeting for an area."""

    area = models.CharField(max_length=200)
    held_on = models.DateField()
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "held_on"], name="meeting_once_per_area_day")
        ]

    def __str__(self) -> str:
        return f"Exploitation meeting, {self.area}, {long_date(self.held_on)}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class MeetingAction(models.Model):
    """An action agreed at a meeting about a child or a context, with an owner and due date."""

    meeting = models.ForeignKey(
        ExploitationMeeting, on_delete=models.PROTECT, related_name="actions"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    context = models.ForeignKey(
        Context, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_actions"
    )
    description = models.TextField(max_length=2000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    completion_note = models.TextField(max_length=2000, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(context__isnull=True))
                | (Q(person__isnull=True) & Q(context__isnull=False)),
                name="meeting_action_one_subject",
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(completed_on__isnull=True))
                | (Q(status="done") & Q(completed_on__isnull=False)),
                name="meeting_action_completion_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description[:60]} (due {long_date(self.due_on)})"

    def is_overdue_on(self, day: dt.date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < day
