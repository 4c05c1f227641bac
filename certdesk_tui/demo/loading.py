"""Wiping a demo database (only one the demo built, or an empty one) and loading rows
in bulk: Core executemany, SQLite's secondary indexes rebuilt once at the end."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.schema import Table
from sqlalchemy.types import TypeEngine

from certdesk_tui.demo.catalogue import DEMO_MARKER
from certdesk_tui.domain.errors import ConfigurationError
from certdesk_tui.storage.engine import Database, sqlite_path
from certdesk_tui.storage.models import (
    Activity,
    Base,
    CertificateRequest,
    Customer,
)

CHUNK = 5_000
"""Rows a bulk insert statement carries."""


def _tables(db: Database) -> set[str]:
    try:
        return set(inspect(db.engine).get_table_names())
    except DBAPIError as exc:
        hint = "; remove the file to build a new demo there" if db.is_sqlite else ""
        raise ConfigurationError(f"cannot open {db.display_url}: {exc.orig}{hint}") from None


def require_demo_or_empty(db: Database, tables: set[str] | None = None) -> None:
    """Refuse a database holding customers or requests that no demo build put there.

    The one rule ``certdesk demo`` applies to a database before wiping it and before
    opening one it did not just build: a team's database is neither rebuilt nor
    shown as the demo.
    """
    if tables is None:
        tables = _tables(db)
    if {"customers", "certificate_requests", "activities"} <= tables:
        with db.reading() as s:
            customers = s.scalar(select(func.count()).select_from(Customer)) or 0
            requests = s.scalar(select(func.count()).select_from(CertificateRequest)) or 0
            demo = s.scalar(select(Activity.id).where(Activity.request_id.is_(None),
                                                      Activity.action == DEMO_MARKER).limit(1))
        if (customers or requests) and demo is None:
            raise ConfigurationError(
                f"{db.display_url} is not a demo database (it holds {customers:,} customers "
                f"and {requests:,} requests); certdesk demo only opens or rebuilds a database "
                "it built"
            )


def wipe(db: Database) -> None:
    """Empty the database, refusing any that holds something other than a demo."""
    tables = _tables(db)
    if not tables:
        return
    ours = set(Base.metadata.tables) | {"alembic_version"}
    foreign = sorted(tables - ours)
    if foreign:
        raise ConfigurationError(
            f"{db.display_url} holds tables certdesk does not know ({', '.join(foreign[:5])}); "
            "the demo only rebuilds a database of its own"
        )
    require_demo_or_empty(db, tables)
    path = sqlite_path(db.url)
    if path is not None:
        db.engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    Base.metadata.drop_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@contextmanager
def bulk_transaction(db: Database) -> Iterator[Connection]:
    """The one write transaction of a build, as a Core connection.

    On SQLite the file is new (``wipe`` removed the old one): during the load its
    rollback journal is kept in memory and nothing is synced, so each page is written
    once (in WAL mode a load this size is written to the log, then again into the
    file); a failed build still rolls back whole. WAL mode and normal syncing come back
    at the end (every connection of the desk asks for WAL anyway).
    """
    if not db.is_sqlite:
        with db.writing() as session:
            yield session.connection()
        return
    db.engine.dispose()  # no other connection: leaving WAL mode needs the file to itself
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA journal_mode = MEMORY")
        raw.execute("PRAGMA synchronous = OFF")
        try:
            with conn.begin():
                yield conn
        finally:
            raw.execute("PRAGMA synchronous = NORMAL")
            raw.execute("PRAGMA journal_mode = WAL")


def chunks(rows: list) -> Iterator[list]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def _sqlite_datetime(value: datetime) -> str:
    # SQLAlchemy's own SQLite format, so the ORM reads these rows like any other.
    return value.isoformat(" ", "microseconds")


class Loader:
    """Bulk inserts of row dicts (all with the same keys) in the session's transaction.

    PostgreSQL gets plain Core ``insert(table)`` executemany. On SQLite the values
    are converted the way SQLAlchemy's column types would (datetimes in its text
    format, JSON text, booleans as 0/1) and handed to the driver's executemany
    directly, which is several times faster than per-row bind processing.
    """

    def __init__(self, conn: Connection, sqlite: bool) -> None:
        self.conn = conn
        self.sqlite = sqlite
        self.quote = conn.dialect.identifier_preparer.quote
        self.rows = 0

    @staticmethod
    def _converter(column_type: TypeEngine[Any]) -> Callable[[Any], Any] | None:
        if isinstance(column_type, DateTime):
            return _sqlite_datetime
        if isinstance(column_type, Date):
            return date.isoformat
        if isinstance(column_type, JSON):
            return json.dumps
        if isinstance(column_type, Boolean):
            return int
        return None

    def __call__(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert dicts (all with the same keys)."""
        if rows:
            names = tuple(rows[0])
            get = itemgetter(*names)
            self.tuples(table, names, [get(row) for row in rows])

    def tuples(self, table: Table, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Insert tuples of the ``names`` columns."""
        if not rows:
            return
        self.rows += len(rows)
        if not self.sqlite:
            for chunk in chunks(rows):
                self.conn.execute(insert(table), [dict(zip(names, r, strict=True))
                                                  for r in chunk])
            return
        converters = [(i, f) for i, f in
                      enumerate(self._converter(table.c[n].type) for n in names) if f]
        sql = (f"INSERT INTO {self.quote(table.name)} "
               f"({', '.join(self.quote(n) for n in names)}) "
               f"VALUES ({', '.join('?' for _ in names)})")
        for chunk in chunks(rows):
            if converters:
                params = []
                for row in chunk:
                    values = list(row)
                    for i, convert in converters:
                        if values[i] is not None:
                            values[i] = convert(values[i])
                    params.append(tuple(values))
            else:
                params = chunk
            self.conn.exec_driver_sql(sql, params)



def drop_indexes(conn: Connection) -> list[str]:
    """Drop SQLite's secondary indexes; returns the statements that create them again."""
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "ORDER BY name"
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f"DROP INDEX {conn.dialect.identifier_preparer.quote(name)}")
    return [sql for _, sql in found]


def finish(db: Database) -> None:
    """Statistics for the query planner; PostgreSQL sequences past the ids written here."""
    if db.is_sqlite:
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        finally:
            raw.close()
        return
    with db.engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement is not False \
                    and table.name != "duplicate_links":
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                ))
