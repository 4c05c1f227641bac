"""The emails certdesk writes: certificate completed, certificate rejected.

Every piece of customer-typed text is escaped for HTML and folded to one line
where it lands in a header, so a holder name can neither inject markup nor a
header. Attachments are referenced by certificate id, never by a path taken
from text.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from certdesk_tui.domain import BRAND_NAMES, Brand, EmailKind
from certdesk_tui.text import folded_line


@dataclass(frozen=True)
class EmailDraft:
    kind: EmailKind
    recipient_role: str  # "customer" or "holder"
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
) -> list[EmailDraft]:
    """One message to the customer and, when chosen and known, one to the holder."""
    customer = folded_line(customer_name)
    holder = folded_line(holder_name) or "the certificate holder"
    what = REQUEST_TYPE_WORDS.get(request_type, "certificate of insurance")
    subject = folded_line(f"Your {what} for {holder} is ready (request #{request_id})", 250)
    drafts: list[EmailDraft] = []
    if customer_email:
        paragraphs = [
            f"Hello {customer},",
            f"Your {what} request #{request_id} naming {holder} as certificate holder is "
            f"complete. Certificate {certificate_number} is attached to this email.",
            "Sent to the certificate holder as well." if to_holder and holder_email else
            "Please forward it to the certificate holder if they need it.",
            _signature(brand),
        ]
        drafts.append(EmailDraft(
            EmailKind.COMPLETED, "customer", customer_email, customer, subject,
            "\n\n".join(paragraphs) + "\n", _html(paragraphs), True,
        ))
    if to_holder and holder_email:
        paragraphs = [
            f"Hello {holder},",
            f"At the request of {customer}, please find attached certificate "
            f"{certificate_number} ({what}) naming you as certificate holder.",
            _signature(brand),
        ]
        drafts.append(EmailDraft(
            EmailKind.COMPLETED, "holder", holder_email, holder,
            folded_line(f"Certificate of insurance for {holder} from {customer}", 250),
            "\n\n".join(paragraphs) + "\n", _html(paragraphs), True,
        ))
    return drafts


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
