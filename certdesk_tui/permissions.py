"""Who may do what: the permission matrix of SPEC.md, enforced by the service layer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from certdesk_tui.domain import Role
from certdesk_tui.errors import PermissionDenied, UnknownUser
from certdesk_tui.storage.models import User


class Permission(StrEnum):
    VIEW = "view the queue, previews and notes"
    PROCESS = "process requests"
    IMPORT = "import customers and submissions"
    CONFIGURE_REASONS = "configure rejection reasons"
    MANAGE_USERS = "manage users"
    TAKE_OVER = "take over a request in progress by someone else"
    ACT_AS = "act as another user"


MATRIX: dict[Role, frozenset[Permission]] = {
    Role.DATA_PROCESSOR: frozenset({Permission.VIEW, Permission.PROCESS, Permission.IMPORT}),
    Role.CERTIFICATE_SPECIALIST: frozenset({Permission.VIEW, Permission.PROCESS}),
    Role.PAYROLL_ADVISOR: frozenset({Permission.VIEW}),
    Role.MANAGER: frozenset(Permission),
}


@dataclass(frozen=True)
class Actor:
    """The person at the keyboard, and whom they act as (a manager's ``--as``)."""

    user_id: int
    login: str
    name: str
    role: Role
    # The manager's login when a manager acts as this user, else None.
    via: str | None = None

    @property
    def label(self) -> str:
        """How the activity log names this actor."""
        return f"{self.via} acting as {self.login}" if self.via else self.login

    @property
    def view_only(self) -> bool:
        return not self.may(Permission.PROCESS)

    def may(self, permission: Permission) -> bool:
        return permission in MATRIX[self.role]

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            raise PermissionDenied(
                f"{self.login} is a {self.role.label} and may not {permission.value}"
                + (" (view only)" if self.view_only else "")
            )


def read_actor(s: Session, login: str, as_user: str | None = None) -> Actor:
    """Who is acting, as the database says now: role and active flag are never cached.

    ``login`` is the operating-system login; ``as_user`` a manager's ``--as``.
    Opening a desk and every action of an open desk go through here, so a change
    of role or a disabled account counts from the next action.
    """
    user = s.scalar(select(User).where(User.login == login))
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
    target = s.scalar(select(User).where(User.login == as_user))
    if target is None:
        raise UnknownUser(f"there is no user {as_user} to act as")
    if not target.active:
        raise UnknownUser(f"{as_user}'s certdesk account is disabled; it cannot be acted as")
    return Actor(target.id, target.login, target.name, Role(target.role), via=login)
