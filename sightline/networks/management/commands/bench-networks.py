"""``sightline bench-networks``: how fast a child's 2-hop network is served.

Tops the database up to ``--people`` synthetic people, ``--contexts`` places and
``--associations`` associations (``networks.benchmark.load_benchmark_network``), gives a
benchmark practitioner involvements with ``--visible-share`` of the people, then times,
for ``--samples`` children picked at random (seeded):

- the neighbourhood query alone (two indexed queries);
- the neighbourhood as the viewer may see it (plus the visibility query and filtering);
- the JSON endpoint in-process through Django's full stack (access check, two audit rows,
  JSON rendering);
- the network with its signals (what the child's page panel computes).

Prints median and p95 for each, with the machine, database and date.
"""

import json
import os
import platform
import random
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import CLI
from sightline.chronology.benchmark import Timing, summarise
from sightline.networks import queries
from sightline.networks.benchmark import BENCH_GIVEN_NAME, load_benchmark_network
from sightline.networks.models import Association
from sightline.people.models import Person

AGENCY_CODE = "BENCH-NETWORKS"


class Command(BaseCommand):
    help = "Time the 2-hop network of a child on a large synthetic network."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=100_000)
        parser.add_argument("--associations", type=int, default=500_000)
        parser.add_argument("--contexts", type=int, default=2_000)
        parser.add_argument("--visible-share", type=float, default=0.2)
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--allow-sqlite", action="store_true", help="for a quick look only")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql" and not options["allow_sqlite"]:
            raise CommandError(
                "The benchmark is defined on PostgreSQL: set DATABASE_URL (or pass --allow-sqlite)."
            )
        if options["samples"] < 20:
            raise CommandError("--samples must be at least 20")
        if not 0 < options["visible_share"] <= 1:
            raise CommandError("--visible-share must be in (0, 1]")
        agency, _ = Agency.objects.get_or_create(
            code=AGENCY_CODE, defaults={"name": "Benchmark police", "kind": AgencyKind.POLICE}
        )
        viewer = self._viewer(agency)
        started = time.perf_counter()
        loaded = load_benchmark_network(
            actor=None,
            origin=CLI,
            agency=agency,
            viewer=viewer,
            people=options["people"],
            contexts=options["contexts"],
            links=options["associations"],
            visible_share=options["visible_share"],
            seed=options["seed"],
        )
        load_seconds = time.perf_counter() - started
        if connection.vendor == "postgresql":
            # What autovacuum does in a running system: statistics for the planner and
            # the visibility map that lets the adjacency indexes answer on their own.
            with connection.cursor() as cursor:
                for table in ("networks_association", "people_person", "people_involvement"):
                    cursor.execute(f"VACUUM ANALYZE {table}")

        children = self._sample(viewer, options["samples"], options["seed"])
        client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
        client.force_login(viewer)
        secure = bool(settings.SECURE_SSL_REDIRECT)

        def endpoint(person: Person) -> None:
            url = reverse("networks:child-network-data", kwargs={"public_id": person.public_id})
            response = client.get(url, secure=secure)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")

        cases: list[tuple[str, Callable[[Person], object]]] = [
            ("neighbourhood query", lambda p: queries.load_neighbourhood([p.pk])),
            (
                "as the viewer may see it",
                lambda p: queries.child_network(viewer, p, with_signals=False),
            ),
            ("JSON endpoint (full stack)", endpoint),
            ("with signals (page panel)", lambda p: queries.child_network(viewer, p)),
        ]
        sizes = [len(queries.load_neighbourhood([p.pk]).hops) for p in children]
        results = [self._time(name, call, children) for name, call in cases]
        facts = {
            "machine": f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs)",
            "python": platform.python_version(),
            "database": f"{connection.vendor} {self._db_version()}",
            "date": timezone.now().strftime("%Y-%m-%d %H:%M %Z"),
            "people": Person.objects.filter(given_name=BENCH_GIVEN_NAME).count(),
            "associations": Association.objects.filter(source_agency=agency).count(),
            "load_seconds": round(load_seconds, 1),
            "added": loaded.__dict__,
            "samples": len(children),
            "nodes_median": sorted(sizes)[len(sizes) // 2],
            "nodes_max": max(sizes),
        }
        if options["json"]:
            cases_json = [
                {"case": t.name, "median_ms": t.median_ms, "p95_ms": t.p95_ms, "samples": t.samples}
                for t in results
            ]
            self.stdout.write(json.dumps({**facts, "cases": cases_json}, indent=2))
            return
        self.stdout.write(
            f"bench-networks on {facts['database']}, {facts['machine']}, {facts['date']}"
        )
        self.stdout.write(
            f"people: {facts['people']:,}; associations: {facts['associations']:,}; "
            f"children sampled: {len(children)}; nodes within 2 hops: median "
            f"{facts['nodes_median']}, max {facts['nodes_max']} "
            f"(loading took {load_seconds:.1f} s)"
        )
        self.stdout.write(f"{'case':30} {'median ms':>10} {'p95 ms':>8}")
        for timing in results:
            self.stdout.write(f"{timing.name:30} {timing.median_ms:10.1f} {timing.p95_ms:8.1f}")

    def _time(self, name: str, call: Callable[[Person], object], people: list[Person]) -> Timing:
        for person in people[:5]:  # warm caches and connections
            call(person)
        seconds = []
        for person in people:
            start = time.perf_counter()
            call(person)
            seconds.append(time.perf_counter() - start)
        return summarise(name, seconds)

    def _viewer(self, agency: Agency) -> User:
        user, created = User.objects.get_or_create(
            username="bench.networks", defaults={"agency": agency, "role": Role.PRACTITIONER}
        )
        if created:
            user.set_unusable_password()
            user.save()
        return user

    def _sample(self, viewer: User, count: int, seed: int) -> list[Person]:
        """Children the viewer may see who have at least one association."""
        ids = list(
            Association.objects.filter(person__involvements__practitioner=viewer)
            .order_by()
            .values_list("person_id", flat=True)
            .distinct()
        )
        if len(ids) < count:
            raise CommandError(f"only {len(ids)} visible people with links; lower --samples")
        chosen = random.Random(seed).sample(sorted(ids), count)  # noqa: S311 (sampling)
        return list(Person.objects.filter(pk__in=chosen).order_by("pk"))

    def _db_version(self) -> str:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW server_version")
            else:
                cursor.execute("SELECT sqlite_version()")
            row = cursor.fetchone()
        return str(row[0]) if row else ""
