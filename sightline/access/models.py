"""Access governance: dated case relationships beyond involvements, emergency access
(break-glass) with its review, the e-mail outbox that tells people about it, two-factor
enrolment codes, API token scopes, and the counters behind search and API rate limits.

The rules that read these live in ``sightline/record/rules.py``.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from rest_framework.authtoken.models import Token

from sightline.people.models import Person


class CaseRole(models.TextChoices):
    CORE_GROUP_MEMBER = "core_group_member", "Core group member"
    CONFERENCE_INVITEE = "conference_invitee", "Invited to a child protection conference"


class CaseRelationshipQuerySet(models.QuerySet["CaseRelationship"]):
    def active_on(self, day: dt.date) -> "CaseRelationshipQuerySet":
        return self.filter(Q(started_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class CaseRelationship(models.Model):
    """A practitioner in a child's core group, or invited to a child's conference, for a
    period. Like an active involvement, it gives a legitimate reason to see the record."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_relationships")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_relationships"
    )
    role = models.CharField(max_length=32, choices=CaseRole.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = CaseRelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on"]
        indexes = [
            models.Index(fields=["practitioner", "person"], name="case_rel_practitioner_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="case_rel_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.practitioner} for {self.person}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


class BreakGlassReason(models.TextChoices):
    IMMEDIATE_RISK = "immediate_risk", "A child may be at immediate risk of harm"
    MISSING_CHILD = "missing_child", "A child is missing"
    OUT_OF_HOURS = (
        "out_of_hours",
        "Out-of-hours emergency and the allocated worker cannot be reached",
    )
    STRATEGY_DISCUSSION = "strategy_discussion", "Preparing for an urgent strategy discussion"
    NEW_CONCERN = "new_concern", "A new concern must be checked against what is known"
    OTHER = "other", "Another reason (explain below)"


class ExportReason(models.TextChoices):
    CONFERENCE_REPORT = "conference_report", "A report for a child protection conference"
    COURT = "court", "Court or legal proceedings"
    REVIEW = "review", "A rapid review or local safeguarding practice review"
    SUPERVISION = "supervision", "Case supervision or audit"
    OTHER = "other", "Another reason (explain below)"


class ReviewOutcome(models.TextChoices):
    JUSTIFIED = "justified", "Justified"
    NOT_JUSTIFIED = "not_justified", "Not justified: to be followed up with the practitioner"


class BreakGlassGrantQuerySet(models.QuerySet["BreakGlassGrant"]):
    def active_at(self, moment: dt.datetime) -> "BreakGlassGrantQuerySet":
        return self.filter(granted_at__lte=moment, expires_at__gt=moment, ended_at__isnull=True)

    def pending_review(self) -> "BreakGlassGrantQuerySet":
        return self.filter(outcome="")

    def asked_for_since(self, moment: dt.datetime) -> "BreakGlassGrantQuerySet":
        """Grants the users asked for themselves (not granted by a manager) since ``moment``."""
        return self.filter(granted_by__isnull=True, granted_at__gte=moment)


class BreakGlassGrant(models.Model):
    """Emergency access to one record by one user, for a limited time, with a reason.

    Every grant goes to a manager for review; the outcome is recorded here.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason_code = models.CharField(max_length=32, choices=BreakGlassReason.choices)
    reason_text = models.TextField(max_length=2000)
    # The manager who granted this further period; empty when the user asked for it. A
    # user renews their own emergency access to one record at most once
    # (``SIGHTLINE_BREAK_GLASS_RENEWAL_DAYS``); after that only a manager grants more.
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="break_glass_granted",
    )
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # Set when the user ends the access before it expires.
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=ReviewOutcome.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="break_glass_reviews",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(max_length=2000, blank=True)

    objects = BreakGlassGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        permissions = [
            ("front_door", "Works at the front door: may see who made a referral"),
        ]
        indexes = [
            models.Index(fields=["user", "person", "expires_at"], name="grant_user_person_idx"),
            models.Index(fields=["outcome", "granted_at"], name="grant_outcome_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")), name="grant_expires_after_start"
            ),
            models.CheckConstraint(
                condition=(
                    Q(outcome="") & Q(reviewed_by__isnull=True) & Q(reviewed_at__isnull=True)
                )
                | (~Q(outcome="") & Q(reviewed_by__isnull=False) & Q(reviewed_at__isnull=False)),
                name="grant_review_complete",
            ),
            models.CheckConstraint(condition=~Q(reason_text=""), name="grant_has_reason_text"),
        ]

    def __str__(self) -> str:
        return (
            f"Emergency access by {self.user} to {self.person} at {self.granted_at:%Y-%m-%d %H:%M}"
        )

    def is_active_at(self, moment: dt.datetime) -> bool:
        return self.granted_at <= moment < self.expires_at and self.ended_at is None

    @property
    def ends_at(self) -> dt.datetime:
        return self.ended_at or self.expires_at


class AccessNotice(models.Model):
    """Who was told about an emergency access, and why: written with the grant, with its
    e-mail in the one outbox (``sharing.outbox``), which sends and retries it."""

    grant = models.ForeignKey(BreakGlassGrant, on_delete=models.PROTECT, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_notices"
    )
    # Why this person is told: "allocated_worker" or "safeguarding_lead".
    because = models.CharField(max_length=32)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "recipient"], name="notice_once_per_grant")
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipient}"


class FindingKind(models.TextChoices):
    MANY_RECORDS = "many_records", "Opened many records within an hour"
    OUT_OF_HOURS = "out_of_hours", "Opened records out of hours"
    OWN_SURNAME_AND_POSTCODE = (
        "own_surname_and_postcode",
        "Opened the record of someone with their own surname at their home postcode",
    )


class AccessFinding(models.Model):
    """An item on the access review queue from access monitoring: one user's reads of
    one day that met a rule (``FindingKind``), with the records they opened. Reviewed
    like emergency access, by the user's team manager or agency safeguarding lead.

    One per user, rule and day; reads that come after it was reviewed start a new part.
    ``reads`` are the audit rows it covers (``[{"audit", "at", "person", "action"}]``),
    so a run over the same reads finds nothing new.
    """

    kind = models.CharField(max_length=32, choices=FindingKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_findings"
    )
    # The local date of the reads.
    day = models.DateField()
    part = models.PositiveSmallIntegerField(default=1)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    reads = models.JSONField(default=list)
    people = models.ManyToManyField(Person, related_name="+")
    # What the rule saw: e.g. the most records in an hour, and the threshold then.
    detail = models.JSONField(default=dict, blank=True)
    found_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=ReviewOutcome.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_finding_reviews",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-last_at"]
        indexes = [models.Index(fields=["outcome", "last_at"], name="finding_outcome_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "user", "day", "part"], name="finding_once_per_user_day"
            ),
            models.CheckConstraint(
                condition=(
                    Q(outcome="") & Q(reviewed_by__isnull=True) & Q(reviewed_at__isnull=True)
                )
                | (~Q(outcome="") & Q(reviewed_by__isnull=False) & Q(reviewed_at__isnull=False)),
                name="finding_review_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} on {self.day:%Y-%m-%d}"

    @property
    def read_count(self) -> int:
        return len(self.reads)


class EnrolmentCodeQuerySet(models.QuerySet["EnrolmentCode"]):
    def usable_at(self, moment: dt.datetime) -> "EnrolmentCodeQuerySet":
        return self.filter(expires_at__gt=moment, used_at__isnull=True, revoked_at__isnull=True)


class EnrolmentCode(models.Model):
    """A one-time code an administrator issues so that a user can set up an authenticator
    app: a password alone never enrols one. Stored hashed, shown once; it expires after
    ``SIGHTLINE_ENROLMENT_CODE_HOURS``, is used once, and a newer code revokes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_codes"
    )
    # Django's password hashing (``make_password``): never the code itself.
    code_hash = models.CharField(max_length=128)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # When an authenticator app was set up with it.
    used_at = models.DateTimeField(null=True, blank=True)
    # When a newer code for the same user replaced it.
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentCodeQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("issued_at")), name="enrolment_expires_after_issue"
            )
        ]

    def __str__(self) -> str:
        return f"Enrolment code for {self.user} issued {self.issued_at:%Y-%m-%d %H:%M}"


class TokenScope(models.TextChoices):
    READ = "read", "Read records (GET)"
    WRITE = "write", "Submit records and look for matches (POST)"


class TokenPolicy(models.Model):
    """What one API token may do and how often. A token without a policy has the
    default: read only (``access.api.DEFAULT_SCOPES``) at ``SIGHTLINE_API_DEFAULT_RATE``."""

    token = models.OneToOneField(Token, on_delete=models.CASCADE, related_name="policy")
    scopes = models.JSONField(default=list)
    # "<count>/<second|minute|hour|day>"; blank for the default.
    rate = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the token last authenticated a call (``access.api.TokenAuthentication``), to
    # the minute: shown to administrators so that unused tokens can be revoked.
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{', '.join(self.scopes) or 'no scopes'} at {self.rate or 'default rate'}"


class RateCounter(models.Model):
    """How many requests one key (a user's searches, a token's calls) made in one window."""

    key = models.CharField(max_length=120)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
