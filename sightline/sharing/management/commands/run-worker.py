"""``sightline run-worker``: the background worker for alerts, e-mail and escalations.

It is django-tasks-db's ``db_worker`` with one step first: wake every sharing task, so
whatever a worker that died left behind (undelivered alerts, unsent e-mail, overdue
referrals) is picked up at once.
"""

import signal
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from sightline.access import tasks as access_tasks
from sightline.sharing import tasks


class Command(BaseCommand):
    help = "Run the background worker (alerts, e-mail outbox, referral escalation)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=0.2,
            help="Seconds to wait when there is nothing to do (default 0.2)",
        )
        parser.add_argument(
            "--batch", action="store_true", help="Do everything that is due, then exit"
        )

    def handle(self, *args: Any, interval: float, batch: bool, **options: Any) -> None:
        tasks.wake_all()
        access_tasks.wake_monitoring()  # access monitoring, every few minutes
        arguments = ["--interval", str(interval), "--no-startup-delay", "--no-reload"]
        if batch:
            arguments.append("--batch")
        # db_worker takes over SIGINT/SIGTERM/SIGQUIT; give them back when it returns (a
        # batch run inside another program, such as the tests).
        handled = [
            s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", None)) if s
        ]
        saved = {number: signal.getsignal(number) for number in handled}
        try:
            call_command("db_worker", *arguments, verbosity=options["verbosity"])
        finally:
            for number, handler in saved.items():
                signal.signal(number, handler)
