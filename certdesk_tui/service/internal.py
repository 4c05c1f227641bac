"""Internal requests: entered by a specialist for a customer who phoned or emailed.

An internal request starts In Progress with the person who entered it and is
never processed automatically. The intake rules that are not about the channel
(``certdesk_tui.intake``: discrepancies, the manual list and its reasons,
possible duplicates, a WOS held until its payment is recorded) decide the rest.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from certdesk_tui import intake
from certdesk_tui.clock import utcnow
from certdesk_tui.domain import (
    CERTIFICATES_DEPARTMENT,
    ActivityKind,
    Brand,
    Channel,
    PaymentStatus,
    RequestType,
    Status,
    addresses,
    automation,
)
from certdesk_tui.domain.automation import STATE_RE, ZIP_RE
from certdesk_tui.domain.errors import NotFound, ValidationFailed
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.intake.submissions import HOLDER_FIELD_NAMES
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import customers, requests
from certdesk_tui.storage.columns import HOLDER_LIMITS, check_fits
from certdesk_tui.storage.models import CertificateRequest, DuplicateLink

PAYMENT_REFERENCE_MAX = 120
INSTRUCTIONS_MAX = 10_000


@dataclass(frozen=True)
class InternalRequest:
    """What a specialist enters: the customer, the type, the holder, and what was asked."""

    customer_code: str
    type: str
    holder: intake.Holder
    send_to_holder: bool = False
    instructions: str = ""
    payment_reference: str = ""


@dataclass(frozen=True)
class NewRequest:
    """The request as created: where it went and why."""

    id: int
    external_id: str
    type: str
    status: str
    channel: str
    manual: bool
    manual_reasons: list[str] = field(default_factory=list)
    # False for a WOS held until its payment is recorded.
    in_queue: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "channel": self.channel,
                "manual": self.manual, "manual_reasons": list(self.manual_reasons)}


@dataclass(frozen=True)
class CustomerChoice:
    """A customer as the internal-request form offers it."""

    code: str
    name: str
    brand: str


def customer_choices(ds: DeskSession) -> list[CustomerChoice]:
    """The customers a specialist may enter a request for (processors only)."""
    ds.require(Permission.PROCESS)
    with ds.db.reading() as s:
        return [CustomerChoice(*row) for row in customers.customer_choices(s)]


def _checked_holder(holder: intake.Holder) -> intake.Holder:
    """The typed holder, trimmed; a malformed state, ZIP or email is refused at once.

    What is missing or incomplete is not refused: it is a discrepancy, as at intake.
    """
    h = intake.Holder(**{k: str(v).strip() for k, v in holder.__dict__.items()})
    typed_state = h.state
    h = intake.Holder(**{**h.__dict__, "state": h.state.upper()})
    for key, limit in HOLDER_LIMITS.items():
        value = getattr(h, key)
        if len(value) > limit:
            raise ValidationFailed(f"holder {HOLDER_FIELD_NAMES[key]} is "
                                   f"{len(value):,} characters long, at most {limit:,}")
    if h.state and not STATE_RE.match(h.state):
        raise ValidationFailed(f"holder state {intake.shown(typed_state)} must be two letters, "
                               "such as FL")
    if h.zip and not ZIP_RE.match(h.zip):
        raise ValidationFailed(f"holder ZIP {intake.shown(h.zip)} must be 12345 or 12345-6789")
    if h.email:
        problem = addresses.problem(h.email)
        if problem:
            raise ValidationFailed(f"holder email {intake.shown(h.email)}: {problem}")
    return h


def _checked(entry: InternalRequest) -> InternalRequest:
    try:
        kind = RequestType(entry.type.strip().upper())
    except ValueError:
        allowed = "|".join(t.value for t in RequestType)
        raise ValidationFailed(f"unknown type {intake.shown(entry.type)} "
                               f"(expected {allowed})") from None
    reference = entry.payment_reference.strip()
    if reference and kind != RequestType.WOS:
        raise ValidationFailed("a payment reference is recorded for a WOS only "
                               f"(this request is a {kind})")
    if len(reference) > PAYMENT_REFERENCE_MAX:
        raise ValidationFailed(f"the payment reference is longer than "
                               f"{PAYMENT_REFERENCE_MAX} characters")
    instructions = entry.instructions.strip()
    if len(instructions) > INSTRUCTIONS_MAX:
        raise ValidationFailed(f"the instructions are longer than {INSTRUCTIONS_MAX:,} "
                               "characters")
    if not entry.customer_code.strip():
        raise ValidationFailed("give the customer's code")
    return InternalRequest(entry.customer_code.strip(), kind, _checked_holder(entry.holder),
                           entry.send_to_holder, instructions, reference)


def create(ds: DeskSession, entry: InternalRequest) -> NewRequest:
    """Create an internal request, In Progress with its creator (processors only)."""
    ds.require(Permission.PROCESS)
    entry = _checked(entry)
    with ds.writing() as s:
        customer = customers.customer_by_code(s, entry.customer_code)
        if customer is None:
            raise NotFound(f"there is no customer {intake.shown(entry.customer_code)}")
        now = utcnow()
        kind = RequestType(entry.type)
        payment = None
        if kind == RequestType.WOS:
            payment = PaymentStatus.APPROVED if entry.payment_reference else \
                PaymentStatus.PENDING
        raw: dict[str, Any] = {
            "channel": Channel.INTERNAL.value, "customer": customer.code, "type": kind.value,
            "holder": dict(entry.holder.__dict__), "send_to_holder": entry.send_to_holder,
            "instructions": entry.instructions, "entered_by": ds.actor.label,
        }
        if entry.payment_reference:
            raw["payment_reference"] = entry.payment_reference
        sub = intake.Submission(
            external_id=f"internal-{uuid.uuid4().hex}", channel=Channel.INTERNAL,
            customer_code=customer.code, type=kind, holder=entry.holder,
            send_to_holder=entry.send_to_holder, instructions=entry.instructions,
            payment_status=payment, submitted_at=now, raw=raw,
        )
        intake.check_customer(sub, customer.status)
        policy = customers.policy_in_force(s, customer.id, now.date())
        found = intake.discrepancies(sub, customer.status, policy is not None, customer.email)
        if policy is not None:
            refusal = automation.term_refusal(policy.number, policy.effective, policy.expires,
                                              now.date(), ds.settings.renewal_window_days)
            if refusal is not None:
                found.append(refusal)
        reasons = intake.manual_reasons(sub, Brand(customer.brand), found, customer.email)
        duplicates = requests.possible_duplicates(
            s, customer.id, sub.holder.key, now, ds.settings.duplicate_window_days
        ) if sub.holder.name else []
        if duplicates:
            reasons.append("possible duplicate of " + ", ".join(f"#{d}" for d in duplicates))
        in_queue = intake.in_queue_at_intake(sub)
        req = CertificateRequest(
            external_id=sub.external_id, customer_id=customer.id,
            policy_id=policy.id if policy else None, type=kind, submitted_type=kind,
            channel=Channel.INTERNAL, status=Status.IN_PROGRESS, payment_status=payment,
            in_queue=in_queue, holder_name=sub.holder.name,
            holder_address=sub.holder.address, holder_city=sub.holder.city,
            holder_state=sub.holder.state, holder_zip=sub.holder.zip,
            holder_email=sub.holder.email, holder_key=sub.holder.key,
            send_to_holder=sub.send_to_holder, instructions=sub.instructions, submission=raw,
            manual=bool(reasons), manual_reasons=reasons, discrepancy=bool(found),
            department=CERTIFICATES_DEPARTMENT if reasons else None,
            submitted_at=now, received_at=now, assignee_id=ds.actor.user_id, claimed_at=now,
            updated_at=now, updated_by=ds.actor.label,
        )
        check_fits(req)
        s.add(req)
        s.flush()
        for other in duplicates:
            s.add_all([DuplicateLink(request_id=req.id, other_id=other),
                       DuplicateLink(request_id=other, other_id=req.id)])
        ds.log(s, req.id, ActivityKind.SUBMITTED,
               f"{kind} entered as an internal request by {ds.actor.label}")
        ds.log(s, req.id, ActivityKind.START, f"marked in progress by {ds.actor.label}")
        if kind == RequestType.WOS and entry.payment_reference:
            ds.log(s, req.id, ActivityKind.PAYMENT_UPDATED,
                   f"payment approved, reference {entry.payment_reference} "
                   f"(recorded by {ds.actor.label})")
        elif not in_queue:
            ds.log(s, req.id, ActivityKind.AWAITING_PAYMENT,
                   "WOS payment pending: hidden from the queue until approved (a payment "
                   f"update for external id {sub.external_id})")
        if reasons:
            ds.log(s, req.id, ActivityKind.MANUAL,
                   f"assigned to {CERTIFICATES_DEPARTMENT}: " + "; ".join(reasons))
        ds.touch(s, None, now)
        return NewRequest(req.id, sub.external_id, kind, Status.IN_PROGRESS,
                          Channel.INTERNAL, bool(reasons), list(reasons), in_queue)
