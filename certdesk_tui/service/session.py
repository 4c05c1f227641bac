"""One person's session on the shared database: who acts, and the transactions they write.

Every action reads the acting user again (a change of role or a disabled
account counts from the next action) and writes in one transaction that
either holds all of its activities and emails or changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from certdesk_tui.clock import utcnow
from certdesk_tui.config import Settings
from certdesk_tui.domain.activity import ActivityKind
from certdesk_tui.domain.errors import PermissionDenied
from certdesk_tui.domain.permissions import MATRIX, Actor, Permission
from certdesk_tui.storage.changes import bump_change_marker
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import Activity, CertificateRequest
from certdesk_tui.storage.users import read_actor


class DeskSession:
    """The database, the settings and the acting user, as last read."""

    def __init__(self, db: Database, actor: Actor, settings: Settings) -> None:
        self.db = db
        self.actor = actor
        self.settings = settings

    def reread_actor(self, s: Session) -> Actor:
        actor = self.actor
        fresh = read_actor(s, actor.via or actor.login, actor.login if actor.via else None)
        self.actor = fresh
        return fresh

    def current_actor(self) -> Actor:
        """Re-read the acting user's role and active flag (a demotion counts at once)."""
        with self.db.reading() as s:
            return self.reread_actor(s)

    def require(self, permission: Permission) -> Actor:
        actor = self.current_actor()
        actor.require(permission)
        return actor

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction as the acting user, read again inside it.

        A role that lost a permission since the action was checked (or a disabled
        account) writes nothing. A write that lost a race is a ``StaleRequest``
        (the storage's boundary says so).
        """
        checked = self.actor
        with self.db.writing() as s:
            fresh = self.reread_actor(s)
            if not MATRIX[fresh.role] >= MATRIX[checked.role]:
                raise PermissionDenied(
                    f"{fresh.login} is now a {fresh.role.label}; nothing was changed")
            yield s

    def log(self, s: Session, request_id: int | None, kind: ActivityKind, detail: str = "",
            actor: str | None = None) -> None:
        s.add(Activity(request_id=request_id, at=utcnow(), actor=actor or self.actor.label,
                       action=kind, detail=detail))

    def touch(self, s: Session, req: CertificateRequest | None = None,
              now: datetime | None = None) -> None:
        """Record that the request changed (by whom) and bump the change marker."""
        now = now or utcnow()
        if req is not None:
            req.updated_at = now
            req.updated_by = self.actor.label
        bump_change_marker(s, now)
