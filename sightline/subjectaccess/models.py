"""Subject access requests: a person (or their parent or representative) asks for the
records held about them (UK GDPR article 15). See docs/subject-access.md.

A request is logged, the requester's identity verified, the person's records gathered
through the record's read side, third parties' names suggested for redaction and
decided by a reviewer, and the pack produced (PDF and zip). No pack is kept: it is
produced again from the records, with the decisions, each time it is asked for.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Relationship(models.TextChoices):
    SELF = "self", "The person themself"
    PARENT = "parent", "A parent or person with parental responsibility"
    REPRESENTATIVE = "representative", "A representative (solicitor, advocate, other)"


class VerificationMethod(models.TextChoices):
    DOCUMENTS = "documents", "Identity documents checked (photo ID and proof of address)"
    IN_PERSON = "in_person", "Seen in person with photo ID"
    KNOWN = "known", "Known to the service (verified against the records held)"
    AUTHORITY = "authority", "Representative's written authority and identity checked"
    # ``sightline subject-access``: the operator of the command line states it.
    CLI_OPERATOR = "cli_operator", "Verified by the operator of the command line"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    VERIFIED = "verified", "Identity verified"
    IN_REVIEW = "in_review", "In review"
    SENT = "sent", "Sent"


class SubjectAccessRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    # The agency answering (the officer's): its officers see the request.
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    requester_name = models.CharField(max_length=200)
    requester_relationship = models.CharField(max_length=20, choices=Relationship.choices)
    received_on = models.DateField()
    due_on = models.DateField()
    # Set when the deadline is extended by two further months (with the reason).
    extended_due_on = models.DateField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    rule_version = models.CharField(max_length=20)
    verification_method = models.CharField(
        max_length=20, choices=VerificationMethod.choices, blank=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    gathered_at = models.DateTimeField(null=True, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester_name=""), name="subject_access_requester_named"
            ),
            # A pack is gathered, reviewed and sent only after identity is verified.
            models.CheckConstraint(
                condition=Q(status="received") | Q(verified_at__isnull=False),
                name="subject_access_verified_before_gathering",
            ),
            models.CheckConstraint(
                condition=Q(extended_due_on__isnull=True) | ~Q(extension_reason=""),
                name="subject_access_extension_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.public_id}"

    @property
    def reference(self) -> str:
        return f"SAR-{str(self.public_id)[:8].upper()}"

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    @property
    def current_due_on(self) -> dt.date:
        return self.extended_due_on or self.due_on


class Decision(models.TextChoices):
    PENDING = "pending", "Not yet decided (redacted)"
    CONFIRMED = "confirmed", "Redact"
    REJECTED = "rejected", "Do not redact"


class RedactionSuggestion(models.Model):
    """A third party's name found in the gathered records: redacted in the pack unless a
    reviewer rejects the suggestion (pending counts as redacted: fail closed)."""

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="suggestions"
    )
    # The third party's name as the records give it, and the words redacted for them
    # (the full name and each of their names alone).
    term = models.CharField(max_length=200)
    words = models.JSONField(default=list)
    # Who they are to the person: "sibling", "practitioner (Leeds Health)", "referrer".
    why = models.CharField(max_length=200)
    occurrences = models.PositiveIntegerField(default=0)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["request", "term"], name="one_suggestion_per_term")
        ]

    def __str__(self) -> str:
        return self.term

    @property
    def redacted(self) -> bool:
        return self.decision != Decision.REJECTED
