"""Identity resolution: model versions, the candidate index, the review queue, decisions
and merges. Source records and persons themselves belong to ``people``."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from sightline.people.models import Person, SourceRecord


class ModelVersion(models.Model):
    """A trained linkage model. The weights are kept here as well as in the file, so the
    model that made any link can always be read back."""

    version = models.CharField(max_length=40, unique=True)
    path = models.CharField(max_length=500)
    trained_at = models.DateTimeField()
    training = models.JSONField(default=dict, blank=True)
    splink_model = models.JSONField()
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-trained_at"]

    def __str__(self) -> str:
        return self.version


class RecordFeatures(models.Model):
    """A source record's normalised identity (``features.features``), for real-time
    scoring without re-reading and re-normalising the record."""

    source_record = models.OneToOneField(
        SourceRecord, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    features = models.JSONField()
    indexed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"features of record {self.source_record_id}"


class RecordKey(models.Model):
    """One blocking key of a source record: real-time candidates are looked up here."""

    source_record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["key"], name="linkage_key_idx")]
        constraints = [
            models.UniqueConstraint(fields=["source_record", "key"], name="linkage_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    CONFIRMED = "confirmed", "Confirmed: same person"
    REJECTED = "rejected", "Rejected: different people"
    SUPERSEDED = "superseded", "No longer needed"


class MatchReview(models.Model):
    """A pair of source records the model could not decide, put to a practitioner."""

    record_a = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    record_b = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField()
    # Why the pair was not linked automatically although the model was sure (twins...).
    guard = models.CharField(max_length=200, blank=True)
    evidence = models.JSONField(default=list)
    # Fingerprint of both records' identity fields: a decision holds for this evidence.
    evidence_key = models.CharField(max_length=64)
    model_version = models.CharField(max_length=40)
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-probability", "id"]
        indexes = [models.Index(fields=["status", "-probability"], name="review_queue_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(record_a__lt=F("record_b")), name="review_ordered"),
            models.UniqueConstraint(
                fields=["record_a", "record_b", "evidence_key"], name="review_unique_evidence"
            ),
        ]

    def __str__(self) -> str:
        return f"review {self.pk}: {self.record_a_id}~{self.record_b_id} ({self.status})"


class DecisionKind(models.TextChoices):
    REVIEW = "review", "Review of a proposed match"
    MERGE = "merge", "Merge"
    UNMERGE = "unmerge", "Un-merge"


class LinkDecision(models.Model):
    """A practitioner's word that two records are, or are not, the same person. Later
    runs take these as fixed constraints while the records' evidence is unchanged."""

    record_a = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    record_b = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    same_person = models.BooleanField()
    evidence_key = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=DecisionKind.choices)
    review = models.ForeignKey(MatchReview, on_delete=models.PROTECT, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(record_a__lt=F("record_b")), name="decision_ordered"
            ),
        ]

    def __str__(self) -> str:
        verdict = "same" if self.same_person else "different"
        return f"{self.record_a_id}~{self.record_b_id}: {verdict}"


class PersonMerge(models.Model):
    """One merge: what moved from ``merged`` to ``survivor``, so it can be undone exactly."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    records = models.JSONField(default=list)
    involvements = models.JSONField(default=list)
    status_periods = models.JSONField(default=list)
    # Every other row that moved, by "app_label.Model.field" (the column pointing at the
    # person): e.g. {"people.Relationship.relative": [12, 40]}. Involvements and status
    # periods are in it too (and in their own lists, as before this field existed).
    moved = models.JSONField(default=dict, blank=True)
    # Rows left with the merged person, by the same keys: a relationship or association
    # between the two persons themselves, or an exact duplicate of one the survivor has.
    kept_back = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    review = models.ForeignKey(MatchReview, on_delete=models.PROTECT, null=True, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    merged_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(survivor=F("merged")), name="merge_not_self"),
        ]

    def __str__(self) -> str:
        return f"merge {self.pk}: {self.merged_id} into {self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class LinkRun(models.Model):
    """One batch re-resolution (``sightline link``) and what it changed."""

    model_version = models.CharField(max_length=40)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    records = models.PositiveIntegerField()
    records_moved = models.PositiveIntegerField()
    persons_created = models.PositiveIntegerField()
    persons_emptied = models.PositiveIntegerField()
    reviews_proposed = models.PositiveIntegerField()
    summary = models.JSONField(default=dict, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"link run {self.pk} ({self.model_version})"
