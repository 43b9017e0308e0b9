"""The multi-agency chronology: what happened to a child, from every agency, in time order.

Events are append-only. A correction is a new revision that supersedes the one before;
the old revision stays and is shown as superseded.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from sightline.agencies.models import Agency, AgencyKind
from sightline.people.models import Person, SourceRecord


class Significance(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Category(models.Model):
    """An event category; the vocabulary is data (administrators may add codes)."""

    code = models.SlugField(max_length=64, unique=True)
    label = models.CharField(max_length=200)
    # The kind of agency that usually records it; blank for "any agency".
    agency_kind = models.CharField(max_length=32, choices=AgencyKind.choices, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["agency_kind", "label"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.label


class ChronologyEventQuerySet(models.QuerySet["ChronologyEvent"]):
    def current(self) -> "ChronologyEventQuerySet":
        """Revisions that no later revision supersedes."""
        return self.filter(superseded_by__isnull=True)


class ChronologyEvent(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=100)
    revision = models.PositiveIntegerField(default=1)
    # What the agency said the event is about; ``person`` follows the record's person and
    # is kept in step by the linking actions (it exists for fast chronology reads).
    subject_record = models.ForeignKey(
        SourceRecord, on_delete=models.PROTECT, related_name="events"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events")
    occurred_at = models.DateTimeField()
    # True when the agency gave a date without a time.
    date_only = models.BooleanField(default=False)
    recorded_at = models.DateTimeField()
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="events")
    summary = models.TextField(max_length=4000)
    significance = models.CharField(max_length=8, choices=Significance.choices, blank=True)
    practitioner = models.CharField(max_length=200, blank=True)
    other_records = models.ManyToManyField(SourceRecord, blank=True, related_name="mentioned_in")
    # The revision this one corrects. One-to-one: a revision is superseded at most once.
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )

    objects = ChronologyEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["person", "occurred_at", "id"], name="event_person_time_idx"),
            models.Index(
                fields=["person", "agency", "occurred_at"], name="event_person_agency_idx"
            ),
            models.Index(
                fields=["person", "category", "occurred_at"], name="event_person_category_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "event_id", "revision"], name="event_unique_revision"
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="event_revision_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code}:{self.event_id} r{self.revision}"
