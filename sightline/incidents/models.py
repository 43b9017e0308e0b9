"""Serious incident notifications, rapid reviews, the panel's response and local reviews.

Deadlines are stored with the step and rule version that produced them
(``sightline.deadlines.rules``); they are set by the actions and never recomputed.
The child's details on a notification are a snapshot taken when it was recorded: the
notification is a document of what was known then.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sightline.agencies.models import Agency
from sightline.people.models import Person


class Nature(models.TextChoices):
    DEATH = "death", "Death"
    SERIOUS_HARM = "serious_harm", "Serious harm"
    LOOKED_AFTER_DEATH = "looked_after_death", "Death of a looked-after child"
    OTHER = "other", "Other"


DEATHS = (Nature.DEATH, Nature.LOOKED_AFTER_DEATH)


class PoliceInvolvement(models.TextChoices):
    NONE = "none", "No police involvement"
    INVESTIGATING = "investigating", "Police investigation under way"
    ARRESTED = "arrested", "Arrest made"
    CHARGED = "charged", "Charges brought"
    NOT_KNOWN = "not_known", "Not yet known"


class Partner(models.TextChoices):
    """The three statutory safeguarding partners, who sign off a rapid review."""

    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE = "police", "Police"
    INTEGRATED_CARE_BOARD = "integrated_care_board", "Integrated care board"


class SeriousIncidentNotification(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The partnership: the three safeguarding partners' agencies.
    local_authority = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    police = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    integrated_care_board = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    notifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    incident_on = models.DateField()
    aware_on = models.DateField()
    nature = models.CharField(max_length=24, choices=Nature.choices)
    nature_details = models.TextField(blank=True)
    case_outline = models.TextField()
    police_involvement = models.CharField(max_length=16, choices=PoliceInvolvement.choices)
    police_details = models.TextField(blank=True)
    due_on = models.DateField()
    due_rule = models.CharField(max_length=40)
    due_rule_version = models.CharField(max_length=20)
    # When it was sent to the national panel (and copied to the partners).
    submitted_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-aware_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(aware_on__gte=models.F("incident_on")),
                name="notification_aware_after_incident",
            ),
            models.CheckConstraint(
                condition=Q(submitted_on__isnull=True) | Q(submitted_on__gte=models.F("aware_on")),
                name="notification_submitted_after_aware",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification {self.reference}"

    @property
    def reference(self) -> str:
        return f"SIN-{self.aware_on:%Y}-{self.pk:05d}"

    @property
    def met_deadline(self) -> bool | None:
        """True or False once submitted; None while it has not been sent."""
        if self.submitted_on is None:
            return None
        return self.submitted_on <= self.due_on


class NotifiedChild(models.Model):
    """One child on a notification, with the details the form asks for as they were."""

    notification = models.ForeignKey(
        SeriousIncidentNotification, on_delete=models.PROTECT, related_name="children"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # Snapshot from the person record at the time of the notification.
    name = models.CharField(max_length=220)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=40, blank=True)
    age_at_incident = models.PositiveSmallIntegerField(null=True, blank=True)
    ethnicity = models.CharField(max_length=100, blank=True)
    child_in_need = models.BooleanField(default=False)
    child_protection_plan = models.BooleanField(default=False)
    protection_category = models.CharField(max_length=40, blank=True)
    looked_after = models.BooleanField(default=False)
    agencies_known = models.JSONField(default=list, blank=True)
    key_relationships = models.JSONField(default=list, blank=True)
    # Entered by the notifier: the person record does not hold these.
    disability = models.CharField(max_length=300, blank=True)
    placement_type = models.CharField(max_length=200, blank=True)
    perpetrator_relationship = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "person"], name="notified_child_once_per_notification"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RapidReview(models.Model):
    notification = models.OneToOneField(
        SeriousIncidentNotification, on_delete=models.PROTECT, related_name="rapid_review"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField()
    due_rule = models.CharField(max_length=40)
    due_rule_version = models.CharField(max_length=20)
    # The local plan: agency summaries are due on this working day after the notification.
    summary_working_day = models.PositiveSmallIntegerField()
    summaries_due_on = models.DateField()
    meeting_held_on = models.DateField(null=True, blank=True)
    meeting_attendees = models.TextField(blank=True)
    meeting_notes = models.TextField(blank=True)
    local_review_needed = models.BooleanField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set by the third partner's sign-off.
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(summary_working_day__gte=1) & Q(summary_working_day__lte=15),
                name="rapid_review_summary_day_in_plan",
            ),
            models.CheckConstraint(
                condition=Q(local_review_needed__isnull=True)
                | (Q(decided_on__isnull=False) & ~Q(decision_reasons="")),
                name="rapid_review_decision_has_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"Rapid review for {self.notification.reference}"

    @property
    def met_deadline(self) -> bool | None:
        if self.completed_on is None:
            return None
        return self.completed_on <= self.due_on


class AgencySummary(models.Model):
    review = models.ForeignKey(RapidReview, on_delete=models.PROTECT, related_name="summaries")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Why Sightline proposed the agency ("involvement", "chronology") or "added".
    proposed_because = models.JSONField(default=list, blank=True)
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField()
    involvement = models.TextField(blank=True)
    analysis = models.TextField(blank=True)
    learning = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "agency"], name="one_summary_per_agency")
        ]

    def __str__(self) -> str:
        return f"Summary from {self.agency}"


class SafetyAction(models.Model):
    review = models.ForeignKey(RapidReview, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class SignOff(models.Model):
    review = models.ForeignKey(RapidReview, on_delete=models.PROTECT, related_name="sign_offs")
    partner = models.CharField(max_length=32, choices=Partner.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_on = models.DateField()
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "partner"], name="one_sign_off_per_partner")
        ]

    def __str__(self) -> str:
        return f"{self.get_partner_display()} sign-off"


class PanelView(models.TextChoices):
    AGREES = "agrees", "Agrees with the rapid review"
    CHALLENGES = "challenges", "Challenges the rapid review"


class PanelResponse(models.Model):
    review = models.OneToOneField(
        RapidReview, on_delete=models.PROTECT, related_name="panel_response"
    )
    received_on = models.DateField()
    view = models.CharField(max_length=16, choices=PanelView.choices)
    national_review_considered = models.BooleanField(default=False)
    comments = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Panel response: {self.get_view_display()}"


class LocalReview(models.Model):
    """A local child safeguarding practice review (LCSPR)."""

    review = models.OneToOneField(
        RapidReview, on_delete=models.PROTECT, related_name="local_review"
    )
    decided_on = models.DateField()
    reviewer = models.CharField(max_length=200)
    terms_of_reference = models.TextField()
    publication_due_on = models.DateField()
    send_to_panel_due_on = models.DateField()
    due_rule_version = models.CharField(max_length=20)
    sent_to_panel_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    commissioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    commissioned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(send_to_panel_due_on__lt=models.F("publication_due_on")),
                name="local_review_send_before_publication",
            )
        ]

    def __str__(self) -> str:
        return f"Local review for {self.review.notification.reference}"


class Milestone(models.Model):
    local_review = models.ForeignKey(
        LocalReview, on_delete=models.PROTECT, related_name="milestones"
    )
    name = models.CharField(max_length=200)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.name


class ReminderKind(models.TextChoices):
    ASSIGNED = "assigned", "Asked to do it"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue (escalation)"


class Reminder(models.Model):
    """One reminder per item per kind: who was reminded of what. Written in the
    transaction that decides to remind, with its e-mails in the one outbox
    (``sharing.outbox``), which sends and retries them."""

    item = models.CharField(max_length=64)  # e.g. "notification:12", "summary:40"
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    due_on = models.DateField()
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "kind"], name="one_reminder_per_item_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.item}"
