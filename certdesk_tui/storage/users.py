"""Users as the database stores them: the acting user is read here for every action."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from certdesk_tui.domain.errors import PermissionDenied, UnknownUser
from certdesk_tui.domain.permissions import Actor
from certdesk_tui.domain.vocabulary import Role
from certdesk_tui.storage.models import User


def user_statement(login: str) -> Select:
    """A user's id, login, name, role and active flag."""
    return select(User.id, User.login, User.name, User.role, User.active).where(
        User.login == login)


def read_actor(s: Session, login: str, as_user: str | None = None) -> Actor:
    """Who is acting, as the database says now: role and active flag are never cached.

    ``login`` is the operating-system login; ``as_user`` a manager's ``--as``.
    Opening a desk and every action of an open desk go through here, so a change
    of role or a disabled account counts from the next action.
    """
    user = s.execute(user_statement(login)).first()
    if user is None:
        raise UnknownUser(
            f"{login} is not a certdesk user here; a manager can add you with: "
            f"certdesk users add {login} --role certificate_specialist"
        )
    if not user.active:
        raise UnknownUser(f"{login}'s certdesk account is disabled; ask a manager")
    if as_user is None or as_user == login:
        return Actor(user.id, user.login, user.name, Role(user.role))
    if user.role != Role.MANAGER:
        raise PermissionDenied(f"--as is for managers only; {login} is a "
                               f"{Role(user.role).label}")
    target = s.execute(user_statement(as_user)).first()
    if target is None:
        raise UnknownUser(f"there is no user {as_user} to act as")
    if not target.active:
        raise UnknownUser(f"{as_user}'s certdesk account is disabled; it cannot be acted as")
    return Actor(target.id, target.login, target.name, Role(target.role), via=login)


def users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.login)))


def user_by_login(session: Session, login: str) -> User | None:
    return session.scalar(select(User).where(User.login == login))


def lock_active_managers(session: Session) -> None:
    """Lock the active managers' rows, always in the same order.

    Two managers demoting each other at the same moment then cannot leave the
    team without one: the second waits for the first and sees its change.
    """
    session.scalars(select(User.id).where(User.role == Role.MANAGER, User.active.is_(True))
                    .order_by(User.id).with_for_update()).all()


def active_manager_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.MANAGER, User.active.is_(True))) or 0
