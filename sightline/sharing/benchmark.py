"""The alert benchmark: events about flagged children recorded at a steady rate by
separate transactions, worker processes delivering them, and a poller watching inboxes.

Latency is measured from the event's commit (the first callback after commit, in the
recording thread) to the moment a poller in this process, querying every
``poll_interval`` seconds, first sees the social worker's inbox item: an upper bound,
too high by up to one poll interval. The worker's own timestamp on the item (set just
before its commit) gives a lower bound; both are reported.
"""

import datetime as dt
import functools
import math
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind, Team
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.importing.rows import EventRow
from sightline.importing.submissions import submit_events
from sightline.people import normalise
from sightline.people.models import (
    Involvement,
    InvolvementRole,
    Person,
    SourceRecord,
    StatusKind,
    StatusPeriod,
)
from sightline.sharing.models import Alert, InboxItem, OutboundEmail

AUTHORITY = "BENCH-ALERTS-CSC"
RECORDER = "BENCH-ALERTS-HEALTH"
BENCH = Origin(via="cli")
DUTY_EMAIL = "duty@bench.invalid"


@dataclass
class Figures:
    database: str
    rate: float
    seconds: float
    producers: int
    workers: int
    events: int
    achieved_rate: float
    alerts: int
    delivered: int
    lost: int
    duplicated: int
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    latency_max_ms: float
    worker_stamp_p95_ms: float
    poll_interval_ms: float
    emails_expected: int
    emails_sent: int
    emails_received: int
    emails_received_twice: int
    drain_seconds: float
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def prepare(children: int, workers: int) -> str:
    """Flagged children, each with an allocated social worker and a health record."""
    authority, _ = Agency.objects.get_or_create(
        code=AUTHORITY,
        defaults={
            "name": "Benchmark Children's Social Care",
            "kind": AgencyKind.CHILDRENS_SOCIAL_CARE,
            "office_hours_phone": "0113 496 0000",
            "out_of_hours_phone": "0113 496 0999",
        },
    )
    recorder, _ = Agency.objects.get_or_create(
        code=RECORDER, defaults={"name": "Benchmark Health", "kind": AgencyKind.HEALTH}
    )
    team, _ = Team.objects.get_or_create(
        agency=authority, name="Benchmark duty", defaults={"duty_email": DUTY_EMAIL}
    )
    run = uuid.uuid4().hex[:8]
    # The synthetic data is recorded as such (and the audit chain exists before the
    # recording threads race to start it).
    record_audit(
        actor=None,
        action=AuditAction.LOAD_DEMO_DATA,
        origin=BENCH,
        detail={"benchmark": "bench-alerts", "run": run, "children": children},
    )
    social_workers = User.objects.bulk_create(
        User(
            username=f"bench-sw-{run}-{n}",
            email=f"sw{n}-{run}@bench.invalid",
            agency=authority,
            team=team,
            role=Role.PRACTITIONER,
        )
        for n in range(workers)
    )
    people = Person.objects.bulk_create(
        Person(
            given_name="Bench",
            family_name=f"Child{run}{n}",
            search_name=normalise.search_name("Bench", f"Child{run}{n}"),
            date_of_birth=dt.date(2015, 1, 1),
        )
        for n in range(children)
    )
    today = timezone.localdate()
    Involvement.objects.bulk_create(
        Involvement(
            person=person,
            agency=authority,
            practitioner=social_workers[n % workers],
            role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
            started_on=today - dt.timedelta(days=30),
        )
        for n, person in enumerate(people)
    )
    StatusPeriod.objects.bulk_create(
        StatusPeriod(
            person=person,
            kind=StatusKind.CHILD_PROTECTION,
            protection_category="neglect",
            started_on=today - dt.timedelta(days=30),
            recorded_by_agency=authority,
        )
        for person in people
    )
    now = timezone.now()
    SourceRecord.objects.bulk_create(
        SourceRecord(
            agency=recorder,
            record_id=f"bench-{run}-{n}",
            person=person,
            given_name=person.given_name,
            family_name=person.family_name,
            date_of_birth=person.date_of_birth,
            received_at=now,
            updated_at=now,
        )
        for n, person in enumerate(people)
    )
    return run


class Poller(threading.Thread):
    """Watches the inboxes: the first time each alert's worker item is seen."""

    def __init__(self, interval: float) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.seen: dict[int, float] = {}
        self.stamped: dict[int, dt.datetime] = {}
        self.items: set[int] = set()
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            while not self._halt.is_set():
                # Items are stamped just before their transaction commits: a short window
                # back from now finds every newly visible one without rereading them all.
                window = timezone.now() - dt.timedelta(seconds=3)
                rows = InboxItem.objects.filter(
                    created_at__gte=window, user__isnull=False
                ).values_list("id", "alert_id", "created_at")
                observed = time.time()
                for item_id, alert_id, created_at in rows:
                    if item_id not in self.items:
                        self.items.add(item_id)
                        self.seen.setdefault(alert_id, observed)
                        self.stamped.setdefault(alert_id, created_at)
                self._halt.wait(self.interval)
        finally:
            connection.close()

    def stop(self) -> None:
        self._halt.set()
        self.join()


def produce(
    *, prepared: str, index: int, producers: int, start: float, rate: float, total: int, run: str
) -> list[tuple[int, float]]:
    """One producer process: events ``index``, ``index + producers``... at their slots,
    each in its own transaction. Returns (alert id, commit time) pairs."""
    agency = Agency.objects.get(code=RECORDER)
    records = list(
        SourceRecord.objects.filter(
            agency=agency, record_id__startswith=f"bench-{prepared}-"
        ).order_by("pk")
    )
    committed: list[tuple[int, float]] = []
    for i in range(index, total, producers):
        due = start + i / rate
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)
        record = records[i % len(records)]
        row = EventRow(
            line=i + 1,
            event_id=f"bench-{run}-{i}",
            agency=agency.code,
            subject_record_id=record.record_id,
            occurred_at=timezone.now(),
            date_only=False,
            category="emergency_attendance",
            summary="Benchmark attendance",
        )
        stamp: list[float] = []
        with transaction.atomic():
            # First callback after commit: the commit time, before the worker's wake-up.
            transaction.on_commit(functools.partial(_stamp, stamp))
            submit_events(actor=None, agency=agency, rows=[row], origin=BENCH)
        # After the commit (the audit chain's lock is held until then): which alert it was.
        alert_id = (
            Alert.objects.filter(person_id=record.person_id)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        if alert_id is not None:
            committed.append((alert_id, stamp[0]))
    return committed


def _stamp(into: list[float]) -> None:
    into.append(time.time())


def start_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "sightline", "run-worker", "--interval", "0.05", "-v", "0"],
            env=os.environ | env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def start_producers(
    producers: int, *, prepared: str, start: float, rate: float, total: int, run: str
) -> list[subprocess.Popen[bytes]]:
    """Producers are processes: one Python process cannot record 100 events a second
    through the whole stack while also polling."""
    return [
        subprocess.Popen(  # noqa: S603 - our own command
            [
                sys.executable,
                "-m",
                "sightline",
                "bench-alerts",
                "--produce",
                f"{prepared},{index},{producers},{start},{rate},{total},{run}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        for index in range(producers)
    ]


def run(
    *,
    rate: float,
    seconds: float,
    producers: int,
    workers: int,
    children: int,
    poll_interval: float,
    drain: float,
    worker_env: dict[str, str],
    received: list[str] | None,
) -> Figures:
    prepared = prepare(children, max(1, children // 10))
    run_id = uuid.uuid4().hex[:8]
    total = int(rate * seconds)
    committed: dict[int, float] = {}
    processes = start_workers(workers, worker_env)
    poller = Poller(poll_interval)
    producing: list[subprocess.Popen[bytes]] = []
    try:
        start = time.time() + 8  # the workers and producers start Django first
        producing = start_producers(
            producers, prepared=prepared, start=start, rate=rate, total=total, run=run_id
        )
        poller.start()
        for process in producing:
            out, _ = process.communicate()
            for line in out.decode().splitlines():
                alert_id, stamp = line.split()
                committed[int(alert_id)] = float(stamp)
        # Over the window from the first slot to the last commit.
        produced_in = (max(committed.values()) if committed else time.time()) - start
        drain_start = time.time()
        while time.time() - drain_start < drain and not set(committed) <= set(poller.seen):
            time.sleep(0.2)
        drained_in = time.time() - drain_start
        # E-mail: wait for the outbox to empty too (not part of the latency figure).
        alert_ids = list(committed)
        keys = _email_keys(alert_ids)
        expected_emails = 2 * len(alert_ids)
        while time.time() - drain_start < drain * 2:
            if OutboundEmail.objects.filter(key__in=keys, sent_at__isnull=False).count() >= (
                expected_emails
            ):
                break
            time.sleep(0.5)
    finally:
        for process in [*processes, *producing]:
            if process.poll() is None:
                process.terminate()
        for process in [*processes, *producing]:
            process.wait(timeout=30)
        if poller.is_alive():
            poller.stop()
    latencies = [(poller.seen[a] - committed[a]) * 1000 for a in committed if a in poller.seen]
    stamps = [
        (poller.stamped[a].timestamp() - committed[a]) * 1000
        for a in committed
        if a in poller.stamped
    ]
    items = Counter(
        InboxItem.objects.filter(alert_id__in=alert_ids).values_list("alert_id", flat=True)
    )
    lost = sum(1 for a in alert_ids if items.get(a, 0) == 0)
    duplicated = sum(1 for a in alert_ids if items.get(a, 0) > 2)  # worker + duty inbox
    emails_sent = OutboundEmail.objects.filter(key__in=keys, sent_at__isnull=False).count()
    message_ids = set(
        OutboundEmail.objects.filter(key__in=keys).values_list("message_id", flat=True)
    )
    mine = [m for m in (received or []) if m in message_ids]
    twice = sum(1 for count in Counter(mine).values() if count > 1)
    return Figures(
        database=connection.vendor,
        rate=rate,
        seconds=seconds,
        producers=producers,
        workers=workers,
        events=total,
        achieved_rate=round(len(committed) / produced_in, 1) if produced_in else math.nan,
        alerts=len(alert_ids),
        delivered=len(alert_ids) - lost,
        lost=lost,
        duplicated=duplicated,
        latency_p50_ms=round(statistics.median(latencies), 1) if latencies else math.nan,
        latency_p95_ms=round(percentile(latencies, 0.95), 1),
        latency_p99_ms=round(percentile(latencies, 0.99), 1),
        latency_max_ms=round(max(latencies), 1) if latencies else math.nan,
        worker_stamp_p95_ms=round(percentile(stamps, 0.95), 1),
        poll_interval_ms=poll_interval * 1000,
        emails_expected=expected_emails,
        emails_sent=emails_sent,
        emails_received=len(set(mine)) if received is not None else -1,
        emails_received_twice=twice,
        drain_seconds=round(drained_in, 1),
    )


def _email_keys(alert_ids: list[int]) -> list[str]:
    """The outbox keys of the run's e-mails: the allocated worker and the duty inbox."""
    keys: list[str] = []
    rows = Alert.objects.filter(pk__in=alert_ids).values_list(
        "public_id", "person__involvements__practitioner__email"
    )
    for public_id, address in rows:
        keys += [f"alert:{public_id}:{address}", f"alert:{public_id}:{DUTY_EMAIL}"]
    return keys
