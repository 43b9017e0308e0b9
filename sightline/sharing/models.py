"""Information sharing: alerts about flagged children (an outbox the worker fans out into
inboxes and e-mails), the e-mail outbox itself, and referrals between agencies.

Flags are not stored: they are derived from social care status periods by the pure rule
in ``sharing.flagging`` whenever they are shown, so they can never drift from the plans.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sightline.agencies.models import Agency, Team
from sightline.chronology.models import ChronologyEvent
from sightline.people.models import Person


class AlertReason(models.TextChoices):
    EVENT_RECORDED = "event_recorded", "An agency recorded an event"
    LOOKED_UP = "looked_up", "Looked up by a practitioner without a relationship"
    REFERRAL_RECEIVED = "referral_received", "Referral received"
    REFERRAL_OVERDUE = "referral_overdue", "Referral not acknowledged in time"
    # To the referrer: the loop closing on a referral they made.
    REFERRAL_ACKNOWLEDGED = "referral_acknowledged", "Your referral was acknowledged"
    REFERRAL_OUTCOME = "referral_outcome", "Outcome of your referral"
    REFERRAL_ESCALATED = "referral_escalated", "Your referral is overdue and was escalated"


# Alerts for whoever made the referral (the others go to the receiving team).
REFERRER_REASONS = frozenset(
    {
        AlertReason.REFERRAL_ACKNOWLEDGED,
        AlertReason.REFERRAL_OUTCOME,
        AlertReason.REFERRAL_ESCALATED,
    }
)


class Alert(models.Model):
    """Something that happened about a child that others must hear of.

    Written in the same transaction as what it reports (the outbox); a background worker
    later writes its inbox items and e-mails (``delivered_at``), in one transaction, so
    they exist exactly once.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reason = models.CharField(max_length=32, choices=AlertReason.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="alerts")
    # Who did it, copied at the time: users change agency.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    actor_name = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True)
    # Minimal: what kind of thing happened, never the case detail. Shown only to a
    # recipient who may see the child when the alert is shown (``sharing.inbox``).
    summary = models.CharField(max_length=300)
    # The events it reports. Their summaries are not copied: they are read, and redacted
    # by the reader's sections, each time the alert is shown, as the chronology does.
    events = models.ManyToManyField(ChronologyEvent, blank=True, related_name="+")
    referral = models.ForeignKey(
        "Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "reason", "created_at"], name="alert_person_reason_idx"),
            models.Index(
                fields=["created_at"],
                condition=Q(delivered_at__isnull=True),
                name="alert_undelivered_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.person}"


class InboxItem(models.Model):
    """One alert in one inbox: a practitioner's own, or a team's duty inbox."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="inbox_items")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbox_items",
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="inbox_items"
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="inbox_user_unread_idx"),
            models.Index(fields=["team", "read_at"], name="inbox_team_unread_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="inbox_item_one_owner",
            ),
            models.UniqueConstraint(
                fields=["alert", "user"],
                condition=Q(user__isnull=False),
                name="inbox_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["alert", "team"],
                condition=Q(team__isnull=False),
                name="inbox_once_per_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert} to {self.user or self.team}"


class OutboundEmail(models.Model):
    """The e-mail outbox: one row per message, sent by the worker after commit.

    ``key`` names what the message is for (alert and address), so queueing it twice is
    refused by the database. The worker claims a row for ``SIGHTLINE_OUTBOX_LEASE_SECONDS``
    before talking to the mail server; a worker that dies leaves the claim to lapse and
    another sends it. A failure sets the next attempt with exponential back-off.
    """

    key = models.CharField(max_length=200, unique=True)
    message_id = models.CharField(max_length=200, unique=True)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True),
                name="email_unsent_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"


class Urgency(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class ReferralStatus(models.TextChoices):
    AWAITING_ACKNOWLEDGEMENT = "awaiting_acknowledgement", "Awaiting acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged, outcome to follow"
    CLOSED = "closed", "Outcome recorded"


class ReferralOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    REDIRECTED = "redirected", "Redirected"


class Referral(models.Model):
    """A practitioner asks another team to act for a child: reason, urgency and what was
    shared (the record of the share). The receiving team must acknowledge by
    ``acknowledge_by`` and record an outcome."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # The referrer's team when it was raised (users change team): the team's sent list.
    from_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals_sent"
    )
    to_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="referrals_received")
    urgency = models.CharField(max_length=8, choices=Urgency.choices)
    reason = models.TextField(max_length=4000)
    shared = models.TextField("what was shared", max_length=4000)
    raised_at = models.DateTimeField()
    acknowledge_by = models.DateTimeField()
    # The rule that produced ``acknowledge_by``, kept so a later change of settings does
    # not silently move an old deadline.
    deadline_rule = models.CharField(max_length=200)
    status = models.CharField(
        max_length=32,
        choices=ReferralStatus.choices,
        default=ReferralStatus.AWAITING_ACKNOWLEDGEMENT,
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=32, choices=ReferralOutcome.choices, blank=True)
    outcome_reason = models.TextField(max_length=4000, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    redirected_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="redirected_from"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["to_team", "status", "acknowledge_by"], name="referral_team_idx"),
            models.Index(fields=["referrer", "raised_at"], name="referral_referrer_idx"),
            models.Index(fields=["from_team", "raised_at"], name="referral_from_team_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="referral_has_reason"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(status="closed"), name="referral_outcome_closes"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="no_further_action") | ~Q(outcome_reason=""),
                name="referral_nfa_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()} referral for {self.person} to {self.to_team}"

    @property
    def is_closed(self) -> bool:
        return self.status == ReferralStatus.CLOSED
