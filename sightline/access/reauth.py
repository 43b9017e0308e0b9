"""Re-authentication before emergency access and exports: the password again, and an
authentication code when two-factor authentication is required.

The password goes through ``django.contrib.auth.authenticate`` with the request, so a
wrong one counts towards the lockout (django-axes) like a failed sign-in.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django_otp import match_token

from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction


def two_factor_required() -> bool:
    """Two-factor authentication is required outside demo mode (``SIGHTLINE_REQUIRE_2FA``)."""
    return bool(settings.SIGHTLINE_REQUIRE_2FA)


def reauthenticate(
    request: HttpRequest, user: User, *, password: str, code: str, purpose: str
) -> str | None:
    """None if ``password`` (and ``code``) prove ``user`` is at the keyboard; otherwise the
    message to show, with a denial audited."""
    checked = authenticate(request, username=user.get_username(), password=password)
    problem = None
    if checked is None or checked.pk != user.pk:
        problem = "Your password is not right"
    elif two_factor_required() and match_token(user, code.strip()) is None:
        problem = "The authentication code is not right, or has expired"
    if problem is not None:
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=Origin.from_request(request),
            detail={"intent": "reauthenticate", "for": purpose},
        )
    return problem
