"""``sightline bench-chronology``: how fast a child's page and API chronology are served.

Makes sure the database holds at least ``--total-events`` events (adding synthetic
benchmark people and events through the ordinary actions if needed), with one child who
has ``--child-events`` events from five agencies, then times ``--requests`` requests of:
the child's page, the page filtered by agency, the API chronology and the API filtered.
Beside each it times the same SELECT statements run directly on a database cursor.
Requests go through Django's full stack in-process (middleware, session, access check,
audit write, template or JSON rendering); no network.
"""

import datetime as dt
import json
import platform
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import CLI
from sightline.chronology.actions import record_events
from sightline.chronology.benchmark import Timing, summarise
from sightline.chronology.models import ChronologyEvent
from sightline.chronology.vocabulary import STARTING_VOCABULARY
from sightline.importing.rows import EventRow, PersonRecordRow
from sightline.people.actions import record_involvement, upsert_source_records
from sightline.people.models import InvolvementRole, Person, SourceRecord
from sightline.people.normalise import nhs_check_digit

AGENCIES = [
    ("BENCH-CSC", AgencyKind.CHILDRENS_SOCIAL_CARE),
    ("BENCH-POLICE", AgencyKind.POLICE),
    ("BENCH-HEALTH", AgencyKind.HEALTH),
    ("BENCH-EDUCATION", AgencyKind.EDUCATION),
    ("BENCH-HOUSING", AgencyKind.HOUSING),
]
BATCH = 5000


def _nhs(n: int) -> str:
    base = 999_500_000 + n * 3
    while (check := nhs_check_digit(f"{base:09d}")) is None:
        base += 1
    return f"{base:09d}{check}"


class Command(BaseCommand):
    help = "Time the child's page and API chronology for a child with many events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--total-events", type=int, default=200_000)
        parser.add_argument("--child-events", type=int, default=2_000)
        parser.add_argument("--requests", type=int, default=50)
        parser.add_argument("--allow-sqlite", action="store_true", help="for a quick look only")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql" and not options["allow_sqlite"]:
            raise CommandError(
                "The benchmark is defined on PostgreSQL: set DATABASE_URL (or pass --allow-sqlite)."
            )
        if options["requests"] < 50:
            raise CommandError("--requests must be at least 50")
        # Pages are served as in production: hashed static file names from the manifest.
        call_command("collectstatic", interactive=False, verbosity=0)
        agencies = self._agencies()
        child = self._child(agencies, options["child_events"])
        self._fill(agencies, options["total_events"])
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum would have gathered on a live system.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        user = self._viewer(agencies[0], child)

        client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
        client.force_login(user)
        # A session verified with a second factor, as a real user's is outside demo mode.
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        secure = bool(settings.SECURE_SSL_REDIRECT)
        page = reverse("person-detail", kwargs={"public_id": child.public_id})
        api = f"/api/v1/people/{child.public_id}/chronology/"
        cases = [
            ("page, first page", page, {}),
            ("page, filtered by agency", page, {"agency": "BENCH-POLICE"}),
            ("API, first page", api, {}),
            ("API, filtered by agency", api, {"agency": "BENCH-POLICE"}),
        ]
        results: list[tuple[Timing, Timing]] = []
        # Each run makes about 220 API calls as one user: a few runs in an hour would meet
        # the default hourly quota (429). The rate check still runs on every call, against
        # a quota the benchmark cannot reach.
        with override_settings(SIGHTLINE_API_DEFAULT_RATE="1000000/hour"):
            for name, url, params in cases:
                results.append(self._time(client, name, url, params, options["requests"], secure))

        total_events = ChronologyEvent.objects.count()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "events_in_database": total_events,
                        "child_events": child.events.count(),
                        "cases": [
                            {
                                "case": t.name,
                                "median_ms": t.median_ms,
                                "p95_ms": t.p95_ms,
                                "raw_median_ms": r.median_ms,
                                "raw_p95_ms": r.p95_ms,
                                "samples": t.samples,
                            }
                            for t, r in results
                        ],
                    },
                    indent=2,
                )
            )
            return
        self.stdout.write(
            f"bench-chronology on {connection.vendor} {connection.settings_dict.get('NAME')}, "
            f"{platform.node()} ({platform.machine()}), {timezone.now():%Y-%m-%d %H:%M %Z}"
        )
        self.stdout.write(
            f"events in database: {total_events:,}; child's events: {child.events.count():,}; "
            f"requests per case: {options['requests']}"
        )
        header = f"{'case':28} {'median ms':>10} {'p95 ms':>8} {'raw SQL median':>15} {'raw SQL p95':>12} {'p95 / raw':>10}"
        self.stdout.write(header)
        for timing, raw in results:
            ratio = timing.p95_ms / raw.p95_ms if raw.p95_ms else float("inf")
            self.stdout.write(
                f"{timing.name:28} {timing.median_ms:10.1f} {timing.p95_ms:8.1f} "
                f"{raw.median_ms:15.2f} {raw.p95_ms:12.2f} {ratio:9.1f}x"
            )

    def _time(
        self, client: Client, name: str, url: str, params: dict[str, str], n: int, secure: bool
    ) -> tuple[Timing, Timing]:
        for _ in range(5):  # warm caches and connections
            response = client.get(url, params, secure=secure)
            if response.status_code != 200:
                raise CommandError(f"{name}: {url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            client.get(url, params, secure=secure)
        selects = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith("SELECT") and "audit_" not in q["sql"]
        ]
        request_times, raw_times = [], []
        for _ in range(n):
            start = time.perf_counter()
            client.get(url, params, secure=secure)
            request_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            with connection.cursor() as cursor:
                for sql in selects:
                    cursor.execute(sql)
                    cursor.fetchall()
            raw_times.append(time.perf_counter() - start)
        return summarise(name, request_times), summarise(name, raw_times)

    def _agencies(self) -> list[Agency]:
        return [
            Agency.objects.get_or_create(
                code=code, defaults={"name": f"Benchmark {kind.label}", "kind": kind}
            )[0]
            for code, kind in AGENCIES
        ]

    def _categories(self, agency: Agency) -> list[str]:
        return [code for code, _ in STARTING_VOCABULARY.get(agency.kind, [])] or ["other"]

    def _person(self, agencies: list[Agency], n: int) -> Person:
        for agency in agencies:
            upsert_source_records(
                actor=None,
                agency=agency,
                origin=CLI,
                rows=[
                    PersonRecordRow(
                        line=2,
                        record_id=f"B{n}",
                        agency=agency.code,
                        given_name="Bench",
                        family_name=f"Child{n}",
                        date_of_birth=dt.date(2014, 1, 1) + dt.timedelta(days=n % 3000),
                        sex="F",
                        nhs_number=_nhs(n),
                        postcode="LS1 4AP",
                    )
                ],
            )
        return SourceRecord.objects.get(agency=agencies[0], record_id=f"B{n}").person

    def _events(self, agencies: list[Agency], n: int, count: int) -> None:
        start = dt.datetime(2012, 1, 1, 9, tzinfo=dt.UTC)
        rows: dict[Agency, list[EventRow]] = {a: [] for a in agencies}
        for i in range(count):
            agency = agencies[i % len(agencies)]
            categories = self._categories(agency)
            rows[agency].append(
                EventRow(
                    line=i + 2,
                    event_id=f"B{n}-{i}",
                    agency=agency.code,
                    subject_record_id=f"B{n}",
                    occurred_at=start + dt.timedelta(hours=37 * i),
                    date_only=False,
                    category=categories[i % len(categories)],
                    summary=f"Synthetic benchmark event {i} for child {n}.",
                    significance=("low", "medium", "high")[i % 3],
                )
            )
        for agency, agency_rows in rows.items():
            for offset in range(0, len(agency_rows), BATCH):
                record_events(
                    actor=None, agency=agency, rows=agency_rows[offset : offset + BATCH], origin=CLI
                )

    def _child(self, agencies: list[Agency], events: int) -> Person:
        person = self._person(agencies, 0)
        if person.events.count() < events:
            self._events(agencies, 0, events)
        return person

    def _fill(self, agencies: list[Agency], total: int) -> None:
        n = Person.objects.filter(source_records__agency=agencies[0]).distinct().count()
        while (have := ChronologyEvent.objects.count()) < total:
            self.stdout.write(f"adding benchmark events: {have:,} of {total:,}")
            self._person(agencies, n)
            self._events(agencies, n, min(5_000, total - have))
            n += 1

    def _viewer(self, agency: Agency, child: Person) -> User:
        user, created = User.objects.get_or_create(
            username="bench.viewer", defaults={"agency": agency, "role": Role.PRACTITIONER}
        )
        if created:
            user.set_unusable_password()
            user.save()
        if not child.involvements.filter(practitioner=user).exists():
            record_involvement(
                actor=None,
                person=child,
                agency=agency,
                practitioner=user,
                role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
                started_on=dt.date(2012, 1, 1),
                origin=CLI,
            )
        return user
