"""A local SMTP server (aiosmtpd, a development dependency) that records what it accepts:
for the outbox fault tests and `sightline bench-alerts`."""

import asyncio
import email
import socket
import threading
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Recorder:
    """Keeps the Message-ID of every message accepted. Optionally stalls the conversation
    of the message after the first ``stall_after`` (at MAIL FROM, before it is accepted)
    until released, so a test can kill the sender in the middle of a delivery."""

    def __init__(self, stall_after: int | None = None) -> None:
        self.message_ids: list[str] = []
        self.stall_after = stall_after
        self.stalled = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.stall_after is not None and len(self.message_ids) >= self.stall_after:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            self.message_ids.append("".join(str(message["Message-ID"]).split()))
        return "250 Message accepted for delivery"


class SMTPServer:
    """Start and stop a server on one port, as often as a test needs."""

    def __init__(self, recorder: Recorder, port: int | None = None) -> None:
        self.recorder = recorder
        self.port = port or free_port()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
