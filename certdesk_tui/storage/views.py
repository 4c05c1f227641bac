"""Saved views in the database: a user's own, and those shared with the team."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from certdesk_tui.domain.errors import NotFound
from certdesk_tui.storage.models import SavedView, User


def offered(s: Session, user_id: int, limit: int) -> list[tuple[SavedView, str]]:
    """(view, owner's login): the user's own by position, then the others' shared ones."""
    mine = (SavedView.owner_id == user_id)
    rows = s.execute(
        select(SavedView, User.login).join(User, User.id == SavedView.owner_id)
        .where(or_(mine, SavedView.shared.is_(True)))
        .order_by(mine.desc(), SavedView.position, SavedView.id)
        .limit(limit)
    )
    return [(view, login) for view, login in rows]


def own_named(s: Session, user_id: int, name: str) -> SavedView | None:
    return s.scalar(select(SavedView).where(
        SavedView.owner_id == user_id, func.lower(SavedView.name) == name.lower()))


def own_count(s: Session, user_id: int) -> int:
    return s.scalar(select(func.count()).select_from(SavedView)
                    .where(SavedView.owner_id == user_id)) or 0


def next_position(s: Session, user_id: int) -> int:
    return (s.scalar(select(func.max(SavedView.position))
                     .where(SavedView.owner_id == user_id)) or 0) + 1


def get_view(s: Session, view_id: int) -> SavedView:
    view = s.get(SavedView, view_id)
    if view is None:
        raise NotFound(f"there is no saved view #{view_id}")
    return view
