"""The emails certdesk writes: certificate completed, reissued or sent again, rejected.

Every piece of customer-typed text is escaped for HTML and folded to one line
where it lands in a header, so a holder name can neither inject markup nor a
header. Attachments are referenced by certificate id, never by a path taken
from text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from certdesk_tui.domain import BRAND_NAMES, Brand, EmailKind
from certdesk_tui.text import folded_line


@dataclass(frozen=True)
class EmailDraft:
    kind: EmailKind
    recipient_role: str  # "customer", "holder" or "other" (an address typed by a processor)
    to_addr: str
    to_name: str
    subject: str
    body_text: str
    body_html: str
    attach_certificate: bool


def _html(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return f'<html><body style="font-family: sans-serif">{body}</body></html>'


REQUEST_TYPE_WORDS = {
    "COI": "certificate of insurance",
    "POI": "proof of insurance",
    "WOS": "waiver of subrogation endorsement",
}
"""Each request type as the customer's emails name it."""


def _signature(brand: Brand) -> str:
    return f"The {BRAND_NAMES[brand]} certificates team"


def _what(request_type: str) -> str:
    return REQUEST_TYPE_WORDS.get(request_type, "certificate of insurance")


def _titled(certificate_number: str, revision: int) -> str:
    """``CD-000017`` for a first issue, ``CD-000017 revision 1`` for a later one."""
    return certificate_number if revision == 0 else f"{certificate_number} revision {revision}"


def completed_emails(
    *,
    request_id: int,
    request_type: str,
    brand: Brand,
    customer_name: str,
    customer_email: str,
    holder_name: str,
    holder_email: str,
    to_holder: bool,
    certificate_number: str,
    cc: Sequence[str] = (),
    revision: int = 0,
) -> list[EmailDraft]:
    """One message to the customer, one to the holder when chosen and known, one to each
    extra recipient (``cc``). A later revision says that it replaces the earlier one."""
    customer = folded_line(customer_name)
    holder = folded_line(holder_name) or "the certificate holder"
    what = _what(request_type)
    titled = _titled(certificate_number, revision)
    kind = EmailKind.COMPLETED if revision == 0 else EmailKind.REISSUED
    replaces = (f"It replaces the certificate sent earlier (same number, revision {revision}); "
                "please discard the earlier one.") if revision else ""
    if revision:
        subject = folded_line(f"Your corrected {what} for {holder} (request #{request_id})", 250)
    else:
        subject = folded_line(f"Your {what} for {holder} is ready (request #{request_id})", 250)
    drafts: list[EmailDraft] = []
    if customer_email:
        paragraphs = [
            f"Hello {customer},",
            f"Your {what} request #{request_id} naming {holder} as certificate holder is "
            f"complete. Certificate {titled} is attached to this email.",
            *([replaces] if replaces else []),
            "Sent to the certificate holder as well." if to_holder and holder_email else
            "Please forward it to the certificate holder if they need it.",
            _signature(brand),
        ]
        drafts.append(EmailDraft(
            kind, "customer", customer_email, customer, subject,
            "\n\n".join(paragraphs) + "\n", _html(paragraphs), True,
        ))
    if to_holder and holder_email:
        drafts.append(_holder_draft(kind, brand, customer, holder, holder_email, what, titled,
                                    replaces))
    drafts.extend(_other_drafts(kind, brand, customer, holder, cc, what, titled, replaces))
    return drafts


def resent_emails(
    *,
    request_id: int,
    request_type: str,
    brand: Brand,
    customer_name: str,
    customer_email: str,
    holder_name: str,
    holder_email: str,
    others: Sequence[str],
    certificate_number: str,
    revision: int,
) -> list[EmailDraft]:
    """The current certificate again: to the customer and the holder when their address is
    given, and to each other address; one message per recipient."""
    customer = folded_line(customer_name)
    holder = folded_line(holder_name) or "the certificate holder"
    what = _what(request_type)
    titled = _titled(certificate_number, revision)
    drafts: list[EmailDraft] = []
    if customer_email:
        paragraphs = [
            f"Hello {customer},",
            f"As asked, here is certificate {titled} ({what}) for your request "
            f"#{request_id} naming {holder} as certificate holder, attached again.",
            _signature(brand),
        ]
        drafts.append(EmailDraft(
            EmailKind.RESENT, "customer", customer_email, customer,
            folded_line(f"Your {what} for {holder} (request #{request_id}), sent again", 250),
            "\n\n".join(paragraphs) + "\n", _html(paragraphs), True,
        ))
    if holder_email:
        drafts.append(_holder_draft(EmailKind.RESENT, brand, customer, holder, holder_email,
                                    what, titled, ""))
    drafts.extend(_other_drafts(EmailKind.RESENT, brand, customer, holder, others, what,
                                titled, ""))
    return drafts


def _holder_draft(kind: EmailKind, brand: Brand, customer: str, holder: str, address: str,
                  what: str, titled: str, replaces: str) -> EmailDraft:
    paragraphs = [
        f"Hello {holder},",
        f"At the request of {customer}, please find attached certificate "
        f"{titled} ({what}) naming you as certificate holder.",
        *([replaces] if replaces else []),
        _signature(brand),
    ]
    return EmailDraft(
        kind, "holder", address, holder,
        folded_line(f"Certificate of insurance for {holder} from {customer}", 250),
        "\n\n".join(paragraphs) + "\n", _html(paragraphs), True,
    )


def _other_drafts(kind: EmailKind, brand: Brand, customer: str, holder: str,
                  addresses: Sequence[str], what: str, titled: str,
                  replaces: str) -> list[EmailDraft]:
    """One message to each extra recipient (an address the specialist typed)."""
    paragraphs = [
        "Hello,",
        f"At the request of {customer}, please find attached certificate {titled} "
        f"({what}) naming {holder} as certificate holder.",
        *([replaces] if replaces else []),
        _signature(brand),
    ]
    subject = folded_line(f"Certificate of insurance from {customer} for {holder}", 250)
    return [EmailDraft(kind, "other", address, "", subject, "\n\n".join(paragraphs) + "\n",
                       _html(paragraphs), True) for address in addresses]


def rejected_email(
    *,
    request_id: int,
    request_type: str,
    brand: Brand,
    customer_name: str,
    customer_email: str,
    holder_name: str,
    reason: str,
) -> EmailDraft | None:
    """The rejection goes to the customer only, quoting the reason."""
    if not customer_email:
        return None
    customer = folded_line(customer_name)
    holder = folded_line(holder_name) or "the certificate holder"
    paragraphs = [
        f"Hello {customer},",
        f"We could not complete your {request_type} request #{request_id} for {holder}.",
        f"Reason: {reason}",
        "Please submit a new request through the client portal or the mobile app once "
        "this is resolved, or reply to this email with any questions.",
        _signature(brand),
    ]
    return EmailDraft(
        EmailKind.REJECTED, "customer", customer_email, customer,
        folded_line(f"Your certificate request #{request_id} was not completed", 250),
        "\n\n".join(paragraphs) + "\n", _html(paragraphs), False,
    )


def rejection_preview(reason: str, request_id: int, request_type: str, brand: Brand,
                      customer_name: str, holder_name: str) -> str:
    """The rejection email's text, shown to the processor before confirming."""
    draft = rejected_email(
        request_id=request_id, request_type=request_type, brand=brand,
        customer_name=customer_name, customer_email="-", holder_name=holder_name, reason=reason,
    )
    assert draft is not None
    return draft.body_text
