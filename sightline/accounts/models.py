from typing import Any

from django.contrib.auth import get_backends
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models

from sightline.agencies.models import Agency, Team


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    PANEL_ANALYST = "panel_analyst", "Panel analyst"
    ADMINISTRATOR = "administrator", "Administrator"
    # Reviews possible duplicate records across agencies; every view of a pair is audited.
    DATA_QUALITY = "data_quality", "Data quality officer"
    # Reviews and approves disposals under the retention schedule (docs/governance.md).
    INFORMATION_GOVERNANCE = "information_governance", "Information governance officer"
    # Runs the safeguarding partnership's business: notifications, rapid reviews and local
    # reviews as they fall due (Working Together 2023, chapter 5).
    PARTNERSHIP_BUSINESS_MANAGER = "partnership_business_manager", "Partnership business manager"
    # The three safeguarding partners' lead representatives, who sign off a rapid review
    # for their partner (the director of children's services, the chief constable's and
    # the integrated care board's delegates).
    PARTNER_LEAD_LOCAL_AUTHORITY = "partner_lead_local_authority", "Local authority partner lead"
    PARTNER_LEAD_POLICE = "partner_lead_police", "Police partner lead"
    PARTNER_LEAD_ICB = "partner_lead_icb", "Integrated care board partner lead"


# The safeguarding partner each partner lead signs off for (incidents.models.Partner's values).
PARTNER_LEAD_FOR: dict[str, str] = {
    Role.PARTNER_LEAD_LOCAL_AUTHORITY: "local_authority",
    Role.PARTNER_LEAD_POLICE: "police",
    Role.PARTNER_LEAD_ICB: "integrated_care_board",
}
PARTNERSHIP_ROLES: frozenset[str] = frozenset(
    {Role.PARTNERSHIP_BUSINESS_MANAGER, *PARTNER_LEAD_FOR}
)


class User(AbstractUser):
    """A practitioner, manager, analyst or administrator, always of one agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="users")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.PRACTITIONER)
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Optional, normalised ("LS1 4AB"): access monitoring flags a user who opens the record
    # of someone with their own surname at this postcode (docs/security.md).
    home_postcode = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        """What the backends grant. Unlike Django's default, an active superuser is not
        let through every check (``accounts/backends.py``)."""
        return _ask_backends("has_perm", self, perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return _ask_backends("has_module_perms", self, app_label)

    @property
    def is_team_manager(self) -> bool:
        return self.role == Role.TEAM_MANAGER


def _ask_backends(method: str, user: User, *args: Any) -> bool:
    """Django's loop over the authentication backends (the first yes wins; a backend may
    refuse outright with ``PermissionDenied``), with no superuser short cut before it."""
    for backend in get_backends():
        check = getattr(backend, method, None)
        if check is None:
            continue
        try:
            if check(user, *args):
                return True
        except PermissionDenied:
            return False
    return False
