"""People: what each agency holds (source records) and the resolved individuals (persons).

Events and relationships hang off *source records*; the person a source record belongs
to is a single foreign key. Merging or un-merging persons therefore moves source
records, and everything submitted about them follows without being copied or lost.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sightline.agencies.models import Agency
from sightline.core.dates import long_date


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER_OR_UNKNOWN = "X", "Other or not known"


class Person(models.Model):
    """A resolved individual, child or adult.

    The identity fields are a summary of the person's source records, chosen field by
    field by the rules of ``people.identity`` and kept by the actions that link records
    (``people.actions.refresh_identities``) for search and display; the source records
    remain the evidence.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    # Lower-cased, accent-free forms for search.
    search_name = models.CharField(max_length=220, blank=True, db_index=True)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    ethnicity = models.CharField(max_length=100, blank=True)
    # Where each identity field shown came from: {"name": {"agency": "HEALTH",
    # "agency_name": ..., "record_id": ..., "basis": "agency of record for the name: ..."}}
    # (``people.identity.Identity.provenance``).
    identity_sources = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when this person was merged into another; the row stays so links resolve.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["family_name", "given_name"], name="person_name_idx")]

    def __str__(self) -> str:
        return self.full_name or f"Person {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def is_child_on(self, day: dt.date) -> bool:
        age = self.age_on(day)
        return age is not None and age < 18


class SourceRecord(models.Model):
    """What one agency holds about one person, as submitted (person-records format)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="source_records")
    record_id = models.CharField(max_length=100)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="source_records")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    other_names = models.CharField(max_length=500, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    # Deterministic link key: normalised full name + date of birth.
    name_dob_key = models.CharField(max_length=240, blank=True, db_index=True)
    received_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # How the record came to belong to its person (rule or model version).
    linked_by = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["agency__code", "record_id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "record_id"], name="source_record_unique_id"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code}:{self.record_id}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class RelationshipKind(models.TextChoices):
    PARENT = "parent", "Parent"
    CARER = "carer", "Carer"
    SIBLING = "sibling", "Sibling"
    HOUSEHOLD_MEMBER = "household_member", "Household member"
    PARTNER_OF_PARENT = "partner_of_parent", "Partner of a parent"
    OTHER = "other", "Other"


class Relationship(models.Model):
    """``person`` is ``kind`` of ``relative`` (e.g. person is parent of relative)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships_out")
    relative = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships_in")
    kind = models.CharField(max_length=32, choices=RelationshipKind.choices)
    lives_with = models.BooleanField(default=False)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    source_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(person=models.F("relative")), name="relationship_not_self"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="relationship_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} is {self.get_kind_display().lower()} of {self.relative}"


class InvolvementRole(models.TextChoices):
    ALLOCATED_SOCIAL_WORKER = "allocated_social_worker", "Allocated social worker"
    FAMILY_SUPPORT_WORKER = "family_support_worker", "Family support worker"
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    SCHOOL_NURSE = "school_nurse", "School nurse"
    GP = "gp", "GP"
    PAEDIATRICIAN = "paediatrician", "Paediatrician"
    SCHOOL_SAFEGUARDING_LEAD = "school_safeguarding_lead", "School safeguarding lead"
    POLICE_OFFICER = "police_officer", "Police officer"
    YOUTH_JUSTICE_WORKER = "youth_justice_worker", "Youth justice worker"
    HOUSING_OFFICER = "housing_officer", "Housing officer"
    EARLY_HELP_WORKER = "early_help_worker", "Early help worker"
    # Set by recording "accepted" on a referral: the practitioner who accepted it, for
    # the receiving team (``sharing.actions.record_outcome``).
    REFERRAL_ACCEPTED = "referral_accepted", "Accepted a referral"
    OTHER = "other", "Other"


class InvolvementQuerySet(models.QuerySet["Involvement"]):
    def active_on(self, day: dt.date) -> "InvolvementQuerySet":
        return self.filter(Q(started_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class Involvement(models.Model):
    """A practitioner or agency working with a child, with role and dates.

    An active involvement is also what gives a practitioner a legitimate reason to see
    the child's record.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="involvements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="involvements",
    )
    role = models.CharField(max_length=40, choices=InvolvementRole.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = InvolvementQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on"]
        indexes = [
            models.Index(fields=["practitioner", "person"], name="involvement_practitioner_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="involvement_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} for {self.person}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


class StatusKind(models.TextChoices):
    CHILD_IN_NEED = "child_in_need", "Child in need plan"
    CHILD_PROTECTION = "child_protection", "Child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after"


class ProtectionCategory(models.TextChoices):
    NEGLECT = "neglect", "Neglect"
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    MULTIPLE = "multiple", "Multiple"


class StatusPeriod(models.Model):
    """A period on a child in need plan, child protection plan, or looked after."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="status_periods")
    kind = models.CharField(max_length=32, choices=StatusKind.choices)
    protection_category = models.CharField(
        max_length=32, choices=ProtectionCategory.choices, blank=True
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="status_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(kind="child_protection") | Q(protection_category=""),
                name="status_category_only_for_cp",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {long_date(self.started_on)}"

    def is_current_on(self, day: dt.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)
