"""``sightline load-demo-networks``: peer groups, places and adults of concern on top of
the demo data (run after ``load-demo-data``; once)."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.audit.actions import CLI
from sightline.networks.demo import DemoNetworksError, load_demo_networks


class Command(BaseCommand):
    help = "Add synthetic extra-familial networks to the demo data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=20261126)
        parser.add_argument("--as-of", help="the last day anything happens (default: yesterday)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.localdate() - dt.timedelta(days=1)
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as error:
                raise CommandError(f"--as-of: {error}") from error
        try:
            result = load_demo_networks(origin=CLI, seed=options["seed"], as_of=as_of)
        except DemoNetworksError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Added {result.groups} peer groups of {result.children} children with "
            f"{result.associations} associations. See /networks/meeting/ as the police officer."
        )
