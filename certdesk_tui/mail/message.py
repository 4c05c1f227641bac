"""An outbox row as a standard-library ``EmailMessage``.

Everything is built explicitly: plain text and HTML parts from the stored
strings (never interpreted as file names), the certificate attached from its
stored bytes (never from a path), names folded to one line before they reach a
header, and a policy that refuses any header with a line break in it. Text that
may quote a customer (subject, names, both bodies, the attachment's name) passes
through ``certdesk_tui.text`` first: a control character, a bidirectional override
included, is written as its visible placeholder (``\\x1b``, ``\\u202e``).
"""

from __future__ import annotations

import email.policy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from certdesk_tui.domain import addresses
from certdesk_tui.domain.errors import DeliveryError, ValidationFailed
from certdesk_tui.mail import mime
from certdesk_tui.text import folded_line, visible
from certdesk_tui.text import one_line as shown_line

# The composition policy: RFC-compliant line endings and folding at 78 characters.
POLICY = email.policy.SMTP.clone(raise_on_defect=True)
# Python's header folding can drop the quotes of a long display name (the recipient then
# reads as whatever address the name contains) or garble it. Every message is parsed back
# and checked; if the folded headers do not say what was meant, they are written unfolded
# (lines up to the RFC 5322 limit of 998), and failing that without the display name.
_UNFOLDED = POLICY.clone(max_line_length=998)
_READ_BACK = email.policy.default

# "=?" opens an RFC 2047 encoded word: in a name or a subject it would be decoded by every
# reader (and by the email package itself, when the header is set) into other text, line
# breaks included. A no-break space after the "=" keeps it text (it reads "= ?").
_ENCODED_WORD_OPENER = "=?"
_DEFUSED_OPENER = "=\u00a0?"
# What may stand before the @ of a Message-ID (RFC 5322 dot-atom text).
_ID_LEFT_UNSAFE = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


@dataclass(frozen=True)
class QueuedEmail:
    """What a message is made from: an outbox row as read when its delivery begins."""

    id: int
    request_id: int | None
    kind: str
    recipient_role: str
    to_addr: str
    to_name: str
    subject: str
    body_text: str
    body_html: str
    certificate_id: int | None
    attachment_name: str | None
    message_id: str
    created_at: datetime
    attempts: int


@dataclass(frozen=True)
class Outgoing:
    """A message ready for a transport: its exact bytes, and whom it goes to on the envelope."""

    email_id: int
    recipient_role: str
    created_at: datetime
    envelope_from: str
    envelope_to: str
    message_id: str
    data: bytes  # the message as sent, CRLF line endings, checked by reading it back

    def as_bytes(self) -> bytes:
        return self.data

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=_READ_BACK)


class PermanentDeliveryError(DeliveryError):
    """A message that can never be delivered as it stands: retrying will not help."""


def check_address(addr: str, what: str) -> str:
    """The recipient as sent (``addresses.normalized``); refused for good with the reason."""
    try:
        return addresses.normalized(addr, what)
    except ValidationFailed as exc:
        raise PermanentDeliveryError(str(exc)) from None


def sender(mail_from: str, what: str = "mail_from") -> tuple[str, str]:
    """(display name, address) of a sender setting; a bad setting is retried once fixed."""
    try:
        return addresses.mailbox(folded_line(mail_from, 400), what)
    except ValidationFailed as exc:
        raise DeliveryError(f"the {what} setting is not usable: {exc}") from None


def header_text(text: str, limit: int = 200) -> str:
    """Customer text for a header: one line, and never an encoded word."""
    return folded_line(text, limit).replace(_ENCODED_WORD_OPENER, _DEFUSED_OPENER)


def message_id_for(stored: str, domain: str) -> str:
    """The stored Message-ID with the sender's domain after the @ (the part before stays).

    The outbox keeps the id it was queued with; the domain follows the sender at send
    time, so a change of ``mail_from`` also changes the ids of messages still queued,
    and every attempt of one message under one sender carries the same id.
    """
    inner = folded_line(stored, 255).strip().strip("<>").strip()
    left = _ID_LEFT_UNSAFE.sub(".", inner.rpartition("@")[0] or inner).strip(".")
    left = re.sub(r"\.{2,}", ".", left)[:180] or "certdesk"
    return f"<{left}@{domain}>"


def safe_file_name(name: str | None, fallback: str = "certificate.pdf") -> str:
    """An attachment file name: one line, no directory parts, ending in .pdf."""
    name = _UNSAFE_FILE_CHARS.sub("_", folded_line(shown_line(name), 150)).strip(" ._")
    if not name:
        name = fallback
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name


def build_message(
    *,
    email_id: int,
    recipient_role: str,
    mail_from: str,
    to_addr: str,
    to_name: str,
    subject: str,
    body_text: str,
    body_html: str,
    message_id: str,
    created_at: datetime,
    attachment: tuple[str | None, bytes] | None = None,
    reply_to: str = "",
) -> Outgoing:
    """Compose one message. Raises PermanentDeliveryError when it cannot be sent at all,
    and DeliveryError (retried) when the sender or reply-to setting is not usable.

    ``mail_from`` and ``reply_to`` may carry a display name
    (``Compeo Certificates <certs@example.com>``); the envelope sender is the bare address.
    """
    from_name, envelope_from = sender(mail_from, "mail_from")
    envelope_to = check_address(to_addr, "the recipient")
    headers = {
        "From": (header_text(from_name), envelope_from),
        "To": (header_text(shown_line(to_name)), envelope_to),
        "Subject": header_text(shown_line(subject), 500),
        "Date": format_datetime(created_at.replace(tzinfo=UTC)),
        "Message-ID": message_id_for(message_id, addresses.domain_of(envelope_from)),
    }
    body_text, body_html = visible(body_text), visible(body_html)
    if reply_to.strip():
        reply_name, reply_addr = sender(reply_to, "reply_to")
        headers["Reply-To"] = (header_text(reply_name), reply_addr)
    plain = _plain(headers, body_text, body_html, attachment)
    if plain is not None:
        return Outgoing(email_id, recipient_role, created_at, envelope_from, envelope_to,
                        headers["Message-ID"], plain)
    msg = _compose(headers, body_text, body_html, attachment)
    for policy, keep_names in ((POLICY, True), (_UNFOLDED, True), (_UNFOLDED, False)):
        if not keep_names:
            msg = _compose({**headers, "To": ("", envelope_to)}, body_text, body_html,
                           attachment)
        data = msg.as_bytes(policy=policy)
        if _reads_back(data, headers, keep_names):
            return Outgoing(email_id, recipient_role, created_at, envelope_from, envelope_to,
                            headers["Message-ID"], data)
    raise PermanentDeliveryError("the message headers do not read back as written; "
                                 "check the sender address and the message id")


def _compose(headers: dict, body_text: str, body_html: str,
             attachment: tuple[str | None, bytes] | None) -> EmailMessage:
    msg = EmailMessage(policy=POLICY)
    try:
        # Address objects, not formataddr(): a formataddr() string with a non-ASCII name
        # is re-folded by the email package into a header whose recipient is garbled.
        msg["From"] = Address(display_name=headers["From"][0], addr_spec=headers["From"][1])
        msg["To"] = Address(display_name=headers["To"][0], addr_spec=headers["To"][1])
        msg["Subject"] = headers["Subject"]
        msg["Date"] = headers["Date"]
        msg["Message-ID"] = headers["Message-ID"]
        if "Reply-To" in headers:
            msg["Reply-To"] = Address(display_name=headers["Reply-To"][0],
                                      addr_spec=headers["Reply-To"][1])
        msg["Auto-Submitted"] = "auto-generated"
    except (ValueError, TypeError, IndexError) as exc:  # a header the policy refuses
        raise PermanentDeliveryError(f"cannot compose the message headers: {exc}") from None
    # Strings are always content, never file names: each is set as a part explicitly.
    # Quoted-printable keeps the message 7-bit clean for any server.
    msg.set_content(body_text or "", subtype="plain", charset="utf-8", cte="quoted-printable")
    if body_html:
        msg.add_alternative(body_html, subtype="html", charset="utf-8", cte="quoted-printable")
    if attachment is not None:
        name, data = attachment
        msg.add_attachment(bytes(data), maintype="application", subtype="pdf",
                           filename=safe_file_name(name))
    return msg


def _plain(headers: dict, body_text: str, body_html: str,
           attachment: tuple[str | None, bytes] | None) -> bytes | None:
    """The message written directly (``mime``), when every header is plain; else None."""
    lines: list[tuple[str, str]] = []
    for name in ("From", "To", "Subject", "Date", "Message-ID", "Reply-To"):
        value = headers.get(name)
        if value is None:
            continue
        text = mime.mailbox(*value) if isinstance(value, tuple) else value
        if text is None:
            return None
        lines.append((name, text))
    lines.append(("Auto-Submitted", "auto-generated"))
    pdf = None
    if attachment is not None:
        pdf = (safe_file_name(attachment[0]), bytes(attachment[1]))
    return mime.plain_message(lines, body_text, body_html, pdf)


def _reads_back(data: bytes, headers: dict, keep_names: bool) -> bool:
    """Does a standard parser read the addresses and the subject we meant, and only our
    headers? (Folding may change the spaces of the subject, nothing else.)"""
    try:
        parsed = email.message_from_bytes(data, policy=_READ_BACK)
        expected_to = [(headers["To"][0] if keep_names else "", headers["To"][1])]
        to = [(a.display_name, a.addr_spec) for a in parsed["To"].addresses]
        sent_by = [(a.display_name, a.addr_spec) for a in parsed["From"].addresses]
        reply_to = ([(a.display_name, a.addr_spec) for a in parsed["Reply-To"].addresses]
                    if parsed["Reply-To"] is not None else [])
        names = sorted(k.lower() for k in parsed)
    except (AttributeError, TypeError, ValueError, IndexError):
        return False
    expected_names = ["from", "to", "subject", "date", "message-id", "auto-submitted",
                      "mime-version", "content-type"]
    if "Reply-To" in headers:
        expected_names.append("reply-to")
    if "content-transfer-encoding" in names:
        expected_names.append("content-transfer-encoding")
    return (
        to == expected_to
        and " ".join(str(parsed["Subject"]).split()) == " ".join(headers["Subject"].split())
        and sent_by == [headers["From"]]
        and reply_to == ([headers["Reply-To"]] if "Reply-To" in headers else [])
        and str(parsed["Message-ID"]).strip() == headers["Message-ID"].strip()
        and names == sorted(expected_names)
        and not parsed.defects
    )


def message_for(row: QueuedEmail, mail_from: str, pdf: bytes | None,
                reply_to: str = "") -> Outgoing:
    """The message of an outbox row (``pdf``: its certificate's bytes, if any)."""
    attachment = None
    if row.certificate_id is not None:
        if pdf is None:
            raise PermanentDeliveryError(
                f"the certificate of email #{row.id} is missing; it cannot be attached")
        attachment = (row.attachment_name, pdf)
    return build_message(
        email_id=row.id, recipient_role=row.recipient_role, mail_from=mail_from,
        to_addr=row.to_addr, to_name=row.to_name, subject=row.subject,
        body_text=row.body_text, body_html=row.body_html, message_id=row.message_id,
        created_at=row.created_at, attachment=attachment, reply_to=reply_to,
    )
