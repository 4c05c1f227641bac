"""A real SMTP server for the mail tests (aiosmtpd on 127.0.0.1), and shared helpers.

No tests live here: the other ``test_mail_*`` modules import these fixtures.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from certdesk_tui.config import Settings
from certdesk_tui.domain import Status
from certdesk_tui.service import Desk


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class Mailbox:
    """Everything the server accepted; recipients listed in ``refuse`` get a 550; after
    the n-th message accepted, for each n in ``drop_after``, the server hangs up."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    delay: float = 0.0
    drop_after: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ARG002
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ARG002
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          bytes(envelope.original_content or envelope.content)))
            count = len(self.received)
        if count in self.drop_after:
            import asyncio

            # After the reply below is written: the message was accepted, then the line dropped.
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [r.message for r in self.received]

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _CountingController(Controller):
    """A controller whose server counts the connections it is given."""

    def __init__(self, owner: SmtpServer, *args, **kwargs) -> None:
        self.owner = owner
        super().__init__(*args, **kwargs)

    def factory(self) -> SMTP:
        owner = self.owner

        class Counted(SMTP):
            def connection_made(self, transport) -> None:
                owner.connections += 1
                owner.transports.append(transport)
                super().connection_made(transport)

        return Counted(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        # The controller's own check that the server is up is not a client's connection.
        super()._trigger_server()
        self.owner.connections -= 1


class SmtpServer:
    """An aiosmtpd server that can be stopped and started again on the same port; it counts
    the connections it was given (``connections``)."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller: Controller | None = None
        self.credentials = credentials
        self.logins: list[tuple[str, str]] = []
        self.connections = 0
        self.transports: list = []

    def _authenticate(self, server, session, envelope, mechanism, auth_data):  # noqa: ARG002
        login = auth_data.login.decode()
        password = auth_data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=(login, password) == self.credentials, handled=False)

    def start(self) -> None:
        extra = {}
        if self.credentials is not None:
            extra = {"authenticator": self._authenticate, "auth_require_tls": False}
        for _ in range(50):
            try:
                self.controller = _CountingController(self, self.mailbox, hostname="127.0.0.1",
                                                      port=self.port, **extra)
                self.controller.start()
                return
            except (OSError, RuntimeError):  # the port is still being released
                self.controller = None
                time.sleep(0.1)
        raise RuntimeError(f"cannot start the SMTP server on port {self.port}")

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def hang_up(self) -> None:
        """Close every connection the server holds open (it keeps listening)."""
        assert self.controller is not None
        open_now = [t for t in self.transports if not t.is_closing()]
        for transport in open_now:
            self.controller.loop.call_soon_threadsafe(transport.close)
        deadline = time.monotonic() + 5
        while any(not t.is_closing() for t in open_now) and time.monotonic() < deadline:
            time.sleep(0.01)

    def settings(self, **over) -> Settings:
        values = dict(smtp_host="127.0.0.1", smtp_port=self.port, smtp_security="none",
                      mail_from="certificates@certdesk.example", mail_max_attempts=4,
                      mail_retry_base_seconds=30)
        values.update(over)
        return Settings(**values)

    def env(self) -> dict[str, str]:
        return {"CERTDESK_SMTP_HOST": "127.0.0.1", "CERTDESK_SMTP_PORT": str(self.port),
                "CERTDESK_SMTP_SECURITY": "none",
                "CERTDESK_MAIL_FROM": "certificates@certdesk.example"}


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def complete(specialist: Desk, submit) -> Callable[..., int]:
    """A completed request (the certificate generated by automation); returns its id."""

    def make(external_id: str, to_holder: bool = True, **over) -> int:
        rid = submit(external_id, send_to_holder=to_holder, **over)
        if specialist.row(rid).status != Status.COMPLETED:  # not processed automatically
            specialist.automate(rid, to_holder=to_holder)
        return rid

    return make


def attachments(message: EmailMessage) -> list[tuple[str | None, str, bytes]]:
    return [(part.get_filename(), part.get_content_type(), part.get_content())
            for part in message.iter_attachments()]


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return (text.get_content() if text else "", html.get_content() if html else "")
