"""The desk's service API: the one place where the rules are applied.

The interface and the command line both call ``Desk``; neither re-implements
a rule. Every action checks permission, state and version, writes its
activities and its outbox emails in one transaction, or changes nothing and
raises a ``CertdeskError``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from email.utils import make_msgid

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from certdesk_tui import automation, intake
from certdesk_tui.automation import CertificateForm
from certdesk_tui.clock import utcnow
from certdesk_tui.config import Settings
from certdesk_tui.domain import (
    CERTIFICATES_DEPARTMENT,
    SYSTEM,
    ActivityKind,
    Brand,
    CertificateSource,
    CustomerStatus,
    EmailState,
    PaymentStatus,
    RequestType,
    Role,
    Status,
    addresses,
    certificate_number,
    certificate_title,
    workflow,
)
from certdesk_tui.domain.activity import CLOSING_KINDS
from certdesk_tui.domain.errors import (
    AlreadyClaimed,
    CertdeskError,
    IntakeRefused,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PolicyNotInForce,
    StaleRequest,
    ValidationFailed,
)
from certdesk_tui.domain.permissions import MATRIX, Actor, Permission
from certdesk_tui.domain.views import (
    QueueFilter,
    QueuePage,
    QueueSnapshot,
    ReasonView,
    RequestDetail,
    RequestRow,
    UserView,
)
from certdesk_tui.notifications import EmailDraft, completed_emails, rejected_email
from certdesk_tui.pdf_check import check_certificate_pdf
from certdesk_tui.storage import db_roles, repository
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import (
    Activity,
    Certificate,
    CertificateRequest,
    Customer,
    DuplicateLink,
    Note,
    OutboxEmail,
    Policy,
    RejectionReason,
    User,
)
from certdesk_tui.storage.users import read_actor

MAX_NOTE_LENGTH = 5_000
# The holder fields as long as their columns hold (longer text is a discrepancy).
HOLDER_LIMITS = {key: CertificateRequest.__table__.c[f"holder_{key}"].type.length
                 for key in ("name", "address", "city", "state", "zip", "email")}


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


@dataclass(frozen=True)
class Completion:
    request_id: int
    certificate_number: str
    file_name: str
    emailed: tuple[str, ...]
    # The policy-date refusal a processor overrode with a written reason ("" when none).
    overridden: str = ""


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


def _database_refused(exc: SQLAlchemyError) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["no reason given"]
    return f"the database refused it: {_clip(reason[0], 200)}"


def _line_refused(exc: Exception, unexpected: str = "could not be taken in") -> str:
    """Why an import line was refused (or its automation stopped), in one line."""
    if isinstance(exc, CertdeskError):
        return str(exc)
    if isinstance(exc, SQLAlchemyError):
        return _database_refused(exc)
    return f"{unexpected} ({type(exc).__name__}: {_clip(str(exc), 200)})"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Desk:
    """One person's session on the shared repository."""

    def __init__(self, db: Database, actor: Actor, settings: Settings | None = None) -> None:
        self.db = db
        # Who is acting, as last read from the database: every action reads it again.
        self.actor = actor
        self.settings = settings or Settings()

    # -- who is acting -------------------------------------------------------

    def current_actor(self) -> Actor:
        """Re-read the acting user's role and active flag (a demotion counts at once)."""
        with self.db.reading() as s:
            return self._reread_actor(s)

    def _reread_actor(self, s: Session) -> Actor:
        actor = self.actor
        fresh = read_actor(s, actor.via or actor.login, actor.login if actor.via else None)
        self.actor = fresh
        return fresh

    def _require(self, permission: Permission) -> Actor:
        actor = self.current_actor()
        actor.require(permission)
        return actor

    # -- helpers -------------------------------------------------------------

    def _log(self, s: Session, request_id: int | None, action: ActivityKind, detail: str = "",
             actor: str | None = None) -> None:
        s.add(Activity(request_id=request_id, at=utcnow(), actor=actor or self.actor.label,
                       action=action, detail=detail))

    def _touch(self, s: Session, req: CertificateRequest | None = None) -> None:
        now = utcnow()
        if req is not None:
            req.updated_at = now
            req.updated_by = self.actor.label
        repository.bump_change_marker(s, now)

    def _lock(
        self, s: Session, request_id: int, expected_version: int | None
    ) -> CertificateRequest:
        req = repository.lock_request(s, request_id)
        if not req.in_queue:
            raise InvalidTransition(
                f"request #{request_id} is a waiver of subrogation whose payment is "
                f"{req.payment_status or 'not approved'}; it is not in the queue yet"
            )
        if expected_version is not None and req.version != expected_version:
            raise StaleRequest(
                f"request #{request_id} was changed by {req.updated_by or 'someone'} at "
                f"{req.updated_at:%Y-%m-%d %H:%M} UTC after you opened it; it has been "
                "reloaded, check it and try again"
            )
        return req

    def _check(self, req: CertificateRequest, why_not) -> None:
        state = _State(req)
        if reason := why_not(state, self.actor.login):
            raise InvalidTransition(reason + _closed_by(req))

    def _ensure_free(self, s: Session, req: CertificateRequest, take_over: bool) -> None:
        """A request in progress with someone else is theirs unless a manager takes it over."""
        if req.status != Status.IN_PROGRESS or req.assignee_id in (None, self.actor.user_id):
            return
        holder = req.assignee
        who = holder.display_name if holder else "someone"
        since = f"{req.claimed_at:%Y-%m-%d %H:%M} UTC" if req.claimed_at else "earlier"
        if not take_over:
            hint = " (a manager may take it over)" if not self.actor.may(Permission.TAKE_OVER) \
                else " (confirm to take it over)"
            raise AlreadyClaimed(
                f"request #{req.id} is in progress by {who} since {since}{hint}",
                holder.login if holder else "",
            )
        self.actor.require(Permission.TAKE_OVER)
        self._log(s, req.id, ActivityKind.TAKEN_OVER, f"taken over from {who}")
        req.assignee_id = self.actor.user_id
        req.claimed_at = utcnow()

    def _write(self):
        return _WriteTransaction(self)

    # -- reading -------------------------------------------------------------

    def queue(self, flt: QueueFilter | None = None, offset: int = 0, limit: int = 100) -> QueuePage:
        self._require(Permission.VIEW)
        with self.db.reading() as s:
            return repository.queue_page(s, flt or QueueFilter(), self.actor.user_id, offset, limit)

    def queue_snapshot(self, flt: QueueFilter | None = None, offset: int = 0,
                       limit: int = 100) -> QueueSnapshot:
        """A page of the queue, the pending badge, the failing emails and the change counter,
        all from one read transaction. A page past the end gives the last page instead."""
        self._require(Permission.VIEW)
        flt = flt or QueueFilter()
        with self.db.reading() as s:
            counter = repository.change_counter(s)
            page = repository.queue_page(s, flt, self.actor.user_id, offset, limit)
            if not page.rows and offset > 0:
                offset = max(0, (page.total - 1) // limit * limit)
                page = repository.queue_page(s, flt, self.actor.user_id, offset, limit)
            return QueueSnapshot(page, repository.pending_count(s),
                                 repository.failing_email_count(s), counter)

    def pending_count(self) -> int:
        self._require(Permission.VIEW)
        with self.db.reading() as s:
            return repository.pending_count(s)

    def change_counter(self) -> int:
        with self.db.reading() as s:
            return repository.change_counter(s)

    def request(self, request_id: int) -> RequestDetail:
        self._require(Permission.VIEW)
        with self.db.reading() as s:
            return repository.request_detail(s, request_id)

    def row(self, request_id: int) -> RequestRow:
        self._require(Permission.VIEW)
        with self.db.reading() as s:
            return repository.request_row(s, request_id)

    def why_not(self, action_id: str, detail: RequestDetail | RequestRow) -> str | None:
        """Why an action is not offered for this request now (None: it is)."""
        action = workflow.ACTIONS_BY_ID[action_id]
        if not self.actor.may(action.permission):
            return (f"{self.actor.login} is a {self.actor.role.label} and may not "
                    f"{action.permission.value}" + (" (view only)" if self.actor.view_only else ""))
        return action.why_not(detail, self.actor.login)

    def certificate(self, request_id: int) -> tuple[str, bytes]:
        """The newest certificate of a request: (file name, PDF bytes)."""
        self._require(Permission.VIEW)
        with self.db.reading() as s:
            repository.request_row(s, request_id)
            cert = s.scalars(
                select(Certificate).where(Certificate.request_id == request_id)
                .order_by(Certificate.revision.desc())
            ).first()
            if cert is None:
                raise NotFound(f"request #{request_id} has no certificate yet")
            return cert.file_name, cert.pdf

    def automation_prefill(self, request_id: int) -> CertificateForm:
        """The certificate form as automation fills it (Compeo and PeoPayGo only)."""
        self._require(Permission.PROCESS)
        with self.db.reading() as s:
            req = s.get(CertificateRequest, request_id) if repository.is_id(request_id) else None
            if req is None:
                raise NotFound(f"there is no request #{request_id}")
            self._check(req, workflow.why_not_automate)
            return automation.prefill(req, req.customer, self._certificate_policy(s, req))

    def policy_refusal(self, request_id: int, form: CertificateForm | None = None) -> str | None:
        """Why the request may not be completed today without an override reason (None: it may).

        Asked before a dialog opens, so that it can show the refusal and a reason field.
        A WOS whose payment does not stand approved is refused outright (no override).
        """
        self._require(Permission.PROCESS)
        with self.db.reading() as s:
            req = s.get(CertificateRequest, request_id)
            if req is None:
                raise NotFound(f"there is no request #{request_id}")
            _require_payment_standing(req)
            return self._policy_refusal(s, req, form)

    # -- processing actions --------------------------------------------------

    def start(self, request_id: int, expected_version: int | None = None,
                         take_over: bool = False) -> RequestRow:
        """Claim the request for the current user."""
        self._require(Permission.PROCESS)
        with self._write() as s:
            req = self._lock(s, request_id, expected_version)
            self._check(req, workflow.why_not_start)
            self._ensure_free(s, req, take_over)
            req.status = Status.IN_PROGRESS
            if req.assignee_id != self.actor.user_id:
                req.assignee_id = self.actor.user_id
                req.claimed_at = utcnow()
            self._log(s, req.id, ActivityKind.START, f"marked in progress by {self.actor.label}")
            self._touch(s, req)
            s.flush()
            return repository.request_row(s, request_id)

    def relabel(self, request_id: int, expected_version: int | None = None,
                       take_over: bool = False) -> RequestRow:
        """Relabel a request mislabelled at submission as a waiver of subrogation."""
        self._require(Permission.PROCESS)
        with self._write() as s:
            req = self._lock(s, request_id, expected_version)
            self._check(req, workflow.why_not_relabel)
            self._ensure_free(s, req, take_over)
            self._relabel(s, req)
            self._touch(s, req)
            s.flush()
            return repository.request_row(s, request_id)

    def _relabel(self, s: Session, req: CertificateRequest) -> None:
        before = req.type
        req.type = RequestType.WOS
        self._log(s, req.id, ActivityKind.RELABEL, f"relabelled {before} → WOS")

    def automate(
        self,
        request_id: int,
        *,
        form: CertificateForm | None = None,
        changes: dict[str, str] | None = None,
        wos: bool = False,
        to_holder: bool | None = None,
        attachment: tuple[str, bytes] | None = None,
        expected_version: int | None = None,
        take_over: bool = False,
        override_reason: str | None = None,
    ) -> Completion:
        """Attempt automation: issue the (reviewed) certificate and email it.

        The policy must be in force on the certificate's date (see ``_policy_refusal``);
        ``override_reason`` is the processor's written reason to issue anyway.
        """
        self._require(Permission.PROCESS)
        if override_reason is not None:
            override_reason = automation.clean_override_reason(override_reason)
        with self._write() as s:
            req = self._lock(s, request_id, expected_version)
            self._check(req, workflow.why_not_automate)
            self._ensure_free(s, req, take_over)
            _require_payment_standing(req)
            if form is None:
                form = automation.prefill(req, req.customer, self._certificate_policy(s, req))
            if changes:
                form = form.with_changes(changes)
            if req.type == RequestType.WOS and not form.wos:
                raise ValidationFailed(
                    f"request #{req.id} is a waiver of subrogation: its certificate must show "
                    "SUBR WVD Y (wos cannot be turned off)"
                )
            if wos and not form.wos:
                form = automation.with_wos(form)
            if form.wos and req.type != RequestType.WOS:
                self._relabel(s, req)
            if attachment is None:
                automation.require_valid(form)
            elif form.holder_email:
                addresses.normalized(form.holder_email, "holder_email")
            overridden = self._policy_term_or_override(s, req, form, attachment, override_reason)
            self._apply_holder(req, form)
            _fits(req)
            return self._complete(s, req, form=form, attachment=attachment, to_holder=to_holder,
                                  overridden=overridden)

    def upload(
        self,
        request_id: int,
        file_name: str,
        data: bytes,
        *,
        to_holder: bool | None = None,
        expected_version: int | None = None,
        take_over: bool = False,
        override_reason: str | None = None,
    ) -> Completion:
        """Complete a request with a certificate issued elsewhere (Cornerstone, or any).

        The same policy-date rule and override as ``automate`` apply.
        """
        self._require(Permission.PROCESS)
        if override_reason is not None:
            override_reason = automation.clean_override_reason(override_reason)
        check_certificate_pdf(data, file_name)
        with self._write() as s:
            req = self._lock(s, request_id, expected_version)
            self._check(req, workflow.why_not_upload)
            self._ensure_free(s, req, take_over)
            _require_payment_standing(req)
            overridden = self._policy_term_or_override(s, req, None, (file_name, data),
                                                       override_reason)
            return self._complete(s, req, form=None, attachment=(file_name, data),
                                  to_holder=to_holder, overridden=overridden)

    # -- the policy must be in force on the certificate's date --------------------------

    def _certificate_policy(self, s: Session, req: CertificateRequest,
                            day: date | None = None) -> Policy | None:
        """The customer's policy a certificate dated ``day`` (today) is for.

        The term in force that day (the request's own when several are), else a term
        starting within the renewal window, else the request's policy or the newest one
        (which the policy rule then refuses with its dates).
        """
        day = day or utcnow().date()
        policies = list(s.scalars(select(Policy).where(Policy.customer_id == req.customer_id)))
        in_force = [p for p in policies if p.effective <= day <= p.expires]
        if in_force:
            return next((p for p in in_force if p.id == req.policy_id),
                        max(in_force, key=lambda p: (p.expires, p.id)))
        horizon = day + timedelta(days=self.settings.renewal_window_days)
        upcoming = [p for p in policies if day < p.effective <= horizon]
        if upcoming:
            return min(upcoming, key=lambda p: (p.effective, p.id))
        if req.policy is not None:
            return req.policy
        return max(policies, key=lambda p: (p.expires, p.id), default=None)

    def _policy_refusal(self, s: Session, req: CertificateRequest,
                        form: CertificateForm | None,
                        attachment: tuple[str, bytes] | None = None) -> str | None:
        """Why a certificate dated today may not be issued on this policy, or None.

        The policy on record is checked (the customer's policy with the form's number, else
        the one ``_certificate_policy`` picks) and so is the term a generated certificate
        prints, so that neither an expired record nor edited dates slip through.
        """
        day = utcnow().date()
        window = self.settings.renewal_window_days
        record = None
        if form is not None and form.policy_number.strip():
            record = s.scalar(select(Policy).where(
                Policy.customer_id == req.customer_id,
                Policy.number == form.policy_number.strip()))
        if record is None:
            record = self._certificate_policy(s, req, day)
        if record is None:
            return (f"customer {req.customer.code} has no policy on record; the certificate "
                    f"is dated {day}")
        refusal = automation.term_refusal(record.number, record.effective, record.expires,
                                          day, window)
        if refusal is None and form is not None and attachment is None:
            refusal = automation.term_refusal(form.policy_number, form.effective, form.expires,
                                              day, window)
            if refusal is not None:
                refusal += " (as printed on the certificate)"
        return refusal

    def _policy_term_or_override(self, s: Session, req: CertificateRequest,
                                 form: CertificateForm | None,
                                 attachment: tuple[str, bytes] | None,
                                 override_reason: str | None) -> str:
        """Refuse a policy not in force unless a written reason overrides it (then logged)."""
        refusal = self._policy_refusal(s, req, form, attachment)
        if refusal is None:
            return ""
        if override_reason is None:
            raise PolicyNotInForce(f"request #{req.id}: {refusal}; nothing was issued")
        self._log(s, req.id, ActivityKind.POLICY_OVERRIDE,
                  f"{refusal}; issued anyway, reason: {override_reason}")
        return refusal

    def _apply_holder(self, req: CertificateRequest, form: CertificateForm) -> None:
        """Corrections made on the form become the request's holder."""
        req.holder_name = form.holder_name
        req.holder_address = form.holder_address
        req.holder_city = form.holder_city
        req.holder_state = form.holder_state
        req.holder_zip = form.holder_zip
        req.holder_email = form.holder_email

    def _complete(
        self,
        s: Session,
        req: CertificateRequest,
        *,
        form: CertificateForm | None,
        attachment: tuple[str, bytes] | None,
        to_holder: bool | None,
        actor: str | None = None,
        overridden: str = "",
    ) -> Completion:
        # fpdf2 is slow to import: load it when the first certificate is issued.
        from certdesk_tui.certificate_pdf import certificate_file_name, render_certificate

        if attachment is not None:
            check_certificate_pdf(attachment[1], attachment[0])
        to_holder = req.send_to_holder if to_holder is None else to_holder
        if to_holder and not req.holder_email:
            raise ValidationFailed(
                f"request #{req.id} has no holder email: add one or do not send to the holder"
            )
        holder_email = (addresses.normalized(req.holder_email, f"request #{req.id}'s holder email")
                        if to_holder else "")
        now = utcnow()
        revision = s.scalar(
            select(func.count()).select_from(Certificate).where(Certificate.request_id == req.id)
        ) or 0
        number = certificate_number(req.id)
        if attachment is None:
            assert form is not None
            pdf = render_certificate(form, number=number, revision=revision, issued_on=now.date())
            source = CertificateSource.GENERATED
            file_name = certificate_file_name(number, revision, form.insured_name)
        else:
            pdf = attachment[1]
            source = CertificateSource.UPLOADED
            file_name = certificate_file_name(number, revision, req.customer.name)
        cert = Certificate(
            request_id=req.id, number=number, revision=revision, source=source,
            file_name=file_name, sha256=hashlib.sha256(pdf).hexdigest(),
            data=form.to_json() if form else {"uploaded_file": attachment[0]},
            pdf=pdf, issued_at=now, issued_by=actor or self.actor.label,
        )
        s.add(cert)
        s.flush()
        how = "generated" if attachment is None else f"attached file {attachment[0]!r}"
        self._log(s, req.id, ActivityKind.CERTIFICATE_ISSUED,
                  f"{certificate_title(number, revision)} ({how})", actor=actor)
        if req.assignee_id is None and actor is None:
            req.assignee_id = self.actor.user_id
            req.claimed_at = now
        req.status = Status.COMPLETED
        req.closed_at = now
        self._log(s, req.id, ActivityKind.COMPLETED, "status Completed", actor=actor)
        drafts = completed_emails(
            request_id=req.id, request_type=req.type, brand=Brand(req.customer.brand),
            customer_name=req.customer.name,
            customer_email=addresses.usable(req.customer.email),
            holder_name=req.holder_name, holder_email=holder_email, to_holder=to_holder,
            certificate_number=number,
        )
        emailed = self._queue_emails(s, req, drafts, cert, actor)
        self._touch(s, req)
        if actor is not None:
            req.updated_by = actor
        s.flush()
        return Completion(req.id, number, file_name, tuple(emailed), overridden)

    def _queue_emails(self, s: Session, req: CertificateRequest, drafts: list[EmailDraft],
                      cert: Certificate | None, actor: str | None = None) -> list[str]:
        now = utcnow()
        # A placeholder until it is sent: delivery puts the sender's domain at send time.
        domain = addresses.sender_domain(self.settings.mail_from) or "certdesk.invalid"
        if not any(d.recipient_role == "customer" for d in drafts):
            self._log(s, req.id, ActivityKind.EMAIL_NOT_SENT,
                      "no email to the customer: no valid customer email address on file",
                      actor=actor)
        for d in drafts:
            s.add(OutboxEmail(
                request_id=req.id, kind=d.kind, recipient_role=d.recipient_role,
                to_addr=d.to_addr, to_name=d.to_name, subject=d.subject, body_text=d.body_text,
                body_html=d.body_html,
                certificate_id=cert.id if (cert and d.attach_certificate) else None,
                attachment_name=cert.file_name if (cert and d.attach_certificate) else None,
                message_id=make_msgid(domain=domain), state=EmailState.QUEUED,
                next_attempt_at=now, created_at=now,
            ))
            self._log(s, req.id, ActivityKind.EMAIL_QUEUED,
                      f"{d.kind} email queued to {d.recipient_role} {d.to_addr}", actor=actor)
        return [d.to_addr for d in drafts]

    def reject(self, request_id: int, reason: str | int, expected_version: int | None = None,
               take_over: bool = False) -> RequestRow:
        """Reject with a configured reason; the customer is emailed the reason."""
        self._require(Permission.PROCESS)
        with self._write() as s:
            chosen = self._find_reason(s, reason)
            req = self._lock(s, request_id, expected_version)
            self._check(req, workflow.why_not_reject)
            self._ensure_free(s, req, take_over)
            now = utcnow()
            if req.assignee_id is None:
                req.assignee_id = self.actor.user_id
                req.claimed_at = now
            req.status = Status.REJECTED
            req.closed_at = now
            req.rejection_reason_id = chosen.id
            req.rejection_reason_text = chosen.text
            self._log(s, req.id, ActivityKind.REJECT, f"rejected: {chosen.text}")
            draft = rejected_email(
                request_id=req.id, request_type=req.type, brand=Brand(req.customer.brand),
                customer_name=req.customer.name,
                customer_email=addresses.usable(req.customer.email),
                holder_name=req.holder_name, reason=chosen.text,
            )
            self._queue_emails(s, req, [draft] if draft else [], None)
            self._touch(s, req)
            s.flush()
            return repository.request_row(s, request_id)

    def _find_reason(self, s: Session, reason: str | int) -> RejectionReason:
        active = list(s.scalars(
            select(RejectionReason).where(RejectionReason.active.is_(True))
            .order_by(RejectionReason.position, RejectionReason.id)
        ))
        text = str(reason).strip()
        for r in active:
            # ASCII digits only: int() would also take "²" (and fail) or "٣".
            by_id = text.isascii() and text.isdigit() and len(text) <= 20 and r.id == int(text)
            if by_id or r.text.casefold() == text.casefold():
                return r
        listed = "; ".join(f"{r.id}: {r.text}" for r in active)
        raise ValidationFailed(
            f"unknown or retired rejection reason {text!r}; choose one of {listed}"
        )

    def note(self, request_id: int, body: str) -> None:
        """An internal note on the request (never emailed)."""
        self._require(Permission.PROCESS)
        body = (body or "").strip()
        if not body:
            raise ValidationFailed("a note needs some text")
        if len(body) > MAX_NOTE_LENGTH:
            raise ValidationFailed(f"a note is at most {MAX_NOTE_LENGTH} characters")
        with self._write() as s:
            req = repository.lock_request(s, request_id)
            s.add(Note(request_id=req.id, author=self.actor.label, body=body, created_at=utcnow()))
            req.has_notes = True
            self._log(s, req.id, ActivityKind.NOTE, "internal note added")
            self._touch(s, req)

    # -- intake --------------------------------------------------------------

    def import_submissions(self, lines: Iterable[str | bytes]) -> ImportReport:
        """Take in portal and mobile submissions (JSON Lines), one transaction per line.

        Each line is parsed, checked and stored on its own: whatever is wrong with one
        (its text, its content, or a write the database refuses) refuses that line with
        the reason, and the import goes on with the next.
        """
        self._require(Permission.IMPORT)
        report = ImportReport()
        for number, line in numbered_lines(lines, report):
            parsed: intake.Submission | intake.PaymentUpdate | None = None
            try:
                parsed = intake.parse_line(line)
                with self._write() as s:
                    if isinstance(parsed, intake.PaymentUpdate):
                        outcome = self._payment_update(s, parsed)
                    else:
                        outcome = self._take_in(s, parsed)
            except IntegrityError as exc:
                # Another intake stored the same external id at the same moment?
                received = self._received_as(parsed) if isinstance(
                    parsed, intake.Submission) else None
                if received is None:
                    report.refused.append(LineOutcome(number, _database_refused(exc)))
                else:
                    report.unchanged.append(LineOutcome(number, "already received", received))
                continue
            except Exception as exc:  # noqa: BLE001 - one line never stops an import
                report.refused.append(LineOutcome(number, _line_refused(exc)))
                if self._stopped_answering(exc, number, report):
                    break
                continue
            message, request_id, changed = outcome
            bucket = report.accepted if changed else report.unchanged
            bucket.append(LineOutcome(number, message, request_id))
        return report

    def _stopped_answering(self, exc: Exception, number: int, report: ImportReport) -> bool:
        """After an operational database error, is the database still there at all?

        A line the database refuses costs only that line; a database that no longer
        answers would refuse every line after it, so the import stops and says so.
        """
        if not isinstance(exc, OperationalError):
            return False
        try:
            with self.db.reading() as s:
                s.execute(select(1))
        except SQLAlchemyError as probe:
            report.stopped = (f"import stopped at line {number}: "
                              f"{_database_refused(probe).replace('refused it', 'did not answer')}"
                              "; the lines after it were not read")
            return True
        return False

    def _received_as(self, sub: intake.Submission) -> int | None:
        try:
            with self.db.reading() as s:
                return s.scalar(select(CertificateRequest.id)
                                .where(CertificateRequest.external_id == sub.external_id))
        except SQLAlchemyError:
            return None

    def _payment_update(self, s: Session, update: intake.PaymentUpdate) -> tuple[str, int, bool]:
        req = s.scalars(
            select(CertificateRequest).where(CertificateRequest.external_id == update.external_id)
            .with_for_update()
        ).first()
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
        self._log(s, req.id, ActivityKind.PAYMENT_UPDATED, detail, actor=SYSTEM)
        self._touch(s, req)
        req.updated_by = SYSTEM
        return detail, req.id, True

    def _take_in(self, s: Session, sub: intake.Submission) -> tuple[str, int, bool]:
        existing = s.scalar(
            select(CertificateRequest.id).where(CertificateRequest.external_id == sub.external_id)
        )
        if existing is not None:
            return f"already received as request #{existing}", existing, False
        customer = s.scalar(select(Customer).where(Customer.code == sub.customer_code))
        if customer is None:
            raise IntakeRefused(f"unknown customer {intake.shown(sub.customer_code)}")
        intake.check_customer(sub, customer.status)
        policy = _policy_for(s, customer.id, sub.submitted_at)
        holder, cut = intake.fit_holder(sub.holder, HOLDER_LIMITS)
        sub = replace(sub, holder=holder)
        found = cut + intake.discrepancies(sub, customer.status, policy is not None,
                                           customer.email)
        if policy is not None:
            # The certificate would be dated today: never issue on a term that has ended since.
            refusal = automation.term_refusal(policy.number, policy.effective, policy.expires,
                                              utcnow().date(), self.settings.renewal_window_days)
            if refusal is not None:
                found.append(refusal)
        brand = Brand(customer.brand)
        reasons = intake.manual_reasons(sub, brand, found, customer.email)
        duplicates = repository.possible_duplicates(
            s, customer.id, sub.holder.key, sub.submitted_at, self.settings.duplicate_window_days
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
        _fits(req)
        s.add(req)
        s.flush()
        for other in duplicates:
            s.add_all([DuplicateLink(request_id=req.id, other_id=other),
                       DuplicateLink(request_id=other, other_id=req.id)])
        self._log(s, req.id, ActivityKind.SUBMITTED,
                  f"{sub.type} submitted through the {sub.channel} "
                  f"(imported by {self.actor.label})",
                  actor=SYSTEM)
        if not req.in_queue:
            self._log(s, req.id, ActivityKind.AWAITING_PAYMENT,
                      f"WOS payment {sub.payment_status or 'unknown'}: hidden from the queue "
                      "until approved", actor=SYSTEM)
        if reasons:
            self._log(s, req.id, ActivityKind.MANUAL,
                      f"assigned to {CERTIFICATES_DEPARTMENT}: " + "; ".join(reasons), actor=SYSTEM)
            repository.bump_change_marker(s, now)
            return f"stored as request #{req.id} (manual: {'; '.join(reasons)})", req.id, True
        # Rule 3: a clean COI/POI for Compeo or PeoPayGo is processed automatically. When
        # that stops (a certificate that cannot be issued as it is), the request is kept
        # and goes to the manual list with the reason: the savepoint undoes only the attempt.
        try:
            with s.begin_nested():
                form = automation.prefill(req, customer, policy)
                self._log(s, req.id, ActivityKind.AUTO_PROCESSED, "processed automatically",
                          actor=SYSTEM)
                completion = self._complete(s, req, form=form, attachment=None,
                                            to_holder=None, actor=SYSTEM)
        except Exception as exc:  # noqa: BLE001 - the request is kept whatever stopped it
            why = _line_refused(exc, "the certificate could not be issued")
            stopped = f"automatic processing stopped: {why}"
            req.manual, req.manual_reasons = True, [stopped]
            req.department = CERTIFICATES_DEPARTMENT
            self._log(s, req.id, ActivityKind.MANUAL,
                      f"assigned to {CERTIFICATES_DEPARTMENT}: {stopped}", actor=SYSTEM)
            repository.bump_change_marker(s, now)
            return f"stored as request #{req.id} (manual: {stopped})", req.id, True
        return (f"stored as request #{req.id} and completed automatically "
                f"(certificate {completion.certificate_number})", req.id, True)

    def import_customers(self, lines: Iterable[str | bytes]) -> ImportReport:
        """Load or update customers and their policies (JSON Lines), one transaction a line."""
        self._require(Permission.IMPORT)
        report = ImportReport()
        for number, line in numbered_lines(lines, report):
            try:
                record = _parse_customer(line)
                with self._write() as s:
                    message, changed = self._upsert_customer(s, record)
            except Exception as exc:  # noqa: BLE001 - one line never stops an import
                report.refused.append(LineOutcome(number, _line_refused(exc)))
                if self._stopped_answering(exc, number, report):
                    break
                continue
            (report.accepted if changed else report.unchanged).append(LineOutcome(number, message))
        return report

    def _upsert_customer(self, s: Session, record: dict) -> tuple[str, bool]:
        now = utcnow()
        customer = s.scalar(select(Customer).where(Customer.code == record["code"]))
        created = customer is None
        if customer is None:
            customer = Customer(code=record["code"])
            s.add(customer)
        for key in ("name", "brand", "status", "email", "address", "city", "state", "zip"):
            setattr(customer, key, record[key])
        customer.name_search = record["name"].lower()
        customer.updated_at = now
        _fits(customer)
        if record["policies"] is not None:
            for p in record["policies"]:
                _fits(Policy(**p))
            # Update in place, matched by number: requests refer to the policy they were under.
            # A number held twice (by an older import) is healed: the first is kept.
            existing: dict[str, Policy] = {}
            extra: list[Policy] = []
            for p in sorted(customer.policies, key=lambda p: p.id or 0):
                if p.number in existing:
                    extra.append(p)
                else:
                    existing[p.number] = p
            for p in record["policies"]:
                policy = existing.pop(p["number"], None)
                if policy is None:
                    customer.policies.append(Policy(**p))
                else:
                    for key, value in p.items():
                        setattr(policy, key, value)
            for gone in [*existing.values(), *extra]:
                s.execute(update(CertificateRequest).where(CertificateRequest.policy_id == gone.id)
                          .values(policy_id=None, version=CertificateRequest.version + 1))
                customer.policies.remove(gone)
        s.flush()
        repository.bump_change_marker(s, now)
        self._log(s, None, ActivityKind.CUSTOMER_IMPORTED,
                  f"customer {customer.code} {'created' if created else 'updated'}")
        return f"customer {customer.code} {'created' if created else 'updated'}", True

    # -- configuration (managers) --------------------------------------------

    def reasons(self, include_retired: bool = False) -> list[ReasonView]:
        self._require(Permission.VIEW)
        with self.db.reading() as s:
            used = dict(s.execute(
                select(CertificateRequest.rejection_reason_id, func.count())
                .where(CertificateRequest.rejection_reason_id.is_not(None))
                .group_by(CertificateRequest.rejection_reason_id)
            ).all())
            stmt = select(RejectionReason).order_by(RejectionReason.position, RejectionReason.id)
            if not include_retired:
                stmt = stmt.where(RejectionReason.active.is_(True))
            return [ReasonView(r.id, r.text, r.active, used.get(r.id, 0)) for r in s.scalars(stmt)]

    def _reason_text(self, text: str) -> str:
        text = " ".join((text or "").split())
        if not text:
            raise ValidationFailed("a rejection reason needs some text")
        if len(text) > 300:
            raise ValidationFailed("a rejection reason is at most 300 characters")
        return text

    def _unique_reason(self, s: Session, text: str, except_id: int | None = None) -> None:
        clash = s.scalar(select(RejectionReason).where(
            func.lower(RejectionReason.text) == text.lower()))
        if clash is not None and clash.id != except_id:
            state = "" if clash.active else " (retired)"
            raise ValidationFailed(f"reason {clash.id}{state} already says {clash.text!r}")

    def add_reason(self, text: str) -> ReasonView:
        self._require(Permission.CONFIGURE_REASONS)
        text = self._reason_text(text)
        with self._write() as s:
            self._unique_reason(s, text)
            position = (s.scalar(select(func.max(RejectionReason.position))) or 0) + 1
            reason = RejectionReason(text=text, position=position, active=True, created_at=utcnow())
            s.add(reason)
            s.flush()
            self._log(s, None, ActivityKind.REASON_ADDED,
                      f"rejection reason {reason.id} added: {text}")
            repository.bump_change_marker(s, utcnow())
            return ReasonView(reason.id, reason.text, True, 0)

    def _get_reason(self, s: Session, reason_id: int) -> RejectionReason:
        reason = s.get(RejectionReason, reason_id) if repository.is_id(reason_id) else None
        if reason is None:
            raise NotFound(f"there is no rejection reason {reason_id}")
        return reason

    def rename_reason(self, reason_id: int, text: str) -> ReasonView:
        self._require(Permission.CONFIGURE_REASONS)
        text = self._reason_text(text)
        with self._write() as s:
            reason = self._get_reason(s, reason_id)
            self._unique_reason(s, text, except_id=reason.id)
            before = reason.text
            reason.text = text
            self._log(s, None, ActivityKind.REASON_RENAMED,
                      f"rejection reason {reason.id}: {before} → {text}")
            repository.bump_change_marker(s, utcnow())
            return ReasonView(reason.id, reason.text, reason.active, 0)

    def retire_reason(self, reason_id: int) -> ReasonView:
        """Retired reasons are no longer offered; used ones stay on the requests they closed."""
        self._require(Permission.CONFIGURE_REASONS)
        with self._write() as s:
            reason = self._get_reason(s, reason_id)
            if not reason.active:
                raise InvalidTransition(f"rejection reason {reason_id} is already retired")
            remaining = s.scalar(select(func.count()).select_from(RejectionReason).where(
                RejectionReason.active.is_(True))) or 0
            if remaining <= 1:
                raise InvalidTransition("the last active rejection reason cannot be retired")
            reason.active = False
            reason.retired_at = utcnow()
            self._log(s, None, ActivityKind.REASON_RETIRED,
                      f"rejection reason {reason.id} retired: {reason.text}")
            repository.bump_change_marker(s, utcnow())
            return ReasonView(reason.id, reason.text, False, 0)

    # -- users (managers) ----------------------------------------------------

    def users(self) -> list[UserView]:
        self._require(Permission.VIEW)
        with self.db.reading() as s:
            return [UserView(u.login, u.name, u.email, u.role, u.active)
                    for u in s.scalars(select(User).order_by(User.login))]

    def add_user(self, login: str, role: str, name: str = "", email: str = "") -> UserView:
        self._require(Permission.MANAGE_USERS)
        login = login.strip()
        role_value = parse_role(role)
        if (not login or any(c.isspace() for c in login) or len(login) > 64
                or "\x00" in login or any("\ud800" <= c <= "\udfff" for c in login)):
            # No database stores a NUL or a lone surrogate; other odd characters are
            # stored as typed and shown as placeholders.
            raise ValidationFailed(f"{login!r} is not a valid login")
        if email:
            email = addresses.normalized(email, "email")
        with self._write() as s:
            if s.scalar(select(User).where(User.login == login)) is not None:
                raise ValidationFailed(f"user {login} already exists (use users set-role)")
            user = User(login=login, name=name.strip(), email=email.strip(), role=role_value,
                        active=True, created_at=utcnow())
            _fits(user)
            s.add(user)
            note = db_roles.grant_group(s, login, role_value)
            self._log(s, None, ActivityKind.USER_ADDED, f"user {login} added as {role_value.label}"
                      + (f"; {note}" if note else ""))
            return UserView(login, name, email, role_value, True, note)

    def set_role(self, login: str, role: str) -> UserView:
        self._require(Permission.MANAGE_USERS)
        role_value = parse_role(role)
        with self._write() as s:
            user = self._managed_user(s, login)
            if user.role == Role.MANAGER and role_value != Role.MANAGER:
                self._keep_a_manager(s, user)
            before = user.role
            user.role = role_value
            note = db_roles.grant_group(s, login, role_value if user.active else None)
            self._log(s, None, ActivityKind.ROLE_CHANGED, f"user {login}: {before} → {role_value}"
                      + (f"; {note}" if note else ""))
            # Open desks reload: their header shows the new role, their keys follow it.
            s.flush()
            repository.bump_change_marker(s, utcnow())
            return UserView(user.login, user.name, user.email, user.role, user.active, note)

    def set_active(self, login: str, active: bool) -> UserView:
        """Disable an account (it can no longer act, from its next action) or enable it."""
        self._require(Permission.MANAGE_USERS)
        with self._write() as s:
            user = self._managed_user(s, login)
            if user.active == active:
                raise InvalidTransition(
                    f"user {login} is already {'enabled' if active else 'disabled'}")
            if not active and user.role == Role.MANAGER:
                self._keep_a_manager(s, user)
            user.active = active
            note = db_roles.grant_group(s, login, Role(user.role) if active else None)
            self._log(s, None, ActivityKind.USER_ENABLED if active else ActivityKind.USER_DISABLED,
                      f"user {login} {'enabled' if active else 'disabled'}"
                      + (f"; {note}" if note else ""))
            s.flush()
            repository.bump_change_marker(s, utcnow())
            return UserView(user.login, user.name, user.email, user.role, user.active, note)

    def _managed_user(self, s: Session, login: str) -> User:
        # The active managers are locked first, always in the same order: two managers
        # demoting each other at the same moment cannot leave the team without one.
        s.scalars(select(User.id).where(User.role == Role.MANAGER, User.active.is_(True))
                  .order_by(User.id).with_for_update()).all()
        self._reread_actor(s).require(Permission.MANAGE_USERS)
        user = s.scalar(select(User).where(User.login == login))
        if user is None:
            raise NotFound(f"there is no user {login}")
        return user

    def _keep_a_manager(self, s: Session, user: User) -> None:
        managers = s.scalar(select(func.count()).select_from(User).where(
            User.role == Role.MANAGER, User.active.is_(True))) or 0
        if user.active and managers <= 1:
            raise InvalidTransition(f"{user.login} is the last manager; appoint another first")


class _WriteTransaction:
    """A write transaction that turns a lost optimistic-concurrency race into StaleRequest.

    It reads the acting user again inside the transaction: a role that lost a
    permission since the action was checked (or a disabled account) writes nothing.
    """

    def __init__(self, desk: Desk) -> None:
        self._desk = desk
        self._checked = desk.actor
        self._cm = desk.db.writing()

    def __enter__(self) -> Session:
        s = self._cm.__enter__()
        try:
            fresh = self._desk._reread_actor(s)
            if not MATRIX[fresh.role] >= MATRIX[self._checked.role]:
                raise PermissionDenied(
                    f"{fresh.login} is now a {fresh.role.label}; nothing was changed"
                )
        except BaseException as exc:
            self._cm.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return s

    def __exit__(self, exc_type, exc, tb) -> bool | None:
        try:
            return self._cm.__exit__(exc_type, exc, tb)
        except StaleDataError:
            raise StaleRequest(
                "someone else changed this request at the same moment; it has been reloaded, "
                "check it and try again"
            ) from None


class _State:
    """The workflow rules' view of an ORM request."""

    def __init__(self, req: CertificateRequest) -> None:
        self.id = req.id
        self.status = req.status
        self.type = req.type
        self.brand = req.customer.brand
        self.assignee_login = req.assignee.login if req.assignee else None


def _require_payment_standing(req: CertificateRequest) -> None:
    """A WOS is completed only while its payment stands approved (a later decline stops it)."""
    if (req.type == RequestType.WOS and req.payment_status is not None
            and req.payment_status != PaymentStatus.APPROVED):
        raise InvalidTransition(
            f"request #{req.id} is a waiver of subrogation whose payment is now "
            f"{req.payment_status}: it cannot be completed until the payment is approved "
            "(reject it if the customer will not pay)"
        )


def _closed_by(req: CertificateRequest) -> str:
    """Who closed a completed or rejected request, and when: the loser of a race is told."""
    session = Session.object_session(req)
    if session is None or not Status(req.status).is_final:
        return ""
    closing = session.execute(
        select(Activity.actor, Activity.at)
        .where(Activity.request_id == req.id, Activity.action.in_(CLOSING_KINDS))
        .order_by(Activity.id.desc()).limit(1)
    ).first()
    if closing is None:
        return ""
    done = Status(req.status).label.lower()
    return f" ({closing.actor} {done} it at {closing.at:%Y-%m-%d %H:%M} UTC)"


def _fits(row) -> None:
    """Refuse text longer than its column: PostgreSQL would fail the write, SQLite keep it."""
    for column in row.__table__.columns:
        value = getattr(row, column.key, None)
        length = getattr(column.type, "length", None)
        if isinstance(value, str) and length and len(value) > length:
            raise ValidationFailed(f"{column.key} is longer than {length} characters")


def parse_role(role: str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        raise ValidationFailed(
            f"unknown role {role!r}; roles: {', '.join(r.value for r in Role)}"
        ) from None


def _policy_for(s: Session, customer_id: int, on: datetime) -> Policy | None:
    day = on.date()
    return s.scalars(
        select(Policy).where(Policy.customer_id == customer_id, Policy.effective <= day,
                             Policy.expires >= day).order_by(Policy.expires.desc())
    ).first()


def _parse_customer(line: str) -> dict:
    data = intake.load_record(line)

    def text(key: str, required: bool = False) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise ValidationFailed(f"missing {key}")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationFailed(f"{key} must be text")
        return str(value).strip()

    record = {k: text(k, required=k in ("code", "name", "brand")) for k in
              ("code", "name", "brand", "status", "email", "address", "city", "state", "zip")}
    try:
        record["brand"] = Brand(record["brand"].lower()).value
    except ValueError:
        raise ValidationFailed(
            f"unknown brand {intake.shown(record['brand'])} "
            "(expected compeo|peopaygo|cornerstone)") from None
    status = (record["status"] or "active").lower()
    if status not in (CustomerStatus.ACTIVE, CustomerStatus.INACTIVE):
        raise ValidationFailed(f"unknown status {intake.shown(status)} (expected active|inactive)")
    record["status"] = status
    policies = data.get("policies")
    if policies is not None:
        if not isinstance(policies, list):
            raise ValidationFailed("policies must be a list")
        record["policies"] = [_parse_policy(p, i) for i, p in enumerate(policies, start=1)]
        first_with: dict[str, int] = {}
        for index, p in enumerate(record["policies"], start=1):
            if p["number"] in first_with:
                raise ValidationFailed(
                    f"policies {first_with[p['number']]} and {index} have the same number "
                    f"{intake.shown(p['number'])}: a policy number is listed once")
            first_with[p["number"]] = index
    else:
        record["policies"] = None
    return record


def _parse_policy(p: object, index: int) -> dict:
    from datetime import date

    where = f"policy {index}"
    if not isinstance(p, dict):
        raise ValidationFailed(f"{where} must be an object")

    def text(key: str, default: str = "") -> str:
        value = p.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationFailed(f"{where}: {key} must be text")
        return str(value).strip() or default

    out: dict = {"line": text("line", "workers_comp")}
    for key in ("carrier", "number"):
        out[key] = text(key)
        if not out[key]:
            raise ValidationFailed(f"{where}: missing {key}")
    out["naic"] = text("naic")
    for key in ("effective", "expires"):
        value = p.get(key)
        try:
            if not isinstance(value, str):
                raise ValueError
            out[key] = date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(f"{where}: {key} must be a date YYYY-MM-DD") from None
        intake.in_range(out[key], f"{where}: {key}")
    if out["expires"] <= out["effective"]:
        raise ValidationFailed(f"{where}: expires must be after effective")
    limits = p.get("limits") or {}
    if not isinstance(limits, dict):
        raise ValidationFailed(f"{where}: limits must be an object")
    for key in ("each_accident", "disease_each_employee", "disease_policy_limit"):
        value = limits.get(key, 0)
        # 0 (or absent) means not on file: automation then asks for the limit.
        problem = None if type(value) is int and value == 0 else automation.limit_problem(value)
        if problem:
            raise ValidationFailed(f"{where}: limits.{key} must be a whole dollar amount up to "
                                   f"${automation.LIMIT_MAX:,} (0 when not on file)")
        out[key] = value
    return out


__all__ = ["Desk", "ImportReport", "Completion", "PermissionDenied", "parse_role"]
