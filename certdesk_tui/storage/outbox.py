"""The outbox as the desk reads it (delivery itself is the mail package's)."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from certdesk_tui.domain import EmailState
from certdesk_tui.storage.models import OutboxEmail

# Says what the partial index ix_outbox_unsent holds: a query looking for messages not
# sent names it, so that the database reads that index (a few rows) and not every
# message (a million, once delivered; statistics that saw only sent messages would
# otherwise have SQLite read them all).
UNSENT = OutboxEmail.state != EmailState.SENT


def failing_statement() -> Select:
    """Emails failed for good plus those waiting to retry after a failed attempt."""
    return select(func.count()).select_from(OutboxEmail).where(
        UNSENT, OutboxEmail.state.in_([EmailState.FAILED, EmailState.QUEUED]),
        or_(OutboxEmail.state == EmailState.FAILED, OutboxEmail.attempts > 0),
    )


def failing_email_count(session: Session) -> int:
    """Emails failed for good plus those waiting to retry after a failed attempt."""
    return session.scalar(failing_statement()) or 0
