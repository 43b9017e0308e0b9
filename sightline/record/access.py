"""Every read of a person's record comes through here: decide, audit, return or 404; and
what of the record the reader may see (need to know by section, the referrer's identity).
"""

import enum
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import Http404

from sightline.access import sections
from sightline.access.models import BreakGlassGrant
from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.chronology.models import ChronologyEvent
from sightline.people.models import Person
from sightline.record import rules


class Intent(enum.Enum):
    """What the caller is about to show: it names the audit row."""

    VIEW_RECORD = AuditAction.VIEW_PERSON
    VIEW_CHRONOLOGY = AuditAction.VIEW_CHRONOLOGY
    VIEW_ACCESS_LOG = AuditAction.VIEW_ACCESS_LOG
    # The export page, before the export: it shows only the name and date of birth.
    PREPARE_EXPORT = AuditAction.VIEW_IDENTITY
    EXPORT_CHRONOLOGY = AuditAction.EXPORT_CHRONOLOGY


# The permission each intent needs; the rules live in ``record/rules.py``.
_PERMISSION = {
    Intent.VIEW_RECORD: "people.view_person",
    Intent.VIEW_CHRONOLOGY: "people.view_person",
    Intent.VIEW_ACCESS_LOG: "people.view_access_log",
    Intent.PREPARE_EXPORT: "people.export_chronology",
    Intent.EXPORT_CHRONOLOGY: "people.export_chronology",
}


def access_person(
    user: User,
    public_id: uuid.UUID | str,
    *,
    intent: Intent,
    origin: Origin,
    detail: dict[str, object] | None = None,
    reason: str = "",
) -> Person:
    """The person if ``user`` may see them for ``intent``, with an audit row written;
    otherwise 404.

    A denial is audited too, and that row is kept: this function opens no transaction
    of its own, so the 404 does not roll it back. Whether the person exists is not
    revealed. Emergency access is named in the row (its reason and grant). If the audit
    row cannot be written, the exception propagates and nothing is shown.
    """
    person = _find(public_id)
    found = rules.standing(user, person) if person is not None else rules.Standing()
    if _PERMISSION[intent] == "people.view_person":
        allowed = found.allowed  # the rule of ``people.view_person``, read once
    else:
        allowed = person is not None and user.has_perm(_PERMISSION[intent], person)
    if person is None or not allowed:
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            person=person,
            detail={"intent": intent.value.value, "requested": str(public_id)},
        )
        raise Http404("No such person")
    detail = dict(detail or {})
    if not found.legitimate and found.grant is not None:
        detail["break_glass"] = found.grant.pk
        reason = reason or (
            f"Emergency access: {found.grant.get_reason_code_display()}. {found.grant.reason_text}"
        )
    record_audit(
        actor=user, action=intent.value, origin=origin, person=person, reason=reason, detail=detail
    )
    # Kept for this request's other questions about the same record (sections, links).
    person._access_standing = (user.pk, found)  # type: ignore[attr-defined]
    return person


def _standing(user: User, person: Person) -> rules.Standing:
    known = getattr(person, "_access_standing", None)
    if known is not None and known[0] == user.pk:
        return known[1]  # type: ignore[no-any-return]
    return rules.standing(user, person)


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


@dataclass
class RecordView:
    """What one reader may see of one person's record beyond the fact of each event."""

    sections: frozenset[sections.Section]
    agency_id: int | None
    # Asked only when an event names a referrer (it may cost a permission query).
    may_see_referrer: Callable[[], bool]
    _referrer: bool | None = None

    @property
    def referrer(self) -> bool:
        if self._referrer is None:
            self._referrer = self.may_see_referrer()
        return self._referrer

    def withholds(self, event: ChronologyEvent) -> bool:
        section = sections.section_of(event.category.code)
        return section is not None and section not in self.sections

    def restrict(self, events: Iterable[ChronologyEvent]) -> set[int]:
        """Blank, in these in-memory events, what the reader may not see; the ids of the
        events whose other people were withheld too.

        The events' agency and category must be loaded (``events_for`` selects them).
        """
        withheld: set[int] = set()
        for event in events:
            section = sections.section_of(event.category.code)
            if section is not None and section not in self.sections:
                event.summary = sections.withheld_summary(section, event.agency.name)
                event.practitioner = ""
                withheld.add(event.pk)
            elif (
                event.category.code in sections.REFERRER_CATEGORIES
                and event.practitioner
                and event.agency_id != self.agency_id
                and not self.referrer
            ):
                event.practitioner = sections.WITHHELD_REFERRER
            event.withheld_section = (  # type: ignore[attr-defined]
                section.label if event.pk in withheld and section is not None else ""
            )
        return withheld


@dataclass(frozen=True)
class RecordAccess:
    """Why the reader may see a record and what else they may do with it (the page's
    access panel)."""

    bases: tuple[rules.Basis, ...]
    grant: BreakGlassGrant | None
    may_view_log: bool
    may_export: bool


def record_access(user: User, person: Person) -> RecordAccess:
    """For a person obtained from ``access_person`` in this request."""
    found = _standing(user, person)
    return RecordAccess(
        bases=found.bases,
        grant=found.grant,
        may_view_log=found.allocated or found.manages_allocated,
        may_export=found.legitimate,
    )


def record_view(user: User, person: Person) -> RecordView:
    """What ``user`` may see of ``person``'s record; call after ``access_person``."""
    found = _standing(user, person)
    return RecordView(
        sections=rules.sections_visible(user, person, known=found),
        agency_id=user.agency_id,
        may_see_referrer=lambda: rules.may_see_referrer(user, person, known=found),
    )
