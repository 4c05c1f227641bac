"""Rejection reasons: the list processors choose from, configured by managers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from certdesk_tui.clock import utcnow
from certdesk_tui.domain import ActivityKind
from certdesk_tui.domain.errors import InvalidTransition, ValidationFailed
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.views import ReasonView
from certdesk_tui.domain.written import deceiving_character, is_blank
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import reasons as stored
from certdesk_tui.storage import requests
from certdesk_tui.storage.changes import bump_change_marker
from certdesk_tui.storage.models import RejectionReason

MAX_REASON_LENGTH = 300


def reasons(ds: DeskSession, include_retired: bool = False) -> list[ReasonView]:
    ds.require(Permission.VIEW)
    with ds.db.reading() as s:
        used = requests.rejection_reason_usage(s)
        return [ReasonView(r.id, r.text, r.active, used.get(r.id, 0))
                for r in stored.reasons(s, include_retired)]


def find_active_reason(s: Session, reason: str | int) -> RejectionReason:
    """An active reason by id or by its text (case aside); refused with the list."""
    active = stored.reasons(s)
    text = str(reason).strip()
    for r in active:
        # ASCII digits only: int() would also take "²" (and fail) or "٣".
        by_id = text.isascii() and text.isdigit() and len(text) <= 20 and r.id == int(text)
        if by_id or r.text.casefold() == text.casefold():
            return r
    listed = "; ".join(f"{r.id}: {r.text}" for r in active)
    raise ValidationFailed(
        f"unknown or retired rejection reason {text!r}; choose one of {listed}"
    )


def _reason_text(text: str) -> str:
    text = " ".join((text or "").split())
    if is_blank(text):
        raise ValidationFailed("a rejection reason needs some text")
    if (char := deceiving_character(text, marks=True)) is not None:
        # Quoted in the rejection email: nothing that hides or reorders what it says.
        raise ValidationFailed(f"a rejection reason cannot contain the control character "
                               f"U+{ord(char):04X}")
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationFailed(f"a rejection reason is at most {MAX_REASON_LENGTH} characters")
    return text


def _unique(s: Session, text: str, except_id: int | None = None) -> None:
    clash = stored.reason_with_text(s, text)
    if clash is not None and clash.id != except_id:
        state = "" if clash.active else " (retired)"
        raise ValidationFailed(f"reason {clash.id}{state} already says {clash.text!r}")


def add_reason(ds: DeskSession, text: str) -> ReasonView:
    ds.require(Permission.CONFIGURE_REASONS)
    text = _reason_text(text)
    with ds.writing() as s:
        _unique(s, text)
        reason = RejectionReason(text=text, position=stored.last_position(s) + 1, active=True,
                                 created_at=utcnow())
        s.add(reason)
        s.flush()
        ds.log(s, None, ActivityKind.REASON_ADDED,
               f"rejection reason {reason.id} added: {text}")
        bump_change_marker(s, utcnow())
        return ReasonView(reason.id, reason.text, True, 0)


def rename_reason(ds: DeskSession, reason_id: int, text: str) -> ReasonView:
    ds.require(Permission.CONFIGURE_REASONS)
    text = _reason_text(text)
    with ds.writing() as s:
        reason = stored.get_reason(s, reason_id)
        _unique(s, text, except_id=reason.id)
        before = reason.text
        reason.text = text
        ds.log(s, None, ActivityKind.REASON_RENAMED,
               f"rejection reason {reason.id}: {before} → {text}")
        bump_change_marker(s, utcnow())
        return ReasonView(reason.id, reason.text, reason.active, 0)


def retire_reason(ds: DeskSession, reason_id: int) -> ReasonView:
    """Retired reasons are no longer offered; used ones stay on the requests they closed."""
    ds.require(Permission.CONFIGURE_REASONS)
    with ds.writing() as s:
        reason = stored.get_reason(s, reason_id)
        if not reason.active:
            raise InvalidTransition(f"rejection reason {reason_id} is already retired")
        if stored.active_reason_count(s) <= 1:
            raise InvalidTransition("the last active rejection reason cannot be retired")
        reason.active = False
        reason.retired_at = utcnow()
        ds.log(s, None, ActivityKind.REASON_RETIRED,
               f"rejection reason {reason.id} retired: {reason.text}")
        bump_change_marker(s, utcnow())
        return ReasonView(reason.id, reason.text, False, 0)
