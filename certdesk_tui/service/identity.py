"""Who is at the keyboard: the operating-system login, mapped to a certdesk user.

Opening a desk also makes sure the database is ready: the embedded SQLite file
is created and upgraded by itself; any other database needs ``certdesk init``.
"""

from __future__ import annotations

from certdesk_tui.config import Settings
from certdesk_tui.domain.errors import ConfigurationError, PermissionDenied, UnknownUser
from certdesk_tui.domain.permissions import Actor
from certdesk_tui.service.desk import Desk
from certdesk_tui.service.login import os_login
from certdesk_tui.storage import ownership
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.users import read_actor


def initialise(db: Database, login: str) -> tuple[bool, bool]:
    """Create or upgrade the schema; the first user becomes the manager.

    Returns (schema_changed, manager_created).
    """
    before = db.current_revision()
    if before != db.head_revision():
        db.upgrade()
    with db.writing() as s:
        if ownership.has_users(s):
            return before != db.head_revision(), False
        ownership.add_first_manager(s, login)
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
        if not ownership.has_users(s):
            raise UnknownUser(
                "this database has no users yet: run certdesk init to become its manager"
            )
        return read_actor(s, login, as_user)


def require_right_to_replace(db: Database, login: str, own_demo: bool) -> None:
    """Refuse to wipe or rebuild a database that is not the caller's to replace.

    Allowed: a database with nothing in it; the caller's own demo file when it holds
    a demo; any database whose active manager the caller is. Anything else (a team's
    database above all) is refused, and its users stay who they were: rebuilding
    never makes the caller a manager of somebody else's database.
    """
    if ownership.may_replace(db, login, own_demo):
        return
    what = "is not your demo database" if not own_demo else "holds no demo"
    raise PermissionDenied(
        f"{db.display_url} {what} and {login} is not its manager; certdesk demo only "
        "replaces its own demo file, an empty database or one you manage"
    )


def open_desk(settings: Settings, url: str | None = None, as_user: str | None = None,
              login: str | None = None) -> Desk:
    """The desk of the person at the keyboard, on the configured (or given) database."""
    embedded = not (url or settings.database_url)
    # Only the embedded default database is created by opening it; a database named by
    # URL must exist (certdesk init creates it).
    db = Database(url or settings.effective_database_url, create=embedded)
    try:
        login = login or os_login()
        prepare(db, embedded, login)
        return Desk(db, resolve_actor(db, login, as_user), settings)
    except BaseException:
        db.dispose()  # a refused desk keeps no connection (nor SQLite's -wal and -shm)
        raise
