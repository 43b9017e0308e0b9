from django.db import models


class AgencyKind(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    # The NHS body that plans health services for an area, and one of the three
    # statutory safeguarding partners.
    INTEGRATED_CARE_BOARD = "integrated_care_board", "Integrated care board"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    PROBATION = "probation", "Probation"
    OTHER = "other", "Other"


class Agency(models.Model):
    """An organisation that holds records about children and submits them to Sightline."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)
    office_hours_phone = models.CharField(max_length=40, blank=True)
    out_of_hours_phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    # National codes, shown behind "Details": the NHS Organisation Data Service code of a
    # health body (e.g. "RR8", "15F"), and a school's unique reference number (6 digits).
    ods_code = models.CharField("ODS code", max_length=10, blank=True)
    urn = models.CharField("URN", max_length=8, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team within an agency: practitioners belong to one, managers lead one."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    duty_email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_unique_name_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.code})"
