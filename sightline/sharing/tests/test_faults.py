"""The outbox under faults: the mail server down, and a worker killed mid-delivery."""

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from sightline.audit.actions import CLI
from sightline.sharing import actions, outbox
from sightline.sharing.models import OutboundEmail
from sightline.sharing.smtpsink import Recorder, SMTPServer
from sightline.testing import factories

LOOKUPS = 5  # five nurses look the flagged child up: ten e-mails (worker and duty inbox)


def look_up(flagged_child, agencies, count=LOOKUPS):
    for n in range(count):
        nurse = factories.UserFactory.create(agency=agencies["HEALTH"], username=f"nurse{n}")
        actions.check_flag(actor=nurse, nhs_number=flagged_child.nhs_number, origin=CLI)


@pytest.fixture
def smtp_settings(settings):
    def use(server: SMTPServer, timeout: int = 2) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_TIMEOUT = timeout

    return use


@pytest.mark.django_db
def test_with_the_mail_server_down_nothing_is_lost_and_each_is_sent_once_when_it_is_back(
    flagged_child, agencies, smtp_settings
):
    recorder = Recorder()
    server = SMTPServer(recorder)
    smtp_settings(server)
    look_up(flagged_child, agencies)
    actions.deliver_alerts()
    assert OutboundEmail.objects.count() == 2 * LOOKUPS

    start = dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as clock:
        # Down: every attempt fails, every message waits with exponential back-off.
        assert outbox.send_due() == outbox.SendResult(0, 2 * LOOKUPS, more_due=False)
        first_retry = {row.next_attempt_at for row in OutboundEmail.objects.all()}
        assert len(first_retry) == 1
        assert first_retry.pop() - start >= dt.timedelta(seconds=30)
        assert outbox.send_due().failed == 0  # not due yet: no attempt
        clock.shift(dt.timedelta(seconds=31))
        assert outbox.send_due().failed == 2 * LOOKUPS
        row = OutboundEmail.objects.first()
        assert row is not None
        assert row.attempts == 2
        assert "Connection refused" in row.last_error or "Errno" in row.last_error
        assert row.next_attempt_at - dt.datetime.now(tz=dt.UTC) > dt.timedelta(seconds=55)

        # Back: everything goes, once.
        server.start()
        try:
            clock.shift(dt.timedelta(seconds=61))
            assert outbox.send_due() == outbox.SendResult(2 * LOOKUPS, 0, more_due=False)
            assert outbox.send_due() == outbox.SendResult(0, 0, more_due=False)
        finally:
            server.stop()
    assert sorted(recorder.message_ids) == sorted(
        OutboundEmail.objects.values_list("message_id", flat=True)
    )
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()
    assert outbox.next_attempt() is None


def test_backoff_doubles_and_is_capped():
    delays = [outbox.backoff(n, first=30, cap=3600).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


class WorkerDatabase:
    """The test database as a separate process can reach it: PostgreSQL's test database
    itself, or a file copy of SQLite's in-memory one."""

    def __init__(self, tmp_path: Path) -> None:
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.path = tmp_path / "worker.sqlite3"
            target = sqlite3.connect(self.path)
            connection.ensure_connection()
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.path}"
        else:
            s = connection.settings_dict
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"

    def scalar(self, sql: str) -> int:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.path) as db:
                return int(db.execute(sql).fetchone()[0])
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return int(cursor.fetchone()[0])


def start_worker(database: WorkerDatabase, server: SMTPServer) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": database.url,
        "SIGHTLINE_TESTING": "1",
        "SIGHTLINE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "SIGHTLINE_EMAIL_HOST": "127.0.0.1",
        "SIGHTLINE_EMAIL_PORT": str(server.port),
        "SIGHTLINE_EMAIL_TIMEOUT": "2",
        "SIGHTLINE_OUTBOX_LEASE_SECONDS": "4",
        "SIGHTLINE_OUTBOX_RETRY_SECONDS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "sightline", "run-worker", "--interval", "0.1", "-v", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_delivers_each_message_exactly_once_after_restart(
    flagged_child, agencies, tmp_path
):
    # The alerts are committed; the worker process fans them out and sends the e-mail.
    look_up(flagged_child, agencies)
    database = WorkerDatabase(tmp_path)
    recorder = Recorder(stall_after=4)  # the 5th message stalls at MAIL FROM
    server = SMTPServer(recorder)
    server.start()
    first = second = None
    try:
        first = start_worker(database, server)
        assert recorder.stalled.wait(timeout=40), "the worker never reached the 5th message"
        first.send_signal(signal.SIGKILL)  # killed in the middle of a delivery
        first.wait(timeout=10)
        recorder.release.set()
        assert len(recorder.message_ids) == 4
        sent = "SELECT COUNT(*) FROM sharing_outboundemail WHERE sent_at IS NOT NULL"
        assert database.scalar(sent) == 4
        claimed = (
            "SELECT COUNT(*) FROM sharing_outboundemail"
            " WHERE sent_at IS NULL AND claimed_until IS NOT NULL"
        )
        assert database.scalar(claimed) >= 1  # the dead worker's claim, left to lapse

        second = start_worker(database, server)
        wait_for(
            lambda: database.scalar(sent) == 2 * LOOKUPS, seconds=40, what="the restarted worker"
        )
        time.sleep(0.5)  # anything sent twice would arrive now
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
        server.stop()
    assert len(recorder.message_ids) == 2 * LOOKUPS
    assert len(set(recorder.message_ids)) == 2 * LOOKUPS  # none twice
    status = subprocess.run(
        [sys.executable, "-m", "sightline", "sharing-status", "--json"],
        env=os.environ | {"DATABASE_URL": database.url, "SIGHTLINE_TESTING": "1"},
        capture_output=True,
        check=True,
    )
    counts = json.loads(status.stdout)
    assert counts["emails_unsent"] == 0
    assert counts["alerts_undelivered"] == 0
    assert counts["inbox_items"] == 2 * LOOKUPS
