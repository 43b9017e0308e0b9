"""Learning from reviews: review documents, a versioned theme taxonomy, independent
coding by two analysts, adjudication of the final coding."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sightline.learning.statistics import financial_year


class TaxonomyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class ThemeGroup(models.TextChoices):
    HARM_TYPE = "harm_type", "Harm type"
    CHILD = "child", "Child factors"
    FAMILY = "family", "Family and context factors"
    PRACTICE = "practice", "Practice themes"


class ReviewKind(models.TextChoices):
    RAPID = "rapid", "Rapid review"
    LOCAL = "local", "Local child safeguarding practice review"


class Nature(models.TextChoices):
    DEATH = "death", "Death"
    SERIOUS_HARM = "serious_harm", "Serious harm"
    OTHER = "other", "Other"


class AgeBand(models.TextChoices):
    UNDER_1 = "under_1", "Under 1"
    AGE_1_4 = "1_4", "1 to 4"
    AGE_5_9 = "5_9", "5 to 9"
    AGE_10_15 = "10_15", "10 to 15"
    AGE_16_17 = "16_17", "16 to 17"
    UNKNOWN = "unknown", "Unknown"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Unknown or not recorded"


class Ethnicity(models.TextChoices):
    """The major groups the national release uses."""

    WHITE = "white", "White"
    MIXED = "mixed", "Mixed or multiple"
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    OTHER = "other", "Other ethnic group"
    UNKNOWN = "unknown", "Unknown or not recorded"


class Disability(models.TextChoices):
    YES = "yes", "Disabled"
    NO = "no", "Not disabled"
    UNKNOWN = "unknown", "Unknown"


class Region(models.TextChoices):
    NORTH_EAST = "north_east", "North East"
    NORTH_WEST = "north_west", "North West"
    YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
    EAST_MIDLANDS = "east_midlands", "East Midlands"
    WEST_MIDLANDS = "west_midlands", "West Midlands"
    EAST = "east", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south_east", "South East"
    SOUTH_WEST = "south_west", "South West"


class Taxonomy(models.Model):
    """One version of the theme taxonomy. Only a draft changes; publishing retires the
    version before it. Codings keep the version they were made against."""

    version = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=16, choices=TaxonomyStatus.choices)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "taxonomies"
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status=TaxonomyStatus.PUBLISHED),
                name="learning_one_published_taxonomy",
            ),
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status=TaxonomyStatus.DRAFT),
                name="learning_one_draft_taxonomy",
            ),
            models.CheckConstraint(
                condition=Q(status=TaxonomyStatus.DRAFT) | Q(published_at__isnull=False),
                name="learning_published_taxonomy_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Theme taxonomy version {self.version} ({self.get_status_display().lower()})"

    @property
    def is_draft(self) -> bool:
        return self.status == TaxonomyStatus.DRAFT


class Theme(models.Model):
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="themes")
    group = models.CharField(max_length=16, choices=ThemeGroup.choices)
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["taxonomy", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy", "code"], name="learning_theme_code_unique_per_version"
            )
        ]

    def __str__(self) -> str:
        return self.label


class ReviewDocument(models.Model):
    """The text of a rapid or local review with the child's details at notification."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=8, choices=ReviewKind.choices)
    title = models.CharField(max_length=300)
    text = models.TextField()
    notified_on = models.DateField(help_text="Date the serious incident was notified.")
    completed_on = models.DateField(null=True, blank=True)
    local_authority = models.CharField(max_length=120)
    region = models.CharField(max_length=16, choices=Region.choices)
    nature = models.CharField(max_length=16, choices=Nature.choices)
    age_band = models.CharField(max_length=8, choices=AgeBand.choices)
    sex = models.CharField(max_length=8, choices=Sex.choices)
    ethnicity = models.CharField(max_length=8, choices=Ethnicity.choices)
    disability = models.CharField(max_length=8, choices=Disability.choices)
    known_to_social_care = models.BooleanField()
    child_protection_plan = models.BooleanField(help_text="Now or before.")
    child_in_need_plan = models.BooleanField()
    looked_after = models.BooleanField()
    known_to_police = models.BooleanField()
    known_to_health = models.BooleanField()
    known_to_education = models.BooleanField()
    is_synthetic = models.BooleanField(default=False)
    # The serious incident notification the review follows, when it was made in Sightline.
    notification = models.ForeignKey(
        "incidents.SeriousIncidentNotification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-notified_on", "reference"]
        indexes = [models.Index(fields=["notified_on"], name="learning_doc_notified_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(completed_on__gte=models.F("notified_on")),
                name="learning_doc_completed_after_notified",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def financial_year(self) -> int:
        return financial_year(self.notified_on)

    @property
    def known_to(self) -> list[str]:
        """The agencies that knew the child, in words."""
        social_care = [
            words
            for flag, words in (
                (self.child_protection_plan, "child protection plan now or before"),
                (self.child_in_need_plan, "child in need plan"),
                (self.looked_after, "looked after"),
            )
            if flag
        ]
        known = []
        if self.known_to_social_care:
            detail = f" ({', '.join(social_care)})" if social_care else ""
            known.append(f"children's social care{detail}")
        known += [
            name
            for flag, name in (
                (self.known_to_police, "police"),
                (self.known_to_health, "health"),
                (self.known_to_education, "education"),
            )
            if flag
        ]
        return known


class CodingStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"


class Coding(models.Model):
    """One analyst's independent coding of one review against one taxonomy version.

    Coders do not see each other's coding; once submitted it does not change."""

    document = models.ForeignKey(ReviewDocument, on_delete=models.PROTECT, related_name="codings")
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="codings")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    themes = models.ManyToManyField(Theme, related_name="+", blank=True)
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=CodingStatus.choices, default=CodingStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "taxonomy", "coder"], name="learning_one_coding_per_coder"
            ),
            models.CheckConstraint(
                condition=Q(status=CodingStatus.IN_PROGRESS) | Q(submitted_at__isnull=False),
                name="learning_submitted_coding_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Coding of {self.document.reference} by {self.coder}"


class FinalCodingSource(models.TextChoices):
    ADJUDICATED = "adjudicated", "Adjudicated between two codings"
    IMPORTED = "imported", "Imported already coded"


class FinalCoding(models.Model):
    """The agreed themes of a review: what reports count. One per review; adjudicating
    again (for example against a newer taxonomy) replaces it, with an audit row."""

    document = models.ForeignKey(
        ReviewDocument, on_delete=models.PROTECT, related_name="final_codings"
    )
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="final_codings")
    themes = models.ManyToManyField(Theme, related_name="+", blank=True)
    source = models.CharField(max_length=16, choices=FinalCodingSource.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["document"]
        constraints = [
            models.UniqueConstraint(fields=["document"], name="learning_one_final_coding")
        ]

    def __str__(self) -> str:
        return f"Final coding of {self.document.reference} (version {self.taxonomy.version})"


class AuthorityRegion(models.Model):
    """The region of a local authority, for the regional statistics table.

    Agencies do not record their region; an administrator or analyst sets it here.
    """

    local_authority = models.OneToOneField(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+"
    )
    region = models.CharField(max_length=16, choices=Region.choices)

    class Meta:
        ordering = ["local_authority__name"]

    def __str__(self) -> str:
        return f"{self.local_authority}: {self.get_region_display()}"
