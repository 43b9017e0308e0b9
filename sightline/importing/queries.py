from django.db.models import Q, QuerySet

from sightline.accounts.models import Role, User
from sightline.importing.models import ImportBatch


def batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    """Imports for the user's agency (or that they made); administrators see them all."""
    batches = ImportBatch.objects.select_related("actor")
    if user.role == Role.ADMINISTRATOR:
        return batches
    if user.agency_id is None:
        return batches.filter(actor=user)
    return batches.filter(Q(agencies=user.agency_id) | Q(actor=user)).distinct()
