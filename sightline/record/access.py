"""Every read of a child's record comes through here.

``open_record`` decides (the rules in ``record/rules.py``, read once), writes the audit
row (a denial too) and answers 404 to those who may not know the record exists. What it
returns, a ``Record``, is bound to the reader, the person and where the reader stands
with them; everything asked of it comes back as frozen rows already redacted for that
reader (``record/chronology.py``). Pages, API endpoints, exports and feature panels are
adapters over it: none of them redacts, so none can forget to.
"""

import datetime as dt
import enum
import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.http import Http404

from sightline.access.sections import Section
from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.chronology.models import ChronologyEvent
from sightline.chronology.queries import (
    AgencyCounts,
    ChronologyFilter,
    counts_by_agency,
    events_for,
)
from sightline.core.statements import ValuesStatement
from sightline.people.models import Person
from sightline.record import rules
from sightline.record.chronology import ChronologyRows, EventRow, Redaction, read_rows


class Intent(enum.StrEnum):
    """What the caller is about to show: it chooses the rule and names the audit row."""

    VIEW_RECORD = "view_person"
    VIEW_CHRONOLOGY = "view_chronology"
    # The chronology in pages of data (the API): a bulk read, so the export rules apply
    # (a legitimate relationship; emergency access is not enough).
    READ_CHRONOLOGY_IN_BULK = "read_chronology_in_bulk"
    VIEW_ACCESS_LOG = "view_access_log"
    # The export page, before the export: it shows only the name and date of birth.
    PREPARE_EXPORT = "prepare_export"
    EXPORT_CHRONOLOGY = "export_chronology"
    # The whole record, to answer the person's own subject access request: opened only
    # through ``open_for_subject_access`` (the officer's role and a verified request).
    SUBJECT_ACCESS = "subject_access"


_CHOICES = ValuesStatement(
    "record.access.chronology_choices",
    lambda values, shape: (
        ChronologyEvent.objects.filter(person_id=values["person"])
        .values_list("agency__code", "agency__name", "category__code", "category__label")
        .order_by()  # no default ordering: it would make every row distinct
        .distinct()
    ),
)


@dataclass(frozen=True)
class _Need:
    action: AuditAction
    # Decided on the reader's standing, read once: never through ``user.has_perm``,
    # which lets a Django superuser through every check.
    allows: Callable[[rules.Standing], bool]


def _may_see(found: rules.Standing) -> bool:
    return found.allowed


def _legitimate(found: rules.Standing) -> bool:
    return found.legitimate


def _allocated_or_manager(found: rules.Standing) -> bool:
    return found.allocated or found.manages_allocated


def _never(found: rules.Standing) -> bool:
    return False


# The rule behind each intent: ``people.view_person``, ``people.export_chronology`` and
# ``people.view_access_log`` in ``record/rules.py``, in their standing form.
_NEEDS: dict[Intent, _Need] = {
    Intent.VIEW_RECORD: _Need(AuditAction.VIEW_PERSON, _may_see),
    Intent.VIEW_CHRONOLOGY: _Need(AuditAction.VIEW_CHRONOLOGY, _may_see),
    Intent.READ_CHRONOLOGY_IN_BULK: _Need(AuditAction.VIEW_CHRONOLOGY, _legitimate),
    Intent.VIEW_ACCESS_LOG: _Need(AuditAction.VIEW_ACCESS_LOG, _allocated_or_manager),
    Intent.PREPARE_EXPORT: _Need(AuditAction.VIEW_IDENTITY, _legitimate),
    Intent.EXPORT_CHRONOLOGY: _Need(AuditAction.EXPORT_CHRONOLOGY, _legitimate),
    # No relationship opens a record for subject access: ``open_for_subject_access``.
    Intent.SUBJECT_ACCESS: _Need(AuditAction.SUBJECT_ACCESS_READ, _never),
}


@dataclass(frozen=True)
class EmergencyAccess:
    """The reader's emergency access in force (the page's banner)."""

    pk: int
    expires_at: dt.datetime
    reason: str


@dataclass(frozen=True)
class AccessPanel:
    """Why the reader may see a record and what else they may do with it."""

    bases: tuple[rules.Basis, ...]
    emergency: EmergencyAccess | None
    may_view_log: bool
    may_export: bool


@dataclass(frozen=True)
class Record:
    """A child's record opened for one reader (``open_record``).

    ``person`` is the child (their identity, which every reader who may open the record
    sees). The chronology and events are asked of the record, and come back redacted.
    """

    user: User
    person: Person
    standing: rules.Standing

    @cached_property
    def redaction(self) -> Redaction:
        return redaction_for(self.user, self.person, known=self.standing)

    def chronology(self, filters: ChronologyFilter | None = None) -> ChronologyRows:
        """The events matching ``filters`` (all by default), lazily: paginate or iterate."""
        return ChronologyRows(self.person.pk, filters or ChronologyFilter(), self.redaction)

    def event(self, pk: int) -> EventRow | None:
        """One event of this record, or None if the record has no such event."""
        found = read_rows(events_for(self.person, ChronologyFilter()).filter(pk=pk), self.redaction)
        return found[0] if found else None

    def counts_by_agency(self) -> list[AgencyCounts]:
        """Current events per agency over the last 3, 6 and 12 months."""
        return counts_by_agency(self.person)

    def chronology_choices(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The agencies and categories present in this chronology (code, name), by name:
        the choices of its filters."""
        present = _CHOICES.fetch({"person": self.person.pk})
        agencies: dict[str, str] = {}
        categories: dict[str, str] = {}
        for agency_code, agency_name, category_code, category_label in present:
            agencies[agency_code] = agency_name
            categories[category_code] = category_label
        return (
            sorted(agencies.items(), key=lambda item: item[1]),
            sorted(categories.items(), key=lambda item: item[1]),
        )

    @property
    def access_panel(self) -> AccessPanel:
        found = self.standing
        grant = found.grant
        return AccessPanel(
            bases=found.bases,
            emergency=(
                EmergencyAccess(
                    pk=grant.pk,
                    expires_at=grant.expires_at,
                    reason=grant.get_reason_code_display(),
                )
                if grant is not None
                else None
            ),
            may_view_log=_allocated_or_manager(found),
            may_export=_legitimate(found),
        )


def redaction_for(user: User, person: Person, *, known: rules.Standing | None = None) -> Redaction:
    """What ``user`` may not see of ``person``'s events.

    For a record opened with ``open_record`` (``Record.redaction``), and for features that
    show a few events of people the reader was already let see by the same rules (the
    household adults in a decision's evidence, the children in an inbox built on
    ``record.queries.visible_to``): it decides nothing about opening the record.
    """
    found = known if known is not None else rules.standing(user, person)
    return Redaction(
        sections=rules.sections_visible(user, person, known=found),
        agency_id=user.agency_id,
        # Asked at most once (it may cost a permission query).
        may_see_referrer=functools.cache(lambda: rules.may_see_referrer(user, person, known=found)),
    )


def open_record(
    user: User,
    public_id: uuid.UUID | str,
    *,
    intent: Intent,
    origin: Origin,
    reason: str = "",
    detail: dict[str, object] | None = None,
) -> Record:
    """The record if ``user`` may read it for ``intent``, with an audit row written;
    otherwise 404.

    A denial is audited too, and that row is kept: this function opens no transaction
    of its own, so the 404 does not roll it back. An unknown id and a record the user may
    not read give the same 404. Emergency access is named in the row (its reason and
    grant). If the audit row cannot be written, the exception propagates and nothing is
    shown.
    """
    person = _find(public_id)
    found = rules.standing(user, person) if person is not None else rules.Standing()
    need = _NEEDS[intent]
    if person is None or not need.allows(found):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            person=person,
            detail={"intent": intent.value, "requested": str(public_id)},
        )
        raise Http404("No such person")
    detail = dict(detail or {})
    if not found.legitimate and found.grant is not None:
        detail["break_glass"] = found.grant.pk
        reason = reason or (
            f"Emergency access: {found.grant.get_reason_code_display()}. {found.grant.reason_text}"
        )
    record_audit(
        actor=user, action=need.action, origin=origin, person=person, reason=reason, detail=detail
    )
    return Record(user=user, person=person, standing=found)


@dataclass(frozen=True)
class SubjectAccessWarrant:
    """The verified request a subject access read answers (``open_for_subject_access``).

    ``request`` is the request's public id; ``verified_at`` is None until the requester's
    identity is verified, and no record opens before then.
    """

    request: str
    verified_at: dt.datetime | None
    verified_by: str
    method: str


# Nothing is withheld by section or referrer from the person's own record: the subject
# access feature removes other people's information before anything leaves.
_DISCLOSE_ALL = Redaction(
    sections=frozenset(Section), agency_id=None, may_see_referrer=lambda: True
)


@dataclass(frozen=True)
class Disclosure:
    """A person's whole record opened to answer their own subject access request.

    Its rows are not redacted for a reader (the reader is the person): the caller must
    remove third parties' information before the rows leave the system.
    """

    person: Person
    request: str

    def chronology(self) -> ChronologyRows:
        """The person's events, oldest first, corrections included (the record as held)."""
        return ChronologyRows(self.person.pk, ChronologyFilter(), _DISCLOSE_ALL)


def open_for_subject_access(
    user: User | None,
    public_id: uuid.UUID | str,
    *,
    warrant: SubjectAccessWarrant,
    origin: Origin,
) -> Disclosure:
    """The person's whole record for a verified subject access request, with a
    ``subject_access_read`` audit row naming the request; otherwise 404 and a denial row.

    The reader is a data quality officer (``rules.may_answer_subject_access``) or, with
    ``user`` None, the operator of the command line (``sightline subject-access``), who
    has the database already. The request's identity verification must be recorded.
    """
    person = _find(public_id)
    allowed = (
        person is not None
        and warrant.verified_at is not None
        and (
            (user is None and origin.via == "cli")
            or (user is not None and rules.may_answer_subject_access(user))
        )
    )
    detail: dict[str, object] = {
        "intent": Intent.SUBJECT_ACCESS.value,
        "subject_access_request": warrant.request,
    }
    if not allowed or person is None:
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            person=person,
            detail={**detail, "requested": str(public_id), "verified": bool(warrant.verified_at)},
        )
        raise Http404("No such person")
    record_audit(
        actor=user,
        action=AuditAction.SUBJECT_ACCESS_READ,
        origin=origin,
        person=person,
        reason=f"Subject access request {warrant.request}",
        detail={
            **detail,
            "identity_verified_by": warrant.verified_by,
            "identity_verified_at": warrant.verified_at.isoformat()
            if warrant.verified_at
            else None,
            "verification_method": warrant.method,
        },
    )
    return Disclosure(person=person, request=warrant.request)


def chronology_detail(filters: ChronologyFilter, *, page: object) -> dict[str, object]:
    """The audit detail of a chronology read, the same from the page and the API: the
    filters given and the page."""
    given: dict[str, object] = {
        "agency": list(filters.agencies),
        "category": list(filters.categories),
        "significance": list(filters.significance),
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
        "order": filters.order,
        "include_superseded": filters.include_superseded,
    }
    return {
        "filters": {name: value for name, value in given.items() if value not in (None, [])},
        "page": page,
    }


def access_for_emergency(user: User, public_id: uuid.UUID | str, *, origin: Origin) -> Person:
    """The person whose name and date of birth are shown on the emergency access page.

    Only those who may trace (and so could find the person by a search) get it, with a
    ``view_identity`` audit row; anyone else gets 404 and a denial row.
    """
    person = _find(public_id)
    if person is None or not rules.may_trace(user):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            person=person,
            detail={"intent": "break_glass", "requested": str(public_id)},
        )
        raise Http404("No such person")
    record_audit(
        actor=user,
        action=AuditAction.VIEW_IDENTITY,
        origin=origin,
        person=person,
        detail={"intent": "break_glass"},
    )
    return person


def _find(public_id: uuid.UUID | str) -> Person | None:
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None
    person = Person.objects.filter(public_id=key).first()
    # A merged person's row stays for links; reads go to the person it was merged into.
    while person is not None and person.merged_into_id is not None:
        person = person.merged_into
    return person
