"""A batch of submission lines stored in one short transaction, each line on its own.

Every line is decided in Python from what the batch asked the database once (the
external ids already stored, the customers named with their policies, the requests
for the same holders); a line whose content is wrong is refused by itself and
costs nothing else. The requests decided are then written in one statement, their
activities in another. A line that depends on one still to be written (the same
external id again, the same customer's holder again, a payment update) writes the
ones before it first, so every line sees the lines before it as if each had been
stored alone. A write the database refuses fails the whole batch, which the import
then takes in again line by line: nothing is lost or stored twice.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row
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
from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.errors import IntakeRefused
from certdesk_tui.service.intake_auto import AutoJob, Reservations, new_job
from certdesk_tui.service.intake_report import LineOutcome, line_refused
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import intake as stored
from certdesk_tui.storage import requests
from certdesk_tui.storage.changes import bump_change_marker
from certdesk_tui.storage.columns import HOLDER_LIMITS, check_values_fit
from certdesk_tui.storage.intake import CustomerFacts
from certdesk_tui.storage.models import CertificateRequest

# A batch holds the write lock while it writes: it ends after this many lines, or
# once it has held the lock this long, whichever comes first, so that a claim or a
# note of someone at the desk waits for a short write only.
BATCH_LINES = 100
BATCH_SECONDS = 0.05

Parsed = intake.Submission | intake.PaymentUpdate


@dataclass(frozen=True)
class Line:
    number: int
    parsed: Parsed


@dataclass
class _Decided:
    """A request decided, not yet written."""

    line: Line
    row: dict[str, Any]
    activities: list[tuple[ActivityKind, str]]
    reasons: list[str]
    duplicates: list[int]
    form: CertificateForm | None  # the certificate to draw (None: the manual list)
    brand: Brand


@dataclass
class BatchResult:
    outcomes: list[tuple[str, LineOutcome]] = field(default_factory=list)
    # The lines the batch had no time left for: the next batch takes them.
    rest: list[Line] = field(default_factory=list)
    # The requests stored for automatic processing: their certificates are drawn next.
    jobs: list[AutoJob] = field(default_factory=list)


def _policy_in_force(customer: CustomerFacts, day: date) -> Row[Any] | None:
    """The customer's policy in force on ``day`` (the one that runs longest when several do)."""
    return max((p for p in customer.policies if p.effective <= day <= p.expires),
               key=lambda p: p.expires, default=None)


def _holder_key(sub: intake.Submission) -> str:
    """The key of the holder as stored (over-long holder text is stored cut)."""
    return intake.fit_holder(sub.holder, HOLDER_LIMITS)[0].key


class _Batch:
    def __init__(self, ds: DeskSession, s: Session, lines: list[Line],
                 held: Reservations | None) -> None:
        self.ds, self.s, self.held = ds, s, held
        subs = [ln.parsed for ln in lines if isinstance(ln.parsed, intake.Submission)]
        self.received = stored.received_ids(s, (sub.external_id for sub in subs))
        self.customers = stored.customers_by_code(s, (sub.customer_code for sub in subs))
        self.holders: dict[tuple[int, str], list[tuple[int, datetime]]] = defaultdict(list)
        wanted = {(self.customers[sub.customer_code].customer.id, _holder_key(sub))
                  for sub in subs
                  if sub.holder.name and sub.customer_code in self.customers}
        for rid, customer_id, key, at in stored.requests_for_holders(s, wanted):
            self.holders[(customer_id, key)].append((rid, at))
        self.decided: list[_Decided] = []
        # The external ids and holders of the requests decided, not yet written.
        self.waiting_ids: set[str] = set()
        self.waiting_holders: set[tuple[int, str]] = set()
        # The external ids of this batch's requests whose certificates are still to draw.
        self.automatic_ids: set[str] = set()
        self.result = BatchResult()
        self.changed = False

    # -- one line ------------------------------------------------------------

    def take(self, line: Line) -> bool:
        """Decide one line; False: the batch ends before it (it is taken by the next)."""
        if isinstance(line.parsed, intake.PaymentUpdate):
            self.write()
            if line.parsed.external_id in self.automatic_ids:
                # Its request was processed automatically in this batch: its certificate
                # is issued first, so the log reads as when each line was its own.
                return False
            self._payment(line, line.parsed)
            return True
        sub = line.parsed
        facts = self.customers.get(sub.customer_code)
        if sub.external_id in self.waiting_ids or (
                facts is not None
                and (facts.customer.id, _holder_key(sub)) in self.waiting_holders):
            self.write()
        try:
            self._decide(line, sub, facts)
        except Exception as exc:  # noqa: BLE001 - a line's content costs only that line
            self._outcome("refused", LineOutcome(line.number, line_refused(exc)))
        return True

    def _outcome(self, bucket: str, outcome: LineOutcome) -> None:
        self.result.outcomes.append((bucket, outcome))

    def _payment(self, line: Line, update: intake.PaymentUpdate) -> None:
        try:
            with self.s.begin_nested():
                message, request_id, changed = payment_update(self.ds, self.s, update)
        except Exception as exc:  # noqa: BLE001 - the savepoint undid only this line
            self._outcome("refused", LineOutcome(line.number, line_refused(exc)))
            return
        self._outcome("accepted" if changed else "unchanged",
                      LineOutcome(line.number, message, request_id))

    def _decide(self, line: Line, sub: intake.Submission, facts: CustomerFacts | None) -> None:
        ds = self.ds
        existing = self.received.get(sub.external_id)
        if existing is not None:
            self._outcome("unchanged", LineOutcome(
                line.number, f"already received as request #{existing}", existing))
            return
        if facts is None:
            raise IntakeRefused(f"unknown customer {intake.shown(sub.customer_code)}")
        customer = facts.customer
        intake.check_customer(sub, customer.status)
        policy = _policy_in_force(facts, sub.submitted_at.date())
        holder, cut = intake.fit_holder(sub.holder, HOLDER_LIMITS)
        sub = replace(sub, holder=holder)
        found = cut + intake.discrepancies(sub, customer.status, policy is not None,
                                           customer.email)
        if policy is not None:
            # The certificate would be dated today: never issue on a term that has ended.
            refusal = automation.term_refusal(policy.number, policy.effective, policy.expires,
                                              utcnow().date(), ds.settings.renewal_window_days)
            if refusal is not None:
                found.append(refusal)
        reasons = intake.manual_reasons(sub, Brand(customer.brand), found, customer.email)
        duplicates: list[int] = []
        if sub.holder.name:
            window = timedelta(days=ds.settings.duplicate_window_days)
            duplicates = sorted(
                rid for rid, at in self.holders.get((customer.id, sub.holder.key), ())
                if sub.submitted_at - window <= at <= sub.submitted_at + window)
        if duplicates:
            reasons.append("possible duplicate of " + ", ".join(f"#{d}" for d in duplicates))
        now = utcnow()
        form = None if reasons else self._form(sub, customer, policy, reasons)
        row: dict[str, Any] = dict(
            external_id=sub.external_id, customer_id=customer.id,
            policy_id=policy.id if policy else None, type=sub.type, submitted_type=sub.type,
            channel=sub.channel, status=Status.NEW, payment_status=sub.payment_status,
            in_queue=intake.in_queue_at_intake(sub),
            holder_name=sub.holder.name, holder_address=sub.holder.address,
            holder_city=sub.holder.city, holder_state=sub.holder.state,
            holder_zip=sub.holder.zip, holder_email=sub.holder.email,
            holder_key=sub.holder.key, send_to_holder=sub.send_to_holder,
            instructions=sub.instructions, submission=sub.raw, manual=bool(reasons),
            manual_reasons=reasons, discrepancy=bool(found),
            department=CERTIFICATES_DEPARTMENT if reasons else None,
            submitted_at=sub.submitted_at, received_at=now, updated_at=now,
            updated_by=SYSTEM, has_notes=False, auto_started_at=now if form else None,
        )
        check_values_fit(CertificateRequest, row)
        activities = [(ActivityKind.SUBMITTED,
                       f"{sub.type} submitted through the {sub.channel} "
                       f"(imported by {ds.actor.label})")]
        if not row["in_queue"]:
            activities.append((ActivityKind.AWAITING_PAYMENT,
                               f"WOS payment {sub.payment_status or 'unknown'}: hidden from "
                               "the queue until approved"))
        if reasons:
            activities.append((ActivityKind.MANUAL,
                               f"assigned to {CERTIFICATES_DEPARTMENT}: " + "; ".join(reasons)))
        self.decided.append(_Decided(line, row, activities, reasons, duplicates, form,
                                     Brand(customer.brand)))
        self.waiting_ids.add(sub.external_id)
        self.waiting_holders.add((customer.id, sub.holder.key))

    # -- writing -------------------------------------------------------------

    def write(self) -> None:
        """Write the requests decided so far, their activities and duplicate links."""
        decided, self.decided = self.decided, []
        self.waiting_ids.clear()
        self.waiting_holders.clear()
        if not decided:
            return
        ids = stored.insert_requests(self.s, [d.row for d in decided])
        activities: list[dict[str, Any]] = []
        links: list[tuple[int, int]] = []
        for d, rid in zip(decided, ids, strict=True):
            self.received[d.row["external_id"]] = rid
            self.holders[(d.row["customer_id"], d.row["holder_key"])].append(
                (rid, d.row["submitted_at"]))
            links.extend((rid, other) for other in d.duplicates)
            activities.extend(
                {"request_id": rid, "at": d.row["received_at"], "actor": SYSTEM,
                 "action": kind, "detail": detail} for kind, detail in d.activities)
        stored.insert_activities(self.s, activities)
        stored.insert_duplicate_links(self.s, links)
        self.changed = True
        for d, rid in zip(decided, ids, strict=True):
            if d.form is None:
                message = f"stored as request #{rid} (manual: {'; '.join(d.reasons)})"
                self._outcome("accepted", LineOutcome(d.line.number, message, rid))
            else:
                job = new_job(self.ds, d.line.number, rid, d.form, d.brand,
                              d.row["auto_started_at"])
                self.result.jobs.append(job)
                if self.held is not None:
                    self.held.hold(job)
                self.automatic_ids.add(d.row["external_id"])

    @staticmethod
    def _form(sub: intake.Submission, customer: Row[Any], policy: Row[Any] | None,
              reasons: list[str]) -> CertificateForm | None:
        """Rule 3: a clean COI/POI for Compeo or PeoPayGo is processed automatically, from
        the form prefilled here. When that stops, the request goes to the manual list
        with the reason (added to ``reasons``)."""
        request = SimpleNamespace(
            type=sub.type, submitted_at=sub.submitted_at, holder_name=sub.holder.name,
            holder_address=sub.holder.address, holder_city=sub.holder.city,
            holder_state=sub.holder.state, holder_zip=sub.holder.zip,
            holder_email=sub.holder.email)
        try:
            form = automation.prefill(request, customer, policy)
            automation.require_valid(form)  # what a person's form refuses stops it too
            return form
        except Exception as exc:  # noqa: BLE001 - the request is kept whatever stopped it
            why = line_refused(exc, "the certificate could not be issued")
            reasons.append(f"automatic processing stopped: {why}")
            return None


def store_batch(ds: DeskSession, s: Session, lines: list[Line],
                held: Reservations | None = None) -> BatchResult:
    """Store the lines in the transaction ``s``, for as long as the batch may hold it.
    The requests it reserves for automatic processing are ``held`` as they are written."""
    batch = _Batch(ds, s, lines, held)
    started = time.monotonic()
    for index, line in enumerate(lines):
        if index and time.monotonic() - started > BATCH_SECONDS:
            batch.result.rest = lines[index:]
            break
        if not batch.take(line):
            batch.result.rest = lines[index:]
            break
    batch.write()
    if batch.changed:
        bump_change_marker(s, utcnow())
    return batch.result


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
