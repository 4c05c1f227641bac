"""The outbox rows' side of delivery: claiming due messages and recording each outcome.

Every step is a short write transaction that checks the claim is still this
deliverer's own (see ``delivery`` for the life of a message); an outcome is
recorded with retries, riding out a briefly busy or disconnected database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from certdesk_tui.clock import utcnow
from certdesk_tui.config import Settings
from certdesk_tui.domain import EmailState
from certdesk_tui.domain.activity import ActivityKind
from certdesk_tui.domain.actors import MAIL_ACTOR
from certdesk_tui.domain.errors import DatabaseUnavailable, DeliveryError
from certdesk_tui.mail.message import PermanentDeliveryError, QueuedEmail
from certdesk_tui.storage.changes import bump_change_marker
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import Activity, Certificate, OutboxEmail
from certdesk_tui.storage.outbox import UNSENT

E = OutboxEmail
CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
_RECORD_TRIES = 5

T = TypeVar("T")


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2 x base, 4 x base, ..."""
    base = max(1, settings.mail_retry_base_seconds)
    exponent = min(max(attempts - 1, 0), 30)
    return min(timedelta(seconds=base * 2**exponent), MAX_BACKOFF)


def due(now: datetime) -> ColumnElement[bool]:
    return and_(UNSENT, or_(
        and_(E.state == EmailState.QUEUED, E.next_attempt_at <= now),
        and_(E.state == EmailState.SENDING, E.claimed_at < now - CLAIM_TIMEOUT),
    ))


def claim(db: Database, token: str, now: datetime, limit: int) -> list[int]:
    with db.writing() as s:
        is_due = due(now)
        candidates = select(E.id).where(is_due).order_by(E.next_attempt_at, E.id).limit(limit)
        if not db.is_sqlite:
            candidates = candidates.with_for_update(skip_locked=True)
        claimed = []
        for email_id in list(s.scalars(candidates)):
            result = s.execute(
                update(E).where(E.id == email_id, is_due)
                .values(state=EmailState.SENDING, claimed_by=token, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                claimed.append(email_id)
        if claimed:
            bump_change_marker(s, now)
        return claimed


# The statements of each message, built once: Core on the tables, their parameters bound
# per message (no ORM unit of work, no statement to build and look up each time).
_T = E.__table__
_SNAPSHOT = select(*(_T.c[name] for name in (
    "id", "request_id", "kind", "recipient_role", "to_addr", "to_name", "subject", "body_text",
    "body_html", "certificate_id", "attachment_name", "message_id", "created_at", "attempts",
))).where(_T.c.id == bindparam("email_id"))
_STILL_MINE = (_T.c.id == bindparam("email_id"), _T.c.state == EmailState.SENDING.value,
               _T.c.claimed_by == bindparam("token"))
_REFRESH = update(_T).where(*_STILL_MINE).values(claimed_at=bindparam("now"))
_MARK_SENT = update(_T).where(*_STILL_MINE).values(
    attempts=_T.c.attempts + 1, state=EmailState.SENT.value, sent_at=bindparam("now"),
    last_error="", message_id=bindparam("sent_id"))
_PDF = select(Certificate.__table__.c.pdf).where(
    Certificate.__table__.c.id == bindparam("certificate_id"))
_LOG = insert(Activity.__table__)


def load_if_still_mine(db: Database, email_id: int, token: str,
                       now: datetime) -> tuple[QueuedEmail | None, bytes | None]:
    """Refresh our claim and load the row; None when the claim is no longer ours."""
    with db.writing() as s:
        conn = s.connection()
        result = conn.execute(_REFRESH, {"email_id": email_id, "token": token, "now": now})
        if result.rowcount != 1:
            return None, None
        snapshot = QueuedEmail(*conn.execute(_SNAPSHOT, {"email_id": email_id}).one())
        pdf = None
        if snapshot.certificate_id is not None:
            pdf = conn.execute(_PDF, {"certificate_id": snapshot.certificate_id}).scalar()
        return snapshot, pdf


def _with_retries(action: Callable[[], T]) -> T:
    """Record an outcome, riding out a briefly busy or disconnected database."""
    for attempt in range(_RECORD_TRIES - 1):
        try:
            return action()
        except DatabaseUnavailable:
            time.sleep(0.2 * 2**attempt)
    return action()


def _log(s: Session, row: OutboxEmail, action: ActivityKind, detail: str, now: datetime,
         actor: str) -> None:
    s.add(Activity(request_id=row.request_id, at=now, actor=actor, action=action,
                   detail=detail[:4000]))


def what(row: OutboxEmail | QueuedEmail) -> str:
    """How the activity log names a message."""
    return f"{row.kind} email #{row.id} to {row.recipient_role} {row.to_addr}"


def record_sent(db: Database, row: QueuedEmail, token: str, now: datetime, where: str,
                message_id: str) -> bool:
    """Mark ``row`` (as loaded under our claim) sent, with its activity; False when the
    claim is no longer ours. While the claim is ours nobody else changes the row, so the
    attempt counted is the loaded one plus one."""
    def action() -> bool:
        with db.writing() as s:
            conn = s.connection()
            # The Message-ID as sent: its domain follows the sender.
            result = conn.execute(_MARK_SENT, {"email_id": row.id, "token": token, "now": now,
                                               "sent_id": message_id})
            if result.rowcount != 1:
                return False
            conn.execute(_LOG, {
                "request_id": row.request_id, "at": now, "actor": MAIL_ACTOR,
                "action": ActivityKind.EMAIL_SENT,
                "detail": f"{what(row)} {where} (attempt {row.attempts + 1})"[:4000]})
            bump_change_marker(s, now)
            return True

    return _with_retries(action)


def record_failure(db: Database, settings: Settings, email_id: int, token: str,
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
                _log(s, row, ActivityKind.EMAIL_FAILED,
                     f"{what(row)} failed {why}: {error}; `certdesk mail retry {row.id}` "
                     "sends it again", now, MAIL_ACTOR)
            else:
                row.state = EmailState.QUEUED
                row.next_attempt_at = now + backoff(settings, row.attempts)
                _log(s, row, ActivityKind.EMAIL_DEFERRED,
                     f"{what(row)}: attempt {row.attempts} of {max_attempts} failed: {error}; "
                     f"next attempt at {row.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC", now,
                     MAIL_ACTOR)
            bump_change_marker(s, now)
            return row.state

    return _with_retries(action)


def release(db: Database, ids: list[int], token: str) -> None:
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
            bump_change_marker(s, utcnow())
        return True

    _with_retries(action)


