"""``sightline bench-load``: 100 practitioners at once on gunicorn and PostgreSQL (locust).

Prepares (or reuses) a PostgreSQL database with the chronology benchmark's synthetic
people and events (``bench-chronology``'s own set-up: at least ``--total-events`` events),
``2 x --users`` children with 60 to 500 events each from five agencies, and ``--users``
practitioners of mixed roles (social workers, police officers, health visitors, school
safeguarding leads), each involved with some of those children, each with a fresh
password and authenticator key for this run. Then it starts gunicorn on the loopback
interface, runs locust headless (``sightline/testing/locustfile.py``) with ``--users``
simulated practitioners for ``--duration``, stops gunicorn, and prints per page the
requests, failures, p50, p95 and maximum, and the audit check: record reads made by
the practitioners against the read audit rows written in the run.

Targets: p95 <= 300 ms on every page, no errors, audit rows = reads. The exit status is
non-zero if a request failed or the audit rows differ from the reads.

Loopback only: ``--host`` must be ``localhost`` or a loopback address. A database the
command creates is dropped at the end unless ``--keep-db``; one that existed is kept.
"""

import datetime as dt
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, cast

import dj_database_url
import psycopg
from django.conf import settings
from django.core.management import call_command, load_command_class
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.db.models import Count, Max
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from psycopg import sql

from sightline.accounts.actions import create_user, reset_password
from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.people.actions import record_involvement
from sightline.people.models import Involvement, InvolvementRole, Person, SourceRecord
from sightline.testing import load

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sightline_bench"
TARGET_P95_MS = 300.0
# The synthetic children of this benchmark are bench-chronology's people from this
# number on (record ids B100000...), clear of the ones its own set-up adds.
FIRST_CHILD = 100_000
USERNAME_PREFIX = "load."
# Practitioners by kind, in turn: two social workers in every five.
KINDS = [
    ("social", "BENCH-CSC", InvolvementRole.ALLOCATED_SOCIAL_WORKER, "Social worker"),
    ("police", "BENCH-POLICE", InvolvementRole.POLICE_OFFICER, "Police officer"),
    ("social", "BENCH-CSC", InvolvementRole.ALLOCATED_SOCIAL_WORKER, "Social worker"),
    ("health", "BENCH-HEALTH", InvolvementRole.HEALTH_VISITOR, "Health visitor"),
    ("school", "BENCH-EDUCATION", InvolvementRole.SCHOOL_SAFEGUARDING_LEAD, "Safeguarding lead"),
]
# The audit rows of a record read (the child's page, its panels, a chronology page).
READ_ACTIONS = (AuditAction.VIEW_PERSON.value, AuditAction.VIEW_CHRONOLOGY.value)
LOCUSTFILE = Path(load.__file__).with_name("locustfile.py")
ALL_ROW = "all requests but the password check"


class _BenchData(Protocol):
    """The data set-up of ``bench-chronology``, reused rather than written twice."""

    def _agencies(self) -> list[Agency]: ...
    def _person(self, agencies: list[Agency], n: int) -> Person: ...
    def _events(self, agencies: list[Agency], n: int, count: int) -> None: ...
    def _fill(self, agencies: list[Agency], total: int) -> None: ...


def _seconds(text: str) -> int:
    """``300``, ``300s``, ``5m`` or ``1h`` as seconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([smh]?)\s*", text)
    if match is None or int(match[1]) <= 0:
        raise CommandError(f"--duration {text!r}: give seconds, or a number with s, m or h")
    return int(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


def _events_for(index: int) -> int:
    """How many events the ``index``-th child has: 60 to 500, spread evenly."""
    return 60 + (index * 97) % 441


def _same_database(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    keys = ("NAME", "HOST", "PORT", "USER")
    return [str(a.get(k) or "") for k in keys] == [str(b.get(k) or "") for k in keys]


def _server_connection(target: Mapping[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=target.get("HOST") or None,
        port=int(target["PORT"]) if target.get("PORT") else None,
        user=target.get("USER") or None,
        password=target.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def _ensure_database(target: Mapping[str, Any]) -> bool:
    """Create the database if it does not exist; whether it was created."""
    with _server_connection(target) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [target["NAME"]]
        ).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target["NAME"])))
        return True


def _drop_database(target: Mapping[str, Any]) -> None:
    with _server_connection(target) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(target["NAME"])
            )
        )


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, fixed arguments
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' (with uncommitted changes)' if dirty else ''}"


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


class Command(BaseCommand):
    help = "Run 100 simulated practitioners against gunicorn and PostgreSQL on loopback (locust)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=100, help="simulated practitioners")
        parser.add_argument("--duration", default="5m", help="e.g. 300, 30s, 5m")
        parser.add_argument(
            "--spawn-rate",
            type=float,
            default=1,
            help="users started a second (1: practitioners arrive over 100 s, not all at once)",
        )
        parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
        parser.add_argument(
            "--keep-db", action="store_true", help="keep the database if this run created it"
        )
        parser.add_argument("--host", default="127.0.0.1", help="loopback address for gunicorn")
        parser.add_argument(
            "--workers",
            type=int,
            default=2 * (os.cpu_count() or 1) + 1,
            help="gunicorn workers (default 2 x cores + 1)",
        )
        parser.add_argument("--total-events", type=int, default=200_000)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            host = load.loopback_host(options["host"])
        except load.NotLoopbackError as error:
            raise CommandError(f"{error}: the load run stays on this machine") from None
        seconds = _seconds(str(options["duration"]))
        if options["users"] < 1 or options["spawn_rate"] <= 0:
            raise CommandError("--users and --spawn-rate must be positive")
        url = str(options["database_url"])
        target = dj_database_url.parse(url)
        if target.get("ENGINE") != "django.db.backends.postgresql":
            raise CommandError("the load run is defined on PostgreSQL: give a postgres:// URL")
        created = _ensure_database(target)
        try:
            if _same_database(settings.DATABASES["default"], target):
                self._run(host, seconds, url, options)
            else:
                self._run_elsewhere(host, seconds, url, options)
        finally:
            if created and not options["keep_db"]:
                connections.close_all()
                _drop_database(target)
                self.stdout.write(f"dropped database {target['NAME']} (created by this run)")

    def _run_elsewhere(self, host: str, seconds: int, url: str, options: dict[str, Any]) -> None:
        """Run again in a process whose settings name the benchmark database."""
        argv = [
            sys.executable,
            "-m",
            "sightline",
            "bench-load",
            f"--users={options['users']}",
            f"--duration={seconds}",
            f"--spawn-rate={options['spawn_rate']}",
            f"--database-url={url}",
            f"--host={host}",
            f"--workers={options['workers']}",
            f"--total-events={options['total_events']}",
            "--keep-db",  # dropping, if at all, is this process's business
        ]
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(settings.BASE_DIR)}
        result = subprocess.run(argv, env=env, cwd=settings.BASE_DIR, check=False)  # noqa: S603
        if result.returncode:
            raise CommandError(f"the load run ended with status {result.returncode}")

    # -- the run -------------------------------------------------------------------------------

    def _run(self, host: str, seconds: int, url: str, options: dict[str, Any]) -> None:
        users = int(options["users"])
        self.stdout.write(f"preparing {connection.settings_dict['NAME']} ...")
        call_command("migrate", interactive=False, verbosity=0)
        # Pages are served as in production: hashed static file names from the manifest.
        call_command("collectstatic", interactive=False, verbosity=0)
        bench = cast(_BenchData, load_command_class("sightline.chronology", "bench-chronology"))
        cast(BaseCommand, bench).stdout = self.stdout
        agencies = bench._agencies()
        children = self._children(bench, agencies, 2 * users)
        bench._fill(agencies, int(options["total_events"]))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have gathered
        workdir = Path(settings.VAR_DIR) / "bench-load"
        workdir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=workdir) as scratch:
            credentials = Path(scratch) / "accounts.json"
            accounts = self._practitioners(agencies, children, users)
            credentials.write_text(json.dumps({"accounts": accounts}))
            credentials.chmod(0o600)
            self._search_quota(seconds)
            results = Path(scratch) / "results.json"
            base, before, mark, started = self._serve_and_load(
                host, seconds, url, options, credentials, results, workdir
            )
            after = _load_average()
            samples = [load.Sample(**row) for row in json.loads(results.read_text())]
            # Each request's figures (no secrets), for a closer look after the run.
            (workdir / "last-run-requests.json").write_text(results.read_text())
        self._report(
            samples,
            mark=mark,
            started=started,
            base=base,
            seconds=seconds,
            before=before,
            after=after,
            options=options,
        )

    def _serve_and_load(
        self,
        host: str,
        seconds: int,
        url: str,
        options: dict[str, Any],
        credentials: Path,
        results: Path,
        workdir: Path,
    ) -> tuple[str, str, int, dt.datetime]:
        port = _free_port(host)
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        base = f"http://{bind}"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"SIGHTLINE_TESTING", "SIGHTLINE_DEMO_MODE", "SIGHTLINE_DEBUG"}
        }
        env.update(
            DATABASE_URL=url,
            PYTHONPATH=str(settings.BASE_DIR),
            # Plain HTTP on loopback, as behind a proxy that ends TLS (as `make demo` serves).
            SIGHTLINE_HTTPS="0",
            SIGHTLINE_REQUIRE_2FA="1",
            SIGHTLINE_ALLOWED_HOSTS=f"{host},127.0.0.1,localhost",
        )
        server_log = workdir / "gunicorn.log"
        locust_log = workdir / "locust.log"
        server = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "sightline.wsgi",
                f"--bind={bind}",
                f"--workers={options['workers']}",
                "--log-level=warning",
                f"--error-logfile={server_log}",
                "--graceful-timeout=30",
            ],
            env=env,
            cwd=settings.BASE_DIR,
        )
        try:
            self._wait_until_up(server, f"{base}/healthz")
            self._warm_up(base, int(options["workers"]))
            before = _load_average()
            mark = AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0
            started = timezone.now()
            self.stdout.write(
                f"gunicorn ({options['workers']} workers) on {base}; locust: {options['users']} "
                f"users, {options['spawn_rate']:g} a second, {seconds} s "
                f"(log: {locust_log}) ..."
            )
            locust_env = {
                **env,
                "SIGHTLINE_LOAD_CREDENTIALS": str(credentials),
                "SIGHTLINE_LOAD_RESULTS": str(results),
            }
            with locust_log.open("w") as log:
                run = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
                    [
                        sys.executable,
                        "-m",
                        "locust",
                        "-f",
                        str(LOCUSTFILE),
                        "--headless",
                        f"--users={options['users']}",
                        f"--spawn-rate={options['spawn_rate']}",
                        f"--run-time={seconds}s",
                        f"--host={base}",
                        # Users finish the step they are on, so each read the server audits
                        # is one the user saw answered.
                        "--stop-timeout=60",
                        "--only-summary",
                        "--loglevel=WARNING",
                        "--exit-code-on-error=0",
                    ],
                    env=locust_env,
                    cwd=settings.BASE_DIR,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=seconds + 300,
                    check=False,
                )
            if run.returncode or not results.exists():
                raise CommandError(f"locust failed (status {run.returncode}); see {locust_log}")
        finally:
            server.terminate()  # graceful: in-flight requests finish (their audit rows too)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        return base, before, mark, started

    def _wait_until_up(self, server: subprocess.Popen[bytes], health: str) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn stopped (status {server.returncode})")
            try:
                with urllib.request.urlopen(health, timeout=5) as answer:  # noqa: S310 - loopback
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise CommandError(f"gunicorn did not answer {health} within 90 s")

    def _warm_up(self, base: str, workers: int) -> None:
        """Not measured: each worker's first request imports every app's views (the URL
        configuration) and compiles the base template; a server in service has done so."""

        def fetch(url: str) -> None:
            with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 - loopback
                answer.read()

        with ThreadPoolExecutor(max_workers=2 * workers) as pool:
            list(pool.map(fetch, [f"{base}/login/"] * (8 * workers)))

    # -- data ----------------------------------------------------------------------------------

    def _children(self, bench: _BenchData, agencies: list[Agency], count: int) -> list[Person]:
        """The benchmark's children, each with 60 to 500 events from five agencies."""
        have = {
            record.record_id: record.person
            for record in SourceRecord.objects.filter(
                agency=agencies[0], record_id__in=[f"B{FIRST_CHILD + i}" for i in range(count)]
            ).select_related("person")
        }
        children = []
        for i in range(count):
            n = FIRST_CHILD + i
            person = have.get(f"B{n}")
            if person is None:
                if i % 20 == 0:
                    self.stdout.write(f"adding the load run's children: {i} of {count}")
                person = bench._person(agencies, n)
            if not person.events.exists():
                bench._events(agencies, n, _events_for(i))
            children.append(person)
        return children

    def _practitioners(
        self, agencies: list[Agency], children: list[Person], count: int
    ) -> list[dict[str, Any]]:
        """``count`` practitioners of mixed roles, each with children, a new password and a
        new authenticator key; what the simulated users need to sign in."""
        by_code = {agency.code: agency for agency in agencies}
        members: dict[str, list[int]] = {}
        for i in range(count):
            members.setdefault(KINDS[i % len(KINDS)][0], []).append(i)
        accounts = []
        for i in range(count):
            kind, code, involvement_role, title = KINDS[i % len(KINDS)]
            username = f"{USERNAME_PREFIX}{kind}.{i:03d}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = create_user(
                    actor=None,
                    username=username,
                    agency=by_code[code],
                    role=Role.PRACTITIONER,
                    email=f"{username}@bench.invalid",
                    origin=CLI,
                    first_name=title.split()[0],
                    last_name=f"{i:03d}",
                    job_title=title,
                    can_log_in=False,
                ).user
            group = members[kind]
            mine = [child for j, child in enumerate(children) if j % len(group) == group.index(i)]
            involved = set(
                Involvement.objects.filter(practitioner=user).values_list("person_id", flat=True)
            )
            for child in mine:
                if child.pk not in involved:
                    record_involvement(
                        actor=None,
                        person=child,
                        agency=by_code[code],
                        practitioner=user,
                        role=involvement_role,
                        started_on=dt.date(2020, 1, 1),
                        origin=CLI,
                    )
            password = reset_password(actor=None, user=user, origin=CLI)
            # A new key each run: a code once used cannot be used again on the same device.
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name="bench-load", confirmed=True)
            accounts.append(
                {
                    "username": username,
                    "password": password,
                    "totp_key": device.key,
                    "role": title,
                    "children": [
                        {
                            "name": child.full_name,
                            "date_of_birth": cast(dt.date, child.date_of_birth).isoformat(),
                        }
                        for child in mine
                    ],
                }
            )
        return accounts

    def _search_quota(self, seconds: int) -> None:
        """Say so if the practitioners' searches this clock hour may meet the search limit
        (``SIGHTLINE_SEARCH_RATE``, a fixed window): those searches would fail with 429."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*hours?\s*", settings.SIGHTLINE_SEARCH_RATE)
        if match is None:
            return
        now = timezone.now()
        hour = now.replace(minute=0, second=0, microsecond=0)
        used = (
            AuditEvent.objects.filter(
                action=AuditAction.SEARCH, actor_username__startswith=USERNAME_PREFIX, at__gte=hour
            )
            .values("actor_username")
            .annotate(n=Count("pk"))
            .aggregate(most=Max("n"))["most"]
            or 0
        )
        # A journey is about seven steps of 2-5 s: one search in every 25 s or so.
        expected = seconds // 20 + 1
        if used + expected > int(match[1]):
            self.stdout.write(
                self.style.WARNING(
                    f"A practitioner has searched {used} times this hour; this run may make "
                    f"{expected} more, and the limit is {settings.SIGHTLINE_SEARCH_RATE} "
                    f"(per clock hour). Searches over it fail (429): wait for the hour to turn."
                )
            )

    # -- the figures ---------------------------------------------------------------------------

    def _report(
        self,
        samples: list[load.Sample],
        *,
        mark: int,
        started: dt.datetime,
        base: str,
        seconds: int,
        before: str,
        after: str,
        options: dict[str, Any],
    ) -> None:
        rows = AuditEvent.objects.filter(pk__gt=mark, actor_username__startswith=USERNAME_PREFIX)
        written = Counter(dict(rows.values_list("action").annotate(n=Count("pk")).order_by()))
        reads = sum(1 for s in samples if s.kind == load.READ and s.status == 200)
        searches = sum(1 for s in samples if s.kind == load.SEARCH and s.status == 200)
        read_rows = sum(written[action] for action in READ_ACTIONS)
        search_rows = written[AuditAction.SEARCH.value]
        denied_rows = written[AuditAction.DENIED.value]
        known = {*READ_ACTIONS, AuditAction.SEARCH.value, AuditAction.DENIED.value}
        others = {action: n for action, n in written.items() if action not in known}

        out = self.stdout.write
        out("")
        out(
            f"bench-load: {options['users']} practitioners for {seconds} s (started "
            f"{options['spawn_rate']:g} a second), think 2-5 s; gunicorn {options['workers']} "
            f"workers on {base}; PostgreSQL {connection.settings_dict['NAME']}"
        )
        out(
            f"machine: {platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs), "
            f"Python {platform.python_version()}; load average before {before}, after {after}"
        )
        out(f"date: {started:%Y-%m-%d %H:%M} UTC; commit {_commit()}")
        out(f"events in the database: {ChronologyEvent.objects.count():,}")
        out("")
        table = load.figures(samples)
        work = [s for s in samples if s.name != load.SIGN_IN_PASSWORD]
        steady = load.after_sign_in(samples)
        steady_p95 = {row.name: row.p95_ms for row in load.figures(steady)}
        first = min((s.at for s in samples), default=0.0)
        signed_in = min((s.at for s in steady), default=first) - first
        header = (
            f"{'page':36} {'requests':>9} {'failures':>9} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'max ms':>8} {'p95 after sign-in':>18}"
        )
        out(header)
        out("-" * len(header))
        lines = [*table, load.overall(ALL_ROW, work)]
        steady_p95[ALL_ROW] = load.overall(ALL_ROW, steady).p95_ms
        for row in lines:
            settled = steady_p95.get(row.name)
            out(
                f"{row.name:36} {row.requests:9,} {row.failures:9,} {row.p50_ms:8.0f} "
                f"{row.p95_ms:8.0f} {row.max_ms:8.0f} "
                + (f"{settled:18.0f}" if settled is not None else f"{'-':>18}")
            )
        out(
            f"(every user had signed in {signed_in:.0f} s after the first request; "
            f"{len(steady):,} requests were sent after that)"
        )
        out("")
        out("audit (rows written by the practitioners during the run):")
        out(
            f"  record reads answered {reads:,}; read rows written {read_rows:,} ("
            + ", ".join(f"{action} {written[action]:,}" for action in READ_ACTIONS)
            + ")"
        )
        out(f"  searches answered {searches:,}; search rows written {search_rows:,}")
        out(f"  denials written {denied_rows:,}")
        if others:
            out("  other rows: " + ", ".join(f"{a} {n:,}" for a, n in sorted(others.items())))
        out("")
        failures = [s for s in samples if not s.ok]
        slow = [
            row.name
            for row in table
            if row.p95_ms > TARGET_P95_MS and row.name != load.SIGN_IN_PASSWORD
        ]
        password = next((row for row in table if row.name == load.SIGN_IN_PASSWORD), None)
        audited = reads == read_rows and searches == search_rows and denied_rows == 0
        out("targets:")
        out(
            f"  p95 <= {TARGET_P95_MS:.0f} ms on every page: "
            + ("MET" if not slow else f"NOT MET ({', '.join(slow)})")
        )
        if password is not None:
            out(
                f"    (the password check is not counted: its hash is slow on purpose, once per "
                f"sign-in; its p95 was {password.p95_ms:.0f} ms)"
            )
        out(
            "  0 errors: "
            + ("MET" if not failures else f"NOT MET ({len(failures):,} of {len(samples):,})")
        )
        for text, n in Counter(f"{s.name}: {s.error}" for s in failures).most_common(5):
            out(f"    {n:,} x {text}")
        out(
            f"  every read audited (rows = reads): {'MET' if audited else 'NOT MET'} "
            f"({read_rows:,} read rows for {reads:,} reads, {search_rows:,} search rows for "
            f"{searches:,} searches, {denied_rows:,} denials)"
        )
        if failures or not audited:
            raise CommandError("the load run had errors or unaudited reads (see above)")
