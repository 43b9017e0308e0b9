"""Lockout after repeated failed sign-ins (django-axes), by username and by address.

``AXES_FAILURE_LIMIT`` wrong passwords for one username lock that username; an address
is locked after ``SIGHTLINE_LOCKOUT_ADDRESS_FACTOR`` times as many (many practitioners
share an office's address, so the same small limit would lock a whole office, but one
address trying password after password across usernames is a spraying attack).

The address is the client's, not a reverse proxy's (``AXES_CLIENT_IP_CALLABLE``:
``sightline.access.clientip``, with ``SIGHTLINE_TRUSTED_PROXIES``).
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        # One count per entry of AXES_LOCKOUT_PARAMETERS: username first, then address.
        by_username = counts[0] if counts else 0
        by_address = counts[1] if len(counts) > 1 else 0
        return max(by_username, by_address // settings.SIGHTLINE_LOCKOUT_ADDRESS_FACTOR)
