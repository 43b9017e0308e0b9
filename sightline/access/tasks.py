"""Access monitoring in the background worker (django-tasks, database backend).

``sightline run-worker`` wakes it on start; each run looks at the last
``SIGHTLINE_MONITOR_LOOKBACK_HOURS`` of reads (so a worker that was down a while misses
nothing; findings are idempotent) and schedules the next in
``SIGHTLINE_MONITOR_INTERVAL_MINUTES``. The body only calls the action.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from sightline.audit.actions import Origin

READY = "READY"
JOB = Origin(via="job")


@task(priority=-5)
def monitor_access() -> dict[str, int]:
    from django.conf import settings

    from sightline.access import actions

    now = timezone.now()
    try:
        result = actions.monitor_access(
            since=now - dt.timedelta(hours=settings.SIGHTLINE_MONITOR_LOOKBACK_HOURS),
            until=now,
            origin=JOB,
        )
    finally:
        wake_monitoring(at=now + dt.timedelta(minutes=settings.SIGHTLINE_MONITOR_INTERVAL_MINUTES))
    return {
        "reads": result.reads,
        "created": sum(result.created.values()),
        "extended": sum(result.extended.values()),
    }


def wake_monitoring(*, at: dt.datetime | None = None) -> None:
    """Enqueue a run (at ``at``) unless one that starts by then is already queued."""
    backend = monitor_access.get_backend()
    if isinstance(backend, DatabaseBackend):
        by = at or timezone.now()
        queued = DBTaskResult.objects.filter(
            task_path=monitor_access.module_path, status=READY, backend_name=backend.alias
        ).filter(Q(run_after=get_date_max()) | Q(run_after__lte=by))
        if queued.exists():
            return
    (monitor_access.using(run_after=at) if at is not None else monitor_access).enqueue()
