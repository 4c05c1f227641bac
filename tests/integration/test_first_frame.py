"""The desk's first frame, read from a SQLite file without SQLAlchemy: exactly what the
service reads, or nothing (and the desk then opens the usual way)."""

from __future__ import annotations

import contextlib
import os
import pty
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from select import select as readable

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from certdesk_tui.demo import build_demo
from certdesk_tui.domain.views import PAGE_ROWS, QueueFilter
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import resolve_actor
from certdesk_tui.service.late import LateDesk, late_desk
from certdesk_tui.storage import changes, first_frame, outbox, requests, users
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.first_frame import read_first_frame, sqlite_file
from certdesk_tui.storage.models import User
from tests import factories
from tests.conftest import MANAGER, team_database


def _compiled(statement, *, literal: bool = True) -> str:
    kwargs = {"literal_binds": True} if literal else {}
    return " ".join(str(statement.compile(dialect=sqlite.dialect(),
                                          compile_kwargs=kwargs)).split())


def _words(sql: str) -> str:
    return " ".join(sql.split())


def test_the_statements_are_the_ones_the_builders_make():
    """The first frame runs the queue's own SQL: any change to the builders shows here."""
    assert _words(first_frame.COUNT_SQL) == _compiled(
        requests.count_statement(QueueFilter(), None))
    assert _words(first_frame.PAGE_SQL) == _compiled(
        requests.page_statement(QueueFilter(), None, 0, PAGE_ROWS))
    assert _words(first_frame.COUNTER_SQL) == _compiled(changes.counter_statement())
    assert _words(first_frame.FAILING_SQL) == _compiled(outbox.failing_statement())
    assert _words(first_frame.USER_SQL) == _compiled(users.user_statement("x"), literal=False)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    """A demo of 300 requests: the first page is full, with notes, duplicates, requests
    held by someone, manual reasons and emails."""
    url = f"sqlite:///{tmp_path_factory.mktemp('first-frame') / 'demo.sqlite3'}"
    db = Database(url, create=True)
    build_demo(db, login=MANAGER, requests=300, seed=7)
    db.dispose()
    return url


def _logins(url: str) -> list[str]:
    db = Database(url)
    try:
        with db.reading() as s:
            return list(s.scalars(select(User.login).order_by(User.login)))
    finally:
        db.dispose()


def test_the_first_frame_is_what_each_users_desk_reads(demo_url):
    db = Database(demo_url)
    try:
        logins = _logins(demo_url)
        assert len(logins) > 1
        for login in logins:
            frame = read_first_frame(demo_url, login)
            assert frame is not None, login
            desk = Desk(db, resolve_actor(db, login))
            assert frame.actor == desk.actor
            assert frame.key == (QueueFilter(), 0, PAGE_ROWS)
            assert frame.snapshot == desk.queue_snapshot(QueueFilter(), 0, PAGE_ROWS)
        rows = frame.snapshot.page.rows
        assert len(rows) == PAGE_ROWS < frame.snapshot.page.total
        # The columns SQLite stores as text or numbers came back as the service's types.
        assert any(r.manual_reasons for r in rows) and any(r.assignee_login for r in rows)
        assert any(r.has_notes for r in rows) and any(r.claimed_at for r in rows)
    finally:
        db.dispose()


def test_failing_emails_are_counted_as_the_service_counts_them(demo_url, tmp_path):
    path = tmp_path / "failing.sqlite3"
    path.write_bytes(Path(sqlite_file(demo_url)).read_bytes())
    url = f"sqlite:///{path}"
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE outbox SET state = 'queued', attempts = 2, sent_at = NULL "
                     "WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT 3)")
        conn.execute("UPDATE outbox SET state = 'failed', sent_at = NULL "
                     "WHERE id IN (SELECT id FROM outbox ORDER BY id DESC LIMIT 2)")
    db = Database(url)
    try:
        desk = Desk(db, resolve_actor(db, MANAGER))
        expected = desk.queue_snapshot(QueueFilter(), 0, PAGE_ROWS)
    finally:
        db.dispose()
    frame = read_first_frame(url, MANAGER)
    assert frame is not None and frame.snapshot.failing_emails == expected.failing_emails >= 5


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://certdesk@127.0.0.1/certdesk", "sqlite://", "sqlite:///:memory:",
    "sqlite:///name%20with%20escapes.sqlite3", "sqlite:///file.sqlite3?mode=ro",
])
def test_any_other_database_is_opened_the_usual_way(url):
    assert read_first_frame(url, MANAGER) is None


def test_the_file_is_the_one_the_engine_opens():
    from certdesk_tui.storage.engine import sqlite_path

    for url in ("sqlite:///~/certdesk.sqlite3", "sqlite:////srv/certdesk/desk.sqlite3",
                "sqlite:///relative.sqlite3"):
        assert sqlite_file(url) == str(sqlite_path(url))


def test_a_named_pipe_or_a_path_that_is_not_utf8_reads_nothing(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert read_first_frame(f"sqlite:///{fifo}", MANAGER) is None  # at once, no waiting
    assert read_first_frame(f"sqlite:///{tmp_path}", MANAGER) is None  # a directory
    unreadable = os.fsdecode(bytes(tmp_path) + b"/\xff.sqlite3")
    Path(unreadable).write_bytes(b"")
    assert read_first_frame(f"sqlite:///{unreadable}", MANAGER) is None


def test_a_missing_file_is_not_created(tmp_path):
    path = tmp_path / "none.sqlite3"
    assert read_first_frame(f"sqlite:///{path}", MANAGER) is None
    assert not path.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content", [b"", b"not a database at all\n" * 40])
def test_a_file_that_is_not_a_database_is_left_as_it_was(tmp_path, content):
    path = tmp_path / "other.sqlite3"
    path.write_bytes(content)
    assert read_first_frame(f"sqlite:///{path}", MANAGER) is None
    assert path.read_bytes() == content and sorted(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_another_programs_database_is_left_as_it_was(tmp_path, journal):
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert read_first_frame(f"sqlite:///{path}", MANAGER) is None
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_another_schema_revision_an_unknown_or_disabled_login_read_nothing(sqlite_url):
    db = team_database(sqlite_url)
    try:
        assert read_first_frame(sqlite_url, "sam") is not None
        assert read_first_frame(sqlite_url, "nobody") is None
        Desk(db, resolve_actor(db, MANAGER)).set_active("sky", False)
    finally:
        db.dispose()
    assert read_first_frame(sqlite_url, "sky") is None
    path = sqlite_file(sqlite_url)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0007'")
    assert read_first_frame(sqlite_url, "sam") is None


def test_reading_the_first_frame_changes_nothing_in_the_database(demo_url):
    """Not the file, and no file beside it (SQLite's -wal and -shm go as they came)."""
    folder = Path(sqlite_file(demo_url)).parent
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert read_first_frame(demo_url, MANAGER) is not None
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


# -- the late desk ---------------------------------------------------------------------


@pytest.fixture
def team_file(sqlite_url) -> str:
    """The standard team's SQLite file, with one request in the queue."""
    db = team_database(sqlite_url)
    try:
        report = Desk(db, resolve_actor(db, MANAGER)).import_submissions(
            factories.jsonl(factories.submission("EXT-1", "C100", instructions="call first")))
        assert report.ok, report.refused
    finally:
        db.dispose()
    return sqlite_url


def _late(url: str, login: str, opened: list) -> LateDesk:
    from certdesk_tui.config import Settings

    def open_desk() -> Desk:
        db = Database(url)
        opened.append(db)
        return Desk(db, resolve_actor(db, login))

    desk = late_desk(url, login, Settings(), open_desk)
    assert desk is not None
    return desk


def test_the_late_desk_hands_out_the_first_frame_once_then_opens_the_real_desk(team_file):
    opened: list = []
    desk = _late(team_file, "sam", opened)
    try:
        first = desk.queue_snapshot(QueueFilter(), 0, PAGE_ROWS)
        assert [r.external_id for r in first.page.rows] == ["EXT-1"]
        # Offered or not, by the one rule, without opening anything.
        assert desk.why_not("start", first.page.rows[0]) is None
        assert desk.actor.login == "sam" and not desk.opened and opened == []
        # Anything else opens the real desk once, and goes to it.
        again = desk.queue_snapshot(QueueFilter(), 0, PAGE_ROWS)
        assert desk.opened and len(opened) == 1 and again == first
        desk.start(first.page.rows[0].id)
        assert desk.request(first.page.rows[0].id).row.assignee_login == "sam"
        assert len(opened) == 1
    finally:
        for db in opened:
            db.dispose()


def test_a_stale_or_other_first_read_goes_to_the_real_desk(team_file, monkeypatch):
    from certdesk_tui.service import early

    opened: list = []
    desk = _late(team_file, "sam", opened)
    try:
        assert desk.queue_snapshot(QueueFilter(search="zzz"), 0, 100).page.total == 0
        assert desk.opened
        desk = _late(team_file, "sam", opened)
        monkeypatch.setattr(early, "FRESH_SECONDS", -1.0)
        desk.queue_snapshot(QueueFilter(), 0, PAGE_ROWS)
        assert desk.opened
    finally:
        for db in opened:
            db.dispose()


def test_the_real_desk_is_opened_once_whichever_threads_ask(team_file):
    import threading

    opened: list = []
    desk = _late(team_file, "sam", opened)
    try:
        threads = [threading.Thread(target=desk.pending_count) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(opened) == 1
    finally:
        for db in opened:
            db.dispose()


def test_a_desk_that_cannot_be_opened_is_refused_once_and_for_all(team_file):
    from certdesk_tui.config import Settings
    from certdesk_tui.domain.errors import DatabaseUnavailable

    attempts = []

    def open_desk() -> Desk:
        attempts.append(1)
        raise DatabaseUnavailable("attempt to write a readonly database")

    desk = late_desk(team_file, "sam", Settings(), open_desk)
    assert desk is not None
    desk.close()  # nothing was opened: nothing to close, and nothing opened for it
    assert attempts == []
    assert desk.queue_snapshot().page.total == 1  # the first frame still
    for _ in range(3):
        with pytest.raises(DatabaseUnavailable, match="readonly"):
            desk.pending_count()
    assert attempts == [1] and isinstance(desk.failure, DatabaseUnavailable)


def test_a_database_error_opening_it_is_the_refusal_the_command_line_gives(team_file):
    from sqlalchemy.exc import DatabaseError

    from certdesk_tui.config import Settings
    from certdesk_tui.domain.errors import CertdeskError
    from certdesk_tui.storage.engine import as_database_error

    error = DatabaseError("SELECT 1", {}, Exception("file is not a database"))

    def open_desk() -> Desk:
        raise error

    desk = late_desk(team_file, "sam", Settings(), open_desk)
    assert desk is not None
    for _ in range(2):
        with pytest.raises(CertdeskError, match="file is not a database"):
            desk.pending_count()
    assert str(desk.failure) == str(as_database_error(error))


def test_a_locked_file_is_opened_the_usual_way_at_once(team_file):
    path = sqlite_file(team_file)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("PRAGMA journal_mode = delete")
        holder.execute("BEGIN EXCLUSIVE")
        assert read_first_frame(team_file, "sam") is None  # no busy wait of its own
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert read_first_frame(team_file, "sam") is not None


def test_a_refused_desk_keeps_no_connection_open(team_file):
    from certdesk_tui.config import Settings
    from certdesk_tui.domain.errors import ConfigurationError
    from certdesk_tui.service.identity import open_desk

    path = Path(sqlite_file(team_file))
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '0007'")
    conn.close()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    with pytest.raises(ConfigurationError, match="needs an upgrade") as refused:
        open_desk(Settings(), team_file, login="sam")
    # Kept (as the late desk keeps its refusal), the error holds no open database.
    assert refused.value is not None
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


async def test_the_interface_ends_when_the_desk_cannot_be_opened_behind_its_frame(team_file):
    from certdesk_tui.config import Settings
    from certdesk_tui.domain.errors import DatabaseUnavailable
    from tests.tui import SIZE, app_for, settle

    def open_desk() -> Desk:
        raise DatabaseUnavailable("attempt to write a readonly database")

    desk = late_desk(team_file, "sam", Settings(), open_desk)
    app = app_for(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert app.return_code == 1 and isinstance(desk.failure, DatabaseUnavailable)


# -- the command ---------------------------------------------------------------------

SPY = """
import sys
from certdesk_tui.screens.dashboard import DashboardScreen
SEEN = sys.argv[1]
def drawn(self):
    with open(SEEN, "w") as out:
        out.write(repr(sorted(m for m in ("sqlalchemy", "pydantic") if m in sys.modules)))
        out.write(" " + repr(type(self.desk).__name__))
    self.app.exit()
DashboardScreen._first_frame_drawn = drawn
sys.argv = ["certdesk", "--db", sys.argv[2]]
from certdesk_tui.launch import main
main()
"""


def _first_frame_in_a_terminal(tmp_path: Path, url: str) -> str:
    out = tmp_path / "seen.txt"
    controller, terminal = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "NO_COLOR": "1",
           "CERTDESK_CONFIG": os.devnull, "CERTDESK_MAIL_INTERVAL_SECONDS": "0",
           "CERTDESK_REFRESH_SECONDS": "0"}
    try:
        proc = subprocess.Popen([sys.executable, "-c", SPY, str(out), url], env=env,
                                stdin=terminal, stdout=terminal, stderr=subprocess.PIPE,
                                text=True)
        os.close(terminal)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = readable([controller], [], [], 0.1)
            if ready:
                with contextlib.suppress(OSError):  # the desk closed its side
                    os.read(controller, 65536)  # keep the terminal drained
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
    finally:
        os.close(controller)
    return out.read_text()


def test_the_desk_draws_its_first_frame_before_importing_sqlalchemy(demo_url, tmp_path):
    from certdesk_tui.service.login import os_login

    path = tmp_path / "desk.sqlite3"
    path.write_bytes(Path(sqlite_file(demo_url)).read_bytes())
    url = f"sqlite:///{path}"
    db = Database(url)
    try:
        manager = Desk(db, resolve_actor(db, MANAGER))
        if os_login() not in _logins(url):
            manager.add_user(os_login(), "certificate_specialist")
    finally:
        db.dispose()
    assert _first_frame_in_a_terminal(tmp_path, url) == "[] 'LateDesk'"
    # A database it cannot read that way (another schema revision) opens the usual way.
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0007'")
    with pytest.raises(AssertionError, match="needs an upgrade"):
        _first_frame_in_a_terminal(tmp_path, url)
