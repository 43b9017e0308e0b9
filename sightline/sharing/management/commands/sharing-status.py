"""``sightline sharing-status``: what the outbox holds, for operators and the fault tests."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from sightline.sharing import queries


class Command(BaseCommand):
    help = "Counts of undelivered alerts, unsent and sent e-mail, and overdue referrals."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON")

    def handle(self, *args: Any, json: bool = False, **options: Any) -> None:
        status = queries.outbox_status()
        if json:
            self.stdout.write(_dumps(status))
            return
        for key, value in status.items():
            self.stdout.write(f"{key.replace('_', ' ')}: {value}")


def _dumps(status: dict[str, int]) -> str:
    return json.dumps(status, sort_keys=True)
