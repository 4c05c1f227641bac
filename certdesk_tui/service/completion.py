"""Completing a request: the policy term check, the certificate, the emails.

Shared by automation, upload and intake's automatic processing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from email.utils import make_msgid
from typing import Any

from sqlalchemy.orm import Session

from certdesk_tui.clock import utcnow
from certdesk_tui.domain import (
    ActivityKind,
    Brand,
    CertificateSource,
    EmailState,
    Status,
    addresses,
    automation,
    certificate_number,
    certificate_title,
)
from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.errors import PolicyNotInForce, ValidationFailed
from certdesk_tui.notifications import EmailDraft, completed_emails
from certdesk_tui.pdf.upload_check import check_certificate_pdf
from certdesk_tui.service.holders import record_issue
from certdesk_tui.service.session import DeskSession
from certdesk_tui.service.verification import (
    holder_as_issued,
    refuse_another_holders_certificate,
    refuse_own_certificate,
    unused_code,
)
from certdesk_tui.storage import customers, requests
from certdesk_tui.storage.models import Certificate, CertificateRequest, OutboxEmail, Policy
from certdesk_tui.storage.verification import code_in_use


@dataclass(frozen=True)
class Drawn:
    """A certificate already drawn from the form outside the transaction (intake's
    automatic processing): used when it is the one this completion would draw."""

    pdf: bytes
    number: str
    revision: int
    issued_on: date
    verification_code: str


@dataclass(frozen=True)
class Completion:
    request_id: int
    certificate_number: str
    file_name: str
    emailed: tuple[str, ...]
    # The policy-date refusal a processor overrode with a written reason ("" when none).
    overridden: str = ""


def certificate_policy(ds: DeskSession, s: Session, req: CertificateRequest,
                       day: date | None = None) -> Policy | None:
    """The customer's policy a certificate dated ``day`` (today) is for.

    The term in force that day (the request's own when several are), else a term
    starting within the renewal window, else the request's policy or the newest one
    (which the policy rule then refuses with its dates).
    """
    day = day or utcnow().date()
    policies = customers.policies_of(s, req.customer_id)
    in_force = [p for p in policies if p.effective <= day <= p.expires]
    if in_force:
        return next((p for p in in_force if p.id == req.policy_id),
                    max(in_force, key=lambda p: (p.expires, p.id)))
    horizon = day + timedelta(days=ds.settings.renewal_window_days)
    upcoming = [p for p in policies if day < p.effective <= horizon]
    if upcoming:
        return min(upcoming, key=lambda p: (p.effective, p.id))
    if req.policy is not None:
        return req.policy
    return max(policies, key=lambda p: (p.expires, p.id), default=None)


def policy_refusal(ds: DeskSession, s: Session, req: CertificateRequest,
                   form: CertificateForm | None,
                   attachment: tuple[str, bytes] | None = None, *,
                   printed_policy: bool = True) -> str | None:
    """Why a certificate dated today may not be issued on this policy, or None.

    The policy on record is checked (the customer's policy with the form's number, else
    the one ``certificate_policy`` picks) and so is the term a generated certificate
    prints, so that neither an expired record nor edited dates slip through. With
    ``printed_policy`` (a new certificate, or a revision whose policy number or dates
    were edited), the printed policy must also be the record: its number and its term
    exactly as the policy on record has them.
    """
    day = utcnow().date()
    window = ds.settings.renewal_window_days
    record = None
    if form is not None and form.policy_number.strip():
        record = customers.policy_by_number(s, req.customer_id, form.policy_number.strip())
    if record is None:
        record = certificate_policy(ds, s, req, day)
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
        elif printed_policy:
            refusal = automation.printed_policy_refusal(
                form, record.number, record.effective, record.expires)
    return refusal


def policy_term_or_override(ds: DeskSession, s: Session, req: CertificateRequest,
                            form: CertificateForm | None,
                            attachment: tuple[str, bytes] | None,
                            override_reason: str | None, *,
                            printed_policy: bool = True) -> str:
    """Refuse a policy not in force unless a written reason overrides it (then logged)."""
    refusal = policy_refusal(ds, s, req, form, attachment, printed_policy=printed_policy)
    if refusal is None:
        return ""
    if override_reason is None:
        raise PolicyNotInForce(f"request #{req.id}: {refusal}; nothing was issued")
    ds.log(s, req.id, ActivityKind.POLICY_OVERRIDE,
           f"{refusal}; issued anyway, reason: {override_reason}")
    return refusal


def complete(
    ds: DeskSession,
    s: Session,
    req: CertificateRequest,
    *,
    form: CertificateForm | None,
    attachment: tuple[str, bytes] | None,
    to_holder: bool | None,
    actor: str | None = None,
    overridden: str = "",
    drawn: Drawn | None = None,
    cc: Sequence[str] = (),
) -> Completion:
    """Issue the certificate (generated from ``form`` or the attached PDF), close the
    request and queue its emails (``cc``: extra recipients, one message each). ``actor``
    names who completes it when it is not the acting user (intake's automatic
    processing: the system)."""
    if attachment is not None:
        check_certificate_pdf(attachment[1], attachment[0])
    to_holder = req.send_to_holder if to_holder is None else to_holder
    holder_email = holder_address(req, to_holder)
    cert = issue_certificate(ds, s, req, form=form, attachment=attachment, actor=actor,
                             drawn=drawn)
    now = cert.issued_at
    if req.assignee_id is None and actor is None:
        req.assignee_id = ds.actor.user_id
        req.claimed_at = now
    req.status = Status.COMPLETED
    req.closed_at = now
    ds.log(s, req.id, ActivityKind.COMPLETED, "status Completed", actor=actor)
    emailed = email_certificate(ds, s, req, cert, holder_email=holder_email,
                                to_holder=to_holder, cc=cc, actor=actor)
    ds.touch(s, req)
    if actor is not None:
        req.updated_by = actor
    s.flush()
    return Completion(req.id, cert.number, cert.file_name, tuple(emailed), overridden)


def holder_address(req: CertificateRequest, to_holder: bool) -> str:
    """The holder's address when the certificate goes to the holder ("" when it does not)."""
    if to_holder and not req.holder_email:
        raise ValidationFailed(
            f"request #{req.id} has no holder email: add one or do not send to the holder"
        )
    return (addresses.normalized(req.holder_email, f"request #{req.id}'s holder email")
            if to_holder else "")


def extra_recipients(values: Sequence[str], *exclude: str) -> tuple[str, ...]:
    """Addresses a processor typed (``--cc``, ``--to``, a form's field), each checked and
    normalised; one already among ``exclude`` or given twice is kept once."""
    seen = {a.lower() for a in exclude if a}
    out: list[str] = []
    for value in values:
        address = addresses.normalized(value.strip() if isinstance(value, str) else value,
                                       "extra recipient")
        if address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return tuple(out)


def issue_certificate(ds: DeskSession, s: Session, req: CertificateRequest, *,
                      form: CertificateForm | None, attachment: tuple[str, bytes] | None,
                      actor: str | None = None, drawn: Drawn | None = None) -> Certificate:
    """Store the request's next certificate, generated from ``form`` or the attached PDF
    byte for byte, and log it. Every issue (completion, revision) goes through here, so
    here an attached PDF that certdesk drew itself is refused."""
    if attachment is not None:
        refuse_own_certificate(s, *attachment)
        refuse_another_holders_certificate(s, req, *attachment)
    # fpdf2 is slow to import: load it when the first certificate is issued.
    from certdesk_tui.pdf.certificate import render_certificate
    from certdesk_tui.pdf.naming import certificate_file_name

    now = utcnow()
    revision = requests.certificate_count(s, req.id)
    number = certificate_number(req.id)
    # Printed on a generated certificate; stored for every one. A certificate drawn
    # ahead (outside the transaction) is used when it is still the one to issue.
    if drawn is not None and (drawn.number, drawn.revision, drawn.issued_on) == (
            number, revision, now.date()) and not code_in_use(s, drawn.verification_code):
        code = drawn.verification_code
    else:
        code = unused_code(s)
    data: dict[str, Any]
    if attachment is None:
        assert form is not None
        if drawn is not None and code == drawn.verification_code:
            pdf = drawn.pdf
        else:
            pdf = render_certificate(
                form, number=number, revision=revision, issued_on=now.date(),
                verification_code=code,
                contact=ds.settings.producer_contact(Brand(req.customer.brand)))
        source = CertificateSource.GENERATED
        file_name = certificate_file_name(number, revision, form.insured_name)
        data = form.to_json()
    else:
        pdf = attachment[1]
        source = CertificateSource.UPLOADED
        file_name = certificate_file_name(number, revision, req.customer.name)
        # The holder it is made out to, kept with it (refuse_another_holders_certificate).
        data = form.to_json() if form else {"uploaded_file": attachment[0],
                                            **holder_as_issued(req)}
    cert = Certificate(
        request_id=req.id, number=number, revision=revision, source=source,
        file_name=file_name, sha256=hashlib.sha256(pdf).hexdigest(), data=data,
        pdf=pdf, issued_at=now, issued_by=actor or ds.actor.label, verification_code=code,
    )
    s.add(cert)
    record_issue(s, req, cert, form)
    s.flush()
    how = "generated" if attachment is None else f"attached file {attachment[0]!r}"
    ds.log(s, req.id, ActivityKind.CERTIFICATE_ISSUED,
           f"{certificate_title(number, revision)} ({how})", actor=actor)
    return cert


def email_certificate(ds: DeskSession, s: Session, req: CertificateRequest, cert: Certificate,
                      *, holder_email: str, to_holder: bool, cc: Sequence[str] = (),
                      actor: str | None = None) -> list[str]:
    """Queue the issued certificate to the customer, the holder (when chosen) and each
    extra recipient, as a completion (or, for a later revision, a correction) is."""
    customer_email = addresses.usable(req.customer.email)
    drafts = completed_emails(
        request_id=req.id, request_type=req.type, brand=Brand(req.customer.brand),
        customer_name=req.customer.name, customer_email=customer_email,
        holder_name=req.holder_name, holder_email=holder_email, to_holder=to_holder,
        certificate_number=cert.number, revision=cert.revision,
        cc=extra_recipients(cc, customer_email, holder_email if to_holder else ""),
    )
    return queue_emails(ds, s, req, drafts, cert, actor)


def queue_emails(ds: DeskSession, s: Session, req: CertificateRequest,
                 drafts: list[EmailDraft], cert: Certificate | None,
                 actor: str | None = None, customer_expected: bool = True) -> list[str]:
    """Put the drafts in the outbox (sent by the mail worker); the addresses they go to.

    ``customer_expected``: whether a message without one to the customer is logged as
    such (a resend to the holder only is not)."""
    now = utcnow()
    # A placeholder until it is sent: delivery puts the sender's domain at send time.
    domain = addresses.sender_domain(ds.settings.mail_from) or "certdesk.invalid"
    if customer_expected and not any(d.recipient_role == "customer" for d in drafts):
        ds.log(s, req.id, ActivityKind.EMAIL_NOT_SENT,
               "no email to the customer: no valid customer email address on file", actor=actor)
    for d in drafts:
        attach = cert is not None and d.attach_certificate
        s.add(OutboxEmail(
            request_id=req.id, kind=d.kind, recipient_role=d.recipient_role,
            to_addr=d.to_addr, to_name=d.to_name, subject=d.subject, body_text=d.body_text,
            body_html=d.body_html,
            certificate_id=cert.id if attach and cert else None,
            attachment_name=cert.file_name if attach and cert else None,
            message_id=make_msgid(domain=domain), state=EmailState.QUEUED,
            next_attempt_at=now, created_at=now,
        ))
        ds.log(s, req.id, ActivityKind.EMAIL_QUEUED,
               f"{d.kind} email queued to {d.recipient_role} {d.to_addr}", actor=actor)
    return [d.to_addr for d in drafts]
