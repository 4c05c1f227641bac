"""Over SSH: a support account on a shared host lands in the desk and nowhere else.

A real OpenSSH server runs on 127.0.0.1 (a free port, a throwaway host key) with
a test account, ``certdesk-support``, whose only command is a wrapper script that
sets the environment and execs ``python -m certdesk_tui``. The account is tried
with both recipes of the README (section "Running certdesk on a shared host over
SSH"): ``Match User`` + ``ForceCommand`` in sshd_config, and
``restrict,pty,command=`` in authorized_keys. The desk is driven
through a pseudo-terminal inside tmux (80x24, ``NO_COLOR``) with the keys a
person would press, and read back with ``tmux capture-pane``.

Needs root (to create the account and run sshd), OpenSSH's server and client,
and tmux: it skips without them, saying so, except under CI where it fails.
``.ci/run`` installs them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import certdesk_tui
from certdesk_tui.domain import Role
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import initialise, resolve_actor
from certdesk_tui.storage.engine import Database
from tests import factories

pytestmark = pytest.mark.ssh

ACCOUNT = "certdesk-support"
COMMENT = "certdesk over SSH (test account)"
SSHD = "/usr/sbin/sshd"
LOCK = Path(tempfile.gettempdir()) / "certdesk-ssh-test.lock"
WAIT = 30.0  # seconds for a screen to appear: the desk starts a Python over SSH
WRAPPER = """\
#!/bin/sh
# The only thing {account} may run over SSH (sshd ForceCommand or authorized_keys command=).
# Whatever command the client asked for ($SSH_ORIGINAL_COMMAND) is ignored.
if [ ! -t 0 ] || [ ! -t 1 ]; then
    echo "certdesk needs a terminal: connect with ssh -t" >&2
    exit 1
fi
# certdesk's identity is the login; never one the client could send along.
LOGNAME=$(id -un) && USER=$LOGNAME && export LOGNAME USER || exit 1
export CERTDESK_DATABASE_URL={url}
export CERTDESK_DATA_DIR={data}
export CERTDESK_CONFIG={config}
export LANG=C.UTF-8 LC_ALL=C.UTF-8
export TERM="${{TERM:-xterm-256color}}"
export NO_COLOR=1
cd "$HOME" || exit 1
exec {python} -I -m certdesk_tui
"""


def require(condition: bool, reason: str) -> None:
    """Skip on a developer machine; under CI a missing prerequisite is a failure."""
    if condition:
        return
    message = f"SSH end-to-end test: {reason} (bash .ci/run installs and runs everything)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def run(*args: str, check: bool = True, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=check, capture_output=True, text=True, timeout=60, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the support account ------------------------------------------------------------


@dataclass
class SupportHost:
    base: Path
    key: Path  # the client's private key
    public_key: str
    wrapper: Path
    home: Path
    database: Path
    requests: list[int]


def _as_account(*args: str) -> subprocess.CompletedProcess[str]:
    return run("runuser", "-u", ACCOUNT, "--", *args, check=False, cwd="/")


@contextlib.contextmanager
def _traversable_python() -> Iterator[list[str]]:
    """Let the account reach this interpreter and the program, for the test's duration.

    The tests' Python often lives under /root (pyenv), which other users may not
    enter. Rather than copying or reinstalling it, the directories on the way get
    o+x (enter, not list) and are put back as they were afterwards.
    """
    probe = (sys.executable, "-I", "-c", "import certdesk_tui.app")
    changed: dict[Path, int] = {}
    try:
        if _as_account(*probe).returncode != 0:
            needed = {Path(sys.executable), Path(os.path.realpath(sys.executable)),
                      Path(sys.prefix), Path(sys.base_prefix),
                      Path(certdesk_tui.__file__).parent}
            for target in needed:
                for directory in [target, *target.parents]:
                    if not directory.is_dir():
                        continue
                    mode = directory.stat().st_mode
                    if not mode & stat.S_IXOTH and directory not in changed:
                        changed[directory] = stat.S_IMODE(mode)
                        directory.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
        check = _as_account(*probe)
        require(check.returncode == 0,
                f"{ACCOUNT} cannot run {sys.executable}: {check.stderr.strip()[-300:]}")
        yield [f"{d} (was {m:o})" for d, m in sorted(changed.items())]
    finally:
        for directory, mode in changed.items():
            directory.chmod(mode)


def _prepare_database(path: Path) -> list[int]:
    """A desk with three requests on the queue; the account is a payroll advisor in it."""
    db = Database(f"sqlite:///{path}", create=True)
    try:
        initialise(db, "morgan")
        manager = Desk(db, resolve_actor(db, "morgan"))
        manager.add_user(ACCOUNT, Role.PAYROLL_ADVISOR.value, "Support Desk")
        assert manager.import_customers(factories.jsonl(*factories.CUSTOMERS)).ok
        report = manager.import_submissions(factories.jsonl(
            factories.submission("S-1", instructions="Call before issuing",
                                 submitted_at="2026-11-01T09:00:00Z"),
            factories.submission("S-2", "C300", submitted_at="2026-11-02T09:00:00Z"),
            factories.submission("S-3", "C200", instructions="Rush please",
                                 submitted_at="2026-11-03T09:00:00Z"),
        ))
        assert report.ok and len(report.accepted) == 3, report.refused
        return [o.request_id for o in report.accepted]
    finally:
        db.dispose()


@pytest.fixture
def host() -> Iterator[SupportHost]:
    """The account, its key, its wrapper and a shared SQLite desk it may read and write.

    One test at a time on the machine (the account and the directory modes are
    machine-wide; pytest-xdist runs tests in parallel processes): a file lock.
    """
    require(hasattr(os, "geteuid") and os.geteuid() == 0,
            "needs root to create a system account and run sshd")
    require(os.access(SSHD, os.X_OK), f"{SSHD} is missing (Debian: openssh-server)")
    for tool in ("ssh", "ssh-keygen", "tmux", "useradd", "userdel", "runuser"):
        require(shutil.which(tool) is not None, f"{tool} is missing")
    with open(LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield from _host()


def _host() -> Iterator[SupportHost]:
    try:
        leftover = pwd.getpwnam(ACCOUNT)
    except KeyError:
        leftover = None
    if leftover is None:
        # '*' rather than useradd's locked '!': sshd without PAM refuses locked accounts,
        # and '*' still allows no password. The shell runs the forced command only.
        run("useradd", "--create-home", "--shell", "/bin/sh", "--password", "*",
            "--comment", COMMENT, ACCOUNT)
    else:
        require(leftover.pw_gecos == COMMENT,
                f"a user {ACCOUNT} exists that this test did not create; not touching it")
    account = pwd.getpwnam(ACCOUNT)
    base = Path(tempfile.mkdtemp(prefix="certdesk-ssh-"))
    try:
        base.chmod(0o755)
        shared, data = base / "shared", base / "data"
        for directory in (shared, data):
            directory.mkdir()
        database = shared / "certdesk.sqlite3"
        requests = _prepare_database(database)
        # SQLite's WAL needs to create files beside the database: the directory too.
        for path in (shared, data, *shared.iterdir()):
            os.chown(path, account.pw_uid, account.pw_gid)
        shared.chmod(0o770)

        key = base / "id_ed25519"
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "certdesk-ssh-test",
            "-f", str(key))
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
            str(base / "ssh_host_ed25519_key"))
        wrapper = base / "certdesk-over-ssh"
        wrapper.write_text(WRAPPER.format(
            account=ACCOUNT, python=shlex.quote(sys.executable),
            url=shlex.quote(f"sqlite:///{database}"), data=shlex.quote(str(data)),
            config=shlex.quote(os.devnull)))
        wrapper.chmod(0o755)  # root's: the account can run it, not change it

        # authorized_keys owned by root, so the account cannot rewrite its own restrictions.
        home = Path(account.pw_dir)
        ssh_dir = home / ".ssh"
        ssh_dir.mkdir(exist_ok=True)
        os.chown(ssh_dir, 0, 0)
        ssh_dir.chmod(0o755)
        with _traversable_python() as opened:
            if opened:
                print(f"\nmade traversable for {ACCOUNT} during the test: {', '.join(opened)}")
            yield SupportHost(base, key, (base / "id_ed25519.pub").read_text().strip(),
                              wrapper, home, database, requests)
    finally:
        _end_sessions(account.pw_uid)
        removed = run("userdel", "--remove", ACCOUNT, check=False)
        assert removed.returncode == 0, removed.stderr
        shutil.rmtree(base, ignore_errors=True)


def _end_sessions(uid: int) -> None:
    """Wait for the account's sessions to end (ssh has quit); end leftovers by their id."""
    deadline = time.monotonic() + 10
    while True:
        pids = [int(p) for p in run("ps", "-u", str(uid), "-o", "pid=", check=False)
                .stdout.split()]
        if not pids:
            return
        if time.monotonic() > deadline:
            for pid in pids:  # only this test's account: the desks its sessions started
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            deadline += 5
        time.sleep(0.1)


# -- the server ----------------------------------------------------------------------


@dataclass
class Server:
    port: int
    log: Path
    recipe: str

    def ssh(self, host: SupportHost, *extra: str) -> list[str]:
        return ["ssh", "-F", "/dev/null", "-i", str(host.key), "-p", str(self.port),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
                *extra, f"{ACCOUNT}@127.0.0.1"]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


SSHD_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {base}/ssh_host_ed25519_key
PidFile {base}/sshd-{port}.pid
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowUsers {account}
PrintMotd no
PrintLastLog no
LogLevel VERBOSE
"""

FORCE_COMMAND = """
Match User {account}
    ForceCommand {wrapper}
    PermitTTY yes
    AllowTcpForwarding no
    AllowStreamLocalForwarding no
    X11Forwarding no
    PermitTunnel no
    AllowAgentForwarding no
"""


@pytest.fixture(params=["ForceCommand", "authorized_keys"])
def server(request, host: SupportHost) -> Iterator[Server]:
    """sshd restricting the account by one recipe: sshd_config's Match block, or its key."""
    port = free_port()
    config = SSHD_CONFIG.format(port=port, base=host.base, account=ACCOUNT)
    if request.param == "ForceCommand":
        config += FORCE_COMMAND.format(account=ACCOUNT, wrapper=host.wrapper)
        key_line = host.public_key
    else:
        key_line = f'restrict,pty,command="{host.wrapper}" {host.public_key}'
    authorized = host.home / ".ssh" / "authorized_keys"
    authorized.write_text(key_line + "\n")
    os.chown(authorized, 0, 0)
    authorized.chmod(0o644)
    config_path = host.base / f"sshd_config.{request.param}"
    config_path.write_text(config)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    checked = run(SSHD, "-t", "-f", str(config_path), check=False)
    assert checked.returncode == 0, checked.stderr
    log = host.base / f"sshd.{request.param}.log"
    with log.open("w") as out:
        daemon = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config_path)],
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert daemon.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "sshd did not start listening"
            time.sleep(0.05)
        yield Server(port, log, request.param)
    finally:
        daemon.terminate()
        try:
            daemon.wait(10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(5)


# -- a terminal -----------------------------------------------------------------------


class Terminal:
    """An 80x24 tmux window whose only program is the ssh client."""

    def __init__(self, base: Path, command: list[str]) -> None:
        self.socket = f"certdesk-ssh-{os.getpid()}-{time.monotonic_ns()}"
        self.status_file = base / f"{self.socket}.status"
        conf = base / "tmux.conf"
        # No status line: the desk gets all 24 rows; the pane stays to be read after ssh ends.
        conf.write_text("set -g remain-on-exit on\nset -g status off\n")
        script = f"{shlex.join(command)}; echo $? > {shlex.quote(str(self.status_file))}"
        self._tmux("-f", str(conf), "new-session", "-d", "-x", "80", "-y", "24",
                   "-s", "desk", script)

    def _tmux(self, *args: str) -> str:
        return run("tmux", "-L", self.socket, *args).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "desk")

    def styled(self) -> str:
        """The screen with its SGR attributes, to see which row is highlighted."""
        return self._tmux("capture-pane", "-p", "-e", "-t", "desk")

    def press(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "desk", *keys)

    def wait_for(self, test, what: str, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if test(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not appear within {timeout:.0f} s; "
                                     f"the screen:\n{text}")
            time.sleep(0.1)

    def exit_status(self, timeout: float = WAIT) -> int:
        """ssh's exit status, once it has ended."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(FileNotFoundError, ValueError):
                return int(self.status_file.read_text())
            if time.monotonic() > deadline:
                raise AssertionError(f"ssh did not exit; the screen:\n{self.screen()}")
            time.sleep(0.1)

    def close(self) -> None:
        run("tmux", "-L", self.socket, "kill-server", check=False)


@pytest.fixture
def open_terminal(host: SupportHost) -> Iterator[Callable[[list[str]], Terminal]]:
    """``open_terminal(command)``: a new 80x24 terminal running it; all closed at the end."""
    opened: list[Terminal] = []

    def open_(command: list[str]) -> Terminal:
        opened.append(Terminal(host.base, command))
        return opened[-1]

    yield open_
    for t in opened:
        t.close()


def cursor_row(styled: str) -> int | None:
    """The id of the table row drawn on the cursor's background (the lightest of the rows).

    With ``NO_COLOR`` Textual draws in greys; the rows alternate two dark ones and
    the cursor row stands out lighter.
    """
    rows: list[tuple[int, int]] = []
    for line in styled.splitlines():
        plain = re.sub(r"\x1b\[[0-9;]*m", "", line)
        found = re.match(r" (\d+) +!?\d+[dhm] ", plain)
        background = re.search(r"48;5;(\d+)m", line)
        if found and background:
            rows.append((int(background.group(1)), int(found.group(1))))
    return max(rows)[1] if len(rows) > 1 else None


def drawn_cursor_row(t: Terminal, timeout: float = WAIT) -> int | None:
    """``cursor_row`` once the cursor's row is drawn (the text may come a frame before)."""
    deadline = time.monotonic() + timeout
    while (row := cursor_row(t.styled())) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    return row


def wait_for_log(server: Server, pattern: str, timeout: float = 10) -> str:
    """The first line of sshd's log that matches (sshd writes it a moment after the fact)."""
    deadline = time.monotonic() + timeout
    while True:
        found = re.search(pattern, server.log_text())
        if found:
            return found.group(0)
        if time.monotonic() > deadline:
            raise AssertionError(f"sshd never logged {pattern!r}:\n{server.log_text()}")
        time.sleep(0.1)


# -- the tests -------------------------------------------------------------------------


def test_a_support_account_logs_in_sees_the_queue_moves_previews_and_quits(
        host: SupportHost, server: Server, open_terminal):
    t = open_terminal(server.ssh(host, "-tt"))
    first, second, _ = host.requests
    # The queue, and the panel of its first row with the customer's instructions.
    text = t.wait_for(lambda s: "Certificates (3)" in s and "Call before issuing" in s,
                      "the queue")
    assert f"#{first} Acme Roofing LLC" in text
    # Who is at the keyboard follows from the login.
    assert f"{ACCOUNT} · payroll advisor" in text
    assert drawn_cursor_row(t) == first

    t.press("Down")
    t.wait_for(lambda s: f"#{second} Zoë Łukasiewicz" in s, "the second request's panel")
    assert drawn_cursor_row(t) == second

    t.press("Enter")
    preview = t.wait_for(lambda s: f"Request #{second}" in s, "the preview")
    assert "Cornerstone" in preview or "Łukasiewicz" in preview
    t.press("Escape")
    t.wait_for(lambda s: f"Request #{second}" not in s and "Certificates (3)" in s,
               "the queue again")

    t.press("q")
    assert t.exit_status() == 0  # the desk quit cleanly, and so did ssh
    how = "config" if server.recipe == "ForceCommand" else "key-option"
    assert wait_for_log(server, rf"Starting session: forced-command \({how}\) "
                                rf"'{host.wrapper}' on pts/\d+ for {ACCOUNT}")
    assert wait_for_log(server, r"Received disconnect from 127\.0\.0\.1 port \d+:11: "
                                r"disconnected by user")
    assert wait_for_log(server, rf"Disconnected from user {ACCOUNT} 127\.0\.0\.1")


def test_the_support_account_reaches_nothing_but_the_desk(
        host: SupportHost, server: Server, open_terminal):
    # A command without a terminal: the forced wrapper runs instead, and declines.
    asked = run(*server.ssh(host, "-T"), "cat /etc/passwd; id", check=False)
    assert "root:x:0:0" not in asked.stdout and "uid=" not in asked.stdout
    assert "certdesk needs a terminal" in asked.stderr
    assert asked.returncode == 1

    # The same command with a terminal lands in the desk, as the login, whatever the
    # client says its name is.
    t = open_terminal(server.ssh(host, "-tt", "-o", "SetEnv=LOGNAME=morgan USER=morgan")
                      + ["cat /etc/passwd"])
    text = t.wait_for(lambda s: "Certificates (3)" in s, "the desk instead of the command")
    assert f"{ACCOUNT} · payroll advisor" in text and "morgan" not in text
    t.press("q")
    assert t.exit_status() == 0
    assert "root:x:0:0" not in t.screen()

    # No tunnels through the host: stdio forwarding to sshd's own port is refused.
    forwarded = run(*server.ssh(host, "-W", f"127.0.0.1:{server.port}"), check=False,
                    input="")
    assert forwarded.returncode != 0
    assert "SSH-2.0" not in forwarded.stdout
    assert "stdio forwarding failed" in forwarded.stderr, forwarded.stderr
    assert wait_for_log(server, rf"refused local port forward: .* port {server.port}")
