# ruff: noqa: F811 - pytest fixtures imported from tests.unit.test_mail_helpers
"""Every email can be delivered: senders with display names, hostile names, slow servers.

Real SMTP on 127.0.0.1: aiosmtpd for a server that works, and a small socket server
that answers one byte per second for one that does not.
"""

from __future__ import annotations

import base64
import email
import email.policy
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from certdesk_tui.domain import Brand, EmailState
from certdesk_tui.mail.delivery import deliver_due
from certdesk_tui.mail.message import build_message, header_text
from certdesk_tui.mail.transports import SmtpTransport
from certdesk_tui.notifications import completed_emails, rejected_email
from certdesk_tui.storage.models import OutboxEmail
from certdesk_tui.text import one_line as shown_line
from tests import factories
from tests.hostile_pdfs import certificate_pdf
from tests.integration.test_mail_cli import ME, ROOT, certdesk, certdesk_env
from tests.unit.test_mail_helpers import (  # noqa: F401 - fixtures
    SmtpServer,
    complete,
    free_port,
    smtp_server,
)

CUSTOMER = "owner@c100.example"
SENDER = "Compeo Certificates <certs@compeo.example>"


def rows(db) -> list[OutboxEmail]:
    with db.reading() as s:
        return list(s.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def deliver(db, server: SmtpServer, **over):
    settings_ = server.settings(**over)
    return deliver_due(db, SmtpTransport(settings_), settings_, "test")


def test_a_sender_with_a_display_name_is_delivered_from_the_bare_address(
        db, complete, smtp_server):
    complete("DN-1")

    result = deliver(db, smtp_server, mail_from=SENDER)

    assert (result.sent, result.retried, result.failed) == (2, 0, 0), result.errors
    received = smtp_server.mailbox.received
    assert {r.mail_from for r in received} == {"certs@compeo.example"}
    for r in received:
        [sender] = r.message["From"].addresses
        assert (sender.display_name, sender.addr_spec) == (
            "Compeo Certificates", "certs@compeo.example")
        assert r.message["Reply-To"] is None


def test_messages_queued_with_a_broken_message_id_are_delivered_now(db, complete, smtp_server):
    # What a display-name mail_from used to queue: a Message-ID ending in "example.com>>".
    complete("DN-2")
    with db.writing() as s:
        for i, row in enumerate(s.scalars(select(OutboxEmail))):
            row.message_id = f"<17000000{i}.1.2@compeo.example>>"

    result = deliver(db, smtp_server, mail_from=SENDER)

    assert result.sent == 2, result.errors
    ids = smtp_server.mailbox.message_ids()
    assert sorted(ids) == sorted(r.message_id for r in rows(db))
    assert all(i.endswith("@compeo.example>") and i.count(">") == 1 for i in ids)


def test_the_message_id_domain_follows_the_sender_at_send_time(db, complete, smtp_server):
    complete("MID-1")  # queued while the sender is the default one
    queued = {r.id: r.message_id for r in rows(db)}
    assert all(m.endswith("@certdesk.example>") for m in queued.values())

    deliver(db, smtp_server, mail_from="Payroll Desk <certs@peopaygo.example>")

    sent = {r.id: r.message_id for r in rows(db)}
    for email_id, message_id in sent.items():
        left = queued[email_id].strip("<>").rpartition("@")[0]
        assert message_id == f"<{left}@peopaygo.example>"
    assert sorted(smtp_server.mailbox.message_ids()) == sorted(sent.values())


def test_reply_to_is_set_when_configured(db, specialist, manual_request, smtp_server):
    specialist.start(manual_request)
    specialist.reject(manual_request, "Incomplete address")

    result = deliver(db, smtp_server, mail_from=SENDER,
                     reply_to="Compeo Desk <desk@compeo.example>")

    assert result.sent == 1, result.errors
    [received] = smtp_server.mailbox.received
    [reply_to] = received.message["Reply-To"].addresses
    assert (reply_to.display_name, reply_to.addr_spec) == ("Compeo Desk", "desk@compeo.example")
    body = received.message.get_body(("plain",)).get_content()
    assert "reply to this email" in body


# Names a customer or a holder could type, each once shaped to hurt a message.
HOSTILE_NAMES = [
    "=?utf-8?b?PGV2aWxAZXZpbC5leGFtcGxlPg==?=",  # an encoded word for <evil@evil.example>
    # an encoded word hiding a line break and a Bcc header
    "=?utf-8?b?" + base64.b64encode(b"Evil\r\nBcc: victim@evil.example").decode() + "?=",
    "=?utf-8?q?evil=40evil.example?= <x@evil.example>",
    "Evil Corp\r\nBcc: victim@evil.example",
    "Zoë Łukasiewicz – Ñandú GmbH 日本語の会社",
    'O\'Neil, "Big" <GC> & Sons; (Ltd)',
    "G" * 3000,
    "\u202eCorp\u202c \x1b[31mred\x1b[0m \x07",
    "=?=?",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_a_hostile_name_never_makes_a_message_undeliverable(
        db, manager, specialist, submit, smtp_server, name):
    manager.import_customers(factories.jsonl(factories.customer("C700", name=name[:200])))
    rid = submit("HN-1", "C700", holder=dict(factories.HOLDER, name=name[:200]),
                 send_to_holder=True, instructions="x")
    # The carrier's own certificate is attached: a name the certificate cannot draw is
    # refused there (tests/unit/test_certificate_pdf.py); here only the emails are at stake.
    specialist.automate(rid, to_holder=True,
                        attachment=("carrier.pdf", certificate_pdf("Certificate of insurance")))

    result = deliver(db, smtp_server, mail_from=SENDER)

    assert (result.sent, result.retried, result.failed) == (2, 0, 0), result.errors
    received = smtp_server.mailbox.received
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(["owner@c700.example",
                                                              factories.HOLDER["email"]])
    for r in received:
        message = r.message
        assert [a.addr_spec for a in message["To"].addresses] == r.rcpt_tos
        assert message["Bcc"] is None and not message.defects
        assert message["From"].addresses[0].addr_spec == "certs@compeo.example"
        # An encoded-word-shaped name reads as the text it is, never decoded into another.
        for header in ("Subject", "To"):
            if name.startswith("=?"):
                assert "evil@evil.example>" not in str(message[header])
                assert "victim@" not in str(message[header])


names = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(HOSTILE_NAMES)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customer_name=names, holder_name=names)
def test_any_name_builds_a_message_that_reads_back_to_its_recipient(customer_name, holder_name):
    drafts = completed_emails(
        request_id=7, request_type="COI", brand=Brand.COMPEO, customer_name=customer_name,
        customer_email=CUSTOMER, holder_name=holder_name, holder_email="certs@bgc.example",
        to_holder=True, certificate_number="CD-000007")
    rejection = rejected_email(
        request_id=7, request_type="COI", brand=Brand.COMPEO, customer_name=customer_name,
        customer_email=CUSTOMER, holder_name=holder_name, reason="Incomplete address")
    for draft in [*drafts, rejection]:
        outgoing = build_message(
            email_id=1, recipient_role=draft.recipient_role, mail_from=SENDER,
            to_addr=draft.to_addr, to_name=draft.to_name, subject=draft.subject,
            body_text=draft.body_text, body_html=draft.body_html,
            message_id="<1.2.3@certdesk.example>", created_at=datetime(2026, 3, 1),
            attachment=("CD-000007.pdf", b"%PDF-1.4 test") if draft.attach_certificate else None,
            reply_to="Desk <desk@compeo.example>")
        parsed = email.message_from_bytes(outgoing.data, policy=email.policy.default)
        assert [a.addr_spec for a in parsed["To"].addresses] == [draft.to_addr]
        assert outgoing.envelope_to == draft.to_addr
        assert outgoing.envelope_from == "certs@compeo.example"
        assert str(parsed["Message-ID"]) == "<1.2.3@compeo.example>"
        assert " ".join(str(parsed["Subject"]).split()) == " ".join(
            header_text(shown_line(draft.subject), 500).split())
        assert parsed["To"].addresses[0].display_name in (
            "", header_text(shown_line(draft.to_name)))
        assert "=?" not in str(parsed["Subject"])
        assert not parsed.defects
        assert max(len(line) for line in outgoing.data.split(b"\r\n")) <= 998


# -- a server that answers one byte per second ------------------------------------------


class TricklingServer:
    """Accepts connections and answers each with an SMTP greeting, one byte per second."""

    GREETING = b"220 slow.example ESMTP at your service, eventually\r\n"

    def __init__(self) -> None:
        self.port = free_port()
        self.connections = 0
        self.stopped = threading.Event()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(8)
        self.listener.settimeout(0.2)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            for i in range(10_000):
                if self.stopped.is_set():
                    return
                try:
                    conn.sendall(self.GREETING[i % len(self.GREETING):][:1])
                except OSError:
                    return
                self.stopped.wait(1.0)

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()
        self.thread.join(timeout=5)

    def env(self) -> dict[str, str]:
        return {"CERTDESK_SMTP_HOST": "127.0.0.1", "CERTDESK_SMTP_PORT": str(self.port),
                "CERTDESK_SMTP_SECURITY": "none", "CERTDESK_MAIL_FROM": SENDER}


@pytest.fixture
def trickling() -> Iterator[TricklingServer]:
    server = TricklingServer()
    try:
        yield server
    finally:
        server.stop()


def test_a_trickling_server_cannot_hang_delivery_past_the_deadline(db, complete, trickling):
    complete("SLOW-1", to_holder=False)
    settings_ = SmtpServer().settings(smtp_port=trickling.port, smtp_timeout_seconds=2)

    started = time.monotonic()
    result = deliver_due(db, SmtpTransport(settings_), settings_, "test")
    elapsed = time.monotonic() - started

    assert elapsed < 8, elapsed
    assert (result.sent, result.retried, result.failed) == (0, 1, 0)
    assert "did not take the message within 2 seconds" in result.errors[0]
    [row] = rows(db)
    assert row.state == EmailState.QUEUED and row.attempts == 1
    assert "smtp_timeout_seconds" in row.last_error


def test_sigterm_stops_mail_send_at_once_and_the_message_stays_queued(
        db, manager, complete, trickling, smtp_server):
    complete("SLOW-2", to_holder=False)
    manager.add_user(ME, "manager", "Operator")  # the process's own login runs the command
    process = subprocess.Popen(
        certdesk(db, "sam", "send"), env=certdesk_env(None, **trickling.env()), cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while trickling.connections == 0 and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            time.sleep(0.1)
        assert trickling.connections == 1
        time.sleep(1.5)  # a byte or two of the greeting is in
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        out, err = process.communicate(timeout=15)
        took = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert took < 5, took
    assert "Traceback" not in err, err
    [row] = rows(db)
    assert row.state == EmailState.QUEUED and row.attempts == 0, (row.state, row.last_error)
    assert row.claimed_by is None

    # Not lost: the next delivery (to a working server) sends it, once.
    with db.writing() as s:
        s.execute(update(OutboxEmail).values(next_attempt_at=datetime(2000, 1, 1)))
    result = deliver(db, smtp_server)
    assert result.sent == 1
    assert [r.rcpt_tos for r in smtp_server.mailbox.received] == [[CUSTOMER]]
    assert deliver(db, smtp_server).attempted == 0
