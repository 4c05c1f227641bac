"""Who is at the keyboard: the operating-system login, mapped to a certdesk user.

Opening a desk also makes sure the database is ready: the embedded SQLite file
is created and upgraded by itself; any other database needs ``certdesk init``.
"""

from __future__ import annotations

import getpass

from sqlalchemy import func, select

from certdesk_tui.clock import utcnow
from certdesk_tui.config import Settings
from certdesk_tui.domain import Role
from certdesk_tui.errors import ConfigurationError, PermissionDenied, UnknownUser
from certdesk_tui.permissions import Actor
from certdesk_tui.service import Desk
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import Activity, User


def os_login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        raise ConfigurationError("cannot tell who you are: set LOGNAME to your login") from None


def initialise(db: Database, login: str) -> tuple[bool, bool]:
    """Create or upgrade the schema; the first user becomes the manager.

    Returns (schema_changed, manager_created).
    """
    before = db.current_revision()
    if before != db.head_revision():
        db.upgrade()
    with db.writing() as s:
        if s.scalar(select(func.count()).select_from(User)):
            return before != db.head_revision(), False
        s.add(User(login=login, name="", email="", role=Role.MANAGER, active=True,
                   created_at=utcnow()))
        s.add(Activity(request_id=None, at=utcnow(), actor=login, action="user_added",
                       detail=f"{login} initialised the database and became its manager"))
    return True, True


def prepare(db: Database, embedded: bool, login: str) -> None:
    """Make the database ready to use, or say what to run."""
    revision = db.current_revision()
    if revision == db.head_revision():
        return
    if embedded:
        initialise(db, login)
        return
    if revision is None:
        raise ConfigurationError(
            f"the database {db.display_url} is not initialised: run certdesk init --db URL"
        )
    raise ConfigurationError(
        f"the database {db.display_url} needs an upgrade: run certdesk init --db URL"
    )


def resolve_actor(db: Database, login: str, as_user: str | None = None) -> Actor:
    with db.reading() as s:
        user = s.scalar(select(User).where(User.login == login))
        if user is None:
            if not s.scalar(select(func.count()).select_from(User)):
                raise UnknownUser(
                    "this database has no users yet: run certdesk init to become its manager"
                )
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
        return Actor(target.id, target.login, target.name, Role(target.role), via=login)


def open_desk(settings: Settings, url: str | None = None, as_user: str | None = None,
              login: str | None = None) -> Desk:
    """The desk of the person at the keyboard, on the configured (or given) database."""
    embedded = not (url or settings.database_url)
    db = Database(url or settings.effective_database_url)
    login = login or os_login()
    prepare(db, embedded, login)
    return Desk(db, resolve_actor(db, login, as_user), settings)
