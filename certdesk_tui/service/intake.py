"""Taking in submission lines: one transaction a line, a report of every line.

The rules of a submission (parsing, discrepancies, the manual list) are
``certdesk_tui.intake``'s; this module stores what they decide, processes a
clean request automatically, and keeps one bad line from stopping an import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from certdesk_tui import intake
from certdesk_tui.clock import utcnow
from certdesk_tui.domain import (
    CERTIFICATES_DEPARTMENT,
    SYSTEM,
    ActivityKind,
    Brand,
    PaymentStatus,
    RequestType,
    Status,
    automation,
)
from certdesk_tui.domain.errors import (
    CertdeskError,
    DatabaseRefused,
    DatabaseUnavailable,
    DuplicateRow,
    IntakeRefused,
)
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.service import completion
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import customers, requests
from certdesk_tui.storage.changes import bump_change_marker, change_counter
from certdesk_tui.storage.columns import HOLDER_LIMITS, check_fits
from certdesk_tui.storage.engine import as_database_error
from certdesk_tui.storage.models import CertificateRequest, DuplicateLink


@dataclass(frozen=True)
class LineOutcome:
    line: int
    message: str
    request_id: int | None = None


@dataclass
class ImportReport:
    accepted: list[LineOutcome] = field(default_factory=list)
    unchanged: list[LineOutcome] = field(default_factory=list)
    refused: list[LineOutcome] = field(default_factory=list)
    # Set when the database stopped answering: the import ended at that line.
    stopped: str = ""

    @property
    def ok(self) -> bool:
        return not self.refused and not self.stopped

    def summary(self, noun: str) -> str:
        return (
            f"{len(self.accepted)} {noun} accepted, {len(self.unchanged)} unchanged, "
            f"{len(self.refused)} refused"
        )


def numbered_lines(lines: Iterable[str | bytes],
                   report: ImportReport) -> Iterator[tuple[int, str]]:
    """The non-blank lines as text, numbered from 1; one that cannot be read is refused."""
    for number, raw in enumerate(lines, start=1):
        try:
            line = intake.decode_line(raw, number)
        except CertdeskError as exc:
            report.refused.append(LineOutcome(number, str(exc)))
            continue
        if line.strip(" \t\r\n"):
            yield number, line


def line_refused(exc: Exception, unexpected: str = "could not be taken in") -> str:
    """Why an import line was refused (or its automation stopped), in one line."""
    problem = exc if isinstance(exc, CertdeskError) else as_database_error(exc)
    if isinstance(problem, DatabaseUnavailable):
        # The line is the database's refusal; whether it answers at all is asked next.
        return f"the database refused it: {problem.reason}"
    if problem is not None:
        return str(problem)
    return f"{unexpected} ({type(exc).__name__}: {_clip(str(exc), 200)})"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stopped_answering(ds: DeskSession, exc: Exception, number: int,
                      report: ImportReport) -> bool:
    """After the database did not answer a line, is it still there at all?

    A line the database refuses costs only that line; a database that no longer
    answers would refuse every line after it, so the import stops and says so.
    """
    if not isinstance(exc, DatabaseUnavailable):
        return False
    try:
        with ds.db.reading() as s:
            change_counter(s)
    except (DatabaseUnavailable, DatabaseRefused) as probe:
        report.stopped = (f"import stopped at line {number}: {probe}"
                          "; the lines after it were not read")
        return True
    return False


def import_submissions(ds: DeskSession, lines: Iterable[str | bytes]) -> ImportReport:
    """Take in portal and mobile submissions (JSON Lines), one transaction per line.

    Each line is parsed, checked and stored on its own: whatever is wrong with one
    (its text, its content, or a write the database refuses) refuses that line with
    the reason, and the import goes on with the next.
    """
    ds.require(Permission.IMPORT)
    report = ImportReport()
    for number, line in numbered_lines(lines, report):
        parsed: intake.Submission | intake.PaymentUpdate | None = None
        try:
            parsed = intake.parse_line(line)
            with ds.writing() as s:
                if isinstance(parsed, intake.PaymentUpdate):
                    outcome = payment_update(ds, s, parsed)
                else:
                    outcome = take_in(ds, s, parsed)
        except DuplicateRow as exc:
            # Another intake stored the same external id at the same moment?
            received = _received_as(ds, parsed) if isinstance(
                parsed, intake.Submission) else None
            if received is None:
                report.refused.append(LineOutcome(number, str(exc)))
            else:
                report.unchanged.append(LineOutcome(number, "already received", received))
            continue
        except Exception as exc:  # noqa: BLE001 - one line never stops an import
            report.refused.append(LineOutcome(number, line_refused(exc)))
            if stopped_answering(ds, exc, number, report):
                break
            continue
        message, request_id, changed = outcome
        bucket = report.accepted if changed else report.unchanged
        bucket.append(LineOutcome(number, message, request_id))
    return report


def _received_as(ds: DeskSession, sub: intake.Submission) -> int | None:
    try:
        with ds.db.reading() as s:
            return requests.request_id_by_external_id(s, sub.external_id)
    except CertdeskError:
        return None


def payment_update(ds: DeskSession, s: Session,
                   update: intake.PaymentUpdate) -> tuple[str, int, bool]:
    req = requests.lock_request_by_external_id(s, update.external_id)
    if req is None:
        raise IntakeRefused(f"payment update for unknown external id {update.external_id!r}")
    if req.payment_status == update.payment_status:
        return f"payment already {update.payment_status}", req.id, False
    before = req.payment_status
    req.payment_status = update.payment_status
    detail = f"payment {before or 'unknown'} → {update.payment_status}"
    if update.payment_status == PaymentStatus.APPROVED and not req.in_queue:
        req.in_queue = True
        detail += "; now in the queue"
    elif (update.payment_status != PaymentStatus.APPROVED and req.in_queue
          and req.type == RequestType.WOS and req.status == Status.NEW):
        # A charge reversed before anyone started on it: out of the queue again.
        req.in_queue = False
        detail += "; out of the queue until approved"
    ds.log(s, req.id, ActivityKind.PAYMENT_UPDATED, detail, actor=SYSTEM)
    ds.touch(s, req)
    req.updated_by = SYSTEM
    return detail, req.id, True


def take_in(ds: DeskSession, s: Session, sub: intake.Submission) -> tuple[str, int, bool]:
    existing = requests.request_id_by_external_id(s, sub.external_id)
    if existing is not None:
        return f"already received as request #{existing}", existing, False
    customer = customers.customer_by_code(s, sub.customer_code)
    if customer is None:
        raise IntakeRefused(f"unknown customer {intake.shown(sub.customer_code)}")
    intake.check_customer(sub, customer.status)
    policy = customers.policy_in_force(s, customer.id, sub.submitted_at.date())
    holder, cut = intake.fit_holder(sub.holder, HOLDER_LIMITS)
    sub = replace(sub, holder=holder)
    found = cut + intake.discrepancies(sub, customer.status, policy is not None,
                                       customer.email)
    if policy is not None:
        # The certificate would be dated today: never issue on a term that has ended since.
        refusal = automation.term_refusal(policy.number, policy.effective, policy.expires,
                                          utcnow().date(), ds.settings.renewal_window_days)
        if refusal is not None:
            found.append(refusal)
    brand = Brand(customer.brand)
    reasons = intake.manual_reasons(sub, brand, found, customer.email)
    duplicates = requests.possible_duplicates(
        s, customer.id, sub.holder.key, sub.submitted_at, ds.settings.duplicate_window_days
    ) if sub.holder.name else []
    if duplicates:
        reasons.append("possible duplicate of " + ", ".join(f"#{d}" for d in duplicates))
    now = utcnow()
    req = CertificateRequest(
        external_id=sub.external_id, customer_id=customer.id,
        policy_id=policy.id if policy else None, type=sub.type, submitted_type=sub.type,
        channel=sub.channel, status=Status.NEW, payment_status=sub.payment_status,
        in_queue=intake.in_queue_at_intake(sub),
        holder_name=sub.holder.name, holder_address=sub.holder.address,
        holder_city=sub.holder.city, holder_state=sub.holder.state,
        holder_zip=sub.holder.zip, holder_email=sub.holder.email, holder_key=sub.holder.key,
        send_to_holder=sub.send_to_holder, instructions=sub.instructions,
        submission=sub.raw, manual=bool(reasons), manual_reasons=reasons,
        discrepancy=bool(found), department=CERTIFICATES_DEPARTMENT if reasons else None,
        submitted_at=sub.submitted_at, received_at=now, updated_at=now, updated_by=SYSTEM,
    )
    check_fits(req)
    s.add(req)
    s.flush()
    for other in duplicates:
        s.add_all([DuplicateLink(request_id=req.id, other_id=other),
                   DuplicateLink(request_id=other, other_id=req.id)])
    ds.log(s, req.id, ActivityKind.SUBMITTED,
           f"{sub.type} submitted through the {sub.channel} (imported by {ds.actor.label})",
           actor=SYSTEM)
    if not req.in_queue:
        ds.log(s, req.id, ActivityKind.AWAITING_PAYMENT,
               f"WOS payment {sub.payment_status or 'unknown'}: hidden from the queue "
               "until approved", actor=SYSTEM)
    if reasons:
        ds.log(s, req.id, ActivityKind.MANUAL,
               f"assigned to {CERTIFICATES_DEPARTMENT}: " + "; ".join(reasons), actor=SYSTEM)
        bump_change_marker(s, now)
        return f"stored as request #{req.id} (manual: {'; '.join(reasons)})", req.id, True
    # Rule 3: a clean COI/POI for Compeo or PeoPayGo is processed automatically. When
    # that stops (a certificate that cannot be issued as it is), the request is kept
    # and goes to the manual list with the reason: the savepoint undoes only the attempt.
    try:
        with s.begin_nested():
            form = automation.prefill(req, customer, policy)
            ds.log(s, req.id, ActivityKind.AUTO_PROCESSED, "processed automatically",
                   actor=SYSTEM)
            done = completion.complete(ds, s, req, form=form, attachment=None,
                                       to_holder=None, actor=SYSTEM)
    except Exception as exc:  # noqa: BLE001 - the request is kept whatever stopped it
        why = line_refused(exc, "the certificate could not be issued")
        stopped = f"automatic processing stopped: {why}"
        req.manual, req.manual_reasons = True, [stopped]
        req.department = CERTIFICATES_DEPARTMENT
        ds.log(s, req.id, ActivityKind.MANUAL,
               f"assigned to {CERTIFICATES_DEPARTMENT}: {stopped}", actor=SYSTEM)
        bump_change_marker(s, now)
        return f"stored as request #{req.id} (manual: {stopped})", req.id, True
    return (f"stored as request #{req.id} and completed automatically "
            f"(certificate {done.certificate_number})", req.id, True)
