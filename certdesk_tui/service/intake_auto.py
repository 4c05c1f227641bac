"""Automatic processing at intake, its certificate drawn outside the write lock.

A clean request is stored by its batch marked ``auto_started_at`` (the number of its
certificate follows from its id). Its certificate is then drawn outside any
transaction (in this process, or in ``workers`` processes), and the request is
completed in a second short transaction that takes the drawn PDF, queues the emails
and clears the mark. If the import stops in between, nothing is half done: the
request is stored and marked, with no certificate and no email; the next import
resumes every mark older than ``RESUME_AFTER``. Completing checks the mark under the
row's lock, so a request a person claimed in between, or another import resumed, is
left to them: it is completed once or not at all.

An import interrupted (Ctrl-C) hands back at once the marks it holds and has not
completed (``Reservations``): each is dated back ``RESUME_AFTER``, so that the next
import, run straight away, resumes it as it would a mark left by an import that died.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from certdesk_tui.clock import utcnow
from certdesk_tui.domain import (
    CERTIFICATES_DEPARTMENT,
    SYSTEM,
    ActivityKind,
    Brand,
    Status,
    automation,
)
from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.certificates import (
    ProducerContact,
    certificate_number,
    new_verification_code,
)
from certdesk_tui.service import completion, interrupts
from certdesk_tui.service.intake_report import ImportReport, LineOutcome, line_refused
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import intake as stored
from certdesk_tui.storage import requests
from certdesk_tui.storage.changes import bump_change_marker

# A mark this old belongs to an import that stopped: the next import resumes it. (An
# import still running completes its own requests within seconds.)
RESUME_AFTER = timedelta(minutes=2)
# Completing holds the write lock: one transaction completes requests for this long.
FINISH_SECONDS = 0.05
# Requests drawn ahead of completing them, per worker process.
AHEAD_PER_WORKER = 16
# Drawn in this process (one worker), then completed, before drawing the next ones: the
# lock is held while they are completed and free while the next are drawn.
DRAWN_TOGETHER = 4


@dataclass(frozen=True)
class AutoJob:
    """A request stored for automatic processing: what its certificate is drawn from."""

    line: int  # the import line (0: a request resumed from an earlier import)
    request_id: int
    form: CertificateForm
    issued_on: date
    contact: ProducerContact
    # Chosen now, printed on the certificate; completing checks no other has it yet.
    verification_code: str
    # The request's mark, as this import set it: handed back only while it is unchanged.
    reserved_at: datetime

    @property
    def number(self) -> str:
        return certificate_number(self.request_id)


@dataclass(frozen=True)
class Drawing:
    job: AutoJob
    pdf: bytes | None
    # Why the certificate could not be drawn ("" when it was).
    problem: str = ""


def new_job(ds: DeskSession, line: int, request_id: int, form: CertificateForm,
            brand: Brand, reserved_at: datetime) -> AutoJob:
    return AutoJob(line, request_id, form, utcnow().date(), ds.settings.producer_contact(brand),
                   new_verification_code(), reserved_at)


def draw(job: AutoJob) -> Drawing:
    """Draw a job's certificate (in this process or a worker): never raises."""
    from certdesk_tui.pdf.certificate import render_certificate

    try:
        pdf = render_certificate(job.form, number=job.number, revision=0,
                                 issued_on=job.issued_on, contact=job.contact,
                                 verification_code=job.verification_code)
    except Exception as exc:  # noqa: BLE001 - the request goes to the manual list with it
        return Drawing(job, None, line_refused(exc, "the certificate could not be issued"))
    return Drawing(job, pdf)


class Drawer:
    """Draws certificates: in this process (one worker) or in a pool of processes."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, workers)
        self._waiting: list[AutoJob] = []
        self._futures: list[Future[Drawing]] = []
        self._pool: ProcessPoolExecutor | None = None

    def add(self, jobs: list[AutoJob]) -> None:
        if not jobs:
            return
        if self.workers == 1:
            self._waiting.extend(jobs)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("fork"),
                initializer=_leave_interrupts_to_the_importer)
        self._futures.extend(self._pool.submit(draw, job) for job in jobs)

    def ready(self) -> Iterator[list[Drawing]]:
        """The certificates drawn so far, a few at a time; with workers, waits only when
        far enough ahead. In this process, ``DRAWN_TOGETHER`` are drawn and handed out at
        a time, so that completing them alternates with drawing (which holds no lock)."""
        if self.workers == 1:
            while self._waiting:
                jobs = self._waiting[:DRAWN_TOGETHER]
                del self._waiting[:DRAWN_TOGETHER]
                yield [draw(job) for job in jobs]
            return
        # Far enough ahead: wait for the oldest. Completed in the order the lines came.
        while len(self._futures) > self.workers * AHEAD_PER_WORKER:
            self._futures[0].result()
            yield self._drawn_in_order()
        if self._futures and self._futures[0].done():
            yield self._drawn_in_order()

    def rest(self) -> Iterator[list[Drawing]]:
        """Every certificate still to be drawn, waiting for them."""
        if self.workers == 1:
            yield from self.ready()
            return
        while self._futures:
            self._futures[0].result()
            yield self._drawn_in_order()

    def _drawn_in_order(self) -> list[Drawing]:
        """The drawings of the oldest futures that are done, up to the first still drawing."""
        count = next((n for n, f in enumerate(self._futures) if not f.done()),
                     len(self._futures))
        done, self._futures = self._futures[:count], self._futures[count:]
        return [f.result() for f in done]

    def close(self) -> None:
        """Stop drawing: the certificates not drawn yet are not drawn, the workers end
        (after the drawing in hand, a few milliseconds)."""
        self._waiting.clear()
        self._futures.clear()
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _leave_interrupts_to_the_importer() -> None:
    """In a worker: Ctrl-C (sent to the whole process group) is the importing
    process's to handle; it stops the workers itself, and no worker prints a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Reservations:
    """The requests this import reserved for automatic processing (or resumed), with
    the marks it set: what it hands back when it is interrupted before completing them.

    A job is held from the moment its transaction stores it (before the commit: a
    transaction rolled back stored nothing, and its marks match no request).
    """

    def __init__(self) -> None:
        self._held: dict[int, AutoJob] = {}

    def hold(self, job: AutoJob) -> None:
        self._held[job.request_id] = job

    def hand_back(self, ds: DeskSession, report: ImportReport) -> None:
        """Date back every mark this import still holds as it set it, so that the next
        import resumes the request at once. A request completed, claimed by a person
        or resumed by another import meanwhile has another mark (or none): left alone."""
        if not self._held:
            return
        abandoned = utcnow() - RESUME_AFTER
        with interrupts.shielded(), ds.writing() as s:
            handed = []
            for req in stored.reserved_among(s, self._held):
                job = self._held[req.id]
                if req.auto_started_at == job.reserved_at and req.status == Status.NEW:
                    req.auto_started_at = abandoned
                    handed.append(job)
        self._held.clear()
        for job in handed:
            _report(report, job, f"stored as request #{job.request_id}; the import was "
                                 "interrupted before completing it: the next import completes "
                                 "it")


def finish_all(ds: DeskSession, drawn: Iterable[list[Drawing]], report: ImportReport) -> None:
    """Complete the requests of every group of drawings, a group as it comes."""
    for drawings in drawn:
        finish(ds, drawings, report)


def finish(ds: DeskSession, drawings: list[Drawing], report: ImportReport) -> None:
    """Complete the requests whose certificates were drawn, in short transactions.

    A transaction the database refuses is tried again one request at a time; a request
    that still cannot be completed keeps its mark (the next import resumes it).
    """
    while drawings:
        # Ctrl-C waits until these are completed and reported (a few milliseconds).
        with interrupts.shielded():
            try:
                with ds.writing() as s:
                    started, done = time.monotonic(), 0
                    outcomes = []
                    for drawing in drawings:
                        if done and time.monotonic() - started > FINISH_SECONDS:
                            break
                        outcomes.append((drawing, _finish_one(ds, s, drawing)))
                        done += 1
                    bump_change_marker(s, utcnow())
            except Exception as exc:  # noqa: BLE001 - nothing of this transaction was written
                if len(drawings) > 1:
                    for one in drawings:
                        finish(ds, [one], report)
                    return
                job = drawings[0].job
                _report(report, job, f"stored as request #{job.request_id}; automatic "
                                     f"processing did not finish ({line_refused(exc)}): the "
                                     "next import resumes it")
                return
            for drawing, message in outcomes:
                _report(report, drawing.job, message)
        drawings = drawings[done:]
        if drawings:  # another transaction at once: a claim or note waiting goes first
            ds.db.let_others_write()


def _report(report: ImportReport, job: AutoJob, message: str) -> None:
    if job.line:
        report.add("accepted", LineOutcome(job.line, message, job.request_id))
    else:
        report.resumed.append(LineOutcome(0, message, job.request_id))


def _finish_one(ds: DeskSession, s: Session, drawing: Drawing) -> str:
    job = drawing.job
    rid = job.request_id
    req = requests.lock_request(s, rid)
    if req.auto_started_at is None or req.status != Status.NEW or req.assignee_id is not None:
        # A person claimed it meanwhile, or another import resumed it: theirs now.
        req.auto_started_at = None
        return (f"stored as request #{rid} (not processed automatically: it is "
                f"{Status(req.status).label} by now)")
    why = drawing.problem
    if drawing.pdf is not None:
        try:
            with s.begin_nested():
                ds.log(s, rid, ActivityKind.AUTO_PROCESSED, "processed automatically",
                       actor=SYSTEM)
                done = completion.complete(
                    ds, s, req, form=job.form, attachment=None, to_holder=None,
                    actor=SYSTEM,
                    drawn=completion.Drawn(drawing.pdf, job.number, 0, job.issued_on,
                                           job.verification_code))
                req.auto_started_at = None
            return (f"stored as request #{rid} and completed automatically "
                    f"(certificate {done.certificate_number})")
        except Exception as exc:  # noqa: BLE001 - the request is kept whatever stopped it
            why = line_refused(exc, "the certificate could not be issued")
    stopped = f"automatic processing stopped: {why}"
    req.manual, req.manual_reasons = True, [stopped]
    req.department = CERTIFICATES_DEPARTMENT
    req.auto_started_at = None
    ds.log(s, rid, ActivityKind.MANUAL, f"assigned to {CERTIFICATES_DEPARTMENT}: {stopped}",
           actor=SYSTEM)
    return f"stored as request #{rid} (manual: {stopped})"


def resume(ds: DeskSession, drawer: Drawer, report: ImportReport,
           held: Reservations) -> None:
    """Take up the requests an earlier import reserved and never completed."""
    before = utcnow() - RESUME_AFTER
    jobs: list[AutoJob] = []
    with interrupts.shielded():
        with ds.writing() as s:
            for req in stored.reserved_before(s, before):
                # Reserved again now: another import starting at this moment leaves them.
                req.auto_started_at = now = utcnow()
                form = automation.prefill(req, req.customer, req.policy)
                jobs.append(new_job(ds, 0, req.id, form, Brand(req.customer.brand), now))
                held.hold(jobs[-1])
        drawer.add(jobs)
    if jobs:
        finish_all(ds, drawer.rest(), report)
