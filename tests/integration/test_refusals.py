"""What certdesk does not understand is refused in one line, never a traceback or a hang.

A database written by a newer certdesk, an id no row can have, a reason or a field value
that only looks like a number, the desk started without a terminal.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from certdesk_tui.cli import cli
from certdesk_tui.cli.params import RecordId
from certdesk_tui.config import Settings
from certdesk_tui.domain import Role
from certdesk_tui.domain.errors import ConfigurationError, NotFound, ValidationFailed
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import initialise, open_desk, os_login, prepare, resolve_actor
from certdesk_tui.storage.engine import Database, alembic_config, known_revisions
from tests import factories
from tests.functional.test_modals import pdf_file

NEWER = "9999_from_the_future"
HUGE = "9" * 20


def _stamp(db: Database, revision: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTDESK_")}
    env.update(CERTDESK_DATA_DIR=str(tmp_path / "data"), CERTDESK_CONFIG=os.devnull,
               LOGNAME="morgan", USER="morgan", **extra)
    return env


def _run(tmp_path: Path, *args: str, stdin=subprocess.DEVNULL, **extra: str):
    return subprocess.run([sys.executable, "-m", "certdesk_tui", *args],
                          env=_env(tmp_path, **extra), stdin=stdin, capture_output=True,
                          text=True, timeout=120)


def _one_line_refusal(result, expected: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("certdesk: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr


def _in_a_terminal(tmp_path: Path, *args: str, theme: str = ""):
    """Run with stdin and stdout on a pseudo-terminal; stderr captured on its own."""
    controller, terminal = pty.openpty()
    env = _env(tmp_path, TERM="xterm-256color")
    if theme:
        env["CERTDESK_THEME"] = theme
    try:
        proc = subprocess.Popen([sys.executable, "-m", "certdesk_tui", *args],
                                env=env, stdin=terminal,
                                stdout=terminal, stderr=subprocess.PIPE, text=True)
        try:
            _, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        return subprocess.CompletedProcess(args, proc.returncode, "", err)
    finally:
        os.close(terminal)
        os.close(controller)


# -- a database written by a newer certdesk ---------------------------------------------

def test_the_known_revisions_are_alembics():
    script = ScriptDirectory.from_config(alembic_config())
    assert known_revisions() == {rev.revision for rev in script.walk_revisions()}


def test_a_database_of_a_newer_certdesk_is_refused_by_every_entry(database_url):
    db = Database(database_url, create=True)
    initialise(db, "morgan")
    _stamp(db, NEWER)
    expected = f"was written by a newer certdesk (revision {NEWER}): upgrade certdesk"
    for attempt in (db.current_revision, db.needs_upgrade,
                    lambda: initialise(db, "morgan"),
                    lambda: prepare(db, embedded=True, login="morgan"),
                    lambda: prepare(db, embedded=False, login="morgan"),
                    lambda: open_desk(Settings(), database_url, login="morgan")):
        with pytest.raises(ConfigurationError, match=re.escape(expected)) as caught:
            attempt()
        assert str(caught.value).startswith(f"the database {db.display_url} was written")
    with db.reading() as s:  # nothing was changed
        assert s.scalar(text("SELECT version_num FROM alembic_version")) == NEWER
    db.dispose()


@pytest.mark.parametrize("command", [
    ("list",), ("init",), ("show", "1"), ("reasons", "list"), ("users", "list"),
    ("mail", "status"), ("mail", "send"), ("import", "-"), ("demo", "--no-tui"),
])
def test_every_command_refuses_a_newer_database_in_one_line(database_url, tmp_path, command):
    db = Database(database_url, create=True)
    initialise(db, "morgan")
    _stamp(db, NEWER)
    db.dispose()
    result = _run(tmp_path, "--db", database_url, *command)
    _one_line_refusal(result, f"written by a newer certdesk (revision {NEWER}): upgrade certdesk")


def test_the_desk_refuses_a_newer_database_in_one_line(database_url, tmp_path):
    db = Database(database_url, create=True)
    initialise(db, "morgan")
    _stamp(db, "ab12cd34ef56")
    db.dispose()
    result = _in_a_terminal(tmp_path, "--db", database_url)
    _one_line_refusal(result, "written by a newer certdesk (revision ab12cd34ef56)")


def test_the_embedded_database_of_a_newer_certdesk_is_not_upgraded_or_touched(tmp_path):
    assert _run(tmp_path, "init").returncode == 0
    path = tmp_path / "data" / "certdesk.sqlite3"
    db = Database(f"sqlite:///{path}")
    _stamp(db, NEWER)
    db.dispose()
    for args in (("list",), ("init",)):
        _one_line_refusal(_run(tmp_path, *args), "was written by a newer certdesk")
    _one_line_refusal(_in_a_terminal(tmp_path), "was written by a newer certdesk")


# -- settings only the desk can check ----------------------------------------------------

def test_a_theme_textual_does_not_have_is_refused_before_the_desk_starts(tmp_path):
    assert _run(tmp_path, "init").returncode == 0
    result = _in_a_terminal(tmp_path, "--config", os.devnull, theme="nope")
    _one_line_refusal(result, "theme (CERTDESK_THEME or the configuration file) must be one of "
                              "ansi-dark, ")
    assert result.stderr.rstrip().endswith("not 'nope'")


# -- ids no row can have ------------------------------------------------------------------

@pytest.mark.parametrize("request_id", [0, -1, -(2**63), 2**63, 10**20, 10**400],
                         ids=["0", "-1", "-2^63", "2^63", "10^20", "10^400"])
def test_an_id_out_of_range_is_no_such_request(desk_for, request_id):
    sam, manager = desk_for("sam"), desk_for("morgan")
    for call in (lambda: sam.request(request_id), lambda: sam.row(request_id),
                 lambda: sam.certificate(request_id), lambda: sam.automation_prefill(request_id),
                 lambda: sam.start(request_id), lambda: sam.relabel(request_id),
                 lambda: sam.reject(request_id, "1"), lambda: sam.note(request_id, "x")):
        with pytest.raises(NotFound, match=f"no request #{request_id}$"):
            call()
    with pytest.raises(NotFound, match=f"no rejection reason {request_id}$"):
        manager.retire_reason(request_id)
    with pytest.raises(NotFound, match=f"no email #{request_id} "):
        manager.outbox.retry(request_id)


@pytest.mark.parametrize(("args", "expected"), [
    (("show", "0"), "there is no request #0"),
    (("show", "--", "-1"), "there is no request #-1"),
    (("start", HUGE), f"there is no request #{HUGE}"),
    (("note", "9" * 5000, "x"), "there is no request #99999999999999999999..."),
    (("show", "²"), "request ids are whole numbers, not '²'"),
    (("show", "٣"), "request ids are whole numbers, not '٣'"),
    (("show", "1e3"), "request ids are whole numbers, not '1e3'"),
    (("show", "\x1b[2J"), "request ids are whole numbers, not '\\x1b[2J'"),
    (("reject", HUGE, "--reason", "1"), f"there is no request #{HUGE}"),
    (("reasons", "retire", HUGE), f"there is no rejection reason {HUGE}"),
    (("reasons", "rename", "²", "x"), "rejection reason ids are whole numbers, not '²'"),
    (("mail", "retry", HUGE), f"there is no email #{HUGE} in the outbox"),
    (("mail", "retry", "1", "x"), "email ids are whole numbers, not 'x'"),
])
def test_an_id_argument_that_names_no_row_is_one_line(tmp_path, args, expected):
    assert _run(tmp_path, "init").returncode == 0
    _one_line_refusal(_run(tmp_path, *args), expected)


def test_a_request_id_may_be_written_with_its_hash(tmp_path, sqlite_url):
    db = Database(sqlite_url, create=True)
    initialise(db, os_login())  # the command below runs as this process's own login
    desk = Desk(db, resolve_actor(db, os_login()))
    desk.import_customers(factories.jsonl(*factories.CUSTOMERS))
    report = desk.import_submissions(factories.jsonl(factories.submission("H-1")))
    request_id = report.accepted[0].request_id
    db.dispose()
    result = _run(tmp_path, "--db", sqlite_url, "show", f"#{request_id}")
    assert result.returncode == 0 and f"Request #{request_id}" in result.stdout


@pytest.mark.parametrize("reason", ["²", "٣", "9" * 5000, "1²", "-1", "0"],
                         ids=["superscript", "arabic-indic", "5000-digits", "1-superscript",
                              "-1", "0"])
def test_a_reason_that_only_looks_like_a_number_is_an_unknown_reason(desk_for, reason):
    sam = desk_for("sam")
    request_id = desk_for("morgan").import_submissions(factories.jsonl(
        factories.submission("R-1", "C300"))).accepted[0].request_id
    before = sam.request(request_id).row
    with pytest.raises(ValidationFailed, match="unknown or retired rejection reason"):
        sam.reject(request_id, reason)
    assert sam.request(request_id).row == before


# -- the desk needs a terminal ------------------------------------------------------------

@pytest.mark.parametrize("args", [(), ("demo",)], ids=["desk", "demo"])
@pytest.mark.parametrize("how", ["stdin-devnull", "stdin-pipe", "stdout-pipe"])
def test_the_desk_without_a_terminal_exits_1_in_one_line(tmp_path, args, how):
    if how == "stdout-pipe":  # a terminal to read keys from, but output to a pipe
        controller, terminal = pty.openpty()
        try:
            result = subprocess.run([sys.executable, "-m", "certdesk_tui", *args],
                                    env=_env(tmp_path), stdin=terminal, capture_output=True,
                                    text=True, timeout=60)
        finally:
            os.close(terminal)
            os.close(controller)
    else:
        stdin = subprocess.DEVNULL if how == "stdin-devnull" else subprocess.PIPE
        result = _run(tmp_path, *args, stdin=stdin)
    _one_line_refusal(result, "certdesk: the desk needs a terminal; use the commands "
                              "(certdesk --help) in scripts")
    assert not (tmp_path / "data" / "demo.sqlite3").exists()  # nothing built


# -- any argument: accepted, or one line on stderr and exit 1 ------------------------------

ANY_ID = st.one_of(
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.integers(min_value=1, max_value=8).map(str),
    st.text(max_size=30),
    st.sampled_from(["0", "-0", "+3", "#2", " 4 ", "²", "٣", "1e3", "0x1", HUGE, "9" * 5000,
                     "1_000", "３", "\x00", "\u202e1"]),
)
ANY_TEXT = st.one_of(st.text(max_size=60),
                     st.sampled_from(["²", "٣", "1", "01", "7", "9" * 5000, "-1", " 2 ", ""]))


@pytest.fixture
def team_cli(db):
    """Run the command line in-process on the team database as its manager."""
    login = os_login()
    manager = Desk(db, resolve_actor(db, "morgan"))
    if login not in {u.login for u in manager.users()}:
        manager.add_user(login, Role.MANAGER.value, "Command Line")
    manager.import_submissions(factories.jsonl(
        factories.submission("A-1", "C100"), factories.submission("A-2", "C200"),
        factories.submission("A-3", "C300")))
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(cli, ["--db", db.url, *args], catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"{args!r} raised {result.exception!r}") from result.exception
        assert result.exit_code in (0, 1), (args, result.exit_code, result.output)
        if result.exit_code == 1:
            assert result.stderr.startswith("certdesk: "), (args, result.stderr)
            assert result.stderr.count("\n") == 1, (args, result.stderr)
        return result

    return run


HYPOTHESIS = settings(max_examples=60, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])


def _commands(group: click.Group = cli, path: tuple[str, ...] = ()):
    """Every command of the command line, by its words, with its Click command."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        elif command is not None:
            yield (*path, name), command


ID_COMMANDS = sorted(path for path, command in _commands()
                     if any(isinstance(p.type, RecordId) for p in command.params))
# What each command needs besides its id to get as far as looking the id up: the
# arguments after it, its options, and the refusal.
ID_COMMAND_ARGS: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...], str]] = {
    ("show",): ((), (), "there is no request #-1"),
    ("start",): ((), (), "there is no request #-1"),
    ("automate",): ((), ("--show-form",), "there is no request #-1"),
    ("upload",): (("issued.pdf",), (), "there is no request #-1"),
    ("relabel",): ((), ("--wos",), "there is no request #-1"),
    ("reject",): ((), ("--reason", "1"), "there is no request #-1"),
    ("note",): (("a note",), (), "there is no request #-1"),
    ("certificate",): ((), ("--output", "c.pdf"), "there is no request #-1"),
    ("resend",): ((), ("--to-customer",), "there is no request #-1"),
    ("reissue",): ((), ("--reason", "typo"), "there is no request #-1"),
    ("reasons", "rename"): (("a reason",), (), "there is no rejection reason -1"),
    ("reasons", "retire"): ((), (), "there is no rejection reason -1"),
    ("mail", "retry"): ((), (), "there is no email #-1 in the outbox"),
}


def test_every_command_taking_an_id_is_tested_with_a_negative_one():
    assert sorted(ID_COMMAND_ARGS) == ID_COMMANDS, "say what these commands need"


@pytest.mark.parametrize("command", ID_COMMANDS, ids=" ".join)
def test_a_negative_id_is_an_argument_answered_as_no_such_row(team_cli, tmp_path, command):
    after, options, expected = ID_COMMAND_ARGS[command]
    after = tuple(str(tmp_path / a) if a.endswith(".pdf") else a for a in after)
    options = tuple(str(tmp_path / a) if a.endswith(".pdf") else a for a in options)
    if after and after[0].endswith(".pdf"):
        pdf_file(tmp_path)  # a readable certificate: the id is looked up next
    for args in ((*command, "-1", *after, *options),    # no "--" needed before it
                 (*command, *options, "-1", *after)):   # nor after the options
        result = team_cli(*args)
        assert result.exit_code == 1 and expected in result.stderr, (args, result.stderr)


@pytest.mark.parametrize("command", ID_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("option", ["--bogus", "-x", "--bogus=1"])
def test_an_unknown_option_beside_an_id_is_still_a_usage_error(command, option):
    after, options, _ = ID_COMMAND_ARGS[command]
    for args in ((*command, option, "-1", *after, *options),
                 (*command, "-1", *after, *options, option)):
        result = CliRunner().invoke(cli, list(args))
        assert result.exit_code == 2, (args, result.output)
        assert f"No such option '{option.split('=')[0]}'" in result.stderr, result.stderr


def test_a_negative_number_where_text_is_expected_is_that_text(team_cli):
    assert team_cli("note", "1", "-1").exit_code == 0
    assert team_cli("show", "1").stdout.count("-1") >= 1


@HYPOTHESIS
@given(command=st.sampled_from([("show",), ("start",), ("relabel", "--wos"), ("certificate",),
                                ("reasons", "retire"), ("mail", "retry")]),
       value=ANY_ID)
def test_any_id_argument_is_accepted_or_refused_in_one_line(team_cli, tmp_path, command, value):
    extra = ("--output", str(tmp_path / "c.pdf")) if command == ("certificate",) else ()
    team_cli(*command, *extra, "--", value)


@HYPOTHESIS
@given(value=ANY_ID, note=ANY_TEXT)
def test_any_note_is_accepted_or_refused_in_one_line(team_cli, value, note):
    team_cli("note", "--", value, note)


@HYPOTHESIS
@given(reason=ANY_TEXT, request=st.integers(min_value=-1, max_value=5))
def test_any_reason_is_accepted_or_refused_in_one_line(team_cli, reason, request):
    team_cli("reject", "--reason", reason, "--", str(request))


FIELDS = ["producer_name", "insured_name", "policy_number", "effective", "expires",
          "each_accident", "disease_each_employee", "disease_policy_limit", "holder_name",
          "holder_zip", "holder_email", "description", "wos", "colour", "", " "]


@HYPOTHESIS
@given(sets=st.lists(st.one_of(
    st.tuples(st.sampled_from(FIELDS), ANY_TEXT).map(lambda p: f"{p[0]}={p[1]}"),
    st.tuples(st.sampled_from(FIELDS),
              st.sampled_from(["²", "1²", "9" * 5000, "9" * 19, "$1,000,000", "-5", "nan",
                               "2026-02-30", "0001-01-01", "9999-12-31", "+002026-01-01",
                               "yes", "Y", "maybe", "\x1b[31m"])).map(lambda p: f"{p[0]}={p[1]}"),
    ANY_TEXT), max_size=4))
def test_any_set_value_is_accepted_or_refused_in_one_line(team_cli, sets):
    args = [arg for item in sets for arg in ("--set", item)]
    team_cli("automate", "--show-form", *args, "--", "1")
