"""Who may see what of information sharing, and the audit of each read.

A referral: the referrer, the team it was sent from, and the receiving team; others get
an audited 404. The lists (the inbox with its referral lists, referrals sent, and the
API's lists): each alert composed for the reader (``sharing.inbox``), and one audit row
per child shown, against the child (``actions.record_listing``). Pages and API
endpoints read through here and only lay the result out.
"""

import uuid
from dataclasses import dataclass

from django.http import Http404

from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.sharing import actions, inbox, queries
from sightline.sharing.models import Referral


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


def open_referrals_sent(user: User, *, origin: Origin, limit: int) -> tuple[list[Referral], int]:
    """Referrals the user and their team sent, newest first, and how many in all."""
    sent = queries.referrals_sent(user)
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
