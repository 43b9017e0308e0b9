"""``sightline monitor-access``: run access monitoring over the reads since a time.

The background worker (``sightline run-worker``) runs the same every
``SIGHTLINE_MONITOR_INTERVAL_MINUTES``; running it again over the same reads finds
nothing new.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.access.actions import monitor_access
from sightline.access.models import FindingKind
from sightline.access.monitoring import MonitoringSettingError
from sightline.audit.actions import CLI


def _moment(text: str, option: str) -> dt.datetime:
    """An ISO date or date and time; local time unless it says otherwise."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"{option} {text!r} is not a date or time like 2025-06-02 or 2025-06-02T08:00"
        ) from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Put on the access review queue users who opened many records within an hour, "
        "records out of hours, or a record with their own surname and home postcode."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            help="look at reads from this date or time (default: the last "
            "SIGHTLINE_MONITOR_LOOKBACK_HOURS hours)",
        )
        parser.add_argument("--until", help="and up to this date or time (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        until = _moment(options["until"], "--until") if options["until"] else now
        since = (
            _moment(options["since"], "--since")
            if options["since"]
            else now - dt.timedelta(hours=settings.SIGHTLINE_MONITOR_LOOKBACK_HOURS)
        )
        if since >= until:
            raise CommandError("--since must be before --until")
        try:
            result = monitor_access(since=since, until=until, origin=CLI)
        except MonitoringSettingError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{result.reads} reads from {timezone.localtime(since):%Y-%m-%d %H:%M} "
            f"to {timezone.localtime(until):%Y-%m-%d %H:%M}"
        )
        for kind in FindingKind:
            made, grew = result.created.get(kind, 0), result.extended.get(kind, 0)
            self.stdout.write(f"  {kind.label}: {made} new, {grew} with more reads")
