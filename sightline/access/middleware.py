"""Sessions end after 30 minutes idle or 12 hours in all; outside demo mode a signed-in
user must have confirmed an authentication code before anything else.

Both run after ``AuthenticationMiddleware`` and django-otp's ``OTPMiddleware``. A disabled
account's session ends on its next request anyway: Django's backend refuses to load an
inactive user.
"""

import time
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django_htmx.http import HttpResponseClientRedirect

from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction

STARTED = "sightline_session_started"
SEEN = "sightline_session_seen"
# Last-seen is rewritten at most this often (seconds), to spare a session write per request.
SEEN_GRANULARITY = 30

Handler = Callable[[HttpRequest], HttpResponseBase]


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _is_htmx(request: HttpRequest) -> bool:
    # HtmxMiddleware runs later, so read the header itself.
    return request.headers.get("HX-Request") == "true"


def _sign_in_again(request: HttpRequest) -> HttpResponseBase:
    target = request.get_full_path()
    login_url = redirect_to_login(target).url
    if _is_api(request):
        return JsonResponse({"detail": "Your session has ended. Sign in again."}, status=401)
    if _is_htmx(request):
        return HttpResponseClientRedirect(login_url)
    return redirect(login_url)


class SessionLimitsMiddleware:
    """Idle (``SIGHTLINE_SESSION_IDLE_SECONDS``) and absolute
    (``SIGHTLINE_SESSION_ABSOLUTE_SECONDS``) limits for signed-in sessions."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(STARTED, now)
            seen = session.get(SEEN, now)
            idle = now - int(seen) > settings.SIGHTLINE_SESSION_IDLE_SECONDS
            too_long = now - int(started) > settings.SIGHTLINE_SESSION_ABSOLUTE_SECONDS
            if idle or too_long:
                record_audit(
                    actor=user,
                    action=AuditAction.SESSION_ENDED,
                    origin=Origin.from_request(request, via="api" if _is_api(request) else "page"),
                    detail={"limit": "idle" if idle else "absolute"},
                )
                logout(request)
                return _sign_in_again(request)
            if now - int(seen) >= SEEN_GRANULARITY or SEEN not in session:
                session[SEEN] = now
        return self.get_response(request)


# Paths a signed-in but not yet verified user may reach.
_OPEN_PREFIXES = ("/static/", "/healthz")


class RequireTwoFactorMiddleware:
    """Outside demo mode (``SIGHTLINE_REQUIRE_2FA``) every signed-in session must be
    verified with an authentication code. API calls with a token are not sessions: tokens
    have scopes and rates instead (``sightline.access.api``)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if (
            settings.SIGHTLINE_REQUIRE_2FA
            and isinstance(user, User)
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and not self._open(request)
        ):
            if _is_api(request):
                return JsonResponse(
                    {"detail": "Confirm your sign-in with an authentication code first."},
                    status=403,
                )
            target = reverse("two-factor")
            response: HttpResponse = redirect(f"{target}?next={_safe_next(request)}")
            if _is_htmx(request):
                return HttpResponseClientRedirect(response["Location"])
            return response
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        if request.path.startswith(_OPEN_PREFIXES):
            return True
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            return False
        return name in {"login", "logout", "two-factor", "two-factor-setup"}


def _safe_next(request: HttpRequest) -> str:
    return quote(request.get_full_path(), safe="/")
