"""Intake: read a portal or mobile submission and decide where it goes (SPEC rules 1-6).

Pure functions over plain data; the service stores what they decide. Every line
is read on its own and bounded before it is parsed: its length, its nesting, the
size of its numbers and its dates, so that no line can exhaust memory or the
stack, or hold a value the database cannot store.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from certdesk_tui.automation import STATE_RE, ZIP_RE
from certdesk_tui.clock import to_naive_utc, utcnow
from certdesk_tui.domain import (
    Brand,
    Channel,
    CustomerStatus,
    PaymentStatus,
    RequestType,
    addresses,
)
from certdesk_tui.domain.errors import IntakeRefused

# What one JSON Lines record may hold. A line is read at most this far: the rest of
# a longer line is skipped, never held in memory.
MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 16
# JSON integers must fit a signed 64-bit column; a longer literal is not even converted.
MAX_INTEGER = 2**63 - 1
MAX_NUMBER_CHARACTERS = 40
# Dates (submission times, policy terms) must lie in this span: far enough apart for any
# real policy, near enough that date arithmetic and time zones never overflow.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"


LINE_LIMIT_TEXT = f"{MAX_LINE_BYTES // (1024 * 1024)} MiB"


def read_lines(stream: BinaryIO) -> Iterator[bytes]:
    """The lines of a binary stream, each cut at ``MAX_LINE_BYTES + 1`` bytes.

    A longer line is read past (in pieces) and handed on cut, so that ``decode_line``
    refuses it without the whole of it ever being in memory.
    """
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(MAX_LINE_BYTES + 1)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line


def decode_line(raw: str | bytes, number: int) -> str:
    """One line as text: without its line ending (and a byte-order mark on line 1).

    Raises IntakeRefused for a line longer than ``MAX_LINE_BYTES`` or not UTF-8.
    """
    if isinstance(raw, bytes):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        raw = raw.rstrip(b"\r\n") if raw.endswith(b"\n") else raw
        if len(raw) > MAX_LINE_BYTES:
            raise IntakeRefused(f"line is longer than {LINE_LIMIT_TEXT}")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise IntakeRefused(
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1})"
            ) from None
    text = raw
    if number == 1 and text.startswith("\ufeff"):
        text = text[1:]
    text = text.rstrip("\r\n")
    # Four bytes a character at most: only a long line is measured exactly.
    if len(text) * 4 > MAX_LINE_BYTES and \
            len(text.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
        raise IntakeRefused(f"line is longer than {LINE_LIMIT_TEXT}")
    return text


def _nesting(line: str) -> int:
    """How deep the line's arrays and objects nest (brackets inside strings not counted)."""
    if line.count("[") + line.count("{") <= MAX_DEPTH:
        return 0
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", line))
    depth = deepest = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        else:
            depth -= 1
    return deepest


def _integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_NUMBER_CHARACTERS:
        raise IntakeRefused(f"a number of {len(literal.lstrip('-')):,} digits is too large")
    value = int(literal)
    if not -MAX_INTEGER <= value <= MAX_INTEGER:
        raise IntakeRefused(f"the number {literal} is too large")
    return value


def _float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARACTERS:
        raise IntakeRefused(f"a number of {len(literal):,} characters is too long")
    value = float(literal)
    if not math.isfinite(value):
        raise IntakeRefused(f"the number {literal} is too large")
    return value


def _constant(name: str) -> Any:
    raise IntakeRefused(f"{name} is not a number JSON allows")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise IntakeRefused(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _check_text(value: Any, where: str) -> None:
    """Refuse text a database cannot store: NUL characters and lone surrogates."""
    if isinstance(value, str):
        if "\x00" in value:
            raise IntakeRefused(f"{where or 'the line'} contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise IntakeRefused(
                f"{where or 'the line'} contains a lone surrogate "
                f"(\\u{ord(value[exc.start]):04x}), not a character"
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            _check_text(key, f"a key in {where}" if where else "a key")
            _check_text(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            _check_text(item, f"{where}[{index}]" if where else f"item {index}")


def load_record(line: str) -> dict[str, Any]:
    """One JSON Lines record as a dict, bounded; IntakeRefused says what is wrong."""
    depth = _nesting(line)
    if depth > MAX_DEPTH:
        raise IntakeRefused(f"nested more than {MAX_DEPTH} levels deep")
    try:
        data = json.loads(line, parse_int=_integer, parse_float=_float,
                          parse_constant=_constant, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise IntakeRefused(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise IntakeRefused(f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # a number Python itself will not convert
        raise IntakeRefused(f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise IntakeRefused("not a JSON object")
    _check_text(data, "")
    return data


def in_range(day: date, what: str) -> None:
    if not EARLIEST <= day <= LATEST:
        raise IntakeRefused(
            f"{what} {day.isoformat()} is out of range ({EARLIEST.year} to {LATEST.year})"
        )


@dataclass(frozen=True)
class Holder:
    name: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    email: str = ""

    @property
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


def shown(value: object, limit: int = 60) -> str:
    """A value quoted in a message: its repr, cut so that a huge one stays readable."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(data: dict[str, Any], key: str, where: str = "") -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise IntakeRefused(f"{where}{key} must be text")
    return str(value).strip()


def _choice(enum: type, value: str, what: str):
    try:
        return enum(value)
    except ValueError:
        allowed = "|".join(m.value for m in enum)
        raise IntakeRefused(f"unknown {what} {shown(value)} (expected {allowed})") from None


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
    channel = _choice(Channel, _text(data, "channel").lower(), "channel")
    holder_data = data.get("holder") or {}
    if not isinstance(holder_data, dict):
        raise IntakeRefused("holder must be an object")
    holder = Holder(**{k: _text(holder_data, k, "holder.") for k in Holder.__dataclass_fields__})
    payment_text = _text(data, "payment_status").lower()
    payment = _choice(PaymentStatus, payment_text, "payment_status") if payment_text else None
    submitted_text = _text(data, "submitted_at")
    if submitted_text:
        try:
            parsed = datetime.fromisoformat(submitted_text)
        except ValueError:
            raise IntakeRefused(
                f"submitted_at {shown(submitted_text)} is not an ISO-8601 date-time"
            ) from None
        in_range(parsed.date(), "submitted_at")
        submitted_at = to_naive_utc(parsed)
    else:
        submitted_at = utcnow()
    instructions = data.get("instructions") or ""
    if not isinstance(instructions, str):
        raise IntakeRefused("instructions must be text")
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
        instructions=instructions.strip(),
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
    if not h.name:
        found.append("certificate holder name missing")
    elif len(h.name) < 3:
        found.append("certificate holder name incomplete")
    if not (h.address or h.city or h.state or h.zip):
        found.append("certificate holder address missing")
    elif not (h.address and h.city and STATE_RE.match(h.state) and ZIP_RE.match(h.zip)):
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
    return (Holder(**{**holder.__dict__, **cut}) if cut else holder), found


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
