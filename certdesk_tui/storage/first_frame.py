"""What the desk's first frame shows, read from a SQLite file with the standard library.

Opening a desk the usual way imports SQLAlchemy and its ORM first: about 0.2 s before
anything can be drawn. On a SQLite file at the current schema, the first frame needs
only the acting user, the default queue's first page and the counts around it, so
:func:`read_first_frame` reads them with ``sqlite3``, in one read transaction, and
the desk opens the usual way once the frame is on screen.

The statements are the ones ``storage/requests.py``, ``storage/changes.py``,
``storage/outbox.py`` and ``storage/users.py`` build, compiled for SQLite
(``tests/integration/test_first_frame.py`` compiles the builders' statements again and
compares them word for word), and a row is made by ``rows.py`` as every other read
makes it: the queue's rule stays in one place. Anything unexpected (no such regular
file, another schema revision, a login that is not an active user who may see the
queue, any error of SQLite) answers None, and the desk is opened the usual way, where
the problem is reported. The file is opened as the usual way opens it (read and
write, never created) and only read: SQLite's own ``-wal`` and ``-shm`` files come and
go as they do for any connection.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from certdesk_tui.domain.permissions import Actor, Permission
from certdesk_tui.domain.views import PAGE_ROWS, QueueFilter, QueuePage, QueueSnapshot
from certdesk_tui.domain.vocabulary import Role
from certdesk_tui.storage.revision import SCHEMA_REVISION
from certdesk_tui.storage.rows import stored_row

_PENDING = "certificate_requests.in_queue IS 1 AND certificate_requests.status IN " \
           "('in_progress', 'new')"

# requests.count_statement(QueueFilter(), None)
COUNT_SQL = f"SELECT count(*) AS count_1 FROM certificate_requests WHERE {_PENDING}"

# requests.page_statement(QueueFilter(), None, 0, PAGE_ROWS)
PAGE_SQL = (
    "SELECT certificate_requests.id, certificate_requests.external_id, customers.name, "
    "customers.code, customers.brand, certificate_requests.type, "
    "certificate_requests.channel, certificate_requests.holder_name, "
    "certificate_requests.status, users.login, certificate_requests.manual, "
    "certificate_requests.manual_reasons, certificate_requests.discrepancy, "
    "certificate_requests.has_notes = 1 OR certificate_requests.instructions != '' AS anon_1, "
    "EXISTS (SELECT * FROM duplicate_links "
    "WHERE duplicate_links.request_id = certificate_requests.id) AS anon_2, "
    "certificate_requests.submitted_at, certificate_requests.version, "
    "certificate_requests.submitted_type, certificate_requests.claimed_at "
    "FROM certificate_requests JOIN customers ON customers.id = certificate_requests.customer_id "
    "LEFT OUTER JOIN users ON users.id = certificate_requests.assignee_id "
    f"WHERE {_PENDING} "
    "ORDER BY certificate_requests.submitted_at ASC, certificate_requests.id ASC "
    f"LIMIT {PAGE_ROWS} OFFSET 0"
)

# changes.counter_statement()
COUNTER_SQL = "SELECT change_marker.counter FROM change_marker WHERE change_marker.id = 1"

# outbox.failing_statement()
FAILING_SQL = (
    "SELECT count(*) AS count_1 FROM outbox WHERE outbox.state != 'sent' "
    "AND outbox.state IN ('failed', 'queued') "
    "AND (outbox.state = 'failed' OR outbox.attempts > 0)"
)

# users.user_statement(login): the login is a parameter here.
USER_SQL = ("SELECT users.id, users.login, users.name, users.role, users.active "
            "FROM users WHERE users.login = ?")

REVISION_SQL = "SELECT alembic_version.version_num FROM alembic_version"


@dataclass(frozen=True)
class FirstFrame:
    """Who is at the keyboard and the default queue's first page, as one read saw them."""

    actor: Actor
    snapshot: QueueSnapshot
    key: tuple[QueueFilter, int, int]  # what ``Desk.queue_snapshot`` is asked for it


def sqlite_file(url: str) -> str | None:
    """The file of a plain ``sqlite:///PATH`` URL (``~`` expanded, as the engine does);
    None for any other database or form of URL."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    path = url[len(prefix):]
    if not path or path == ":memory:" or any(ch in path for ch in "?%#"):
        return None
    return str(Path(path).expanduser())


def read_first_frame(url: str, login: str) -> FirstFrame | None:
    """The first frame's data for ``login`` on the SQLite file of ``url``, or None when
    anything is not as usual (the desk then opens the usual way)."""
    path = sqlite_file(url)
    if path is None:
        return None
    try:
        # A regular file only: SQLite would wait on a named pipe, and create a missing file.
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        # No waiting on a lock: a locked file is opened the usual way, which waits.
        conn = sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, timeout=0,
                               isolation_level=None)
    except (OSError, ValueError, sqlite3.Error):  # also a path that is not UTF-8
        return None
    try:
        with closing(conn):
            conn.execute("BEGIN")  # one read transaction: the page and its counts agree
            revision = conn.execute(REVISION_SQL).fetchone()
            if revision is None or revision[0] != SCHEMA_REVISION:
                return None
            user = conn.execute(USER_SQL, (login,)).fetchone()
            if user is None or not user[4]:
                return None
            counter = conn.execute(COUNTER_SQL).fetchone()
            (total,) = conn.execute(COUNT_SQL).fetchone()
            rows = tuple(stored_row(values) for values in conn.execute(PAGE_SQL))
            (failing,) = conn.execute(FAILING_SQL).fetchone()
            actor = Actor(user[0], user[1], user[2], Role(user[3]))
    except (sqlite3.Error, ValueError, TypeError):
        return None
    if not actor.may(Permission.VIEW):
        return None
    snapshot = QueueSnapshot(QueuePage(rows=rows, total=total, offset=0), total, failing,
                             counter[0] if counter else 0)
    return FirstFrame(actor, snapshot, (QueueFilter(), 0, PAGE_ROWS))
