"""An import interrupted (Ctrl-C) stops cleanly and an immediate re-run finishes it.

What it completed stays; the requests it reserved for automatic processing and had
not completed are handed back (their mark dated back), so that the same file run
again at once completes each of them exactly once: nothing lost, nothing doubled.
In the service (the interrupt raised between reserving and completing, with and
without worker processes), and through ``certdesk import`` as a real process that
receives SIGINT.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from certdesk_tui.clock import utcnow
from certdesk_tui.domain import Status
from certdesk_tui.service import intake_auto, interrupts
from certdesk_tui.storage.models import Certificate, CertificateRequest
from tests import factories
from tests.integration.test_intake_automatic import _clean, _count, _reserved
from tests.integration.test_intake_properties import _env, _run

HANDED_BACK = "the import was interrupted before completing it: the next import completes it"


def _marks(db) -> dict[int, object]:
    with db.reading() as s:
        return dict(s.execute(select(CertificateRequest.id, CertificateRequest.auto_started_at)
                              .where(CertificateRequest.auto_started_at.is_not(None))).all())


def _interrupt_on_call(monkeypatch, call: int) -> None:
    """Completing the ``call``-th group of drawings raises KeyboardInterrupt (Ctrl-C
    between reserving the requests and completing them); the groups before complete."""
    real, calls = intake_auto.finish, []

    def finish(ds, drawings, report):
        calls.append(1)
        if len(calls) == call:
            raise KeyboardInterrupt
        real(ds, drawings, report)

    monkeypatch.setattr("certdesk_tui.service.intake_auto.finish", finish)


def _every_line_completed_once(db, specialist, count: int) -> None:
    assert _reserved(db) == []
    with db.reading() as s:
        rows = s.execute(select(CertificateRequest.id, CertificateRequest.status)).all()
        issued = list(s.scalars(select(Certificate.request_id)))
    assert len(rows) == count and {status for _, status in rows} == {Status.COMPLETED}
    assert sorted(issued) == sorted(rid for rid, _ in rows)  # one certificate each
    for rid, _ in rows:
        actions = [a.action for a in specialist.request(rid).activities]
        assert actions.count("auto_processed") == 1 and actions.count("completed") == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_an_interrupt_between_reserving_and_completing_hands_the_requests_back(
        manager, db, specialist, monkeypatch, workers):
    lines = _clean(6)
    _interrupt_on_call(monkeypatch, 1)
    report = manager.import_submissions(lines, workers)

    assert report.interrupted and not report.ok and report.read == 6
    stored = _count(db, CertificateRequest)
    assert stored and _count(db, Certificate) == 0
    # Every request it stored is reported, handed back: dated back so that the next
    # import takes it up at once.
    assert sorted(o.request_id for o in report.accepted) == sorted(_marks(db))
    assert all(o.message == f"stored as request #{o.request_id}; {HANDED_BACK}"
               for o in report.accepted)
    before = utcnow() - intake_auto.RESUME_AFTER
    assert len(_marks(db)) == stored and all(m <= before for m in _marks(db).values())
    assert multiprocessing.active_children() == []  # the workers stopped
    monkeypatch.undo()

    again = manager.import_submissions(lines, workers)
    assert again.ok and not again.interrupted, again.refused
    assert sorted(o.request_id for o in again.resumed) == sorted(
        o.request_id for o in report.accepted)
    assert all("completed automatically" in o.message for o in again.resumed)
    assert len(again.unchanged) + len(again.accepted) == 6
    _every_line_completed_once(db, specialist, 6)


def test_what_was_completed_before_the_interrupt_stays_completed(
        manager, db, specialist, monkeypatch):
    lines = _clean(10)
    _interrupt_on_call(monkeypatch, 2)  # the first group (4 drawn together) completes
    report = manager.import_submissions(lines)
    assert report.interrupted
    completed = [o for o in report.accepted if "completed automatically" in o.message]
    handed = [o for o in report.accepted if HANDED_BACK in o.message]
    assert len(completed) == intake_auto.DRAWN_TOGETHER and handed
    assert _count(db, Certificate) == len(completed)
    assert sorted(_marks(db)) == sorted(o.request_id for o in handed)
    monkeypatch.undo()

    again = manager.import_submissions(lines)
    assert again.ok and len(again.resumed) == len(handed)
    _every_line_completed_once(db, specialist, 10)


def test_a_request_claimed_meanwhile_is_not_handed_back(manager, db, specialist, monkeypatch):
    def claim_then_interrupt(ds, drawings, report):  # noqa: ARG001
        rid = drawings[0].job.request_id
        specialist.start(rid, expected_version=specialist.row(rid).version)
        raise KeyboardInterrupt

    monkeypatch.setattr("certdesk_tui.service.intake_auto.finish", claim_then_interrupt)
    report = manager.import_submissions(_clean(1))
    assert report.interrupted and report.accepted == []
    with db.reading() as s:
        req = s.scalars(select(CertificateRequest)).one()
    assert req.status == Status.IN_PROGRESS
    # Its mark is as the import set it: not dated back (the person has it).
    assert req.auto_started_at is not None
    assert req.auto_started_at > utcnow() - intake_auto.RESUME_AFTER


def test_a_customer_import_interrupted_keeps_the_lines_before(manager):
    # Customers not on file yet (one already on file, unchanged, would write nothing).
    lines = factories.jsonl(*(factories.customer(f"CI{i}") for i in range(5)))

    def interrupted():
        yield from lines[:2]
        raise KeyboardInterrupt

    report = manager.import_customers(interrupted())
    assert report.interrupted and len(report.accepted) == 2 and report.read == 2


def test_an_interrupt_inside_a_shielded_section_is_raised_as_it_ends():
    reached = []
    with pytest.raises(KeyboardInterrupt), interrupts.catching(), interrupts.shielded():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler has run: the section goes on
        reached.append("end of the section")
    assert reached == ["end of the section"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with interrupts.catching(), interrupts.shielded(last=True):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
    # ``last``: what an interrupt leads to; a second one is dropped, not raised.


# -- through the command line: a real SIGINT ---------------------------------------------


def _completed(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as con:
            return con.execute("SELECT count(*) FROM certificates").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _alive(path: Path) -> list[int]:
    """The processes whose command line names ``path`` (the import and its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(path).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_certdesk_import_and_an_immediate_rerun_finishes_it(tmp_path, workers):
    count = 300
    assert _run(tmp_path, "init").returncode == 0
    customers = tmp_path / "customers.jsonl"
    customers.write_text("\n".join(factories.jsonl(*factories.CUSTOMERS)), "utf-8")
    assert _run(tmp_path, "customers", "import", str(customers)).returncode == 0
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join(_clean(count, "S")) + "\n", "utf-8")
    database = tmp_path / "data" / "certdesk.sqlite3"

    def sigint_as_usual() -> None:  # the test runner's own handling is not inherited
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    process = subprocess.Popen(
        [sys.executable, "-m", "certdesk_tui", "import", "--workers", workers, str(big)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(tmp_path), cwd=tmp_path,
        start_new_session=True, preexec_fn=sigint_as_usual)
    deadline = time.monotonic() + 120
    while _completed(database) < 1 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the import ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole process group
    out, err = process.communicate(timeout=60)

    assert process.returncode == 130, (out, err)
    lines = err.decode().splitlines()
    assert len(lines) == 1 and re.fullmatch(
        r"certdesk: import interrupted after (\d+) of the (\d+) lines read: run it again to "
        r"finish \(lines already stored are not stored twice\)", lines[0]), err
    assert b"Traceback" not in out + err and b"Aborted" not in out + err
    assert out.decode().splitlines()[-1].endswith("0 refused")
    assert _alive(big) == []  # the workers stopped with it
    with sqlite3.connect(database) as con:
        marks = [datetime.fromisoformat(m) for (m,) in con.execute(
            "SELECT auto_started_at FROM certificate_requests WHERE auto_started_at IS NOT NULL")]
    # Nothing is left reserved as if an import were still running: each is handed back.
    abandoned = datetime.now(UTC).replace(tzinfo=None) - intake_auto.RESUME_AFTER
    assert all(mark <= abandoned for mark in marks), marks
    handed = len(marks)

    again = _run(tmp_path, "import", str(big))
    assert again.returncode == 0 and again.stderr == b"", again
    report = again.stdout.decode().splitlines()
    assert sum(line.startswith("resumed: ") for line in report) == handed
    accepted, unchanged = (int(n) for n in re.findall(r"(\d+) (?:lines accepted|unchanged)",
                                                      report[-1]))
    assert accepted + unchanged == count and report[-1].endswith(", 0 refused")
    with sqlite3.connect(database) as con:
        assert con.execute("SELECT count(*), count(DISTINCT request_id) FROM certificates"
                           ).fetchone() == (count, count)
        assert con.execute("SELECT count(*) FROM certificate_requests WHERE status != "
                           "'completed' OR auto_started_at IS NOT NULL").fetchone() == (0,)
