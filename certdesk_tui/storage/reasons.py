"""Rejection reasons in the database."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certdesk_tui.domain.errors import NotFound
from certdesk_tui.storage.models import RejectionReason
from certdesk_tui.storage.requests import is_id


def reasons(session: Session, include_retired: bool = False) -> list[RejectionReason]:
    """The reasons in their configured order (the active ones only, unless asked)."""
    stmt = select(RejectionReason).order_by(RejectionReason.position, RejectionReason.id)
    if not include_retired:
        stmt = stmt.where(RejectionReason.active.is_(True))
    return list(session.scalars(stmt))


def get_reason(session: Session, reason_id: int) -> RejectionReason:
    reason = session.get(RejectionReason, reason_id) if is_id(reason_id) else None
    if reason is None:
        raise NotFound(f"there is no rejection reason {reason_id}")
    return reason


def reason_with_text(session: Session, text: str) -> RejectionReason | None:
    """The reason (active or retired) that already says ``text``, case aside."""
    return session.scalar(select(RejectionReason).where(
        func.lower(RejectionReason.text) == text.lower()))


def last_position(session: Session) -> int:
    return session.scalar(select(func.max(RejectionReason.position))) or 0


def active_reason_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(RejectionReason).where(
        RejectionReason.active.is_(True))) or 0
