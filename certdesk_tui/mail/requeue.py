"""Putting a message back in the queue: a failed one, a stuck one, or one waiting to retry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from certdesk_tui.clock import utcnow
from certdesk_tui.domain import EmailState
from certdesk_tui.domain.activity import ActivityKind
from certdesk_tui.domain.errors import InvalidTransition, NotFound
from certdesk_tui.mail.claims import CLAIM_TIMEOUT, E, what
from certdesk_tui.storage.changes import bump_change_marker
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import Activity
from certdesk_tui.storage.requests import is_id


@dataclass(frozen=True)
class RetryOutcome:
    email_id: int
    request_id: int | None
    changed: bool
    message: str


def retry(db: Database, email_id: int, by: str, now: datetime | None = None) -> RetryOutcome:
    """Send a message again: a failed one gets a fresh round of attempts (``attempts``
    starts again from 0; the earlier failures stay in the activity log), a queued
    one waiting for its next attempt becomes due now. ``by`` names who asked, for the
    activity log (the service checks they may: see ``certdesk_tui.service``).
    """
    now = now or utcnow()
    if not is_id(email_id):
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
            detail = (f"{what(row)} failed after {row.attempts} attempt(s) "
                      f"({row.last_error}); queued again by {by}")
            row.attempts = 0
            row.last_error = ""
        elif before == EmailState.SENDING:
            detail = (f"{what(row)} was stuck with {row.claimed_by}; queued again by "
                      f"{by}")
        else:
            detail = (f"{what(row)} was waiting until {row.next_attempt_at:%Y-%m-%d %H:%M} "
                      f"UTC; made due now by {by}")
        row.state = EmailState.QUEUED
        row.next_attempt_at = now
        row.claimed_by = None
        row.claimed_at = None
        s.add(Activity(request_id=row.request_id, at=now, actor=by,
                       action=ActivityKind.EMAIL_RETRY, detail=detail[:4000]))
        bump_change_marker(s, now)
        return RetryOutcome(row.id, row.request_id, True,
                            f"email #{email_id} to {row.to_addr} queued again")


def retry_failed(db: Database, by: str, now: datetime | None = None) -> list[RetryOutcome]:
    """Queue every failed message again (after fixing the mail server, say)."""
    with db.reading() as s:
        ids = list(s.scalars(select(E.id).where(E.state == EmailState.FAILED).order_by(E.id)))
    outcomes = []
    for email_id in ids:
        try:
            outcomes.append(retry(db, email_id, by, now))
        except InvalidTransition:
            continue  # someone else retried (and sent) it meanwhile
    return outcomes


