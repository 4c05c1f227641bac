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
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import OperationalError

from certdesk_tui.clock import utcnow
from certdesk_tui.config import Settings
from certdesk_tui.domain import EmailState
from certdesk_tui.errors import CertdeskError, DeliveryError, InvalidTransition, NotFound
from certdesk_tui.mail.message import PermanentDeliveryError, message_for
from certdesk_tui.mail.transports import DeliveryInterrupted, Transport, make_transport
from certdesk_tui.permissions import Actor, Permission
from certdesk_tui.storage import repository
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import Activity, Certificate, OutboxEmail

E = OutboxEmail
CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
MAIL_ACTOR = "mail"
_RECORD_TRIES = 5

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


@dataclass(frozen=True)
class EmailProblem:
    """A message that failed for good, or whose last attempt failed."""

    id: int
    request_id: int | None
    to: str
    recipient_role: str
    kind: str
    state: str
    attempts: int
    last_error: str
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class OutboxStatus:
    counts: dict[str, int]
    failures: tuple[EmailProblem, ...] = ()  # state failed
    retrying: tuple[EmailProblem, ...] = ()  # queued again after a failed attempt
    next_due: datetime | None = None
    stale_claims: int = 0  # "sending" for longer than CLAIM_TIMEOUT (a deliverer died)

    @property
    def failing(self) -> int:
        return len(self.failures) + len(self.retrying)

    def to_json(self) -> dict:
        return {
            "counts": dict(self.counts),
            "failing": self.failing,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "stale_claims": self.stale_claims,
            "failures": [p.__dict__ for p in self.failures],
            "retrying": [p.__dict__ for p in self.retrying],
        }


@dataclass(frozen=True)
class RetryOutcome:
    email_id: int
    request_id: int | None
    changed: bool
    message: str


def default_worker_name(label: str = "") -> str:
    base = f"{label or 'certdesk'}@{socket.gethostname()}:{os.getpid()}"
    return base[:150]


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2 x base, 4 x base, ..."""
    base = max(1, settings.mail_retry_base_seconds)
    exponent = min(max(attempts - 1, 0), 30)
    return min(timedelta(seconds=base * 2**exponent), MAX_BACKOFF)


def _stop_requested(stop: StopSignal) -> bool:
    if stop is None:
        return False
    if isinstance(stop, threading.Event):
        return stop.is_set()
    return bool(stop())


def _due(now: datetime):
    return or_(
        and_(E.state == EmailState.QUEUED, E.next_attempt_at <= now),
        and_(E.state == EmailState.SENDING, E.claimed_at < now - CLAIM_TIMEOUT),
    )


def _claim(db: Database, token: str, now: datetime, limit: int) -> list[int]:
    with db.writing() as s:
        due = _due(now)
        candidates = select(E.id).where(due).order_by(E.next_attempt_at, E.id).limit(limit)
        if not db.is_sqlite:
            candidates = candidates.with_for_update(skip_locked=True)
        claimed = []
        for email_id in list(s.scalars(candidates)):
            result = s.execute(
                update(E).where(E.id == email_id, due)
                .values(state=EmailState.SENDING, claimed_by=token, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                claimed.append(email_id)
        if claimed:
            repository.bump_change_marker(s, now)
        return claimed


def _load_if_still_mine(db: Database, email_id: int, token: str, now: datetime):
    """Refresh our claim and load the row; None when the claim is no longer ours."""
    with db.writing() as s:
        result = s.execute(
            update(E).where(E.id == email_id, E.state == EmailState.SENDING, E.claimed_by == token)
            .values(claimed_at=now).execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return None, None
        row = s.get(E, email_id, populate_existing=True)
        assert row is not None
        snapshot = SimpleNamespace(
            id=row.id, request_id=row.request_id, kind=row.kind,
            recipient_role=row.recipient_role, to_addr=row.to_addr, to_name=row.to_name,
            subject=row.subject, body_text=row.body_text, body_html=row.body_html,
            certificate_id=row.certificate_id, attachment_name=row.attachment_name,
            message_id=row.message_id, created_at=row.created_at, attempts=row.attempts,
        )
        pdf = None
        if row.certificate_id is not None:
            pdf = s.scalar(select(Certificate.pdf).where(Certificate.id == row.certificate_id))
        return snapshot, pdf


def _with_retries(action: Callable[[], bool]) -> bool:
    """Record an outcome, riding out a briefly busy or disconnected database."""
    for attempt in range(_RECORD_TRIES):
        try:
            return action()
        except OperationalError:
            if attempt == _RECORD_TRIES - 1:
                raise
            time.sleep(0.2 * 2**attempt)
    return False


def _log(s, row: OutboxEmail, action: str, detail: str, now: datetime, actor: str) -> None:
    s.add(Activity(request_id=row.request_id, at=now, actor=actor, action=action,
                   detail=detail[:4000]))


def _what(row) -> str:
    return f"{row.kind} email #{row.id} to {row.recipient_role} {row.to_addr}"


def _record_sent(db: Database, email_id: int, token: str, now: datetime, where: str,
                 message_id: str) -> bool:
    def action() -> bool:
        with db.writing() as s:
            row = s.scalars(select(E).where(E.id == email_id).with_for_update()
                            .execution_options(populate_existing=True)).first()
            if row is None or row.state != EmailState.SENDING or row.claimed_by != token:
                return False
            row.attempts += 1
            row.state = EmailState.SENT
            row.sent_at = now
            row.last_error = ""
            row.message_id = message_id  # as sent: its domain follows the sender
            _log(s, row, "email_sent", f"{_what(row)} {where} (attempt {row.attempts})", now,
                 MAIL_ACTOR)
            repository.bump_change_marker(s, now)
            return True

    return _with_retries(action)


def _record_failure(db: Database, settings: Settings, email_id: int, token: str,
                    now: datetime, error: DeliveryError) -> str | None:
    """Count the failed attempt; returns the new state (None: the claim was no longer ours)."""
    permanent = isinstance(error, PermanentDeliveryError)
    max_attempts = max(1, settings.mail_max_attempts)

    def action() -> str | None:
        with db.writing() as s:
            row = s.scalars(select(E).where(E.id == email_id).with_for_update()
                            .execution_options(populate_existing=True)).first()
            if row is None or row.state != EmailState.SENDING or row.claimed_by != token:
                return None
            row.attempts += 1
            row.last_error = str(error)[:2000]
            row.claimed_by = None
            row.claimed_at = None
            if permanent or row.attempts >= max_attempts:
                row.state = EmailState.FAILED
                why = "(not retried: it cannot go as it is)" if permanent else \
                    f"after {row.attempts} attempt(s)"
                _log(s, row, "email_failed",
                     f"{_what(row)} failed {why}: {error}; `certdesk mail retry {row.id}` "
                     "sends it again", now, MAIL_ACTOR)
            else:
                row.state = EmailState.QUEUED
                row.next_attempt_at = now + backoff(settings, row.attempts)
                _log(s, row, "email_deferred",
                     f"{_what(row)}: attempt {row.attempts} of {max_attempts} failed: {error}; "
                     f"next attempt at {row.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC", now,
                     MAIL_ACTOR)
            repository.bump_change_marker(s, now)
            return row.state

    return _with_retries(action)


def _release(db: Database, ids: list[int], token: str) -> None:
    """Give back claims we did not use (stopping early): they are due again at once."""
    if not ids:
        return

    def action() -> bool:
        with db.writing() as s:
            s.execute(
                update(E).where(E.id.in_(ids), E.state == EmailState.SENDING,
                                E.claimed_by == token)
                .values(state=EmailState.QUEUED, claimed_by=None, claimed_at=None)
                .execution_options(synchronize_session=False)
            )
            repository.bump_change_marker(s, utcnow())
        return True

    _with_retries(action)


def deliver_due(
    db: Database,
    transport: Transport,
    settings: Settings,
    worker_name: str,
    now: datetime | None = None,
    limit: int = 50,
    stop: StopSignal = None,
) -> DeliveryResult:
    """Deliver up to ``limit`` due messages once; safe to run in several places at once.

    ``now`` fixes the clock (tests jump past the backoff with it). ``stop`` (an
    Event or a callable) is checked before each message: claims not yet used are
    given back. The transport's connection is closed at the end.
    """
    def clock() -> datetime:
        return now if now is not None else utcnow()

    token = f"{worker_name[:150]} {uuid.uuid4().hex[:12]}"
    pending = _claim(db, token, clock(), limit)
    sent = failed = retried = 0
    errors: list[str] = []
    try:
        while pending:
            if _stop_requested(stop):
                break
            email_id = pending[0]
            row, pdf = _load_if_still_mine(db, email_id, token, clock())
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
                if _record_sent(db, email_id, token, clock(), where, outgoing.message_id):
                    sent += 1
                else:  # only when one message took longer than CLAIM_TIMEOUT to send
                    errors.append(f"email #{email_id} was sent, but another deliverer had "
                                  "taken it over meanwhile; it may arrive twice")
            else:
                state = _record_failure(db, settings, email_id, token, clock(), error)
                if state == EmailState.FAILED:
                    failed += 1
                    errors.append(f"email #{email_id}: {error}")
                elif state == EmailState.QUEUED:
                    retried += 1
                    errors.append(f"email #{email_id}: {error}")
    finally:
        try:
            _release(db, pending, token)
        finally:
            transport.close()
    return DeliveryResult(sent, failed, retried, tuple(errors))


def deliver_all_due(db: Database, transport: Transport, settings: Settings, worker_name: str,
                    now: datetime | None = None, batch: int = 50,
                    stop: StopSignal = None) -> DeliveryResult:
    """Deliver everything due now, batch after batch (one pass: deferred ones wait)."""
    total = DeliveryResult()
    while not _stop_requested(stop):
        result = deliver_due(db, transport, settings, worker_name, now=now, limit=batch,
                             stop=stop)
        total += result
        if result.attempted == 0 or _nothing_due(db, now or utcnow()):
            break
    return total


def _nothing_due(db: Database, now: datetime) -> bool:
    with db.reading() as s:
        return not s.scalar(select(func.count()).select_from(E).where(_due(now)))


# -- status and retry --------------------------------------------------------


def _problem(row: OutboxEmail) -> EmailProblem:
    return EmailProblem(row.id, row.request_id, row.to_addr, row.recipient_role, row.kind,
                        row.state, row.attempts, row.last_error,
                        row.next_attempt_at if row.state == EmailState.QUEUED else None)


def outbox_status(db: Database, now: datetime | None = None) -> OutboxStatus:
    """Counts by state, the failed messages, and those waiting for another attempt."""
    now = now or utcnow()
    with db.reading() as s:
        counts = {state.value: 0 for state in EmailState}
        for state, count in s.execute(select(E.state, func.count()).group_by(E.state)):
            counts[state] = count
        failures = tuple(_problem(r) for r in s.scalars(
            select(E).where(E.state == EmailState.FAILED).order_by(E.id)))
        retrying = tuple(_problem(r) for r in s.scalars(
            select(E).where(E.state == EmailState.QUEUED, E.attempts > 0).order_by(E.id)))
        next_due = s.scalar(select(func.min(E.next_attempt_at))
                            .where(E.state == EmailState.QUEUED))
        stale = s.scalar(select(func.count()).select_from(E).where(
            E.state == EmailState.SENDING, E.claimed_at < now - CLAIM_TIMEOUT)) or 0
    return OutboxStatus(counts, failures, retrying, next_due, stale)


def failing_count(db: Database) -> int:
    """Messages failed for good plus those waiting to retry after a failed attempt."""
    with db.reading() as s:
        # The IN lets the (state, next_attempt_at) index skip the sent messages.
        return s.scalar(select(func.count()).select_from(E).where(
            E.state.in_([EmailState.FAILED, EmailState.QUEUED]),
            or_(E.state == EmailState.FAILED, E.attempts > 0),
        )) or 0


def _actor_of(by) -> Actor:
    actor = getattr(by, "actor", by)
    if not isinstance(actor, Actor):
        raise TypeError("retry needs a Desk or an Actor")
    return actor


def retry(db: Database, email_id: int, by, now: datetime | None = None) -> RetryOutcome:
    """Send a message again: a failed one gets a fresh round of attempts (``attempts``
    starts again from 0; the earlier failures stay in the activity log), a queued
    one waiting for its next attempt becomes due now. Needs ``Permission.PROCESS``.
    """
    actor = _actor_of(by)
    actor.require(Permission.PROCESS)
    now = now or utcnow()
    if not repository.is_id(email_id):
        raise NotFound(f"there is no email #{email_id} in the outbox")
    with db.writing() as s:
        row = s.scalars(select(E).where(E.id == email_id).with_for_update()
                        .execution_options(populate_existing=True)).first()
        if row is None:
            raise NotFound(f"there is no email #{email_id} in the outbox")
        if row.state == EmailState.SENT:
            raise InvalidTransition(
                f"email #{email_id} was already sent at {row.sent_at:%Y-%m-%d %H:%M} UTC; "
                "certdesk never sends a message twice")
        if row.state == EmailState.SENDING and row.claimed_at and \
                row.claimed_at >= now - CLAIM_TIMEOUT:
            raise InvalidTransition(
                f"email #{email_id} is being delivered right now (by {row.claimed_by})")
        if row.state == EmailState.QUEUED and row.attempts == 0 and row.next_attempt_at <= now:
            return RetryOutcome(row.id, row.request_id, False,
                                f"email #{email_id} is already due; it goes with the next delivery")
        before = row.state
        if before == EmailState.FAILED:
            detail = (f"{_what(row)} failed after {row.attempts} attempt(s) "
                      f"({row.last_error}); queued again by {actor.label}")
            row.attempts = 0
            row.last_error = ""
        elif before == EmailState.SENDING:
            detail = (f"{_what(row)} was stuck with {row.claimed_by}; queued again by "
                      f"{actor.label}")
        else:
            detail = (f"{_what(row)} was waiting until {row.next_attempt_at:%Y-%m-%d %H:%M} "
                      f"UTC; made due now by {actor.label}")
        row.state = EmailState.QUEUED
        row.next_attempt_at = now
        row.claimed_by = None
        row.claimed_at = None
        s.add(Activity(request_id=row.request_id, at=now, actor=actor.label,
                       action="email_retry", detail=detail[:4000]))
        repository.bump_change_marker(s, now)
        return RetryOutcome(row.id, row.request_id, True,
                            f"email #{email_id} to {row.to_addr} queued again")


def retry_failed(db: Database, by, now: datetime | None = None) -> list[RetryOutcome]:
    """Queue every failed message again (after fixing the mail server, say)."""
    _actor_of(by).require(Permission.PROCESS)
    with db.reading() as s:
        ids = list(s.scalars(select(E.id).where(E.state == EmailState.FAILED).order_by(E.id)))
    outcomes = []
    for email_id in ids:
        try:
            outcomes.append(retry(db, email_id, by, now))
        except InvalidTransition:
            continue  # someone else retried (and sent) it meanwhile
    return outcomes


# -- the desk's mail side: what the command line and the interface call ------------


class Mailer:
    """The mail side of one desk, with its permissions.

    Any user of the desk may deliver what is due and see the outbox
    (``Permission.VIEW``): delivering only carries out what a processor already
    decided. Putting a message back in the queue is processing
    (``Permission.PROCESS``). Safe to call from a worker thread.
    """

    def __init__(self, desk, transport: Transport | None = None,
                 worker_name: str | None = None) -> None:
        self.desk = desk
        self.db: Database = desk.db
        self.settings: Settings = desk.settings
        self._transport = transport
        self.worker_name = worker_name or default_worker_name(desk.actor.label)

    @property
    def actor(self) -> Actor:
        # Read again for every action: a change of role or a disabled account counts at once.
        return self.desk.current_actor()

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            self._transport = make_transport(self.settings)
        return self._transport

    def deliver_due(self, now: datetime | None = None, limit: int = 50,
                    stop: StopSignal = None) -> DeliveryResult:
        """One batch of due messages (the interface's background worker calls this)."""
        self.actor.require(Permission.VIEW)
        return deliver_due(self.db, self.transport, self.settings, self.worker_name, now=now,
                           limit=limit, stop=stop)

    def deliver_all_due(self, now: datetime | None = None,
                        stop: StopSignal = None) -> DeliveryResult:
        self.actor.require(Permission.VIEW)
        return deliver_all_due(self.db, self.transport, self.settings, self.worker_name,
                               now=now, stop=stop)

    def status(self) -> OutboxStatus:
        self.actor.require(Permission.VIEW)
        return outbox_status(self.db)

    def failing_count(self) -> int:
        self.actor.require(Permission.VIEW)
        return failing_count(self.db)

    def retry(self, email_id: int) -> RetryOutcome:
        return retry(self.db, email_id, self.actor)

    def retry_failed(self) -> list[RetryOutcome]:
        return retry_failed(self.db, self.actor)

    def describe_transport(self) -> str:
        return self.transport.describe()

    def abort(self) -> None:
        """Stop the message being sent now (it stays queued); safe from a signal handler."""
        if self._transport is not None:
            self._transport.abort()

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
