"""Submissions: where a portal or mobile submission goes (SPEC rules 1-6).

Pure functions over plain data; the service stores what they decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum
from functools import cached_property
from typing import Any, TypeVar

from certdesk_tui.clock import to_naive_utc, utcnow
from certdesk_tui.domain import (
    Brand,
    Channel,
    CustomerStatus,
    PaymentStatus,
    RequestType,
    addresses,
)
from certdesk_tui.domain.automation import STATE_RE, ZIP_RE
from certdesk_tui.domain.errors import IntakeRefused
from certdesk_tui.domain.vocabulary import SUBMISSION_CHANNELS
from certdesk_tui.domain.written import is_blank
from certdesk_tui.intake.records import EARLIEST, LATEST, in_range, load_record, shown


@dataclass(frozen=True)
class Holder:
    name: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    email: str = ""

    @cached_property
    def key(self) -> str:
        """Name and address normalised, to recognise the same holder again."""
        parts = (self.name, self.address, self.zip)
        return "|".join(re.sub(r"[^a-z0-9]+", " ", p.lower()).strip() for p in parts)[:400]


@dataclass(frozen=True)
class Submission:
    external_id: str
    channel: Channel
    customer_code: str
    type: RequestType
    holder: Holder
    send_to_holder: bool
    instructions: str
    payment_status: PaymentStatus | None
    submitted_at: datetime
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentUpdate:
    external_id: str
    payment_status: PaymentStatus


def _text(data: dict[str, Any], key: str, where: str = "") -> str:
    """A text field, stripped ("" when absent or null).

    Only a JSON string is text: a number (``"zip": 60601``, ``"name": 12.5``), a
    boolean, an array or an object is refused naming the field, never turned into text.
    """
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise IntakeRefused(f"{where}{key} must be text")
    return value.strip()


E = TypeVar("E", bound=Enum)


def _choice(enum: type[E], value: str, what: str) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = "|".join(m.value for m in enum)
        raise IntakeRefused(f"unknown {what} {shown(value)} (expected {allowed})") from None


def _submission_channel(value: str) -> Channel:
    """Portal or mobile: an internal request is entered in certdesk, never imported."""
    if value == Channel.INTERNAL:
        raise IntakeRefused("channel internal is for requests entered in certdesk "
                            "(certdesk new), not imported")
    if value not in SUBMISSION_CHANNELS:
        allowed = "|".join(c.value for c in SUBMISSION_CHANNELS)
        raise IntakeRefused(f"unknown channel {shown(value)} (expected {allowed})")
    return Channel(value)


def parse_line(line: str) -> Submission | PaymentUpdate:
    """One JSON Lines record, or IntakeRefused with the reason."""
    data = load_record(line)
    external_id = _text(data, "external_id")
    if data.get("kind") == "payment":
        if not external_id:
            raise IntakeRefused("payment update without external_id")
        status = _text(data, "payment_status").lower()
        if not status:
            raise IntakeRefused("payment update without payment_status")
        return PaymentUpdate(external_id, _choice(PaymentStatus, status, "payment_status"))
    if data.get("kind") not in (None, "request", "submission"):
        raise IntakeRefused(f"unknown kind {shown(data.get('kind'))} (expected payment or none)")
    missing = [k for k in ("external_id", "customer", "type", "channel") if not _text(data, k)]
    if missing:
        raise IntakeRefused(f"missing {', '.join(missing)}")
    request_type = _choice(RequestType, _text(data, "type").upper(), "type")
    channel = _submission_channel(_text(data, "channel").lower())
    holder_data = data.get("holder") or {}
    if not isinstance(holder_data, dict):
        raise IntakeRefused("holder must be an object")
    holder = Holder(**{k: _text(holder_data, k, "holder.") for k in Holder.__dataclass_fields__})
    payment_text = _text(data, "payment_status").lower()
    payment = _choice(PaymentStatus, payment_text, "payment_status") if payment_text else None
    submitted = data.get("submitted_at")
    if isinstance(submitted, int | float) and not isinstance(submitted, bool):
        # A date written as a number is no ISO-8601 date-time (as a policy's is no date).
        raise IntakeRefused(
            f"submitted_at {shown(str(submitted))} is not an ISO-8601 date-time")
    submitted_text = _text(data, "submitted_at")
    if submitted_text:
        try:
            parsed = datetime.fromisoformat(submitted_text)
        except ValueError:
            raise IntakeRefused(
                f"submitted_at {shown(submitted_text)} is not an ISO-8601 date-time"
            ) from None
        # The range is checked in UTC, as the time is stored: 2199-12-31T23:59:59-12:00
        # is 2200-01-01 in UTC, out of range; 2200-01-01T05:00:00+14:00 is 2199, in range.
        try:
            submitted_at = to_naive_utc(parsed)
        except OverflowError:  # year 1 or 9999, moved off the calendar by its offset
            raise IntakeRefused(f"submitted_at {shown(submitted_text)} is out of range "
                                f"({EARLIEST.year} to {LATEST.year})") from None
        in_range(submitted_at.date(), "submitted_at",
                 submitted_text if parsed.tzinfo is not None else "")
    else:
        submitted_at = utcnow()
    instructions = _text(data, "instructions")
    send = data.get("send_to_holder", False)
    if not isinstance(send, bool):
        raise IntakeRefused("send_to_holder must be true or false")
    return Submission(
        external_id=external_id,
        channel=channel,
        customer_code=_text(data, "customer"),
        type=request_type,
        holder=holder,
        send_to_holder=send,
        instructions=instructions,
        payment_status=payment,
        submitted_at=submitted_at,
        raw=data,
    )


def check_customer(sub: Submission, customer_status: str) -> None:
    """Rule 1: a mobile request needs an active customer."""
    if sub.channel == Channel.MOBILE and customer_status != CustomerStatus.ACTIVE:
        raise IntakeRefused(
            f"customer {sub.customer_code} is {customer_status}: the mobile app only takes "
            "certificate requests from active customers"
        )


def in_queue_at_intake(sub: Submission) -> bool:
    """Rule 2: a WOS waits out of the queue until its payment is approved."""
    return sub.type != RequestType.WOS or sub.payment_status == PaymentStatus.APPROVED


def discrepancies(sub: Submission, customer_status: str, policy_in_force: bool,
                  customer_email: str = "") -> list[str]:
    """Rule 5: what is wrong with the content (each sends the request to the manual list).

    An email address the validator (``addresses``) refuses is a discrepancy, with its
    reason: the holder's, and the customer's on file (an empty one is not: see
    ``manual_reasons``).
    """
    found: list[str] = []
    h = sub.holder
    # Invisible characters (zero-width spaces, fillers) are as missing as nothing.
    if is_blank(h.name):
        found.append("certificate holder name missing")
    elif len(h.name) < 3:
        found.append("certificate holder name incomplete")
    if all(is_blank(part) for part in (h.address, h.city, h.state, h.zip)):
        found.append("certificate holder address missing")
    elif not (not is_blank(h.address) and not is_blank(h.city) and STATE_RE.match(h.state)
              and ZIP_RE.match(h.zip)):
        found.append("certificate holder address incomplete")
    holder_problem = addresses.problem(h.email) if h.email else None
    if holder_problem:
        found.append(f"invalid holder email {shown(h.email, 330)}: {holder_problem}")
    customer_problem = addresses.problem(customer_email) if customer_email.strip() else None
    if customer_problem:
        found.append(f"invalid customer email {shown(customer_email, 330)} on file: "
                     f"{customer_problem}")
    if sub.send_to_holder and not h.email:
        found.append("send to holder requested but no holder email given")
    if not policy_in_force:
        found.append(f"no policy in force on {sub.submitted_at.date().isoformat()}")
    if sub.channel == Channel.PORTAL and customer_status != CustomerStatus.ACTIVE:
        found.append(f"portal request from an {customer_status} customer")
    return found


HOLDER_FIELD_NAMES = {"name": "name", "address": "address", "city": "city", "state": "state",
                      "zip": "ZIP", "email": "email"}


def fit_holder(holder: Holder, limits: dict[str, int]) -> tuple[Holder, list[str]]:
    """The holder cut to what the database holds, and a discrepancy for each field cut.

    Over-long holder text is a content problem, not a reason to refuse the line: the
    request is stored on the manual list and the submission keeps the full text.
    """
    found: list[str] = []
    cut: dict[str, str] = {}
    for key, limit in limits.items():
        value = getattr(holder, key)
        if len(value) > limit:
            cut[key] = value[:limit]
            found.append(
                f"certificate holder {HOLDER_FIELD_NAMES[key]} too long ({len(value):,} "
                f"characters, at most {limit:,}): stored cut, the full text is in the submission"
            )
    return (replace(holder, **cut) if cut else holder), found


def manual_reasons(
    sub: Submission, brand: Brand, found: list[str], customer_email: str
) -> list[str]:
    """Rules 3-5: why the request needs a person (empty: processed automatically)."""
    reasons = list(found)
    if not customer_email.strip():
        reasons.append("customer has no valid email address on file")
    if sub.instructions:
        reasons.append("customer instructions")
    if sub.type == RequestType.WOS:
        reasons.append("waiver of subrogation needs an endorsement")
    if brand == Brand.CORNERSTONE:
        reasons.append("Cornerstone: upload the carrier's certificate")
    return reasons


def policy_covers(effective: date, expires: date, on: date) -> bool:
    return effective <= on <= expires
