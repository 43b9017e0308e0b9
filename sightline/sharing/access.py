"""Who may see what of information sharing, and the audit of each read.

A referral: the referrer, the team it was sent from, and the receiving team; others get
an audited 404. The lists (the inbox with its referral lists, referrals sent, and the
API's lists): each alert composed for the reader (``sharing.inbox``), and one audit row
per child shown, against the child (``actions.record_listing``). Pages and API
endpoints read through here and only lay the result out.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404

from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.record.queries import visible_to
from sightline.sharing import actions, inbox, queries
from sightline.sharing.models import NotInformedReason, Referral, SharingDecision, SharingOutcome


def access_referral(user: User, public_id: uuid.UUID | str, *, origin: Origin) -> Referral:
    """The referral if ``user`` may see it, with an audit row; otherwise an audited 404."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        key = None
    referral = (
        Referral.objects.select_related(
            "person", "referrer", "from_agency", "to_team__agency", "redirected_to__to_team"
        )
        .filter(public_id=key)
        .first()
        if key
        else None
    )
    if referral is None or not queries.may_see_referral(user, referral):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            person=referral.person if referral else None,
            detail={"intent": AuditAction.VIEW_REFERRAL.value, "requested": str(public_id)},
        )
        raise Http404("No such referral")
    record_audit(
        actor=user,
        action=AuditAction.VIEW_REFERRAL,
        origin=origin,
        person=referral.person,
        detail={"referral": str(referral.public_id)},
    )
    return referral


def _listed(name: str, referrals: list[Referral]) -> list[actions.Listed]:
    # Every list of referrals comes from a query that is ``may_see_referral`` as a filter.
    return [actions.Listed(referral.person_id, name, named=True) for referral in referrals]


def _alerts_listed(rows: list[inbox.AlertRow]) -> list[actions.Listed]:
    return [actions.Listed(row.audit_person_id, "alerts", named=row.named) for row in rows]


@dataclass(frozen=True)
class Dashboard:
    """The inbox page: alerts, and the referral lists of the user and their team."""

    alerts: list[inbox.AlertRow]
    unread: int
    to_acknowledge: list[Referral]
    overdue: list[Referral]
    awaiting_outcome: list[Referral]
    sent: list[Referral]


def open_dashboard(user: User, *, origin: Origin, alerts: int, sent: int) -> Dashboard:
    """The inbox page's lists for ``user``, redacted for them, the view audited."""
    board = Dashboard(
        alerts=inbox.alert_rows(user, list(queries.inbox_for(user)[:alerts])),
        unread=queries.unread_count(user),
        to_acknowledge=list(queries.referrals_to_acknowledge(user)),
        overdue=list(queries.overdue_for_team(user)),
        awaiting_outcome=list(queries.referrals_awaiting_outcome(user)),
        sent=list(queries.referrals_sent(user)[:sent]),
    )
    actions.record_listing(
        actor=user,
        page="inbox",
        listed=[
            *_alerts_listed(board.alerts),
            *_listed("to_acknowledge", board.to_acknowledge),
            *_listed("overdue", board.overdue),
            *_listed("awaiting_outcome", board.awaiting_outcome),
            *_listed("sent", board.sent),
        ],
        origin=origin,
    )
    return board


def open_inbox(user: User, *, origin: Origin, limit: int) -> tuple[list[inbox.AlertRow], int]:
    """The user's alerts (their own and their team's duty inbox), newest first, composed
    for them, and the unread count; the view audited."""
    rows = inbox.alert_rows(user, list(queries.inbox_for(user)[:limit]))
    actions.record_listing(actor=user, page="inbox", listed=_alerts_listed(rows), origin=origin)
    return rows, queries.unread_count(user)


def open_referrals_sent(
    user: User, *, origin: Origin, limit: int, status: str = ""
) -> tuple[list[Referral], int]:
    """Referrals the user and their team sent (in ``status``, when given), newest first,
    and how many in all."""
    sent = queries.referrals_sent(user)
    if status:
        sent = sent.filter(status=status)
    shown = list(sent[:limit])
    actions.record_listing(
        actor=user, page="referrals_sent", listed=_listed("sent", shown), origin=origin
    )
    return shown, sent.count()


def open_referral_lists(user: User, *, origin: Origin, limit: int) -> list[Referral]:
    """The API's list: referrals the user and their team sent, and referrals to their
    team, newest first (at most ``limit`` of each)."""
    mine = list(queries.referrals_sent(user)[:limit])
    received = list(queries.referrals_received(user)[:limit])
    actions.record_listing(
        actor=user,
        page="referrals",
        listed=[*_listed("sent", mine), *_listed("received", received)],
        origin=origin,
    )
    return list({referral.pk: referral for referral in [*mine, *received]}.values())


# Sharing decisions ----------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionRow:
    """One decision in the agency's report; the child named only for a reader who may
    open the record."""

    decided_at: dt.datetime
    person_public_id: uuid.UUID | None
    person_name: str
    outcome: str
    about: str
    with_whom: str
    lawful_basis: str
    consent: str
    family_informed: bool
    family_reason: str
    decided_by: str


@dataclass(frozen=True)
class DecisionReport:
    start: dt.date
    end: dt.date
    agency: str
    rows: list[DecisionRow]
    total: int
    shared: int
    not_shared: int
    not_informed: list[tuple[str, int]]
    by_lawful_basis: list[tuple[str, int]]


def open_decision_report(
    user: User, *, start: dt.date, end: dt.date, origin: Origin, limit: int
) -> DecisionReport:
    """The agency's sharing decisions from ``start`` to ``end``, for its safeguarding
    leads and team managers (others: ``PermissionDenied``, audited; the page's existence
    is no secret). Counts cover the whole period; rows at most ``limit``, each child
    named and linked only if ``user`` may open the record. Audited as a list: one row per
    child shown (``actions.record_listing``)."""
    if not queries.may_see_decision_report(user):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": "sharing_decision_report"},
        )
        raise PermissionDenied(
            "The sharing decisions report is for safeguarding leads and managers."
        )
    assert user.agency_id is not None  # noqa: S101 - may_see_decision_report checks it
    found = queries.decisions_of_agency(user.agency_id, start=start, end=end)
    counts = dict(found.values_list("outcome").annotate(n=Count("pk")).order_by())
    not_informed = [
        (NotInformedReason(reason).label, n)
        for reason, n in found.filter(family_informed=False)
        .values_list("not_informed_reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "not_informed_reason")
    ]
    by_basis = [
        (label, n)
        for label, n in found.values_list("lawful_basis__label")
        .annotate(n=Count("pk"))
        .order_by("-n", "lawful_basis__label")
    ]
    decisions = list(
        found.select_related("person", "decided_by", "with_agency", "with_user", "lawful_basis")[
            :limit
        ]
    )
    person_ids = {d.person_id for d in decisions}
    visible = set(visible_to(user).filter(pk__in=person_ids).values_list("pk", flat=True))
    rows = [
        DecisionRow(
            decided_at=d.decided_at,
            person_public_id=d.person.public_id if d.person_id in visible else None,
            person_name=(d.person.full_name or "Name not known") if d.person_id in visible else "",
            outcome=d.get_outcome_display(),
            about=d.get_about_display(),
            with_whom=d.recipient,
            lawful_basis=d.lawful_basis.label,
            consent=d.get_consent_display(),
            family_informed=d.family_informed,
            family_reason=d.family_reason,
            decided_by=d.decided_by.get_full_name() or d.decided_by.username,
        )
        for d in decisions
    ]
    actions.record_listing(
        actor=user,
        page="sharing_decisions",
        listed=[
            actions.Listed(d.person_id, "decisions", named=d.person_id in visible)
            for d in decisions
        ],
        origin=origin,
    )
    agency = user.agency
    return DecisionReport(
        start=start,
        end=end,
        agency=agency.name if agency else "",
        rows=rows,
        total=sum(counts.values()),
        shared=counts.get(SharingOutcome.SHARED.value, 0),
        not_shared=counts.get(SharingOutcome.NOT_SHARED.value, 0),
        not_informed=not_informed,
        by_lawful_basis=by_basis,
    )


def open_decisions_for_api(
    user: User, *, origin: Origin, limit: int
) -> list[tuple[SharingDecision, bool]]:
    """The API's list (``queries.decisions_for_api``), newest first, each with whether
    the child may be named to ``user``. Audited as a list."""
    decisions = list(
        queries.decisions_for_api(user).select_related(
            "person", "decided_by", "agency", "with_agency", "with_user", "lawful_basis"
        )[:limit]
    )
    visible = set(
        visible_to(user)
        .filter(pk__in={d.person_id for d in decisions})
        .values_list("pk", flat=True)
    )
    actions.record_listing(
        actor=user,
        page="api_sharing_decisions",
        listed=[
            actions.Listed(d.person_id, "decisions", named=d.person_id in visible)
            for d in decisions
        ],
        origin=origin,
    )
    return [(d, d.person_id in visible) for d in decisions]
