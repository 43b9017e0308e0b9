"""Reading the closures table and computing deadlines with it."""

import datetime as dt

from sightline.deadlines import rules
from sightline.deadlines.models import LocalClosure


def local_closures() -> frozenset[dt.date]:
    """Every live local closure day, for ``sightline.calendars``."""
    return frozenset(LocalClosure.objects.live().values_list("date", flat=True))


def deadline(
    step: rules.Step | str, start: dt.date, *, version: str = rules.CURRENT_VERSION
) -> rules.Deadline:
    """``rules.deadline`` with today's local closures."""
    return rules.deadline(step, start, closures=local_closures(), version=version)
