"""A local SMTP server for tests (aiosmtpd): it records every message it receives, can refuse
chosen recipients for good (550, a bounced address) and can hold its answer to a message it
has already recorded (a connection lost after the data: the sender does not know it went)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


@dataclass
class Received:
    recipients: list[str]
    message_id: str
    subject: str
    raw: bytes

    @property
    def message(self):
        return message_from_bytes(self.raw, policy=policy.default)


@dataclass
class SMTPRecorder:
    host: str = "127.0.0.1"
    port: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # address → the 550 text
    hold: set[str] = field(default_factory=set)  # recipients whose 250 waits for `release`
    received: list[Received] = field(default_factory=list)
    rcpt_attempts: list[str] = field(default_factory=list)  # every RCPT TO seen
    _lock: threading.Lock = field(default_factory=threading.Lock)
    release: threading.Event = field(default_factory=threading.Event)

    # the aiosmtpd handler
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            self.rcpt_attempts.append(address.lower())
        if address.lower() in self.refused:
            return f"550 5.1.1 {self.refused[address.lower()]}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        parsed = message_from_bytes(raw, policy=policy.default)
        item = Received(
            recipients=[a.lower() for a in envelope.rcpt_tos],
            message_id=str(parsed["Message-ID"] or "").strip(),
            subject=str(parsed["Subject"] or ""),
            raw=raw,
        )
        with self._lock:
            self.received.append(item)
        if self.hold.intersection(item.recipients):
            await asyncio.to_thread(self.release.wait, 60)
        return "250 Message accepted for delivery"

    # what tests read
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages() if address.lower() in m.recipients]

    def wait_for(self, condition, timeout: float = 60, what: str = "") -> None:
        """Poll `condition()` until it holds (a deadline, not a pause of a guessed length)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or condition}")
            time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(recorder: SMTPRecorder) -> Controller:
    recorder.port = free_port()
    controller = Controller(recorder, hostname=recorder.host, port=recorder.port, decode_data=False)
    controller.start()
    return controller
