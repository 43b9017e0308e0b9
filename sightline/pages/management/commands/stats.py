import datetime as dt
import json
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.accounts.models import User
from sightline.agencies.models import Agency
from sightline.chronology.models import ChronologyEvent
from sightline.pages.queues import queue_counts
from sightline.people.models import Person, SourceRecord


class Command(BaseCommand):
    help = (
        "Print counts as JSON: people (resolved, not merged away), source records, "
        "events (current revisions), agencies, users; each queue of work "
        "(linkage_reviews_open, decisions_open, challenges_open, notifications_open, "
        "rapid_reviews_open, referrals_open, alerts_unread, meetings_upcoming, "
        "reviews_to_code); and the figures each feature app adds (its AppConfig's "
        "``statistics(as_of=...)``: the case adds cin_open, cp_plans, looked_after and "
        "cp_plans_started), on --as-of (default today)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.localdate()
        if options.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(
                    f"--as-of: {options['as_of']!r} is not a YYYY-MM-DD date"
                ) from None
        counts: dict[str, object] = {
            "people": Person.objects.filter(merged_into__isnull=True).count(),
            "source_records": SourceRecord.objects.count(),
            "events": ChronologyEvent.objects.current().count(),
            "agencies": Agency.objects.count(),
            "users": User.objects.count(),
        }
        # Features contribute their figures through their app config.
        for config in apps.get_app_configs():
            contribute = getattr(config, "statistics", None)
            if callable(contribute):
                counts.update(contribute(as_of=as_of))
        counts.update(queue_counts(on=as_of))
        self.stdout.write(json.dumps(counts, indent=2))
