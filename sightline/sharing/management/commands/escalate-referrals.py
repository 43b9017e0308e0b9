"""``sightline escalate-referrals``: escalate every overdue referral now (the worker does
this by itself at each deadline; this is for cron or a catch-up)."""

from typing import Any

from django.core.management.base import BaseCommand

from sightline.sharing import actions


class Command(BaseCommand):
    help = "Alert the receiving team's managers about referrals not acknowledged in time."

    def handle(self, *args: Any, **options: Any) -> None:
        escalated = actions.escalate_overdue_referrals()
        self.stdout.write(f"Escalated {escalated} overdue referral{'s' if escalated != 1 else ''}")
