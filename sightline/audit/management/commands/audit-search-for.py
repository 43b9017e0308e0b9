"""Find the audit rows of searches and matches made with given criteria (sealed)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sightline.audit.models import AuditEvent
from sightline.audit.sealing import seal

FIELDS = ("name", "given_name", "family_name", "date_of_birth", "nhs_number", "postcode")


class Command(BaseCommand):
    help = (
        "List the audit rows whose search or match criteria included the values given "
        "(the trail keeps criteria sealed: see sightline/audit/sealing.py)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        for field in FIELDS:
            parser.add_argument(f"--{field.replace('_', '-')}", dest=field, default="")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = {field: seal(field, options[field]) for field in FIELDS if options[field]}
        if not wanted:
            raise CommandError("Give at least one of " + ", ".join(f"--{f}" for f in FIELDS))
        found = 0
        for row in AuditEvent.objects.exclude(detail={}).order_by("id").iterator():
            criteria = row.detail.get("criteria") if isinstance(row.detail, dict) else None
            if not isinstance(criteria, dict):
                continue
            if all(criteria.get(field) == value for field, value in wanted.items()):
                found += 1
                self.stdout.write(
                    f"{row.pk}\t{row.at:%Y-%m-%d %H:%M:%S}\t{row.actor_id or '-'}\t{row.action}"
                )
        self.stdout.write(f"{found} row(s)")
