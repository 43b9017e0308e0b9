"""``sightline bench-alerts``: alert latency from event commit to inbox under load.

Records ``--rate`` events per second for ``--seconds`` seconds (default 100/s for 60 s)
about flagged children, each its own transaction, from ``--producers`` threads, while
``--workers`` ``run-worker`` processes deliver them; e-mail goes to a local SMTP server
(aiosmtpd) started here. Prints p50/p95/p99/max latency, lost and duplicated alerts and
e-mails; exits non-zero when p95 is over ``--budget-ms`` (2,000) or anything is lost or
duplicated. Use a database of its own: it adds synthetic people each run.
"""

import argparse
import json
import platform
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from sightline.sharing import benchmark


class Command(BaseCommand):
    help = "Measure alert latency from event commit to inbox at a steady event rate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rate", type=float, default=100.0, help="events per second")
        parser.add_argument("--seconds", type=float, default=60.0)
        parser.add_argument("--producers", type=int, default=4, help="recording threads")
        parser.add_argument("--workers", type=int, default=2, help="run-worker processes")
        parser.add_argument("--children", type=int, default=500, help="flagged children")
        parser.add_argument("--poll-ms", type=float, default=100.0)
        parser.add_argument("--drain", type=float, default=60.0, help="seconds to wait after")
        parser.add_argument("--budget-ms", type=float, default=2000.0)
        parser.add_argument("--no-smtp", action="store_true", help="no e-mail server")
        parser.add_argument("--allow-sqlite", action="store_true", help="for a quick look only")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--produce", help=argparse.SUPPRESS)  # a producer process

    def handle(self, *args: Any, **options: Any) -> None:
        if options["produce"]:
            prepared, index, producers, start, rate, total, run = options["produce"].split(",")
            for alert_id, stamp in benchmark.produce(
                prepared=prepared,
                index=int(index),
                producers=int(producers),
                start=float(start),
                rate=float(rate),
                total=int(total),
                run=run,
            ):
                self.stdout.write(f"{alert_id} {stamp!r}")
            return
        if connection.vendor != "postgresql" and not options["allow_sqlite"]:
            raise CommandError(
                "The benchmark is defined on PostgreSQL: set DATABASE_URL (or pass --allow-sqlite)."
            )
        env: dict[str, str] = {}
        received: list[str] | None = None
        server = None
        if not options["no_smtp"]:
            try:
                from sightline.sharing.smtpsink import Recorder, SMTPServer
            except ImportError as error:  # aiosmtpd is a development dependency
                raise CommandError(
                    f"{error}: install requirements-dev.txt or pass --no-smtp"
                ) from error
            recorder = Recorder()
            server = SMTPServer(recorder)
            server.start()
            received = recorder.message_ids
            env = {
                "SIGHTLINE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "SIGHTLINE_EMAIL_HOST": "127.0.0.1",
                "SIGHTLINE_EMAIL_PORT": str(server.port),
            }
        else:
            env = {"SIGHTLINE_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
        try:
            figures = benchmark.run(
                rate=options["rate"],
                seconds=options["seconds"],
                producers=options["producers"],
                workers=options["workers"],
                children=options["children"],
                poll_interval=options["poll_ms"] / 1000,
                drain=options["drain"],
                worker_env=env,
                received=received,
            )
        finally:
            if server is not None:
                server.stop()
        result = figures.as_dict() | {
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {_cpus()} CPUs",
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
        failed = (
            figures.achieved_rate < 0.95 * options["rate"]
            or figures.latency_p95_ms > options["budget_ms"]
            or figures.lost
            or figures.duplicated
            or figures.emails_received_twice
        )
        if failed:
            raise CommandError("rate not reached, p95 over budget, or alerts lost or duplicated")


def _cpus() -> int:
    import os

    return os.cpu_count() or 0
