"""The one email address validator: intake, forms, the command line and delivery use it.

Built on email-validator's syntax check (no DNS lookups: ``check_deliverability``
is off, so intake and forms work offline and never wait on a resolver), with:

- ``allow_smtputf8=False``: the part before the @ must be ASCII. A mailbox such as
  ``zoë@example.com`` needs SMTPUTF8 on every server along the way, which many do
  not offer; such an address could be refused after the request was completed, so
  it is caught at intake instead. An internationalised domain (``bücher.de``) is
  fine: it is sent in its ASCII (IDNA) form.
- ``strict=True``: the RFC 5321 limit of 64 characters before the @ is enforced.
- no quoted local parts, domain literals or display names in a customer or
  holder address; a special-use domain (``.invalid``, ``.localhost``, ...) is
  refused, since no mail can reach it.

``normalized`` returns the address as it is sent (domain lowercased and in ASCII),
or raises ``ValidationFailed`` with email-validator's reason. ``mailbox`` reads a
setting such as ``mail_from`` or ``reply_to`` that may carry a display name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.written import unprintable

# "Name <address>", the name bare or in double quotes.
_NAMED = re.compile(r'^\s*(?P<name>"(?:[^"\\]|\\.)*"|[^<>"]*?)\s*<(?P<addr>[^<>]*)>\s*$')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class AddressRefused(ValidationFailed):
    """An address the validator refuses; ``reason`` is email-validator's explanation."""

    def __init__(self, address: str, reason: str, what: str = "") -> None:
        self.address = address
        self.reason = reason
        label = f"{what} " if what else ""
        super().__init__(f"{label}{address!r} is not a valid email address: {reason}")


def normalized(address: str | None, what: str = "") -> str:
    """The address as it is sent, or ``AddressRefused`` (a ``ValidationFailed``) saying why.

    ``what`` names the address in the message ("holder_email", "the sender").
    """
    text = address if isinstance(address, str) else ""
    if not text.strip():
        raise AddressRefused(text, "it is empty", what)
    if len(text) > 320:
        raise AddressRefused(text[:60] + "…", f"it is {len(text)} characters long "
                             "(an address has at most 254)", what)
    address_sent, reason = _checked(text)
    if reason:
        raise AddressRefused(text, reason, what)
    return address_sent


@lru_cache(maxsize=16_384)
def _checked(text: str) -> tuple[str, str]:
    """(the address as sent, "") or ("", why not): email-validator's verdict, remembered
    (the same customer's address is checked again for each of their requests)."""
    # Loaded when first needed: opening the desk checks no address.
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(
            text, check_deliverability=False, allow_smtputf8=False, allow_quoted_local=False,
            allow_domain_literal=False, allow_display_name=False, strict=True)
    except (EmailNotValidError, UnicodeError) as exc:
        reason = str(exc).rstrip(".") or "not an email address"
        return "", reason[:1].lower() + reason[1:]
    return checked.ascii_email or checked.normalized, ""


@lru_cache(maxsize=4096)
def problem(address: str | None) -> str | None:
    """Why ``address`` cannot be written to (email-validator's reason), or None if it can.

    Remembered for the last few thousand addresses: an import meets the same ones often.
    """
    try:
        normalized(address)
    except AddressRefused as exc:
        return exc.reason
    return None


def is_valid(address: str | None) -> bool:
    return problem(address) is None


def mailbox(value: str, what: str) -> tuple[str, str]:
    """A sender-style setting: ``certs@example.com`` or ``Display Name <certs@example.com>``.

    Returns (display name, normalised address); raises ``AddressRefused`` naming ``what``.
    The display name may hold any printable text (it is encoded when the header is
    written); a line break, other control character or bidirectional control in it is
    refused (``certificates.is_unprintable``).
    """
    text = (value or "").strip()
    match = _NAMED.match(text)
    if match is None:
        return "", normalized(text, what)
    name = match.group("name")
    if name.startswith('"'):
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    if _CONTROL.search(name) or unprintable(name):
        raise AddressRefused(text, "the display name holds a control character, line break or "
                             "bidirectional control", what)
    return " ".join(name.split()), normalized(match.group("addr").strip(), what)


def usable(address: str | None) -> str:
    """The normalised address, or "" when it cannot be written to (no email goes there)."""
    try:
        return normalized(address)
    except ValidationFailed:
        return ""


def domain_of(address: str) -> str:
    """The domain of a normalised address."""
    return address.rpartition("@")[2]


def sender_domain(value: str) -> str:
    """The domain of a sender-style setting, or "" when the setting is not valid."""
    try:
        return domain_of(mailbox(value, "the sender")[1])
    except ValidationFailed:
        return ""
