import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from sightline.accounts.models import User
from sightline.agencies.models import Agency
from sightline.chronology.models import ChronologyEvent
from sightline.pages.queues import queue_counts
from sightline.people.models import Person, SourceRecord


class Command(BaseCommand):
    help = (
        "Print counts as JSON: people (resolved, not merged away), source records, "
        "events (current revisions), agencies, users, and each queue of work "
        "(linkage_reviews_open, decisions_open, challenges_open, notifications_open, "
        "rapid_reviews_open, referrals_open, alerts_unread, meetings_upcoming, "
        "reviews_to_code)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = {
            "people": Person.objects.filter(merged_into__isnull=True).count(),
            "source_records": SourceRecord.objects.count(),
            "events": ChronologyEvent.objects.current().count(),
            "agencies": Agency.objects.count(),
            "users": User.objects.count(),
            **queue_counts(on=timezone.localdate()),
        }
        self.stdout.write(json.dumps(counts, indent=2))
