from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sightline.audit.models import AuditEvent
from sightline.audit.queries import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit non-zero and say where if it was altered."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(f"audit row {problem.row_id}: {problem.problem}")
            raise CommandError(f"the audit trail has {len(problems)} problem(s)")
        self.stdout.write(f"audit trail intact: {AuditEvent.objects.count():,} rows")
