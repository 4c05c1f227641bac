"""The holder address book (``certdesk holders``, the forms' suggestions) and what an
issued certificate records: its customer's holder and the policy term it certified."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from certdesk_tui import intake
from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.errors import NotFound
from certdesk_tui.domain.holders import HolderView
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import customers
from certdesk_tui.storage.holders import holders_of, learn_holder
from certdesk_tui.storage.models import Certificate, CertificateRequest, Policy


def holders(ds: DeskSession, customer_code: str) -> list[HolderView]:
    """The customer's holders, most used first (anyone who may view the queue)."""
    ds.require(Permission.VIEW)
    with ds.db.reading() as s:
        customer = customers.customer_by_code(s, customer_code.strip())
        if customer is None:
            raise NotFound(f"there is no customer {intake.shown(customer_code)}")
        return holders_of(s, customer.id)


def _term_certified(s: Session, req: CertificateRequest,
                    form: CertificateForm | None, day: datetime) -> Policy | None:
    """The policy the certificate is for: the printed number, else the term in force."""
    if form is not None and form.policy_number.strip():
        printed = customers.policy_by_number(s, req.customer_id, form.policy_number.strip())
        if printed is not None:
            return printed
    return customers.policy_in_force(s, req.customer_id, day.date()) or req.policy


def record_issue(s: Session, req: CertificateRequest, cert: Certificate,
                 form: CertificateForm | None) -> None:
    """What an issued certificate teaches: the holder (address book) and its term.

    The term (policy and expiry printed) is what a renewal later compares with the
    customer's policies when an import gives the policy a new term.
    """
    learn_holder(s, req.customer_id, name=req.holder_name, address=req.holder_address,
                 city=req.holder_city, state=req.holder_state, zip_code=req.holder_zip,
                 email=req.holder_email, at=cert.issued_at)
    policy = _term_certified(s, req, form, cert.issued_at)
    if policy is not None:
        cert.policy_id = policy.id
        cert.policy_expires = form.expires if form is not None else policy.expires
