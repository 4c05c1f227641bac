"""What is in the outbox: counts by state, and the messages failing with their last error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from certdesk_tui.clock import utcnow
from certdesk_tui.domain import EmailState
from certdesk_tui.mail.claims import CLAIM_TIMEOUT, E
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import OutboxEmail


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


