"""The API's access policy: each token's scopes, and a rate limit per token (or per
signed-in user, or per address for anonymous callers). Both are in REST_FRAMEWORK's
defaults, so every endpoint has them; the records themselves are decided and audited by
the same access functions as the pages.

A token reads only (``read``) unless it was given ``write`` explicitly (a ``TokenPolicy``:
``sightline create-api-token USER --write`` or ``set-token-scopes``); its rate is its
policy's or ``SIGHTLINE_API_DEFAULT_RATE``. Refusals write a denial to the audit trail.
"""

from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication as DRFTokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from sightline.access import limits
from sightline.access.clientip import request_client_address
from sightline.access.models import TokenPolicy, TokenScope
from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction


def _policy(token: Token) -> TokenPolicy | None:
    try:
        return token.policy
    except TokenPolicy.DoesNotExist:
        return None


# What a token without a policy may do. Tokens issued before write had to be asked for
# were given a policy with what they had (migration access 0003).
DEFAULT_SCOPES = frozenset({TokenScope.READ.value})


def token_scopes(token: Token) -> set[str]:
    policy = _policy(token)
    return set(policy.scopes if policy is not None else DEFAULT_SCOPES)


def required_scope(method: str) -> TokenScope:
    return TokenScope.READ if method in SAFE_METHODS else TokenScope.WRITE


class TokenAuthentication(DRFTokenAuthentication):
    """DRF's token authentication, remembering when each token was last used (shown to
    administrators beside the token, so that unused ones can be revoked)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        # Imported here: the actions import this module for DEFAULT_SCOPES.
        from sightline.access.actions import note_token_use

        note_token_use(token, at=timezone.now())
        return user, token


def _deny(request: Request, intent: str, **detail: Any) -> None:
    user = request.user
    record_audit(
        actor=user if isinstance(user, User) and user.is_authenticated else None,
        action=AuditAction.DENIED,
        origin=Origin.from_request(request, via="api"),
        detail={"intent": intent, "path": request.path[:200], **detail},
    )


class TokenHasScope(BasePermission):
    """A call made with a token needs the token's scope for its method: ``read`` for
    GET, HEAD and OPTIONS, ``write`` for the rest. Sessions are not limited by scope."""

    message = "This API token does not have the scope this call needs."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, Token):
            return True
        needed = required_scope(request.method or "GET")
        scopes = token_scopes(token)
        if needed in scopes:
            return True
        held = ", ".join(sorted(scopes)) or "none"
        # An instance attribute: DRF reads the refusal's text from the permission.
        self.message = (
            f"This API token does not have the '{needed}' scope this call needs "
            f"(its scopes: {held}). Ask an administrator to give the token '{needed}'."
        )
        _deny(request, "token_scope", needed=str(needed))
        return False


class PerCallerRate(BaseThrottle):
    """A fixed-window rate per token, per signed-in user, or per address (anonymous)."""

    def __init__(self) -> None:
        self._retry_after: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        token = request.auth
        if isinstance(token, Token):
            policy = _policy(token)
            key = f"api:token:{token.pk}"
            rate_text = (
                policy.rate if policy is not None else ""
            ) or settings.SIGHTLINE_API_DEFAULT_RATE
        elif request.user is not None and request.user.is_authenticated:
            key = f"api:user:{request.user.pk}"
            rate_text = settings.SIGHTLINE_API_DEFAULT_RATE
        else:
            # Not DRF's get_ident, which believes any X-Forwarded-For.
            key = f"api:address:{request_client_address(request) or 'unknown'}"
            rate_text = settings.SIGHTLINE_API_DEFAULT_RATE
        rate = limits.parse_rate(rate_text)
        verdict = limits.hit(key, rate)
        if verdict.allowed:
            return True
        self._retry_after = verdict.retry_after
        _deny(request, "api_rate", limit=str(rate))
        return False

    def wait(self) -> float | None:
        return float(self._retry_after) if self._retry_after is not None else None
