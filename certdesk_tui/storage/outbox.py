"""The outbox as the desk reads it (delivery itself is the mail package's)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from certdesk_tui.domain import EmailState
from certdesk_tui.storage.models import OutboxEmail


def failing_email_count(session: Session) -> int:
    """Emails failed for good plus those waiting to retry after a failed attempt."""
    # The IN lets the (state, next_attempt_at) index skip the sent messages.
    return session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.state.in_([EmailState.FAILED, EmailState.QUEUED]),
        or_(OutboxEmail.state == EmailState.FAILED, OutboxEmail.attempts > 0),
    )) or 0
