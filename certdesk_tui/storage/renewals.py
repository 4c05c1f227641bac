"""Due renewals by query: current certificates whose customer has a later policy term."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from certdesk_tui.domain import Status
from certdesk_tui.domain.renewals import DueRenewal, NewTerm, next_term
from certdesk_tui.storage.models import (
    Certificate,
    CertificateRequest,
    Customer,
    OutboxEmail,
    Policy,
)


def due_renewals(session: Session, customer_id: int | None = None) -> list[DueRenewal]:
    """Every current certificate of a completed request whose term a later policy term of
    the same line (any line when its policy is gone) continues, by customer and number."""
    C, R, P = Certificate, CertificateRequest, Policy
    old = aliased(Policy)
    query = (
        select(C.request_id, C.number, C.revision, Customer.code, Customer.name,
               Customer.brand, R.holder_name, C.policy_expires, R.version,
               P.id, P.number, P.line, P.effective, P.expires)
        .join(R, R.id == C.request_id)
        .join(Customer, Customer.id == R.customer_id)
        .outerjoin(old, old.id == C.policy_id)
        .join(P, and_(P.customer_id == R.customer_id, P.expires > C.policy_expires,
                      or_(old.id.is_(None), P.line == old.line)))
        .where(C.superseded_at.is_(None), C.policy_expires.is_not(None),
               R.status == Status.COMPLETED)
        .order_by(Customer.code, C.request_id, P.effective, P.id)
    )
    if customer_id is not None:
        query = query.where(R.customer_id == customer_id)
    due: dict[int, tuple[DueRenewal, list[NewTerm]]] = {}
    for (request_id, number, revision, code, name, brand, holder, old_expires, version,
         policy_id, policy_number, line, effective, expires) in session.execute(query):
        term = NewTerm(policy_id, policy_number, line, effective, expires)
        if request_id not in due:
            due[request_id] = (DueRenewal(request_id, number, revision, code, name, brand,
                                          holder, old_expires, term, version), [])
        due[request_id][1].append(term)
    out = []
    for first, terms in due.values():
        chosen = next_term(first.old_expires, None, terms) or first.term
        out.append(DueRenewal(first.request_id, first.number, first.revision,
                              first.customer_code, first.customer_name, first.brand,
                              first.holder, first.old_expires, chosen, first.version))
    return out


def holder_was_emailed(session: Session, request_id: int, revision: int) -> bool:
    """Whether the holder was sent this certificate (a renewal is emailed as it was)."""
    return session.scalar(
        select(OutboxEmail.id).join(Certificate, Certificate.id == OutboxEmail.certificate_id)
        .where(Certificate.request_id == request_id, Certificate.revision == revision,
               OutboxEmail.recipient_role == "holder").limit(1)) is not None
