"""Who may submit files for which agency, and whose pending upload is whose."""

from django.http import Http404

from sightline.accounts.models import Role, User
from sightline.importing.models import PendingUpload


def submittable_agency_codes(actor: User | None) -> frozenset[str] | None:
    """The agency codes ``actor`` may submit for; None means any agency.

    ``None`` as the actor is the system itself (the command line). Administrators may
    submit for any agency; everyone else only for their own, and nobody for an agency
    when they have none or their account is inactive.
    """
    if actor is None:
        return None
    if not actor.is_active:
        return frozenset()
    if actor.role == Role.ADMINISTRATOR:
        return None
    if actor.agency is None:
        return frozenset()
    return frozenset({actor.agency.code})


def may_use_upload_page(user: User) -> bool:
    return submittable_agency_codes(user) != frozenset()


def access_pending_upload(user: User, pk: int) -> PendingUpload:
    """The user's own pending upload, or 404 (another user's is not revealed)."""
    upload = PendingUpload.objects.filter(pk=pk, owner=user).first()
    if upload is None:
        raise Http404("No such upload")
    return upload
