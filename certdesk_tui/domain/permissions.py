"""Who may do what: the permission matrix of SPEC.md, enforced by the service layer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from certdesk_tui.domain.errors import PermissionDenied
from certdesk_tui.domain.vocabulary import Role


class Permission(StrEnum):
    VIEW = "view the queue, previews and notes"
    PROCESS = "process requests"
    IMPORT = "import customers and submissions"
    CONFIGURE_REASONS = "configure rejection reasons"
    MANAGE_USERS = "manage users"
    TAKE_OVER = "take over a request in progress by someone else"
    ACT_AS = "act as another user"
    SAVE_VIEWS = "keep saved views of their own"
    SHARE_VIEWS = "share saved views with the team"


MATRIX: dict[Role, frozenset[Permission]] = {
    Role.DATA_PROCESSOR: frozenset({Permission.VIEW, Permission.PROCESS, Permission.IMPORT,
                                    Permission.SAVE_VIEWS}),
    Role.CERTIFICATE_SPECIALIST: frozenset({Permission.VIEW, Permission.PROCESS,
                                            Permission.SAVE_VIEWS}),
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
