"""The e-mail outbox: queue in the caller's transaction, send from the worker.

Any app may queue e-mail here (the incidents reminders could move to it). Guarantees:

- Nothing is lost: a message is a row written in the same transaction as the change it
  reports, and it stays until the mail server has accepted it. When the server is down,
  each attempt fails, the row waits (exponential back-off, capped) and is tried again.
- Nothing is sent twice by us: a worker claims a batch for a lease before talking to the
  server and marks each message sent as soon as the server accepts it. A worker that
  dies leaves its claim to lapse and another worker sends what it had not. The only
  window left is the instant between the server's acceptance and our commit; a resend
  from that window carries the same Message-ID, which mail systems use to drop repeats.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from sightline.sharing.models import OutboundEmail

logger = logging.getLogger(__name__)
BATCH = 20


@dataclass(frozen=True)
class Email:
    key: str
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int
    more_due: bool


def backoff(attempts: int, *, first: int, cap: int) -> dt.timedelta:
    """Delay before the next attempt after ``attempts`` failures: first, 2x, 4x... capped."""
    if attempts < 1:
        return dt.timedelta(0)
    return dt.timedelta(seconds=min(cap, first * 2 ** min(attempts - 1, 30)))


def queue(emails: Sequence[Email], *, now: dt.datetime | None = None) -> int:
    """Write the messages in the current transaction; a key already queued is skipped.

    The worker is woken after commit. Returns how many rows were written.
    """
    if not emails:
        return 0
    at = now or timezone.now()
    keys = [email.key for email in emails]
    existing = set(OutboundEmail.objects.filter(key__in=keys).values_list("key", flat=True))
    rows = [
        OutboundEmail(
            key=email.key,
            message_id=f"<{uuid.uuid4().hex}@sightline.invalid>",
            to=email.to,
            subject=email.subject,
            body=email.body,
            created_at=at,
            next_attempt_at=at,
        )
        for email in {e.key: e for e in emails if e.key not in existing}.values()
    ]
    OutboundEmail.objects.bulk_create(rows)
    if rows:
        from sightline.sharing import tasks

        transaction.on_commit(tasks.wake_email_sender)
    return len(rows)


def _claim(limit: int, now: dt.datetime, token: str) -> list[OutboundEmail]:
    lease = dt.timedelta(seconds=settings.SIGHTLINE_OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            OutboundEmail.objects.filter(id__in=ids).update(
                claim=token, claimed_until=now + lease, attempts=F("attempts") + 1
            )
    return list(OutboundEmail.objects.filter(id__in=ids, claim=token).order_by("id"))


def _failed(row: OutboundEmail, token: str, error: BaseException) -> None:
    delay = backoff(
        row.attempts,
        first=settings.SIGHTLINE_OUTBOX_RETRY_SECONDS,
        cap=settings.SIGHTLINE_OUTBOX_RETRY_MAX_SECONDS,
    )
    OutboundEmail.objects.filter(pk=row.pk, claim=token).update(
        next_attempt_at=timezone.now() + delay,
        claim="",
        claimed_until=None,
        last_error=f"{type(error).__name__}: {error}"[:500],
    )


def _release(rows: Sequence[OutboundEmail], token: str) -> None:
    """Give back claimed rows not attempted (the attempt is not counted)."""
    OutboundEmail.objects.filter(pk__in=[r.pk for r in rows], claim=token).update(
        claim="", claimed_until=None, attempts=F("attempts") - 1
    )


def send_due(*, limit: int = BATCH) -> SendResult:
    """Send up to ``limit`` messages that are due, through Django's e-mail backend."""
    token = uuid.uuid4().hex
    now = timezone.now()
    rows = _claim(limit, now, token)
    if not rows:
        return SendResult(0, 0, more_due=False)
    sent = failed = 0
    lease_end = now + dt.timedelta(seconds=settings.SIGHTLINE_OUTBOX_LEASE_SECONDS)
    margin = dt.timedelta(seconds=getattr(settings, "EMAIL_TIMEOUT", None) or 10)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # the server is down: every message waits for its retry
        logger.warning("Mail server unavailable: %s", error)
        for row in rows:
            _failed(row, token, error)
        return SendResult(0, len(rows), more_due=False)
    try:
        for index, row in enumerate(rows):
            if timezone.now() + margin >= lease_end:  # never send on a lapsed claim
                _release(rows[index:], token)
                break
            message = EmailMessage(
                row.subject,
                row.body,
                settings.DEFAULT_FROM_EMAIL,
                [row.to],
                connection=connection,
                headers={"Message-ID": row.message_id},
            )
            try:
                message.send()
            except Exception as error:
                logger.warning("Could not send e-mail %s: %s", row.pk, error)
                _failed(row, token, error)
                failed += 1
                connection.close()  # a broken conversation: start the next one afresh
                continue
            OutboundEmail.objects.filter(pk=row.pk, claim=token).update(
                sent_at=timezone.now(), claim="", claimed_until=None, last_error=""
            )
            sent += 1
    finally:
        connection.close()
    more = OutboundEmail.objects.filter(
        sent_at__isnull=True, next_attempt_at__lte=timezone.now(), claimed_until__isnull=True
    ).exists()
    return SendResult(sent, failed, more_due=more and sent > 0)


def next_attempt() -> dt.datetime | None:
    """When the earliest unsent message may next be tried (retry or lapsed claim)."""
    unsent = OutboundEmail.objects.filter(sent_at__isnull=True)
    due = unsent.filter(claimed_until__isnull=True).aggregate(at=Min("next_attempt_at"))["at"]
    lapse = unsent.aggregate(at=Min("claimed_until"))["at"]
    times = [t for t in (due, lapse) if t is not None]
    return min(times) if times else None
