"""Local closure days: days an area's offices are shut beyond bank holidays.

Administrators add and withdraw them (``deadlines.actions``). A withdrawn closure keeps
its row, with who withdrew it and when; only live closures count as non-working days.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class LocalClosureQuerySet(models.QuerySet["LocalClosure"]):
    def live(self) -> "LocalClosureQuerySet":
        return self.filter(withdrawn_at__isnull=True)


class LocalClosure(models.Model):
    date = models.DateField()
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField(max_length=200, blank=True)

    objects = LocalClosureQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(withdrawn_at__isnull=True),
                name="local_closure_one_live_per_date",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="local_closure_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}"
