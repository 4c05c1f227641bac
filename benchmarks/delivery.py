"""Delivery speed to an SMTP server on 127.0.0.1: one connection for consecutive messages
against a new connection for every message, measured in the same run.

    python benchmarks/delivery.py [--messages 300] [--runs 5]

Each run fills a fresh SQLite outbox with that many queued messages (text and HTML,
no attachment) and delivers them all with ``deliver_all_due`` through the SMTP
transport to an aiosmtpd server in this process, first with a new connection for
every message (the bound set to one message), then with the connection reused (the
default bound). It prints messages per second, the median of the runs, and checks
that every message arrived exactly once; beside it, the CPU time of the
delivering thread per message (the server's thread excluded), which other work
on the machine disturbs far less than the wall-clock rate. The reference, in the same runs: the same
number of ready-made messages handed to the same server by ``smtplib`` on one
connection (no outbox, no composing), which is as fast as this server takes mail.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from certdesk_tui.clock import utcnow  # noqa: E402
from certdesk_tui.config import Settings  # noqa: E402
from certdesk_tui.mail import smtp  # noqa: E402
from certdesk_tui.mail.delivery import deliver_all_due  # noqa: E402
from certdesk_tui.mail.smtp import SmtpTransport  # noqa: E402
from certdesk_tui.service.identity import initialise  # noqa: E402
from certdesk_tui.storage.engine import Database  # noqa: E402
from certdesk_tui.storage.models import OutboxEmail  # noqa: E402

CPU_MS: dict[str, list[float]] = {"per message": [], "reused": [], "raw smtplib": []}
"""CPU milliseconds per message of the delivering thread (the server's thread excluded)."""


class Counting:
    """Accepts every message; counts messages and connections."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.connections = 0

    async def handle_DATA(self, server: SMTP, session: object, envelope: object) -> str:  # noqa: ARG002
        self.messages.append(bytes(envelope.original_content or envelope.content))  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"


class CountingController(Controller):
    def factory(self) -> SMTP:
        handler: Counting = self.handler

        class CountingSMTP(SMTP):
            def connection_made(self, transport: object) -> None:
                handler.connections += 1
                super().connection_made(transport)  # type: ignore[arg-type]

        return CountingSMTP(self.handler, **self.SMTP_kwargs)


def fill(directory: Path, count: int) -> Database:
    db = Database(f"sqlite:///{directory / 'outbox.sqlite3'}")
    initialise(db, "bench")
    now = utcnow()
    with db.writing() as s:
        s.add_all(
            OutboxEmail(kind="completed", recipient_role="customer",
                        to_addr=f"owner{i}@customer.example", to_name=f"Owner {i}",
                        subject=f"Your certificate #{i}", body_text="Attached. " * 40,
                        body_html="<p>" + "Attached. " * 40 + "</p>",
                        message_id=f"<bench.{i}@certdesk.example>", state="queued",
                        attempts=0, next_attempt_at=now, created_at=now)
            for i in range(count))
    return db


def one_run(count: int, per_message: bool, port: int, handler: Counting) -> float:
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                        mail_from="certificates@certdesk.example")
    saved = smtp.MESSAGES_PER_CONNECTION
    smtp.MESSAGES_PER_CONNECTION = 1 if per_message else saved
    handler.messages.clear()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = fill(Path(tmp), count)
            started, cpu = time.perf_counter(), time.thread_time()
            result = deliver_all_due(db, SmtpTransport(settings), settings, "bench")
            elapsed = time.perf_counter() - started
            CPU_MS[("per message" if per_message else "reused")].append(
                (time.thread_time() - cpu) * 1000 / count)
            db.engine.dispose()
    finally:
        smtp.MESSAGES_PER_CONNECTION = saved
    ids = sorted(m.split(b"Message-ID: ", 1)[1].split(b"\r\n", 1)[0] for m in handler.messages)
    if result.sent != count or len(ids) != count or len(set(ids)) != count:
        raise SystemExit(f"delivery lost or doubled messages: {result}, {len(ids)} received")
    return count / elapsed


def raw_run(count: int, port: int, handler: Counting) -> float:
    """The reference: ready-made messages sent with smtplib on one connection."""
    import smtplib

    handler.messages.clear()
    body = ("Attached. " * 40).encode()
    messages = [b"From: certificates@certdesk.example\r\nTo: owner%d@customer.example\r\n"
                b"Subject: Your certificate #%d\r\nMessage-ID: <raw.%d@certdesk.example>\r\n"
                b"\r\n%s\r\n" % (i, i, i, body) for i in range(count)]
    started, cpu = time.perf_counter(), time.thread_time()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for i, data in enumerate(messages):
            client.sendmail("certificates@certdesk.example", [f"owner{i}@customer.example"],
                            data)
    elapsed = time.perf_counter() - started
    CPU_MS["raw smtplib"].append((time.thread_time() - cpu) * 1000 / count)
    if len(handler.messages) != count:
        raise SystemExit(f"the reference lost messages: {len(handler.messages)} of {count}")
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    handler = Counting()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = CountingController(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        rates: dict[str, list[float]] = {"per message": [], "reused": [], "raw smtplib": []}
        connections: dict[str, int] = {}
        for _ in range(args.runs):
            for label, per_message in (("per message", True), ("reused", False)):
                before = handler.connections
                rates[label].append(one_run(args.messages, per_message, port, handler))
                connections[label] = handler.connections - before
            before = handler.connections
            rates["raw smtplib"].append(raw_run(args.messages, port, handler))
            connections["raw smtplib"] = handler.connections - before
    finally:
        controller.stop()
    print(f"delivery of {args.messages} messages to aiosmtpd on 127.0.0.1, SQLite outbox, "
          f"median of {args.runs} runs")
    for label, values in rates.items():
        cpu_ms = statistics.median(CPU_MS[label])
        print(f"  {label:<12} {statistics.median(values):8.1f} messages/s "
              f"({connections[label]} connection(s) per run); deliverer's CPU "
              f"{cpu_ms:5.2f} ms a message = {1000 / cpu_ms:6.0f} messages per CPU second")
    ratio = statistics.median(rates["reused"]) / statistics.median(rates["per message"])
    print(f"  speed-up     {ratio:8.2f}x (reused against per message)")
    share = statistics.median(rates["reused"]) / statistics.median(rates["raw smtplib"])
    print(f"  reused at {share:.0%} of the raw smtplib rate to the same server")


if __name__ == "__main__":
    main()
