"""A failed sign-in is a denial: it goes into the audit trail like any other.

Django's sign-in reports failures only through its ``user_login_failed`` signal, so this
receiver is the one place the audit row can be written (django-axes counts the same
failures for the lockout).
"""

from typing import Any

from django.http import HttpRequest

from sightline.accounts.models import User
from sightline.audit.actions import CLI, Origin, record_audit
from sightline.audit.models import AuditAction


def audit_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:150]
    user = User.objects.filter(username=username).first() if username else None
    record_audit(
        actor=user,
        action=AuditAction.DENIED,
        origin=Origin.from_request(request) if request is not None else CLI,
        detail={"intent": "sign_in", "username": username},
    )
