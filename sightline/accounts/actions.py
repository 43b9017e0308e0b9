"""Creating users, issuing passwords and API tokens, recording a user's home postcode.
Each action writes its audit row.

Passwords are generated here (``secrets``), returned once for the caller to hand over,
and never written to the audit trail or anywhere else in clear.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from rest_framework.authtoken.models import Token

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, Team
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.people import normalise


class AccountError(ValueError):
    """The request cannot be carried out; the message says why, for the person asking."""


@dataclass(frozen=True)
class NewUser:
    user: User
    # The generated password, to be shown once; None if the account cannot log in yet.
    password: str | None


def generate_password(user: User | None = None) -> str:
    """A random password that satisfies the configured password validators."""
    while True:
        password = secrets.token_urlsafe(15)  # 20 characters, about 120 bits
        try:
            password_validation.validate_password(password, user)
        except ValidationError:  # e.g. by chance too like the username; draw again
            continue
        return password


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    agency: Agency,
    role: str,
    email: str,
    origin: Origin,
    team: Team | None = None,
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
    phone: str = "",
    can_log_in: bool = True,
    home_postcode: str = "",
) -> NewUser:
    """A new user of ``agency``; with ``can_log_in`` a password is generated and returned.

    Without it the account has no usable password until ``reset_password`` issues one.
    """
    username = username.strip()
    if not username:
        raise AccountError("a username is needed")
    try:
        User.username_validator(username)
    except ValidationError as error:
        raise AccountError(f"{username!r} is not a valid username: {error.messages[0]}") from error
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"there is already a user called {username!r}")
    if role not in Role.values:
        raise AccountError(f"unknown role {role!r}; one of: {', '.join(Role.values)}")
    try:
        validate_email(email)
    except ValidationError as error:
        raise AccountError(f"{email!r} is not an e-mail address") from error
    if team is not None and team.agency_id != agency.pk:
        raise AccountError(f"team {team.name!r} belongs to {team.agency.code}, not {agency.code}")
    postcode = _home_postcode(home_postcode)
    user = User(
        username=username,
        email=email,
        agency=agency,
        team=team,
        role=role,
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
        phone=phone,
        home_postcode=postcode,
    )
    password = generate_password(user) if can_log_in else None
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    record_audit(
        actor=actor,
        action=AuditAction.CREATE_USER,
        origin=origin,
        detail={
            "username": username,
            "user_id": user.pk,
            "agency": agency.code,
            "role": role,
            "team": team.name if team else None,
            "can_log_in": can_log_in,
            "home_postcode": bool(postcode),
        },
    )
    return NewUser(user=user, password=password)


def _home_postcode(text: str) -> str:
    if not text.strip():
        return ""
    if not normalise.is_valid_postcode(text):
        raise AccountError(f"{text!r} is not a UK postcode")
    return normalise.postcode(text)


@transaction.atomic
def set_home_postcode(*, actor: User | None, user: User, postcode: str, origin: Origin) -> str:
    """Record (or, blank, remove) ``user``'s home postcode, normalised; returns it. The
    audit row says that it changed, not what it is."""
    value = _home_postcode(postcode)
    user.home_postcode = value
    user.save(update_fields=["home_postcode"])
    record_audit(
        actor=actor,
        action=AuditAction.SET_HOME_POSTCODE,
        origin=origin,
        detail={"username": user.username, "user_id": user.pk, "recorded": bool(value)},
    )
    return value


@transaction.atomic
def reset_password(*, actor: User | None, user: User, origin: Origin) -> str:
    """Issue ``user`` a new generated password (returned once); the old one stops working."""
    if not user.is_active:
        raise AccountError(f"{user.username} is deactivated")
    password = generate_password(user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record_audit(
        actor=actor,
        action=AuditAction.RESET_PASSWORD,
        origin=origin,
        detail={"username": user.username, "user_id": user.pk},
    )
    return password


@transaction.atomic
def create_api_token(*, actor: User | None, user: User, origin: Origin) -> str:
    """A new API token for ``user``, replacing any they had (one token per user). It
    reads only: write is given on its own (``access.actions.set_token_policy``)."""
    if not user.is_active:
        raise AccountError(f"{user.username} is deactivated")
    replaced, _ = Token.objects.filter(user=user).delete()
    token: Token = Token.objects.create(user=user)
    record_audit(
        actor=actor,
        action=AuditAction.CREATE_API_TOKEN,
        origin=origin,
        detail={"username": user.username, "user_id": user.pk, "replaced": bool(replaced)},
    )
    return str(token.key)


@transaction.atomic
def change_role(*, actor: User, user: User, role: str, reason: str, origin: Origin) -> User:
    """Give ``user`` another role (granting one; taking one away is giving back
    ``Role.PRACTITIONER``), with the reason in the audit row. An administrator may not
    change their own role (so there is always one administrator left: the actor)."""
    if not (actor.is_active and actor.role == Role.ADMINISTRATOR):
        raise AccountError("only an administrator changes a user's role")
    if role not in Role.values:
        raise AccountError(f"unknown role {role!r}")
    reason = reason.strip()
    if not reason:
        raise AccountError("give the reason for the change")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise AccountError("you cannot change your own role: ask another administrator")
    if not user.is_active:
        raise AccountError(f"{user.username} is deactivated")
    if user.role == role:
        raise AccountError(f"{user} is already a {Role(role).label.lower()}")
    before = user.role
    user.role = role
    user.save(update_fields=["role"])
    record_audit(
        actor=actor,
        action=AuditAction.CHANGE_ROLE,
        origin=origin,
        reason=reason[:2000],
        detail={"username": user.username, "user_id": user.pk, "from": before, "to": role},
    )
    return user
