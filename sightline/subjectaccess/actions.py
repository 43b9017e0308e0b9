"""Every write of a subject access request: logging it, verifying the requester's
identity, extending the deadline, gathering the records, deciding the suggested
redactions, producing the pack and recording it sent. Each writes its audit row in the
same transaction. ``actor`` None is the operator of the command line.

The audit rows name the request and the person's key, never the requester's name: the
audit trail keeps no names (docs/subject-access.md).
"""

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.deadlines import queries as deadlines
from sightline.deadlines.rules import Step
from sightline.people.models import Person
from sightline.record.access import Disclosure, SubjectAccessWarrant, open_for_subject_access
from sightline.subjectaccess import gathering, pack, redaction
from sightline.subjectaccess.models import (
    Decision,
    RedactionSuggestion,
    Relationship,
    Status,
    SubjectAccessRequest,
    VerificationMethod,
)


class SubjectAccessError(Exception):
    """A step refused, with the message to show."""


class IdentityNotVerifiedError(SubjectAccessError):
    def __init__(self) -> None:
        super().__init__(
            "The requester's identity has not been verified. Record how it was verified "
            "before the records are gathered or a pack is produced."
        )


def _detail(request: SubjectAccessRequest, **more: object) -> dict[str, object]:
    return {"subject_access_request": str(request.public_id), **more}


@transaction.atomic
def record_request(
    *,
    actor: User | None,
    person: Person,
    agency_id: int,
    requester_name: str,
    relationship: Relationship,
    received_on: dt.date,
    origin: Origin,
) -> SubjectAccessRequest:
    """Log a request; its deadline is one calendar month from receipt."""
    if not requester_name.strip():
        raise SubjectAccessError("Enter the requester's name")
    if received_on > timezone.localdate():
        raise SubjectAccessError("The date received must be today or in the past")
    due = deadlines.deadline(Step.SUBJECT_ACCESS_RESPONSE, received_on)
    request = SubjectAccessRequest.objects.create(
        person=person,
        agency_id=agency_id,
        requester_name=requester_name.strip(),
        requester_relationship=relationship,
        received_on=received_on,
        due_on=due.due_on,
        rule_version=due.rule_version,
        recorded_by=actor,
    )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_SUBJECT_ACCESS,
        origin=origin,
        person=person,
        detail=_detail(
            request,
            relationship=str(relationship),
            received_on=received_on.isoformat(),
            due_on=due.due_on.isoformat(),
            rule_version=due.rule_version,
        ),
    )
    return request


@transaction.atomic
def verify_identity(
    *,
    actor: User | None,
    request: SubjectAccessRequest,
    method: VerificationMethod,
    origin: Origin,
) -> SubjectAccessRequest:
    """Record how the requester's identity (and authority, for a representative) was
    verified. Only the command line's operator may state ``cli_operator``."""
    request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.verified:
        raise SubjectAccessError("The requester's identity is already verified")
    if (method == VerificationMethod.CLI_OPERATOR) != (actor is None):
        raise SubjectAccessError("Choose how the requester's identity was verified")
    request.verification_method = method
    request.verified_by = actor
    request.verified_at = timezone.now()
    request.status = Status.VERIFIED
    request.save(update_fields=["verification_method", "verified_by", "verified_at", "status"])
    record_audit(
        actor=actor,
        action=AuditAction.VERIFY_SUBJECT_ACCESS,
        origin=origin,
        person=request.person,
        reason=("Identity verified by the operator of the command line" if actor is None else ""),
        detail=_detail(request, method=str(method)),
    )
    return request


@transaction.atomic
def extend_deadline(
    *, actor: User | None, request: SubjectAccessRequest, reason: str, origin: Origin
) -> SubjectAccessRequest:
    """Extend the deadline by two further months (three from receipt), once, with the
    reason (complex or numerous requests: UK GDPR article 12(3))."""
    request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    if not reason.strip():
        raise SubjectAccessError("Enter why the deadline is extended")
    if request.extended_due_on is not None:
        raise SubjectAccessError("The deadline has already been extended")
    if request.status == Status.SENT:
        raise SubjectAccessError("The pack has been sent")
    extended = deadlines.deadline(
        Step.SUBJECT_ACCESS_EXTENDED, request.received_on, version=request.rule_version
    )
    request.extended_due_on = extended.due_on
    request.extension_reason = reason.strip()
    request.save(update_fields=["extended_due_on", "extension_reason"])
    record_audit(
        actor=actor,
        action=AuditAction.EXTEND_SUBJECT_ACCESS,
        origin=origin,
        person=request.person,
        reason=reason.strip(),
        detail=_detail(
            request, due_on=request.due_on.isoformat(), extended_due_on=extended.due_on.isoformat()
        ),
    )
    return request


def _open(actor: User | None, request: SubjectAccessRequest, *, origin: Origin) -> Disclosure:
    if not request.verified:
        raise IdentityNotVerifiedError
    verifier = request.verified_by
    return open_for_subject_access(
        actor,
        request.person.public_id,
        warrant=SubjectAccessWarrant(
            request=str(request.public_id),
            verified_at=request.verified_at,
            verified_by=verifier.username if verifier is not None else "cli operator",
            method=request.verification_method,
        ),
        origin=origin,
    )


@transaction.atomic
def gather(
    *, actor: User | None, request: SubjectAccessRequest, origin: Origin
) -> SubjectAccessRequest:
    """Gather the person's records through the read side and suggest the third parties'
    names found in them for redaction. Gathering again keeps earlier decisions and adds
    names newly found (pending)."""
    request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == Status.SENT:
        raise SubjectAccessError("The pack has been sent")
    gathered = gathering.gather(_open(actor, request, origin=origin))
    found = gathering.found_third_parties(gathered)
    existing = {suggestion.term: suggestion for suggestion in request.suggestions.all()}
    added = 0
    for party, occurrences in found:
        suggestion = existing.get(party.name)
        if suggestion is None:
            RedactionSuggestion.objects.create(
                request=request,
                term=party.name,
                words=list(party.terms),
                why=party.why,
                occurrences=occurrences,
            )
            added += 1
        else:
            suggestion.occurrences = occurrences
            suggestion.words = list(party.terms)
            suggestion.save(update_fields=["occurrences", "words"])
    request.status = Status.IN_REVIEW
    request.gathered_at = timezone.now()
    request.save(update_fields=["status", "gathered_at"])
    record_audit(
        actor=actor,
        action=AuditAction.GATHER_SUBJECT_ACCESS,
        origin=origin,
        person=request.person,
        detail=_detail(
            request,
            agencies=[section.code for section in gathered.agencies],
            rows=sum(section.rows for section in gathered.agencies),
            suggestions_added=added,
            suggestions=len(existing) + added,
        ),
    )
    return request


@transaction.atomic
def decide_suggestion(
    *,
    actor: User | None,
    suggestion: RedactionSuggestion,
    decision: Decision,
    origin: Origin,
) -> RedactionSuggestion:
    """Confirm (redact) or reject (disclose) one suggested redaction."""
    if decision == Decision.PENDING:
        raise SubjectAccessError("Choose whether to redact the name")
    suggestion = RedactionSuggestion.objects.select_related("request__person").get(pk=suggestion.pk)
    if suggestion.request.status == Status.SENT:
        raise SubjectAccessError("The pack has been sent")
    suggestion.decision = decision
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["decision", "decided_by", "decided_at"])
    record_audit(
        actor=actor,
        action=AuditAction.REVIEW_SUBJECT_ACCESS,
        origin=origin,
        person=suggestion.request.person,
        # The term is a third party's name: the row keeps its key, not the name.
        detail=_detail(suggestion.request, suggestion=suggestion.pk, decision=str(decision)),
    )
    return suggestion


@transaction.atomic
def produce_pack(*, actor: User | None, request: SubjectAccessRequest, origin: Origin) -> pack.Pack:
    """The pack, from the records as they are now: every third party's name found is
    redacted unless a reviewer rejected its suggestion (a name found since the gathering
    is redacted too: fail closed). Refused until identity is verified and the records
    gathered."""
    request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    if not request.verified:
        raise IdentityNotVerifiedError
    if request.gathered_at is None:
        raise SubjectAccessError("Gather the records before producing the pack")
    gathered = gathering.gather(_open(actor, request, origin=origin))
    rejected = set(
        request.suggestions.filter(decision=Decision.REJECTED).values_list("term", flat=True)
    )
    # A word of anyone not rejected is redacted, even where it also names someone whose
    # suggestion was rejected.
    terms = frozenset(
        term
        for party, _ in gathering.found_third_parties(gathered)
        if party.name not in rejected
        for term in party.terms
    )
    produced = pack.build(
        gathered.redacted(redaction.Redactor(terms)),
        reference=request.reference,
        produced_on=timezone.localdate(),
    )
    record_audit(
        actor=actor,
        action=AuditAction.PRODUCE_SUBJECT_ACCESS,
        origin=origin,
        person=request.person,
        detail=_detail(
            request,
            agencies=[section.code for section in gathered.agencies],
            terms_redacted=len(terms),
            terms_disclosed=len(rejected),
            files=list(produced.files),
            zip_sha256=hashlib.sha256(produced.zip).hexdigest(),
        ),
    )
    return produced


@transaction.atomic
def record_sent(
    *, actor: User | None, request: SubjectAccessRequest, sent_on: dt.date, origin: Origin
) -> SubjectAccessRequest:
    request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != Status.IN_REVIEW:
        raise SubjectAccessError("Produce the pack before recording it as sent")
    if sent_on > timezone.localdate() or sent_on < request.received_on:
        raise SubjectAccessError("The date sent must be between receipt and today")
    request.status = Status.SENT
    request.sent_on = sent_on
    request.save(update_fields=["status", "sent_on"])
    record_audit(
        actor=actor,
        action=AuditAction.SEND_SUBJECT_ACCESS,
        origin=origin,
        person=request.person,
        detail=_detail(
            request,
            sent_on=sent_on.isoformat(),
            on_time=sent_on <= request.current_due_on,
        ),
    )
    return request
