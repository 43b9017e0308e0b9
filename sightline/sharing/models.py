"""Information sharing: alerts about flagged children (an outbox the worker fans out into
inboxes and e-mails), the e-mail outbox itself, and referrals between agencies.

Flags are not stored: they are derived from social care status periods by the pure rule
in ``sharing.flagging`` whenever they are shown, so they can never drift from the plans.
"""

import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sightline.agencies.models import Agency, Team
from sightline.chronology.models import ChronologyEvent
from sightline.core import dates
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
    # To one named person, about work waiting for them (``sharing.reminders``).
    SIGN_OFF_WAITING = "sign_off_waiting", "A sign-off is waiting for you"
    STEP_OVERDUE = "step_overdue", "A step you are responsible for is overdue"
    # To a safeguarding partner's lead: a rapid review ready for their partner's sign-off.
    REVIEW_SIGN_OFF_WAITING = "review_sign_off", "A rapid review is waiting for your sign-off"


# Reminders of work waiting for one person: delivered to that person when written.
REMINDER_REASONS = frozenset({AlertReason.SIGN_OFF_WAITING, AlertReason.STEP_OVERDUE})
# Reminders whose summary names no child (only a notification's reference): shown to
# their recipient whether or not they may see the child's record.
UNNAMED_REMINDER_REASONS = frozenset({AlertReason.REVIEW_SIGN_OFF_WAITING})

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
    # What a reminder is for, whom and which day ("sign-off:assessment:12:to:3:2026-12-05"),
    # so the same reminder cannot be written twice; empty for other alerts.
    key = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="alert_reminder_once"
            )
        ]
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

    @property
    def deadline_rule_words(self) -> str:
        """``deadline_rule`` without its rule version: what the page says."""
        words = _RULE_VERSION.sub("", self.deadline_rule)
        # Deadlines counted before the hours were written out: "(09:00-17:00, working days)".
        return _OLD_HOURS.sub(
            lambda found: (
                f"({dates.spoken_hours(found.group(1))}, Monday to Friday, except "
                "bank holidays and closure days)"
            ),
            words,
        )

    @property
    def deadline_rule_version(self) -> str:
        """The rule version ``deadline_rule`` ends with ("v1"), shown only on asking."""
        found = _RULE_VERSION.search(self.deadline_rule)
        return found.group(1) if found else ""


# "Amber: 24 working hours (...) (rule v1)": the version the deadline was counted under.
_RULE_VERSION = re.compile(r"\s*\(rule (v\d+)\)\s*$")
_OLD_HOURS = re.compile(r"\((\d{2}:\d{2}-\d{2}:\d{2}), working days\)")


# Sharing decisions ---------------------------------------------------------------------


class LawfulBasis(models.Model):
    """One lawful basis a sharing decision may rest on: a configured list (Django admin),
    seeded with the defaults and their sources (docs/sharing.md)."""

    code = models.SlugField(max_length=64, unique=True)
    label = models.CharField(max_length=200)
    # Where it comes from: the article, section or schedule.
    source = models.TextField(max_length=2000)
    # The default for police processing under part 3 of the Data Protection Act 2018.
    for_police = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["for_police", "label"]
        verbose_name_plural = "lawful bases"

    def __str__(self) -> str:
        return self.label


class SharingOutcome(models.TextChoices):
    SHARED = "shared", "Shared"
    NOT_SHARED = "not_shared", "Not shared"


class Consent(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    NOT_SOUGHT = "not_sought", "Not sought"


class NotInformedReason(models.TextChoices):
    CHILD_AT_RISK = "child_at_risk", "Informing the family would put the child at risk"
    POLICE_INVESTIGATION = (
        "police_investigation",
        "Informing the family would prejudice a police investigation",
    )
    OTHER = "other", "Other (explain)"


class DecisionOrigin(models.TextChoices):
    """What the decision is about: the share it was recorded with."""

    REFERRAL = "referral", "Referral"
    FLAG_CHECK = "flag_check", "Flag check"
    EXPORT = "export", "Export"
    EMERGENCY_ACCESS = "emergency_access", "Emergency access"
    MANUAL = "manual", "Recorded by hand"


class SharingDecision(models.Model):
    """A decision to share information about a child, or not to: what, with whom, why, on
    which lawful basis, consent, and whether the family was told or why not (the seventh
    golden rule). Written only by ``actions.record_sharing_decision``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sharing_decisions")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sharing_decisions"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="sharing_decisions")
    decided_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=SharingOutcome.choices)
    what = models.TextField(max_length=4000)
    with_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    with_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    why = models.TextField(max_length=4000)
    lawful_basis = models.ForeignKey(LawfulBasis, on_delete=models.PROTECT, related_name="+")
    consent = models.CharField(max_length=16, choices=Consent.choices)
    consent_not_sought_reason = models.TextField(max_length=4000, blank=True)
    family_informed = models.BooleanField()
    not_informed_reason = models.CharField(
        max_length=32, choices=NotInformedReason.choices, blank=True
    )
    not_informed_detail = models.TextField(max_length=4000, blank=True)
    about = models.CharField(max_length=32, choices=DecisionOrigin.choices)
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    # The chronology event the decision was recorded as (the deciding agency's).
    event = models.ForeignKey(
        ChronologyEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "decided_at"], name="decision_agency_time_idx"),
            models.Index(fields=["person", "decided_at"], name="decision_person_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(with_agency__isnull=False) | Q(with_user__isnull=False),
                name="decision_has_recipient",
            ),
            models.CheckConstraint(condition=~Q(why=""), name="decision_has_why"),
            models.CheckConstraint(
                condition=~Q(consent="not_sought") | ~Q(consent_not_sought_reason=""),
                name="decision_not_sought_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(family_informed=True, not_informed_reason="")
                | (Q(family_informed=False) & ~Q(not_informed_reason="")),
                name="decision_not_informed_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(not_informed_reason="other") | ~Q(not_informed_detail=""),
                name="decision_other_reason_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.person}"

    @property
    def recipient(self) -> str:
        """With whom, as words: the named user and their agency, or the agency."""
        parts = []
        if self.with_user is not None:
            parts.append(self.with_user.get_full_name() or self.with_user.username)
        if self.with_agency is not None:
            parts.append(self.with_agency.name)
        return ", ".join(parts)

    @property
    def family_reason(self) -> str:
        if self.family_informed:
            return ""
        label = NotInformedReason(self.not_informed_reason).label
        if self.not_informed_reason == NotInformedReason.OTHER:
            return f"Other: {self.not_informed_detail}"
        return f"{label}{': ' + self.not_informed_detail if self.not_informed_detail else ''}"
