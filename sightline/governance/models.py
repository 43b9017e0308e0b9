"""Retention and disposal: the schedule (data the administrator changes), legal holds,
proposals to dispose of a record, and the tombstone a disposal leaves (docs/governance.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sightline.governance import schedule
from sightline.people.models import Person


class RecordKind(models.TextChoices):
    LOOKED_AFTER = schedule.RecordKind.LOOKED_AFTER.value, "Looked-after child's case record"
    CHILD_PROTECTION_OR_IN_NEED = (
        schedule.RecordKind.CHILD_PROTECTION_OR_IN_NEED.value,
        "Child protection or child in need case record",
    )
    CHILD_WITHOUT_CASE = (
        schedule.RecordKind.CHILD_WITHOUT_CASE.value,
        "A child's record with no statutory case",
    )
    ADULT = schedule.RecordKind.ADULT.value, "An adult's record"


class Anchor(models.TextChoices):
    DATE_OF_BIRTH = schedule.Anchor.DATE_OF_BIRTH.value, "the date of birth"
    LAST_ACTIVITY = schedule.Anchor.LAST_ACTIVITY.value, "the last activity on the record"


class RetentionRule(models.Model):
    """How long one kind of record is kept, and on whose authority."""

    kind = models.CharField(max_length=40, choices=RecordKind.choices, unique=True)
    anchor = models.CharField(max_length=20, choices=Anchor.choices)
    years = models.PositiveSmallIntegerField()
    years_after_last_activity = models.PositiveSmallIntegerField(null=True, blank=True)
    years_after_death_under_18 = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.TextField(help_text="The statute, regulation or policy the period comes from.")
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"

    def as_rule(self) -> schedule.Rule:
        return schedule.Rule(
            anchor=schedule.Anchor(self.anchor),
            years=self.years,
            years_after_last_activity=self.years_after_last_activity,
            years_after_death_under_18=self.years_after_death_under_18,
        )

    @property
    def summary(self) -> str:
        text = f"{self.years} years from {self.get_anchor_display()}"
        if self.years_after_last_activity is not None:
            text += f", and at least {self.years_after_last_activity} years after the last activity"
        if self.years_after_death_under_18 is not None:
            text += (
                f"; if the child dies before 18, {self.years_after_death_under_18} years "
                "from the death"
            )
        return text


class LegalHold(models.Model):
    """A hold placed by hand on a person's record: while it is not released the record is
    never disposed of. (Holds while the child is in an open serious incident or review are
    not stored: ``governance.holds`` computes them from the incidents app.)"""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(released_at__isnull=True)
                | (Q(released_by__isnull=False) & ~Q(release_reason="")),
                name="legal_hold_release_has_who_and_why",
            )
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.reference}"

    @property
    def reference(self) -> str:
        return f"HOLD-{self.pk:05d}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Awaiting review"
    DISPOSED = "disposed", "Approved and disposed of"
    REFUSED = "refused", "Refused"


class DisposalProposal(models.Model):
    """A record that fell due, put to a reviewer. Approving it destroys the record; the
    proposal then keeps only the opaque reference and points at the tombstone."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The person's public id: an opaque reference that outlives the record.
    person_ref = models.UUIDField()
    kind = models.CharField(max_length=40, choices=RecordKind.choices)
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    as_of = models.DateField()
    proposed_at = models.DateTimeField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    tombstone = models.OneToOneField(
        "Tombstone", on_delete=models.PROTECT, null=True, blank=True, related_name="proposal"
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person_ref"],
                condition=Q(status="proposed"),
                name="one_open_disposal_proposal_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed")
                | (Q(decided_by__isnull=False) & ~Q(decision_reason="")),
                name="disposal_decision_has_who_and_why",
            ),
        ]

    def __str__(self) -> str:
        return f"Disposal proposal {self.reference}"

    @property
    def reference(self) -> str:
        return f"DISP-{self.pk:05d}"


class Tombstone(models.Model):
    """What stays of a disposed record: no name, date of birth, NHS number or address.

    ``reference`` is the person's former public id and ``former_person_key`` the key the
    audit trail's rows still carry in their ``person`` column, so the trail's rows about
    the record can be found, and the chain still verifies (docs/governance.md)."""

    reference = models.UUIDField(unique=True)
    former_person_key = models.BigIntegerField(unique=True)
    kind = models.CharField(max_length=40, choices=RecordKind.choices)
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    # The rule as it was applied (the schedule may change later).
    rule_applied = models.TextField()
    due_on = models.DateField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by_username = models.CharField(max_length=150)
    reason = models.TextField()
    disposed_at = models.DateTimeField()
    # {"people.SourceRecord": 3, "chronology.ChronologyEvent": 41, ...}
    rows_destroyed = models.JSONField(default=dict)

    class Meta:
        ordering = ["-disposed_at", "-id"]

    def __str__(self) -> str:
        return f"Tombstone {self.reference}"

    @property
    def rows_total(self) -> int:
        return sum(int(n) for n in self.rows_destroyed.values())
