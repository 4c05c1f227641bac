"""Only ``certdesk init`` and ``certdesk demo`` (and the embedded default) make a SQLite file.

Every other command on a file that is not there refuses in one line and creates nothing:
no file, no folder. A path that is not a regular file (a device, a directory, a pipe) is
refused naming what it is; a SQLite URL's query parameters, which certdesk would not
honour, are refused too, and no warning of SQLAlchemy's reaches the terminal.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from sqlalchemy.exc import SAWarning

from certdesk_tui.domain.errors import ConfigurationError
from certdesk_tui.storage import engine as engine_module
from certdesk_tui.storage.engine import Database, make_engine


def _run(tmp_path: Path, *args: str,
         environ: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CERTDESK_", "PYTHONWARN"))}
    env.update(CERTDESK_DATA_DIR=str(tmp_path / "data"), CERTDESK_CONFIG=os.devnull,
               **(environ or {}))
    return subprocess.run([sys.executable, "-m", "certdesk_tui", *args], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


def _one_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr == f"certdesk: {expected}\n"
    assert result.stdout == ""


def _tree(root: Path) -> set[Path]:
    return set(root.rglob("*"))


COMMANDS = [("list",), ("show", "1"), ("users", "list"), ("users", "add", "lee", "--role",
            "manager"), ("reasons", "list"), ("mail", "status"), ("mail", "send"),
            ("import", "-"), ("report",), ("renewals",), ("holders", "C100")]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_a_command_on_a_missing_file_refuses_and_creates_nothing(tmp_path, command):
    path = tmp_path / "newdir" / "sub" / "x.db"
    before = _tree(tmp_path)
    result = _run(tmp_path, "--db", f"sqlite:///{path}", *command)
    _one_line(result, f"no database at {path}: run certdesk init")
    assert _tree(tmp_path) == before  # no file, no folder (no data directory either)


@pytest.mark.parametrize("command", [("list",), ("init",), ("users", "list"),
                                     ("demo", "--no-tui", "--requests", "0"),
                                     ("--demo", "list")], ids=lambda c: "-".join(c[:2]))
def test_an_empty_db_option_is_refused_and_creates_nothing(tmp_path, command):
    """``--db ""`` names no database: refused like any other URL that is none, never
    taken for the embedded default (nor, with --demo, for the demo database)."""
    before = _tree(tmp_path)
    result = _run(tmp_path, "--db", "", *command)
    _one_line(result, "not a database URL: ''")
    assert _tree(tmp_path) == before  # no data directory, no certdesk.sqlite3
    # A blank CERTDESK_DATABASE_URL is no URL either (an empty one overrides nothing).
    blank = _run(tmp_path, *command, environ={"CERTDESK_DATABASE_URL": " "})
    assert blank.returncode == 1, blank.stdout
    if command[0] != "--demo":  # (--demo takes the demo's database instead: none yet)
        _one_line(blank, "not a database URL: ' '")
    assert _tree(tmp_path) == before


def test_init_creates_the_file_and_its_folders_then_the_commands_work(tmp_path):
    path = tmp_path / "newdir" / "sub" / "x.db"
    init = _run(tmp_path, "--db", f"sqlite:///{path}", "init")
    assert init.returncode == 0 and init.stderr == "", init.stderr
    assert path.is_file()
    listed = _run(tmp_path, "--db", f"sqlite:///{path}", "list")
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr


def test_a_file_removed_after_opening_is_not_made_again(tmp_path):
    path = tmp_path / "gone.sqlite3"
    made = Database(f"sqlite:///{path}", create=True)
    assert made.current_revision() is None  # connected: the file is made
    made.dispose()
    assert path.exists()
    db = Database(f"sqlite:///{path}")  # it exists now: accepted
    path.unlink()
    with pytest.raises(ConfigurationError, match="cannot open the database"):
        db.current_revision()
    db.dispose()
    assert not path.exists()


@pytest.mark.parametrize(("target", "kind"), [
    ("/dev/zero", "a character device"),
    ("{tmp}", "a directory"),
    ("{tmp}/pipe", "a named pipe"),
])
@pytest.mark.parametrize("command", [("list",), ("init",)], ids=["list", "init"])
def test_a_path_that_is_no_regular_file_is_refused_naming_what_it_is(tmp_path, target, kind,
                                                                     command):
    if not Path("/dev/zero").exists() and target == "/dev/zero":
        pytest.skip("no /dev/zero here")
    os.mkfifo(tmp_path / "pipe")
    path = target.format(tmp=tmp_path)
    result = _run(tmp_path, "--db", f"sqlite:///{path}", *command)
    _one_line(result, f"{path} is {kind}, not a database file")


@pytest.mark.parametrize("create", [False, True])
def test_an_in_memory_database_is_refused(create):
    for url in ("sqlite://", "sqlite:///:memory:"):
        with pytest.raises(ConfigurationError, match="holds nothing between two commands"):
            make_engine(url, create=create)


@pytest.mark.parametrize("query", ["mode=ro", "uri=true&mode=ro", "timeout=1", "cache=shared"])
def test_a_sqlite_url_with_parameters_is_refused_and_nothing_is_written(tmp_path, query):
    path = tmp_path / "team.sqlite3"
    assert _run(tmp_path, "--db", f"sqlite:///{path}", "init").returncode == 0
    before = path.read_bytes()
    result = _run(tmp_path, "--db", f"sqlite:///{path}?{query}",
                  "users", "add", "lee", "--role", "manager")
    assert result.returncode == 1
    assert result.stderr.startswith("certdesk: a SQLite database URL takes no parameters (")
    assert result.stderr.count("\n") == 1 and "Warning" not in result.stderr, result.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM users WHERE login = 'lee'").fetchone() == (0,)
    assert path.read_bytes() == before


def test_a_warning_of_sqlalchemy_while_the_engine_is_made_is_a_refusal(monkeypatch, tmp_path):
    real = engine_module.create_engine

    def warns(*args, **kwargs):
        warnings.warn("Argument 'x' is ignored; see the documentation", SAWarning,
                      stacklevel=2)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine_module, "create_engine", warns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing escapes as a warning
        with pytest.raises(ConfigurationError,
                           match="^the database URL is not usable as given: Argument 'x' "
                                 "is ignored$"):
            make_engine(f"sqlite:///{tmp_path / 'x.db'}", create=True)


def test_the_command_line_prints_no_python_warning(tmp_path):
    """A library's warning never reaches the terminal in Python's two-line form."""
    code = ("import warnings, sys; from certdesk_tui.cli import root\n"
            "root.cli = lambda **_: warnings.warn('raw warning text', UserWarning)\n"
            "root.main()")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONWARN")}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_the_embedded_default_database_still_creates_itself(tmp_path):
    result = _run(tmp_path, "list")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "certdesk.sqlite3").is_file()


def test_a_file_that_is_not_sqlite_is_refused_in_one_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 100, encoding="utf-8")
    before = path.read_bytes()
    result = _run(tmp_path, "--db", f"sqlite:///{path}", "list")
    assert result.returncode == 1
    assert result.stderr.startswith("certdesk: ") and result.stderr.count("\n") == 1
    assert "not a database" in result.stderr
    assert path.read_bytes() == before


def _other_programs_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:  # SQLite's default rollback journal
        conn.execute("CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, url TEXT)")
        conn.execute("INSERT INTO bookmarks (url) VALUES ('https://example.com')")
    conn.close()


def test_demo_refusing_another_programs_database_leaves_it_as_it_was(tmp_path):
    """``demo`` may create its database, but another program's is refused unchanged."""
    path = tmp_path / "other.db"
    _other_programs_database(path)
    before = path.read_bytes()
    result = _run(tmp_path, "--db", f"sqlite:///{path}", "demo", "--no-tui")
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert path.read_bytes() == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()


@pytest.mark.parametrize("kind", ["empty file", "another program's database"])
def test_a_refused_file_is_left_byte_for_byte_as_it_was(tmp_path, kind):
    """WAL is written into the file itself: a command refusing an empty file or some other
    program's SQLite database must not switch it to WAL (nor give it a header)."""
    path = tmp_path / "some.db"
    if kind == "empty file":
        path.touch()
    else:
        _other_programs_database(path)
    before, files = path.read_bytes(), _tree(tmp_path)
    result = _run(tmp_path, "--db", f"sqlite:///{path}", "list")
    _one_line(result, f"the database sqlite:///{path} is not initialised: run certdesk init "
                      "--db URL")
    assert path.read_bytes() == before
    assert _tree(tmp_path) == files  # no -wal or -shm file either
    if kind != "empty file":
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        conn.close()


def test_certdesks_own_database_runs_in_wal_even_when_restored_without_it(tmp_path):
    """A certdesk database copied back in rollback-journal mode is switched to WAL when
    opened (readers are then never blocked by a writer); ``init`` makes it in WAL."""
    path = tmp_path / "team.db"
    assert _run(tmp_path, "--db", f"sqlite:///{path}", "init").returncode == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    listed = _run(tmp_path, "--db", f"sqlite:///{path}", "list")
    assert listed.returncode == 0, listed.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()


def test_a_database_path_that_is_not_utf8_is_refused_in_one_line(tmp_path):
    import os

    from certdesk_tui.domain.errors import ConfigurationError
    from certdesk_tui.storage.engine import Database

    name = os.fsdecode(bytes(tmp_path) + b"/\xff.sqlite3")
    with open(os.fsencode(name), "wb"):
        pass
    with pytest.raises(ConfigurationError, match="its name is not UTF-8") as refused:
        Database(f"sqlite:///{name}")
    assert "\n" not in str(refused.value)
