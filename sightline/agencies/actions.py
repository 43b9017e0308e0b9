"""Creating agencies and their teams. Each action is atomic and writes its audit row."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from sightline.accounts.models import User
from sightline.agencies.models import Agency, AgencyKind, Team
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction

_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")


class AgencyError(ValueError):
    """The request cannot be carried out; the message says why, for the person asking."""


@transaction.atomic
def create_agency(
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: str,
    origin: Origin,
    office_hours_phone: str = "",
    out_of_hours_phone: str = "",
    email: str = "",
) -> Agency:
    """A new agency. Codes are upper case (e.g. ``CSC``) and never reused."""
    if not _CODE.match(code):
        raise AgencyError(
            f"{code!r} is not an agency code: 2 to 32 capital letters, digits or _, "
            "starting with a letter (e.g. CSC, POLICE)"
        )
    if kind not in AgencyKind.values:
        raise AgencyError(f"unknown kind {kind!r}; one of: {', '.join(AgencyKind.values)}")
    if not name.strip():
        raise AgencyError("an agency needs a name")
    if email:
        _check_email(email)
    if Agency.objects.filter(code=code).exists():
        raise AgencyError(f"there is already an agency with the code {code}")
    agency = Agency.objects.create(
        code=code,
        name=name.strip(),
        kind=kind,
        office_hours_phone=office_hours_phone,
        out_of_hours_phone=out_of_hours_phone,
        email=email,
    )
    record_audit(
        actor=actor,
        action=AuditAction.CREATE_AGENCY,
        origin=origin,
        detail={"agency": code, "name": agency.name, "kind": kind},
    )
    return agency


@transaction.atomic
def create_team(
    *,
    actor: User | None,
    agency: Agency,
    name: str,
    origin: Origin,
    duty_email: str = "",
    phone: str = "",
) -> Team:
    if not name.strip():
        raise AgencyError("a team needs a name")
    if duty_email:
        _check_email(duty_email)
    if Team.objects.filter(agency=agency, name=name.strip()).exists():
        raise AgencyError(f"{agency.code} already has a team called {name.strip()!r}")
    team = Team.objects.create(agency=agency, name=name.strip(), duty_email=duty_email, phone=phone)
    record_audit(
        actor=actor,
        action=AuditAction.CREATE_TEAM,
        origin=origin,
        detail={"agency": agency.code, "team": team.name, "team_id": team.pk},
    )
    return team


def _check_email(email: str) -> None:
    try:
        validate_email(email)
    except ValidationError as error:
        raise AgencyError(f"{email!r} is not an e-mail address") from error
