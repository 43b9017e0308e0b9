from typing import Any

from django.core.management.base import BaseCommand

from sightline.access.actions import deliver_notices
from sightline.access.models import AccessNotice


class Command(BaseCommand):
    help = "Send the e-mails about emergency access that could not be sent yet."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = deliver_notices()
        waiting = AccessNotice.objects.filter(sent_at__isnull=True).count()
        self.stdout.write(f"sent {sent}; {waiting} still waiting")
