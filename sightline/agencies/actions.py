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
    """The request cannot be carried out; the message says why, for the person asking,
    and ``field`` names the form field it is about, when one is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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
    ods_code: str = "",
    urn: str = "",
) -> Agency:
    """A new agency. Codes are upper case (e.g. ``CSC``) and never reused."""
    ods_code, urn = _national_codes(ods_code, urn)
    if not _CODE.match(code):
        raise AgencyError(
            f"{code!r} is not an agency code: 2 to 32 capital letters, digits or _, "
            "starting with a letter (e.g. CSC, POLICE)"
        )
    if kind not in AgencyKind.values:
        raise AgencyError(f"unknown kind {kind!r}; one of: {', '.join(AgencyKind.values)}")
    if not name.strip():
        raise AgencyError("an agency needs a name", field="name")
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
        ods_code=ods_code,
        urn=urn,
    )
    record_audit(
        actor=actor,
        action=AuditAction.CREATE_AGENCY,
        origin=origin,
        detail={"agency": code, "name": agency.name, "kind": kind},
    )
    return agency


def code_for(name: str) -> str:
    """An unused agency code made from ``name`` ("Leeds Children's Social Care" gives
    ``LEEDS_CHILDRENS_SOCIAL_CARE``), so that nobody types one in the app."""
    words = re.findall(r"[A-Z0-9]+", name.upper().replace("'", ""))
    base = "_".join(words)[:28].rstrip("_") or "AGENCY"
    if not base[0].isalpha():
        base = f"A_{base}"[:28]
    base = base if len(base) >= 2 else f"{base}_AGENCY"
    code, n = base, 1
    while Agency.objects.filter(code=code).exists():
        n += 1
        code = f"{base}_{n}"
    return code


@transaction.atomic
def update_agency(
    *,
    actor: User,
    agency: Agency,
    origin: Origin,
    name: str,
    kind: str,
    office_hours_phone: str = "",
    out_of_hours_phone: str = "",
    email: str = "",
    ods_code: str = "",
    urn: str = "",
) -> Agency:
    """Change an agency's name, kind, contact details or national codes; its code stays
    (submissions and users name it). The audit row lists what changed, before and after."""
    ods_code, urn = _national_codes(ods_code, urn)
    if kind not in AgencyKind.values:
        raise AgencyError(f"unknown kind {kind!r}; one of: {', '.join(AgencyKind.values)}")
    if not name.strip():
        raise AgencyError("an agency needs a name", field="name")
    if email:
        _check_email(email)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    after = {
        "name": name.strip(),
        "kind": kind,
        "office_hours_phone": office_hours_phone.strip(),
        "out_of_hours_phone": out_of_hours_phone.strip(),
        "email": email.strip(),
        "ods_code": ods_code,
        "urn": urn,
    }
    changed = {
        field: [getattr(agency, field), value]
        for field, value in after.items()
        if getattr(agency, field) != value
    }
    if not changed:
        raise AgencyError("nothing has changed", field="name")
    for field, (_, value) in changed.items():
        setattr(agency, field, value)
    agency.save(update_fields=list(changed))
    record_audit(
        actor=actor,
        action=AuditAction.UPDATE_AGENCY,
        origin=origin,
        detail={"agency": agency.code, "changed": changed},
    )
    return agency


_ODS = re.compile(r"^[A-Z0-9]{3,10}$")
_URN = re.compile(r"^[0-9]{6}$")


def _national_codes(ods_code: str, urn: str) -> tuple[str, str]:
    ods_code = ods_code.strip().upper()
    urn = urn.strip()
    if ods_code and not _ODS.match(ods_code):
        raise AgencyError(
            f"{ods_code!r} is not an ODS code: 3 to 10 letters and digits, for example RR8",
            field="ods_code",
        )
    if urn and not _URN.match(urn):
        raise AgencyError(f"{urn!r} is not a URN: a school's URN is 6 digits", field="urn")
    return ods_code, urn


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
        raise AgencyError(f"{email!r} is not an e-mail address", field="email") from error
