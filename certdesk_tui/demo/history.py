"""The rows the service would have written for each planned request: the request,
its activity log, notes, duplicate links, certificate and emails."""

from __future__ import annotations

from datetime import datetime, timedelta

from certdesk_tui import intake
from certdesk_tui.demo.catalogue import (
    NOTES_ABOUT,
    NOTES_GENERAL,
    R_ADDITIONAL_INSURED,
    R_ADDRESS,
    R_DUPLICATE,
    R_HOLDER_NAME,
    R_INACTIVE,
    R_LICENSE,
    R_NEEDS_WOS,
    R_NO_POLICY,
    R_TEST,
    R_VERBIAGE,
)
from certdesk_tui.demo.certificates import UNDRAWN, FormRequest, demo_code, draw_now, form_json
from certdesk_tui.demo.loading import Loader
from certdesk_tui.demo.mail_history import Event, MailHistory
from certdesk_tui.demo.planner import Planner
from certdesk_tui.demo.records import PlannedRequest, slug
from certdesk_tui.domain import (
    CERTIFICATES_DEPARTMENT,
    SYSTEM,
    ActivityKind,
    Brand,
    CertificateSource,
    Channel,
    EmailState,
    PaymentStatus,
    RequestType,
    Status,
    automation,
    certificate_number,
    certificate_title,
)
from certdesk_tui.domain.addresses import is_valid as is_valid_email
from certdesk_tui.domain.holders import LearnedHolder, learned_holder
from certdesk_tui.notifications import completed_emails, rejected_email
from certdesk_tui.pdf.naming import certificate_file_name
from certdesk_tui.storage.models import (
    Activity,
    CertificateRequest,
    DuplicateLink,
    Note,
)

ACTIVITY_COLUMNS = ("request_id", "at", "actor", "action", "detail")


def _first(item: tuple[datetime, ...]) -> datetime:
    return item[0]


def _issue_order(item: tuple[datetime, int, int, LearnedHolder]) -> tuple[datetime, int]:
    return item[0], item[1]


class HistoryWriter(MailHistory):
    """Turns the plan into rows: requests, activities, notes, certificates, emails."""

    def __init__(self, plan: Planner, reasons: list[tuple[int, str]], retired_at: datetime,
) -> None:
        self.plan = plan
        self.rng = plan.rng
        self.now = plan.now
        self.reasons = reasons
        self.retired_at = retired_at
        self.request_rows: list[dict] = []
        self.activity_rows: list[tuple] = []  # ACTIVITY_COLUMNS
        self.note_rows: list[dict] = []
        self.links: list[dict] = []
        self.certificates: list[dict] = []
        # (issued at, certificate id, customer id, what it teaches the address book)
        self.learned: list[tuple[datetime, int, int, LearnedHolder]] = []
        self.emails: list[dict] = []
        self.user_ids: dict[str, int] = {}
        self.external_ids: set[int] = set()
        self.pending = 0  # requests in the queue, New or In Progress
        self.flushed_through = 0  # the last request id written to the database

    def flush(self, load: Loader) -> None:
        """Write the rows of the requests done so far, and forget them."""
        load(CertificateRequest.__table__, self.request_rows)
        load(DuplicateLink.__table__, self.links)
        load(Note.__table__, self.note_rows)
        load.tuples(Activity.__table__, ACTIVITY_COLUMNS, self.activity_rows)
        self.pending += sum(1 for r in self.request_rows if r["in_queue"]
                            and r["status"] in (Status.NEW, Status.IN_PROGRESS))
        if self.request_rows:
            self.flushed_through = self.request_rows[-1]["id"]
        for rows in (self.request_rows, self.links, self.note_rows, self.activity_rows):
            rows.clear()

    def certificate_rows(self) -> list[dict]:
        """The certificates: drawn now if an email still to be delivered attaches them.

        The mail worker attaches the stored file; every other certificate is drawn by
        the desk when first opened (``Desk.certificate``), from the form it keeps.
        """
        waiting = {e["certificate_id"] for e in self.emails
                   if e["certificate_id"] is not None and e["state"] != EmailState.SENT}
        for cert in self.certificates:
            if cert["id"] in waiting:
                draw_now(cert)
            del cert["brand"]  # for drawing only: not a column
        return self.certificates

    def holder_rows(self) -> list[dict]:
        """The customers' holder address books: what every certificate above taught,
        counted one by one in the order they were issued, as each issue counts it
        (``storage.holders.learn_holder``: ``LearnedHolder.entry``)."""
        book: dict[tuple[int, str], dict] = {}
        self.learned.sort(key=_issue_order)
        for _at, _cert, customer_id, learned in self.learned:
            known = book.get((customer_id, learned.key))
            book[customer_id, learned.key] = {
                "customer_id": customer_id,
                **learned.entry(known["certificates"] if known else 0)}
        return list(book.values())

    def _at(self, start: datetime, end: datetime, low: float = 0.0, high: float = 1.0) -> datetime:
        span = max(0.0, (end - start).total_seconds())
        return start + timedelta(seconds=int(span * self.rng.uniform(low, high)))

    def request(self, req: PlannedRequest) -> None:
        rng = self.rng
        plan = self.plan
        c = req.customer
        events: list[Event] = []
        received = req.submitted_at + timedelta(seconds=rng.randint(5, 90))
        hidden = req.payment in (PaymentStatus.PENDING, PaymentStatus.DECLINED)
        manual = bool(req.reasons)
        internal = req.channel == Channel.INTERNAL
        entered_by = plan.processors.pick(rng) if internal else SYSTEM
        if internal:
            events.append((received, entered_by, ActivityKind.SUBMITTED,
                           f"{req.submitted_type} entered as an internal request by "
                           f"{entered_by}"))
        else:
            events.append((received, SYSTEM, ActivityKind.SUBMITTED,
                           f"{req.submitted_type} submitted through the {req.channel} "
                           f"(imported by {plan.importer})"))
        if hidden:
            events.append((received, SYSTEM, ActivityKind.AWAITING_PAYMENT,
                           f"WOS payment {req.payment}: hidden from the queue until "
                           "approved"))
        if manual:
            events.append((received, SYSTEM, ActivityKind.MANUAL,
                           f"assigned to {CERTIFICATES_DEPARTMENT}: "
                           + "; ".join(req.reasons)))
        last = (received, SYSTEM)
        assignee: str | None = None
        claimed_at = closed_at = None
        payment = req.payment
        in_queue = not hidden
        rtype = req.type
        rejection: tuple[int, str] | None = None
        holder = req.submitted
        status = req.status

        if status in (Status.COMPLETED, Status.REJECTED):
            if req.auto:
                closed_at = received + timedelta(seconds=rng.randint(2, 40))
            else:
                closed_at = self._at(received, min(self.now - timedelta(minutes=3),
                                                   received + timedelta(days=3)), 0.05, 1.0)
        end = closed_at or self.now - timedelta(minutes=1)
        if req.approved_later:
            at = self._at(received, end, 0.02, 0.4)
            payment, in_queue = PaymentStatus.APPROVED, True
            events.append((at, SYSTEM, ActivityKind.PAYMENT_UPDATED,
                           "payment pending → approved; now in the queue"))
            last = (at, SYSTEM)
            received_for_work = at
        else:
            received_for_work = received
        if hidden and status == Status.NEW and req.approved_later is False:
            pass  # still waiting for its payment: nobody can touch it
        elif not req.auto:
            worker = entered_by if internal else plan.processors.pick(rng)
            if internal:  # created In Progress with its creator
                claimed_at = received_for_work
                assignee = worker
                events.append((claimed_at, worker, ActivityKind.START,
                               f"marked in progress by {worker}"))
                last = (claimed_at, worker)
            elif status == Status.IN_PROGRESS or (status != Status.NEW
                                                  and rng.random() < 0.7):
                claimed_at = self._at(received_for_work, end, 0.1, 0.85)
                assignee = worker
                events.append((claimed_at, worker, ActivityKind.START,
                               f"marked in progress by {worker}"))
                last = (claimed_at, worker)
            start = claimed_at or received_for_work
            if rng.random() < (0.25 if status == Status.NEW else 0.35):
                author = worker if status != Status.NEW else plan.processors.pick(rng)
                for _ in range(1 if rng.random() < 0.8 else 2):
                    at = self._at(start, end, 0.1, 0.9)
                    self.note_rows.append({"request_id": req.id, "author": author,
                                           "body": self._note(req), "created_at": at})
                    events.append((at, author, ActivityKind.NOTE, "internal note added"))
                    last = max(last, (at, author))
            if req.relabel and status in (Status.IN_PROGRESS, Status.COMPLETED):
                at = self._at(start, end, 0.9, 0.95)
                rtype = RequestType.WOS
                events.append((at, worker, ActivityKind.RELABEL,
                               f"relabelled {req.submitted_type} → WOS"))
                last = max(last, (at, worker))
            if status in (Status.COMPLETED, Status.REJECTED):
                assignee = worker
                claimed_at = claimed_at or closed_at

        if status == Status.COMPLETED:
            holder = req.holder  # what the specialist put right on the form
            actor = SYSTEM if req.auto else assignee
            assert actor is not None and closed_at is not None
            if req.auto:
                events.append((closed_at, SYSTEM, ActivityKind.AUTO_PROCESSED,
                               "processed automatically"))
            self._complete(req, rtype, holder, closed_at, actor, events)
            last = (closed_at, actor)
        elif status == Status.REJECTED:
            assert assignee is not None and closed_at is not None
            rejection = self._reason_for(req, closed_at)
            events.append((closed_at, assignee, ActivityKind.REJECT, f"rejected: {rejection[1]}"))
            draft = rejected_email(
                request_id=req.id, request_type=rtype, brand=Brand(c.brand),
                customer_name=c.name,
                customer_email=c.email if is_valid_email(c.email) else "",
                holder_name=holder.name, reason=rejection[1],
            )
            self._emails(req, [draft] if draft else [], None, closed_at, assignee, events)
            last = (closed_at, assignee)

        if req.duplicates:
            for other in req.duplicates:
                self.links.append({"request_id": req.id, "other_id": other})
                self.links.append({"request_id": other, "other_id": req.id})
        events.sort(key=_first)
        rid = req.id
        self.activity_rows.extend([(rid, *e) for e in events])
        submission = {
            "external_id": self._external_id(req),
            "channel": req.channel,
            "customer": c.code,
            "type": req.submitted_type,
            "holder": {"name": req.submitted.name, "address": req.submitted.address,
                       "city": req.submitted.city, "state": req.submitted.state,
                       "zip": req.submitted.zip, "email": req.submitted.email},
            "send_to_holder": req.send_to_holder,
            "instructions": req.instructions,
            "submitted_at": req.submitted_at.isoformat() + "+00:00",
        }
        if req.payment:
            submission["payment_status"] = req.payment
        self.request_rows.append({
            "id": req.id, "external_id": submission["external_id"], "customer_id": c.id,
            "policy_id": req.policy.id if req.policy else None, "type": rtype,
            "submitted_type": req.submitted_type, "channel": req.channel, "status": status,
            "payment_status": payment, "in_queue": in_queue,
            "holder_name": holder.name, "holder_address": holder.address,
            "holder_city": holder.city, "holder_state": holder.state, "holder_zip": holder.zip,
            "holder_email": holder.email, "holder_key": req.key,
            "send_to_holder": req.send_to_holder, "instructions": req.instructions,
            "submission": submission, "manual": manual, "manual_reasons": req.reasons,
            "discrepancy": bool(req.found),
            "department": CERTIFICATES_DEPARTMENT if manual else None,
            "submitted_at": req.submitted_at, "received_at": received,
            "assignee_id": self.user_ids[assignee] if assignee else None,
            "claimed_at": claimed_at, "closed_at": closed_at,
            "rejection_reason_id": rejection[0] if rejection else None,
            "rejection_reason_text": rejection[1] if rejection else None,
            "has_notes": any(e[2] == ActivityKind.NOTE for e in events),
            "updated_at": last[0], "updated_by": last[1], "version": 1,
        })

    def _note(self, req: PlannedRequest) -> str:
        """A note that fits the request (or a general one now and then)."""
        joined = " ".join(req.reasons)
        topics = [topic for topic, words in (
            ("holder", "holder name"), ("holder", "holder address"), ("email", "email"),
            ("duplicate", "duplicate"), ("wos", "waiver"), ("cornerstone", "Cornerstone"),
            ("policy", "no policy"), ("inactive", "inactive customer"),
            ("instructions", "instructions"),
        ) if words in joined]
        if topics and self.rng.random() < 0.8:
            return self.rng.choice(NOTES_ABOUT[self.rng.choice(topics)])
        return self.rng.choice(NOTES_GENERAL)

    def _external_id(self, req: PlannedRequest) -> str:
        """What the portal or the app calls the submission: unique, random-looking."""
        prefix = {Channel.PORTAL: "PTL", Channel.MOBILE: "APP"}.get(Channel(req.channel), "INT")
        while True:
            value = self.rng.getrandbits(40)
            if value not in self.external_ids:
                self.external_ids.add(value)
                return f"{prefix}-{value:010X}"

    def _reason_for(self, req: PlannedRequest, closed_at: datetime) -> tuple[int, str]:
        reasons = self.reasons
        joined = " ".join(req.reasons)
        kind = req.instruction_kind
        if req.duplicates:
            index = R_DUPLICATE
        elif "holder name" in joined:
            index = R_HOLDER_NAME
        elif "holder address" in joined:
            index = R_ADDRESS
        elif "no policy in force" in joined:
            index = R_NO_POLICY
        elif "inactive customer" in joined:
            index = R_INACTIVE
        elif kind == "needs_wos":
            index = R_NEEDS_WOS
        elif kind == "license":
            index = R_LICENSE
        elif kind == "test":
            index = R_TEST
        elif kind == "additional_insured":
            index = R_ADDITIONAL_INSURED if closed_at < self.retired_at else R_VERBIAGE
        else:
            index = R_VERBIAGE
        return reasons[index]

    def _complete(self, req: PlannedRequest, rtype: str, holder: intake.Holder, closed_at: datetime,
                  actor: str, events: list[Event]) -> None:
        c = req.customer
        number = certificate_number(req.id)
        brand = Brand(c.brand)
        uploaded = req.uploaded
        policy = req.policy or c.policy_on(closed_at.date())
        assert policy is not None, "completed requests are covered"
        form_request = FormRequest(rtype, req.submitted_at, holder)
        form = automation.prefill(form_request, c, policy)
        file_name = certificate_file_name(number, 0, c.name)
        cert_id = len(self.certificates) + 1
        if uploaded:
            attached = f"{slug(policy.carrier)}-{policy.number}.pdf"
            how = f"attached file {attached!r}"
            # The carrier's file is fictional: our layout of the same form stands in.
            data = {"uploaded_file": attached, "form": form_json(form)}
        else:
            how = "generated"
            data = form_json(form)
        self.certificates.append({
            "id": cert_id, "request_id": req.id, "number": number, "revision": 0,
            "source": CertificateSource.UPLOADED if uploaded else CertificateSource.GENERATED,
            "file_name": file_name, "data": data, "issued_at": closed_at, "issued_by": actor,
            "verification_code": demo_code(number, 0), "brand": brand,
            # The term it certified, as an issue records it (service.holders.record_issue):
            # the policy its form printed, and the expiry printed.
            "policy_id": policy.id, "policy_expires": form.expires,
            **UNDRAWN,
        })
        learned = learned_holder(name=holder.name, address=holder.address, city=holder.city,
                                 state=holder.state, zip_code=holder.zip, email=holder.email,
                                 at=closed_at)
        if learned is not None:
            self.learned.append((closed_at, cert_id, c.id, learned))
        events.append((closed_at, actor, ActivityKind.CERTIFICATE_ISSUED,
                       f"{certificate_title(number, 0)} ({how})"))
        events.append((closed_at, actor, ActivityKind.COMPLETED, "status Completed"))
        drafts = completed_emails(
            request_id=req.id, request_type=rtype, brand=brand, customer_name=c.name,
            customer_email=c.email if is_valid_email(c.email) else "",
            holder_name=holder.name, holder_email=holder.email,
            to_holder=req.send_to_holder, certificate_number=number,
        )
        self._emails(req, drafts, (cert_id, file_name), closed_at, actor, events)
