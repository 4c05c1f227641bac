"""The engine: one shared database, SQLite by default, PostgreSQL by URL.

SQLite is opened in WAL mode with foreign keys on and a busy timeout. Writers
start their transaction with ``BEGIN IMMEDIATE`` so that two writers queue up
at the start instead of failing half-way; readers use a plain deferred BEGIN
and are never blocked by a writer (WAL).
"""

from __future__ import annotations

import functools
import sqlite3
import stat
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SAWarning,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from certdesk_tui.domain.errors import (
    ConfigurationError,
    DatabaseRefused,
    DatabaseUnavailable,
    DuplicateRow,
    PermissionDenied,
    StaleRequest,
)
from certdesk_tui.storage.db_roles import is_insufficient_privilege
from certdesk_tui.storage.revision import SCHEMA_REVISION

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000
SQLITE_WRITE_POLL_SECONDS = 0.001
# How long a bulk writer pauses between its transactions (let_others_write).
SQLITE_WRITE_TURN_SECONDS = 0.004


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and route them through psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: object,
                    create: bool = False) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would defer it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    # WAL is written into the file itself: only into certdesk's own database (or a new
    # one, with no table yet, when the command may create it), so that a command refusing
    # some other file (empty, or another program's database) leaves it byte for byte as
    # it was.
    (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
    if mode != "wal":
        tables = {name for (name,) in cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" in tables or (create and not tables):
            cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    if not conn.get_execution_options().get("certdesk_write"):
        conn.exec_driver_sql("BEGIN")
        return
    # SQLite's own busy handler sleeps up to 100 ms between tries, so a process that writes
    # in a loop (an intake, one transaction after another) retakes the lock before the
    # sleepers wake and holds them off for seconds. Ask for it briskly instead, up to the
    # timeout (and see Database.let_others_write).
    raw = conn.connection.driver_connection
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                    raise
            time.sleep(SQLITE_WRITE_POLL_SECONDS)
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the last try, failing as SQLAlchemy does
    finally:
        raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///PATH`` URL (None: not SQLite, or a database in memory)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def _file_kind(mode: int) -> str:
    """What a path that is not a regular file is, in words."""
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "a special file"


def _sqlite_file(path: Path, create: bool) -> None:
    """Refuse a path that is no database file; only ``create`` may make it (and its folder).

    Checked before any connection: SQLite itself would create a missing file (and certdesk
    its folder) for a command that then refuses, and would take a device for an empty
    database.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if not create:
            raise ConfigurationError(f"no database at {path}: run certdesk init") from None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(f"cannot create {path.parent}: {exc.strerror}") from None
        return
    except (OSError, ValueError) as exc:  # a NUL in the path, a folder we may not enter
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigurationError(f"cannot open the database file {path}: {reason}") from None
    if not stat.S_ISREG(mode):
        raise ConfigurationError(f"{path} is {_file_kind(mode)}, not a database file")


def _sqlite_engine(parsed: URL, create: bool) -> Engine:
    if parsed.query:
        names = ", ".join(sorted(parsed.query))
        raise ConfigurationError(
            f"a SQLite database URL takes no parameters ({names}): certdesk sets how the file "
            "is opened; give sqlite:///PATH")
    database = parsed.database or ""
    if not database or database == ":memory:":
        raise ConfigurationError(
            "a database in memory holds nothing between two commands: give sqlite:///PATH")
    path = Path(database).expanduser()
    _sqlite_file(path, create)
    # A URI, so that a command that must not create the file opens it read-write only
    # if it exists (mode=rw): a file removed meanwhile is refused, not made again.
    try:
        uri = f"file:{quote(str(path))}?mode={'rwc' if create else 'rw'}"
    except UnicodeEncodeError:  # bytes of another encoding, from --db or the environment
        raise ConfigurationError(
            f"cannot open the database file {path!r}: its name is not UTF-8") from None

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    engine = create_engine(parsed, creator=connect)
    event.listen(engine, "connect", functools.partial(_sqlite_connect, create=create))
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def make_engine(url: str, *, create: bool = False) -> Engine:
    """The engine for a database URL.

    A SQLite file must exist unless ``create`` (``certdesk init``, ``certdesk demo``, the
    embedded default database): nothing else makes a file or a folder. Whatever
    SQLAlchemy warns of while the engine is made (a parameter it ignores, say) is
    refused in one line, never printed.
    """
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(f"not a database URL: {url!r}") from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SAWarning)
        engine = _make_engine(parsed, create)
    for warning in caught:
        if not issubclass(warning.category, SAWarning):
            continue
        engine.dispose()
        reason = str(warning.message).split(";")[0].split(". ")[0].strip()
        raise ConfigurationError(f"the database URL is not usable as given: {reason}")
    return engine


def _make_engine(parsed: URL, create: bool) -> Engine:
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, create)
    if parsed.get_backend_name() == "postgresql":
        try:
            return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5)
        except ModuleNotFoundError as exc:  # the driver is the postgresql extra
            raise ConfigurationError(
                f"PostgreSQL needs its driver ({exc.name}): install certdesk[postgresql] "
                "(pip install 'certdesk[postgresql]')") from None
    raise ConfigurationError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///PATH "
        "or postgresql+psycopg://USER@HOST/DB"
    )


def known_revisions() -> frozenset[str]:
    """The schema revisions this certdesk has migrations for.

    Read from the migration file names (``0002_queue_order_index.py`` is revision 0002):
    importing Alembic would cost every start-up. tests/test_migrations.py checks them
    against Alembic's own list.
    """
    return frozenset(path.name.split("_", 1)[0]
                     for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def alembic_config() -> Config:
    # Alembic is imported only when migrations are looked at: it is slow to import.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _primary(exc: DBAPIError) -> str:
    diag = getattr(exc.orig, "diag", None)
    return getattr(diag, "message_primary", None) or str(exc.orig).splitlines()[0]


def _first_line(exc: SQLAlchemyError, limit: int = 200) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["no reason given"]
    return reason[0] if len(reason[0]) <= limit else reason[0][: limit - 1] + "…"


def as_database_error(exc: BaseException) -> DatabaseUnavailable | DatabaseRefused | None:
    """What an error raised inside a transaction is reported as, when it is the database's
    (None: it is not). The transaction's end does this by itself; this is for code that
    catches an error before then (a savepoint)."""
    return database_error(exc) if isinstance(exc, SQLAlchemyError) else None


def database_error(exc: SQLAlchemyError) -> DatabaseUnavailable | DatabaseRefused:
    """The ``CertdeskError`` an error of the database or its driver is reported as."""
    if isinstance(exc, OperationalError | InterfaceError | SQLAlchemyTimeoutError):
        return DatabaseUnavailable(_first_line(exc))
    refused = DuplicateRow if isinstance(exc, IntegrityError) else DatabaseRefused
    return refused(_first_line(exc))


@contextmanager
def _server_refusals() -> Iterator[None]:
    """What the database says, as a ``CertdeskError``: no caller needs SQLAlchemy's errors.

    PostgreSQL's "permission denied" (a database role without the grant) is a
    ``PermissionDenied``; a server, file or lock that does not answer a
    ``DatabaseUnavailable``; a write that lost an optimistic-concurrency race a
    ``StaleRequest``; a unique key stored at the same moment a ``DuplicateRow``; any
    other refusal of the database a ``DatabaseRefused``.
    """
    try:
        yield
    except StaleDataError:
        raise StaleRequest(
            "someone else changed this request at the same moment; it has been reloaded, "
            "check it and try again"
        ) from None
    except DBAPIError as exc:
        if is_insufficient_privilege(exc):
            raise PermissionDenied(
                f"the database does not let your login do this ({_primary(exc)}); your "
                "database role is not in the certdesk group for it: ask a manager"
            ) from None
        raise database_error(exc) from exc
    except SQLAlchemyTimeoutError as exc:  # no connection free in the pool in time
        raise database_error(exc) from exc


class Database:
    """The engine and the two session factories (read, write) over it."""

    def __init__(self, url: str, *, create: bool = False) -> None:
        """``create``: a SQLite file (and its folder) may be made; without it, a missing
        file is refused (only ``certdesk init``, ``certdesk demo`` and the embedded
        default database create one)."""
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, create=create)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        write_engine = self.engine.execution_options(certdesk_write=True)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(write_engine, expire_on_commit=False)

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def is_file(self, path: Path) -> bool:
        """Whether this is the SQLite database in the file at ``path``."""
        own = sqlite_path(self.url)
        return own is not None and own.resolve() == path.expanduser().resolve()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with _server_refusals(), self._read() as session, session.begin():
            yield session

    def let_others_write(self) -> None:
        """Called by a bulk writer (an import) between two of its write transactions.

        SQLite's write lock is not handed out in turn: a writer waiting in another
        process asks for it every millisecond, while a writer that has just committed
        asks again at once and nearly always wins. So an import would hold off a claim
        or a note typed meanwhile for several of its batches. Pausing a few
        milliseconds lets such a writer in first. PostgreSQL locks rows, and queues
        whoever waits for one: nothing to do.
        """
        if self.is_sqlite:
            time.sleep(SQLITE_WRITE_TURN_SECONDS)

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction: committed at the end, rolled back whole on any error."""
        with _server_refusals(), self._write() as session, session.begin():
            yield session

    # -- migrations ----------------------------------------------------------

    def current_revision(self) -> str | None:
        """The schema revision recorded in the database (None: not initialised).

        A revision this certdesk has no migration for was written by a newer certdesk:
        refused, so that no command reads or changes a schema it does not know.
        Read with plain SQL: importing Alembic would cost every start-up.
        """
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError as exc:
            raise ConfigurationError(
                f"cannot open the database {self.display_url}: {exc.orig}"
            ) from None
        except DBAPIError as exc:
            if not is_insufficient_privilege(exc):
                raise
            raise ConfigurationError(
                f"cannot read the database {self.display_url}: {_primary(exc)} (your database "
                "login is in no certdesk group; ask a manager to add you)"
            ) from None
        if revision is not None and revision not in known_revisions():
            shown = "".join(ch if ch.isprintable() else "?" for ch in str(revision))[:40]
            raise ConfigurationError(
                f"the database {self.display_url} was written by a newer certdesk "
                f"(revision {shown}): upgrade certdesk"
            )
        return revision

    def head_revision(self) -> str:
        return SCHEMA_REVISION

    def is_initialised(self) -> bool:
        return self.current_revision() is not None

    def needs_upgrade(self) -> bool:
        return self.current_revision() != self.head_revision()

    def upgrade(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        from alembic import command

        cfg = alembic_config()
        try:
            with self.engine.execution_options(certdesk_write=True).begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise ConfigurationError(
                f"cannot migrate the database {self.display_url}: {exc.orig}"
            ) from None

    def ensure_group_roles(self) -> str:
        """PostgreSQL: create the certdesk group roles and grant them this database's tables.

        Returns what was done, in one sentence; refuses in one line when this
        connection may not create roles (nothing is half done: one transaction).
        """
        from certdesk_tui.storage.db_roles import GROUPS, ensure_group_roles

        try:
            for attempt in range(5):
                try:
                    with _server_refusals(), self.engine.execution_options(
                            certdesk_write=True).begin() as conn:
                        ensure_group_roles(conn)
                    break
                except (DatabaseRefused, DatabaseUnavailable):
                    # Role memberships are server-wide: an init of another database at
                    # the same moment may collide ("tuple concurrently updated").
                    if attempt == 4:
                        raise
                    time.sleep(0.2 * (attempt + 1))
        except PermissionDenied as exc:
            raise PermissionDenied(
                "the schema is ready, but the certdesk group roles were not made: "
                f"{exc.message.split(';')[0]}; run certdesk init as a role with CREATEROLE "
                "(the database's owner or an administrator)"
            ) from None
        return ("database roles " + ", ".join(GROUPS.values()) + " are ready: give each "
                "person a login role in one of them (certdesk users add does it when it can)")

    def dispose(self) -> None:
        self.engine.dispose()
