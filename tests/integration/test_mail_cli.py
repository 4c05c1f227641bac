"""``certdesk mail status / send / retry`` as an operator runs them (real processes)."""

# ruff: noqa: F811 - pytest fixtures imported from tests.unit.test_mail_helpers
from __future__ import annotations

import json
import os
import pwd
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from certdesk_tui.cli import cli
from certdesk_tui.domain import EmailState, Role
from certdesk_tui.domain.errors import PermissionDenied
from certdesk_tui.service import Desk, identity
from certdesk_tui.service.identity import resolve_actor
from certdesk_tui.storage.models import OutboxEmail
from tests.conftest import MANAGER
from tests.unit.test_mail_helpers import SmtpServer, complete, smtp_server  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
# certdesk acts as the login of the process's real user id: the operator running these
# commands is this process's login, a manager, acting as each user with --as.
ME = pwd.getpwuid(os.getuid()).pw_name


@pytest.fixture(autouse=True)
def _operator_is_a_manager(db) -> None:
    Desk(db, resolve_actor(db, MANAGER)).add_user(ME, Role.MANAGER.value, "Operator")


def certdesk(db, user: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "certdesk_tui", "--db", db.url, "--as", user, "mail", *args]


def certdesk_env(server: SmtpServer | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTDESK_SMTP")}
    env.update(PYTHONPATH=str(ROOT))
    if server is not None:
        env.update(server.env())
    env.update(extra)
    return env


def run(db, user: str, *args: str, server: SmtpServer | None = None, timeout: float = 120,
        **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        certdesk(db, user, *args), env=certdesk_env(server, **extra), cwd=ROOT,
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )


def rows(db) -> list[OutboxEmail]:
    with db.reading() as s:
        return list(s.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def test_status_send_and_retry_from_the_command_line(db, complete, smtp_server):
    empty = run(db, "sam", "status", server=smtp_server)
    assert empty.returncode == 0, empty.stderr
    assert "0 queued, 0 sending, 0 sent, 0 failed" in empty.stdout
    assert f"smtp 127.0.0.1:{smtp_server.port}" in empty.stdout

    complete("C-1", to_holder=False)
    smtp_server.stop()
    down = run(db, "sam", "send", server=smtp_server, CERTDESK_MAIL_MAX_ATTEMPTS="1")
    assert down.returncode == 1
    assert "0 sent, 0 to retry later, 1 failed" in down.stdout
    assert "connection refused" in down.stderr

    status = run(db, "pat", "status", server=smtp_server)
    assert status.returncode == 0, status.stderr
    [row] = rows(db)
    assert "1 failed" in status.stdout
    assert f"#{row.id}" in status.stdout and "connection refused" in status.stdout

    retried = run(db, "sam", "retry", str(row.id), server=smtp_server)
    assert retried.returncode == 0, retried.stderr
    assert "queued again" in retried.stdout

    smtp_server.start()
    sent = run(db, "sam", "send", server=smtp_server)
    assert sent.returncode == 0, sent.stderr
    assert "1 sent" in sent.stdout
    assert len(smtp_server.mailbox.received) == 1
    again = run(db, "sam", "retry", str(row.id), server=smtp_server)
    assert again.returncode == 1 and "already sent" in again.stderr
    assert len(smtp_server.mailbox.received) == 1


def test_mail_commands_in_process(db, complete, smtp_server, monkeypatch):
    """The refusals, and --json, through click's runner (fast; same code as above)."""
    for name, value in smtp_server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CERTDESK_MAIL_MAX_ATTEMPTS", "1")
    runner = CliRunner()

    def invoke(user: str, *args: str):
        monkeypatch.setattr(identity, "os_login", lambda: user)
        return runner.invoke(cli, ["--db", db.url, "mail", *args], catch_exceptions=False)

    complete("C-3", to_holder=False)
    smtp_server.mailbox.refuse.add("owner@c100.example")
    assert invoke("sam", "send").exit_code == 1
    [row] = rows(db)
    as_json = json.loads(invoke("pat", "status", "--json").output)
    assert as_json["counts"]["failed"] == 1 and as_json["failures"][0]["id"] == row.id
    assert "550" in as_json["failures"][0]["last_error"]

    refused = invoke("pat", "retry", str(row.id))
    assert refused.exit_code == 1 and "may not process requests" in refused.output
    missing = invoke("sam", "retry", "999999")
    assert missing.exit_code == 1 and "no email #999999" in missing.output
    assert invoke("sam", "retry").exit_code == 2  # neither ids nor --all-failed: usage
    smtp_server.mailbox.refuse.clear()
    everything = invoke("sam", "retry", "--all-failed")
    assert everything.exit_code == 0 and "queued again" in everything.output
    assert invoke("sam", "send").exit_code == 0
    assert "1 sent" in invoke("sam", "status").output


def test_retry_takes_ids_or_all_failed_and_both_or_neither_is_a_usage_error(
        db, complete, smtp_server, monkeypatch):
    """As verify's FILE and --code: one or the other, else exit 2 and nothing is retried."""
    for name, value in smtp_server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CERTDESK_MAIL_MAX_ATTEMPTS", "1")
    monkeypatch.setattr(identity, "os_login", lambda: "sam")
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["--db", db.url, "mail", *args], catch_exceptions=False)

    complete("C-4", to_holder=False)
    smtp_server.mailbox.refuse.add("owner@c100.example")
    assert invoke("send").exit_code == 1
    [row] = rows(db)
    assert row.state == EmailState.FAILED
    for args in (("retry", str(row.id), "--all-failed"), ("retry", "--all-failed", str(row.id)),
                 ("retry",)):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr.startswith("Usage: ")
        assert "mail retry [OPTIONS] [ID]..." in result.stderr.splitlines()[0]
        said = "not both" if len(args) > 1 else "or use --all-failed"
        assert result.stderr.strip().splitlines()[-1].startswith("Error: "), result.stderr
        assert said in result.stderr.strip().splitlines()[-1], result.stderr
        [row] = rows(db)
        assert row.state == EmailState.FAILED  # nothing was queued again
    assert "queued again" in invoke("retry", "--all-failed").output


def test_send_without_smtp_settings_writes_eml_files(db, complete):
    complete("C-2")
    result = run(db, "sam", "send")
    assert result.returncode == 0, result.stderr
    outbox = Path(os.environ["CERTDESK_DATA_DIR"]) / "outbox"
    assert len(list(outbox.glob("*.eml"))) == 2
    assert "file (" in run(db, "sam", "status").stdout


def test_a_smtp_user_without_a_password_is_refused_in_one_line(db, smtp_server):
    result = run(db, "sam", "send", server=smtp_server, CERTDESK_SMTP_USER="someone")
    assert result.returncode == 1
    assert result.stderr.startswith("certdesk: ") and "CERTDESK_SMTP_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def test_two_processes_sending_at_once_deliver_every_message_exactly_once(
        db, complete, smtp_server):
    for n in range(6):
        complete(f"PP-{n}")
    expected = sorted(r.message_id for r in rows(db))
    smtp_server.mailbox.delay = 0.05
    procs = [
        subprocess.Popen(
            certdesk(db, user, "send"), env=certdesk_env(smtp_server), cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        for user in ("sam", "sky", "morgan")
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    ids = smtp_server.mailbox.message_ids()
    assert sorted(ids) == expected
    assert max(Counter(ids).values()) == 1
    assert all(r.state == EmailState.SENT for r in rows(db))


def test_send_watch_keeps_delivering_and_stops_cleanly_on_ctrl_c(db, complete, smtp_server):
    proc = subprocess.Popen(
        certdesk(db, "sam", "send", "--watch", "--interval", "0.2"),
        env=certdesk_env(smtp_server), cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        complete("W-1")  # queued while the watcher runs
        deadline = time.monotonic() + 60
        while len(smtp_server.mailbox.received) < 2 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        assert len(smtp_server.mailbox.received) == 2
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err
    assert all(r.state == EmailState.SENT for r in rows(db))


def test_a_view_only_user_is_refused_retry_by_the_outbox_in_one_line(db, desk_for):
    with pytest.raises(PermissionDenied) as refusal:
        desk_for("pat").outbox.retry(1)
    for args in (("retry", "1"), ("retry", "--all-failed")):
        result = run(db, "pat", *args)
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines() == [f"certdesk: {refusal.value}"]
        assert result.stdout == ""
