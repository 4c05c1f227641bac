"""Saved views: each user's named filter sets, and those a manager shares with the team.

Processors and managers keep views of their own (``Permission.SAVE_VIEWS``); a
view-only user uses the shared ones; sharing one with the team is a manager's
(``Permission.SHARE_VIEWS``). A user is offered at most ``MAX_VIEWS``: their own
first, then the shared ones of others, each with its live count. Every change to a
view moves the change marker, so open desks read their views again (a view shared,
unshared, renamed or deleted elsewhere is offered, or not, on their next refresh).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from certdesk_tui.clock import utcnow
from certdesk_tui.domain.errors import NotFound, ValidationFailed
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.saved_views import (
    MAX_VIEWS,
    SavedView,
    clean_name,
    filters_from_json,
    filters_to_json,
)
from certdesk_tui.domain.views import QueueFilter
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import requests
from certdesk_tui.storage import views as stored
from certdesk_tui.storage.changes import bump_change_marker
from certdesk_tui.storage.models import SavedView as StoredView


def views(ds: DeskSession) -> list[SavedView]:
    """The views offered to the user, numbered 1 to 9 in this order, with their counts."""
    actor = ds.require(Permission.VIEW)
    with ds.db.reading() as s:
        offered = []
        for view, owner in stored.offered(s, actor.user_id, MAX_VIEWS):
            flt = filters_from_json(view.filters)
            count = requests.queue_page(s, flt, actor.user_id, 0, 0).total
            offered.append(SavedView(view.id, view.name, owner, bool(view.shared), flt,
                                     count, view.owner_id == actor.user_id))
        return offered


def save_view(ds: DeskSession, name: str, flt: QueueFilter) -> SavedView:
    """Keep ``flt`` as the user's view ``name`` (a view of that name is replaced)."""
    actor = ds.require(Permission.SAVE_VIEWS)
    name = clean_name(name)
    now = utcnow()
    with ds.writing() as s:
        view = stored.own_named(s, actor.user_id, name)
        if view is None:
            if stored.own_count(s, actor.user_id) >= MAX_VIEWS:
                raise ValidationFailed(
                    f"you have {MAX_VIEWS} saved views already (digits 1 to 9): delete one "
                    "first (certdesk views delete NAME)")
            view = StoredView(owner_id=actor.user_id, name=name, shared=False,
                              position=stored.next_position(s, actor.user_id),
                              created_at=now)
            s.add(view)
        view.name = name
        view.filters = filters_to_json(flt)
        view.updated_at = now
        s.flush()
        bump_change_marker(s, now)
        count = requests.queue_page(s, flt, actor.user_id, 0, 0).total
        return SavedView(view.id, view.name, actor.login, bool(view.shared), flt, count, True)


def _own(s: Session, user_id: int, name: str) -> StoredView:
    view = stored.own_named(s, user_id, " ".join((name or "").split()))
    if view is None:
        raise NotFound(f"you have no saved view named {name!r}")
    return view


def share_view(ds: DeskSession, name: str, shared: bool = True) -> None:
    """Share one of the manager's own views with the team (or stop sharing it)."""
    actor = ds.require(Permission.SHARE_VIEWS)
    with ds.writing() as s:
        view = _own(s, actor.user_id, name)
        view.shared = shared
        view.updated_at = now = utcnow()
        bump_change_marker(s, now)


def rename_view(ds: DeskSession, name: str, new_name: str) -> None:
    actor = ds.require(Permission.SAVE_VIEWS)
    new_name = clean_name(new_name)
    with ds.writing() as s:
        view = _own(s, actor.user_id, name)
        other = stored.own_named(s, actor.user_id, new_name)
        if other is not None and other.id != view.id:
            raise ValidationFailed(f"you already have a view named {new_name!r}")
        view.name = new_name
        view.updated_at = now = utcnow()
        bump_change_marker(s, now)


def delete_view(ds: DeskSession, name: str) -> None:
    actor = ds.require(Permission.SAVE_VIEWS)
    with ds.writing() as s:
        s.delete(_own(s, actor.user_id, name))
        bump_change_marker(s, utcnow())
