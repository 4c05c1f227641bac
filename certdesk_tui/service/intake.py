"""Taking in submission lines: in short batched transactions, a report of every line.

The rules of a submission (parsing, discrepancies, the manual list) are
``certdesk_tui.intake``'s; ``intake_batch`` stores what they decide for a batch of
lines at a time and processes a clean request automatically. Here the lines are
read and parsed (outside any transaction), gathered into batches, and a batch the
database refuses is taken in again line by line, so that one bad line costs only
itself and never stops an import.

Interrupted (Ctrl-C, a ``KeyboardInterrupt``), an import stops where it is: what it
completed stays, the worker processes stop, and the requests it reserved and has not
completed are handed back for the next import to complete at once; the report says
so (``interrupted``).
"""

from __future__ import annotations

from collections.abc import Iterable

from certdesk_tui import intake
from certdesk_tui.domain.errors import CertdeskError, DuplicateRow
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.service import interrupts
from certdesk_tui.service.intake_auto import Drawer, Reservations, finish_all, resume
from certdesk_tui.service.intake_batch import BATCH_LINES, Line, payment_update, store_batch
from certdesk_tui.service.intake_report import (
    ImportReport,
    LineOutcome,
    line_refused,
    numbered_lines,
    stopped_answering,
)
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import requests

__all__ = ["ImportReport", "LineOutcome", "import_submissions", "line_refused",
           "numbered_lines", "payment_update", "stopped_answering"]


def import_submissions(ds: DeskSession, lines: Iterable[str | bytes],
                       workers: int = 1) -> ImportReport:
    """Take in portal and mobile submissions (JSON Lines) and payment updates.

    Each line is parsed and checked on its own: whatever is wrong with one (its text,
    its content, or a write the database refuses) refuses that line with the reason,
    and the import goes on with the next. Lines are written in batches of up to
    ``BATCH_LINES``, each batch one short transaction. The certificates of requests
    processed automatically are drawn outside the transactions, by ``workers``
    processes (1: this one), and their requests completed in short transactions after.
    Requests an earlier import reserved and never completed are taken up first.
    Interrupted, it hands back what it reserved and returns the report so far.
    """
    ds.require(Permission.IMPORT)
    report = ImportReport()
    drawer = Drawer(workers)
    held = Reservations()
    try:
        with interrupts.catching():
            try:
                _take_in(ds, lines, report, drawer, held)
            except KeyboardInterrupt:
                report.interrupted = True
                # A second Ctrl-C waits for this (a moment): nothing is left reserved.
                with interrupts.shielded(last=True):
                    drawer.close()  # nothing more is drawn: the workers stop
                    _hand_back(ds, held, report)
    finally:
        drawer.close()
    report.in_line_order()
    return report


def _hand_back(ds: DeskSession, held: Reservations, report: ImportReport) -> None:
    try:
        held.hand_back(ds, report)
    except CertdeskError as exc:
        report.stopped = (f"the requests this import reserved stay reserved ({exc}): an "
                          "import run two minutes from now completes them")


def _take_in(ds: DeskSession, lines: Iterable[str | bytes], report: ImportReport,
             drawer: Drawer, held: Reservations) -> None:
    resume(ds, drawer, report, held)
    waiting: list[Line] = []
    for number, line in numbered_lines(lines, report):
        try:
            waiting.append(Line(number, intake.parse_line(line)))
        except Exception as exc:  # noqa: BLE001 - one line never stops an import
            report.refused.append(LineOutcome(number, line_refused(exc)))
        if len(waiting) >= BATCH_LINES:
            waiting = _store(ds, waiting, report, drawer, held)
            if report.stopped:
                break
    while waiting and not report.stopped:
        waiting = _store(ds, waiting, report, drawer, held)
    if not report.stopped:
        finish_all(ds, drawer.rest(), report)


def _store(ds: DeskSession, lines: list[Line], report: ImportReport,
           drawer: Drawer, held: Reservations) -> list[Line]:
    """Store a batch; the lines it had no time for. A batch the database refuses is
    stored again one line a transaction, each line's refusal its own. The certificates
    of the batch's automatic requests go to the drawer; those drawn are completed."""
    # Ctrl-C waits until the batch is stored and reported (and the pool has forked).
    with interrupts.shielded():
        try:
            with ds.writing() as s:
                result = store_batch(ds, s, lines, held)
        except Exception as exc:  # noqa: BLE001 - the batch changed nothing: line by line
            failed: Exception | None = exc
        else:
            failed = None
            for bucket, outcome in result.outcomes:
                report.add(bucket, outcome)
            drawer.add(result.jobs)
    if failed is not None:
        if len(lines) > 1:
            for line in lines:
                _store(ds, [line], report, drawer, held)
                if report.stopped:
                    break
            return []
        _refused(ds, lines[0], failed, report)
        return []
    ds.db.let_others_write()
    finish_all(ds, drawer.ready(), report)
    return result.rest


def _refused(ds: DeskSession, line: Line, exc: Exception, report: ImportReport) -> None:
    if isinstance(exc, DuplicateRow):
        # Another intake stored the same external id at the same moment?
        received = (_received_as(ds, line.parsed)
                    if isinstance(line.parsed, intake.Submission) else None)
        if received is None:
            report.refused.append(LineOutcome(line.number, str(exc)))
        else:
            report.unchanged.append(LineOutcome(line.number, "already received", received))
        return
    report.refused.append(LineOutcome(line.number, line_refused(exc)))
    stopped_answering(ds, exc, line.number, report)


def _received_as(ds: DeskSession, sub: intake.Submission) -> int | None:
    try:
        with interrupts.shielded(), ds.db.reading() as s:
            return requests.request_id_by_external_id(s, sub.external_id)
    except CertdeskError:
        return None
