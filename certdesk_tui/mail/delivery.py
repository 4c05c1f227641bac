"""Delivering the outbox: claim, send, record, with retries that never lose or double a message.

The life of an outbox row::

    queued --claim--> sending --sent--> sent
       ^                 |
       +--- deferred ----+  (attempt failed, next_attempt_at = now + base * 2**(attempts-1))
                         |
                         +--> failed   (after mail_max_attempts, or refused for good)
    failed --retry--> queued           (attempts start again from 0)

**Claim before sending.** A deliverer first moves the due rows to ``sending`` with
its own claim token in a short write transaction (``UPDATE ... WHERE state =
'queued'`` checked by row count, plus ``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
SQLite serialises writers with ``BEGIN IMMEDIATE``). Just before sending each
message it confirms, again in a write transaction, that the claim is still its
own and refreshes it; only then does it send, outside any transaction, and
finally records the outcome, again only if the claim is still its own. A claim
older than ``CLAIM_TIMEOUT`` belongs to a deliverer that died (a crash, a
killed process) and is taken over, so nothing is ever stuck.

The one case no outbox can rule out: the server accepted a message and the
deliverer died before recording it. After ``CLAIM_TIMEOUT`` it is sent again,
with the same Message-ID (mail systems use it to drop the duplicate).

**Bounded.** The SMTP transport gives each message ``smtp_timeout_seconds`` in
all; past that the attempt fails like any server problem and is retried later.
A deliverer told to stop at once (SIGTERM) cuts the message in hand
(``DeliveryInterrupted``): its claim is given back uncounted, so it stays queued.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from certdesk_tui.clock import utcnow
from certdesk_tui.config import Settings
from certdesk_tui.domain import EmailState
from certdesk_tui.domain.errors import CertdeskError, DeliveryError
from certdesk_tui.mail.claims import (
    E,
    claim,
    due,
    load_if_still_mine,
    record_failure,
    record_sent,
    release,
)
from certdesk_tui.mail.message import message_for
from certdesk_tui.mail.transports import DeliveryInterrupted, Transport
from certdesk_tui.storage.engine import Database

StopSignal = threading.Event | Callable[[], bool] | None


@dataclass(frozen=True)
class DeliveryResult:
    """What one delivery pass did."""

    sent: int = 0
    failed: int = 0  # failed for good in this pass (last attempt, or refused by the server)
    retried: int = 0  # failed this time, scheduled for another attempt
    errors: tuple[str, ...] = ()

    @property
    def attempted(self) -> int:
        return self.sent + self.failed + self.retried

    def __add__(self, other: DeliveryResult) -> DeliveryResult:
        return DeliveryResult(self.sent + other.sent, self.failed + other.failed,
                              self.retried + other.retried, self.errors + other.errors)

    def summary(self) -> str:
        return f"{self.sent} sent, {self.retried} to retry later, {self.failed} failed"


def default_worker_name(label: str = "") -> str:
    base = f"{label or 'certdesk'}@{socket.gethostname()}:{os.getpid()}"
    return base[:150]


def _stop_requested(stop: StopSignal) -> bool:
    if stop is None:
        return False
    if isinstance(stop, threading.Event):
        return stop.is_set()
    return bool(stop())


def deliver_due(
    db: Database,
    transport: Transport,
    settings: Settings,
    worker_name: str,
    now: datetime | None = None,
    limit: int = 50,
    stop: StopSignal = None,
    keep_open: bool = False,
) -> DeliveryResult:
    """Deliver up to ``limit`` due messages once; safe to run in several places at once.

    ``now`` fixes the clock (tests jump past the backoff with it). ``stop`` (an
    Event or a callable) is checked before each message: claims not yet used are
    given back. The transport's connection is closed at the end, unless
    ``keep_open`` (the caller closes it; the next batch reuses it).
    """
    def clock() -> datetime:
        return now if now is not None else utcnow()

    token = f"{worker_name[:150]} {uuid.uuid4().hex[:12]}"
    pending = claim(db, token, clock(), limit)
    sent = failed = retried = 0
    errors: list[str] = []
    try:
        while pending:
            if _stop_requested(stop):
                break
            email_id = pending[0]
            row, pdf = load_if_still_mine(db, email_id, token, clock())
            if row is None:
                pending.pop(0)  # taken over by another deliverer after a timeout
                continue
            outgoing = None
            try:
                outgoing = message_for(row, settings.mail_from, pdf, settings.reply_to)
                where = transport.send(outgoing)
            except DeliveryInterrupted:
                break  # told to stop mid-message: it stays queued (released below), uncounted
            except DeliveryError as exc:
                error: DeliveryError | None = exc
            except CertdeskError as exc:  # a configuration problem: retried once fixed
                error = DeliveryError(str(exc))
            except Exception as exc:  # noqa: BLE001 - never leave a claim behind
                error = DeliveryError(f"unexpected error: {type(exc).__name__}: {exc}")
            else:
                error = None
            pending.pop(0)
            if error is None:
                assert outgoing is not None
                if record_sent(db, row, token, clock(), where, outgoing.message_id):
                    sent += 1
                else:  # only when one message took longer than CLAIM_TIMEOUT to send
                    errors.append(f"email #{email_id} was sent, but another deliverer had "
                                  "taken it over meanwhile; it may arrive twice")
            else:
                state = record_failure(db, settings, email_id, token, clock(), error)
                if state == EmailState.FAILED:
                    failed += 1
                    errors.append(f"email #{email_id}: {error}")
                elif state == EmailState.QUEUED:
                    retried += 1
                    errors.append(f"email #{email_id}: {error}")
    finally:
        try:
            release(db, pending, token)
        finally:
            if keep_open:
                transport.end_batch()
            else:
                transport.close()
    return DeliveryResult(sent, failed, retried, tuple(errors))


def deliver_all_due(db: Database, transport: Transport, settings: Settings, worker_name: str,
                    now: datetime | None = None, batch: int = 50,
                    stop: StopSignal = None, keep_open: bool = False) -> DeliveryResult:
    """Deliver everything due now, batch after batch on one connection (one pass:
    deferred ones wait). The connection is closed at the end, unless ``keep_open``."""
    total = DeliveryResult()
    try:
        while not _stop_requested(stop):
            result = deliver_due(db, transport, settings, worker_name, now=now, limit=batch,
                                 stop=stop, keep_open=True)
            total += result
            if result.attempted == 0 or _nothing_due(db, now or utcnow()):
                break
    finally:
        if not keep_open:
            transport.close()
    return total


def _nothing_due(db: Database, now: datetime) -> bool:
    with db.reading() as s:
        return not s.scalar(select(func.count()).select_from(E).where(due(now)))


