"""What was imported, and files waiting between the upload page's check and commit steps."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from sightline.agencies.models import Agency


class ImportKind(models.TextChoices):
    PEOPLE = "people", "Person records"
    EVENTS = "events", "Chronology events"
    CIN_CENSUS = "cin_census", "CIN census (XML)"
    SSDA903 = "ssda903", "SSDA903 return (CSV tables)"


class ImportBatch(models.Model):
    """One committed import of one file (page, API or command line)."""

    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    agencies = models.ManyToManyField(Agency, related_name="import_batches")
    # The agency codes as they were at the time, for display and the audit trail.
    agency_codes = models.CharField(max_length=500)
    rows = models.PositiveIntegerField()
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    corrected = models.PositiveIntegerField(default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
    )
    via = models.CharField(max_length=16, blank=True)  # page, api, cli
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.filename} at {self.at:%Y-%m-%d %H:%M}"


class PendingUpload(models.Model):
    """A file a user has checked on the upload page and may now commit.

    Kept server-side so the commit step imports exactly the bytes that were checked;
    the browser only ever sends back this row's id, which is looked up for its owner.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_uploads"
    )
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind", "sha256"], name="pending_upload_unique_per_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"


class ReturnChild(models.Model):
    """What the national returns carry about a child that a person record does not: the
    census's identifiers and characteristics, by the social care agency's child id
    (CIN census ``LAchildID``, 903 ``CHILD``).

    The person is the one the agency's source record with that id is placed on
    (``people.SourceRecord``), so a merge of persons moves it without a foreign key here.
    Written by the returns' importers; read by their exporters.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="return_children")
    la_child_id = models.CharField(max_length=100)
    upn = models.CharField(max_length=13, blank=True)
    former_upn = models.CharField(max_length=13, blank=True)
    upn_unknown = models.CharField(max_length=4, blank=True)
    sex = models.CharField(max_length=1, blank=True)  # M, F or U
    ethnicity = models.CharField(max_length=4, blank=True)
    disabilities = models.JSONField(default=list, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    expected_birth_date = models.DateField(null=True, blank=True)
    death_date = models.DateField(null=True, blank=True)
    mother = models.CharField(max_length=1, blank=True)  # 903 MOTHER: 1, 0 or blank
    mother_child_dob = models.DateField(null=True, blank=True)  # 903 MC_DOB
    uasc_ceased = models.DateField(null=True, blank=True)  # 903 UASC DUC
    uasc = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "la_child_id"], name="return_child_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.la_child_id}"
