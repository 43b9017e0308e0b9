"""Decision points on the statutory clock, decisions, challenges, structured assessments,
and the published versions of the challenge rules.

Every write goes through ``assessments.actions``. Deadlines are stored with the rule
version that produced them; challenges with the rule-set version that raised them and a
copy of the words shown, so a later edit of the rules changes neither.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from sightline.agencies.models import Team
from sightline.assessments.workflow import STEP_LABELS, DecisionStep, Outcome
from sightline.chronology.models import ChronologyEvent
from sightline.people.models import Person

# Choices from the pure enumerations in ``assessments.workflow`` (one list, no copy).
STEP_CHOICES = [(step.value, STEP_LABELS[step]) for step in DecisionStep]
OUTCOME_CHOICES = [(outcome.value, outcome.label) for outcome in Outcome]


class PointStatus(models.TextChoices):
    OPEN = "open", "Open"
    DECIDED = "decided", "Decided"
    CANCELLED = "cancelled", "Cancelled"


class DecisionPointQuerySet(models.QuerySet["DecisionPoint"]):
    def open(self) -> "DecisionPointQuerySet":
        return self.filter(status=PointStatus.OPEN)


class DecisionPoint(models.Model):
    """A step for one child that must be decided by ``due_on``."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="decision_points")
    step = models.CharField(max_length=40, choices=STEP_CHOICES)
    started_on = models.DateField(help_text="The day this step's clock started.")
    due_on = models.DateField()
    rule_version = models.CharField(max_length=32)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decision_points"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="decision_points"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    # The decision whose outcome started this step; empty for a referral or a child
    # becoming looked after.
    follows = models.ForeignKey(
        "Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="next_points"
    )
    status = models.CharField(max_length=16, choices=PointStatus.choices, default=PointStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = DecisionPointQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="point_status_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "step"],
                condition=Q(status="open"),
                name="point_one_open_step_per_child",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("started_on")), name="point_due_after_start"
            ),
            models.CheckConstraint(condition=~Q(step="case_closure"), name="point_is_on_the_clock"),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} due {self.due_on:%Y-%m-%d}"

    @property
    def decision_step(self) -> DecisionStep:
        return DecisionStep(self.step)


class DecisionStatus(models.TextChoices):
    IN_FORCE = "in_force", "In force"
    CHALLENGED = "challenged", "Challenged: awaiting a changed decision or a signed-off rationale"
    CHANGED = "changed", "Changed"


class Decision(models.Model):
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="decisions")
    point = models.ForeignKey(
        DecisionPoint, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    step = models.CharField(max_length=40, choices=STEP_CHOICES)
    outcome = models.CharField(max_length=40, choices=OUTCOME_CHOICES)
    decided_on = models.DateField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions"
    )
    # The decision maker's team when it was made: overrides are reported per team.
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    reasons = models.TextField(max_length=4000)
    history_considered = models.BooleanField()
    history_summary = models.TextField(max_length=4000, blank=True)
    status = models.CharField(max_length=16, choices=DecisionStatus.choices)
    rule_set_version = models.CharField(max_length=32)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reasons=""), name="decision_reasons_required"),
            models.CheckConstraint(
                condition=Q(history_considered=False) | ~Q(history_summary=""),
                name="decision_history_summary_when_considered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.get_outcome_display()}"

    @property
    def decision_step(self) -> DecisionStep:
        return DecisionStep(self.step)


class ChallengeStatus(models.TextChoices):
    OPEN = "open", "Open: change the decision or record a rationale"
    RATIONALE_RECORDED = "rationale_recorded", "Rationale recorded: awaiting a second manager"
    OVERRIDDEN = "overridden", "Decision kept: rationale signed off"
    DECISION_CHANGED = "decision_changed", "Decision changed"


class Challenge(models.Model):
    """A rule that fired when a decision was recorded, with the evidence shown."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="challenges")
    # Copied from the decision so the database itself refuses a sign-off by its maker.
    decision_made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rule_code = models.CharField(max_length=64)
    rule_kind = models.CharField(max_length=64)
    rule_version = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    question = models.TextField(max_length=500)
    explanation = models.TextField(max_length=4000)
    # Sentences about other people (a household adult's record of violence), each stored
    # as {"text": ..., "person": <person id or null>, "events": [<event ids>]}: the read
    # side shows the text only to a viewer who may see every one of those events' detail
    # (``queries.challenge_rows``); the explanation is then rebuilt from what they may see.
    facts = models.JSONField(default=list, blank=True)
    evidence = models.ManyToManyField(ChronologyEvent, blank=True, related_name="+")
    status = models.CharField(
        max_length=24, choices=ChallengeStatus.choices, default=ChallengeStatus.OPEN
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    rationale = models.TextField(max_length=4000, blank=True)
    rationale_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rationale_at = models.DateTimeField(null=True, blank=True)
    return_comments = models.TextField(max_length=4000, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=True)
                | (~Q(signed_off_by=F("decision_made_by")) & ~Q(signed_off_by=F("rationale_by"))),
                name="challenge_second_manager_signs_off",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["rationale_recorded", "overridden"]) | ~Q(rationale=""),
                name="challenge_rationale_when_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="overridden") | Q(signed_off_by__isnull=False),
                name="challenge_overridden_is_signed_off",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_resolved(self) -> bool:
        return self.status in {ChallengeStatus.OVERRIDDEN, ChallengeStatus.DECISION_CHANGED}


class ChallengeRuleSet(models.Model):
    """A published version of the challenge rules (``sightline.challenges`` data format).

    The newest is in use; with none published, the shipped set in ``challenges.SHIPPED``.
    """

    version = models.CharField(max_length=32, unique=True)
    rules = models.JSONField()
    note = models.TextField(max_length=2000)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.version


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted to a manager"
    RETURNED = "returned", "Returned with comments"
    SIGNED_OFF = "signed_off", "Signed off"


class SeenAlone(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class Assessment(models.Model):
    """One version of a structured assessment (worries, what is working well, what needs to
    happen, the child's voice, a 0-10 safety scale, danger statements and safety goals).

    A signed-off version never changes: an amendment is a new version in the same series.
    """

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    series = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    amends = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amended_by"
    )
    point = models.ForeignKey(
        DecisionPoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        help_text="The decision this assessment informs.",
    )
    status = models.CharField(
        max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True)
    harm = models.TextField("Harm: what has happened", max_length=8000, blank=True)
    complicating_factors = models.TextField(max_length=8000, blank=True)
    working_well = models.TextField("What is working well", max_length=8000, blank=True)
    needs_to_happen = models.TextField("What needs to happen", max_length=8000, blank=True)
    seen_alone = models.CharField(max_length=3, choices=SeenAlone.choices, blank=True)
    seen_alone_on = models.DateField(null=True, blank=True)
    child_words = models.TextField("The child's words", max_length=8000, blank=True)
    safety_scale = models.PositiveSmallIntegerField(null=True, blank=True)
    danger_statements = models.TextField(max_length=8000, blank=True)
    safety_goals = models.TextField(max_length=8000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comments = models.TextField(max_length=4000, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="assessment_series_version"),
            models.UniqueConstraint(
                fields=["series"],
                condition=~Q(status="signed_off"),
                name="assessment_one_working_version",
            ),
            models.CheckConstraint(
                condition=Q(safety_scale__isnull=True) | Q(safety_scale__lte=10),
                name="assessment_safety_scale_0_10",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=F("author")),
                name="assessment_reviewer_not_author",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment v{self.version} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status in {AssessmentStatus.DRAFT, AssessmentStatus.RETURNED}
