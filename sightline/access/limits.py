"""Rate limits kept in the database, so every worker process counts the same requests.

A fixed window per key: "60/hour" allows 60 hits in each clock hour. A refused hit is
not counted. Rows of past windows are removed as new windows start.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sightline.access.models import RateCounter

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def __str__(self) -> str:
        period = next(name for name, seconds in _PERIODS.items() if seconds == self.seconds)
        return f"{self.count}/{period}"


def parse_rate(text: str) -> Rate:
    """``"60/hour"`` -> Rate(60, 3600). Raises ValueError for anything else."""
    match = _RATE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a rate like 60/hour (second, minute, hour or day)")
    return Rate(count=int(match[1]), seconds=_PERIODS[match[2]])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    used: int
    # Seconds until the window ends (when a refused caller may try again).
    retry_after: int


def _window_start(moment: dt.datetime, seconds: int) -> dt.datetime:
    epoch = int(moment.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def hit(key: str, rate: Rate, *, now: dt.datetime | None = None) -> Verdict:
    """Count one request for ``key`` if the window has room; say whether it may go on."""
    moment = now or timezone.now()
    start = _window_start(moment, rate.seconds)
    retry_after = max(1, int((start + dt.timedelta(seconds=rate.seconds) - moment).total_seconds()))
    with transaction.atomic():
        counter, created = RateCounter.objects.select_for_update().get_or_create(
            key=key, window_start=start
        )
        if created:
            RateCounter.objects.filter(key=key, window_start__lt=start).delete()
        if counter.count >= rate.count:
            return Verdict(allowed=False, used=counter.count, retry_after=retry_after)
        RateCounter.objects.filter(pk=counter.pk).update(count=F("count") + 1)
    return Verdict(allowed=True, used=counter.count + 1, retry_after=retry_after)
