"""Resend: the current certificate again, byte for byte, to whoever asks for it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from certdesk_tui.domain import ActivityKind, Brand, addresses
from certdesk_tui.domain.certificates import certificate_title
from certdesk_tui.domain.errors import InvalidTransition, ValidationFailed
from certdesk_tui.domain.workflow import ACTIONS_BY_ID
from certdesk_tui.notifications import resent_emails
from certdesk_tui.service import completion
from certdesk_tui.service.opening import opening
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import requests
from certdesk_tui.storage.models import Certificate

MAX_OTHERS = 20


@dataclass(frozen=True)
class Resent:
    request_id: int
    certificate_number: str
    revision: int
    emailed: tuple[str, ...]


def resend(ds: DeskSession, request_id: int, *, to_customer: bool = False,
           to_holder: bool = False, others: Sequence[str] = (),
           expected_version: int | None = None) -> Resent:
    """Queue the current certificate to the customer, the holder and each other address,
    one message per recipient, in the transaction that logs it."""
    ds.require(ACTIONS_BY_ID["resend"].permission)
    if not (to_customer or to_holder or others):
        raise ValidationFailed("say who to send the certificate to: the customer, the holder "
                               "or an email address")
    if len(others) > MAX_OTHERS:
        raise ValidationFailed(f"a certificate is resent to at most {MAX_OTHERS} other "
                               f"addresses at once, not {len(others)}")
    completion.extra_recipients(others)
    with opening(ds, "resend", request_id, expected_version=expected_version) as (s, req):
        cert = requests.newest_certificate(s, req.id)
        if cert is None:
            raise InvalidTransition(f"request #{req.id} has no certificate to resend")
        customer_email = ""
        if to_customer:
            customer_email = addresses.usable(req.customer.email)
            if not customer_email:
                raise ValidationFailed(f"customer {req.customer.code} has no valid email "
                                       "address on file: send it to an address instead")
        holder_email = ""
        if to_holder:
            if not req.holder_email:
                raise ValidationFailed(f"request #{req.id} has no holder email: send it to "
                                       "an address instead")
            holder_email = addresses.normalized(req.holder_email,
                                                f"request #{req.id}'s holder email")
        drawn(ds, cert, Brand(req.customer.brand))
        drafts = resent_emails(
            request_id=req.id, request_type=req.type, brand=Brand(req.customer.brand),
            customer_name=req.customer.name, customer_email=customer_email,
            holder_name=req.holder_name, holder_email=holder_email,
            others=completion.extra_recipients(others, customer_email, holder_email),
            certificate_number=cert.number, revision=cert.revision,
        )
        emailed = completion.queue_emails(ds, s, req, drafts, cert, customer_expected=False)
        ds.log(s, req.id, ActivityKind.RESEND,
               f"{certificate_title(cert.number, cert.revision)} resent to "
               f"{', '.join(emailed)}")
        ds.touch(s, req)
        s.flush()
        return Resent(req.id, cert.number, cert.revision, tuple(emailed))


def drawn(ds: DeskSession, cert: Certificate, brand: Brand) -> None:
    """A demo certificate is drawn when first needed: store it before it is attached."""
    if cert.pdf:
        return
    from certdesk_tui.pdf.certificate import render_stored  # fpdf2: only when needed

    cert.pdf = render_stored(cert.data, number=cert.number, revision=cert.revision,
                             issued_on=cert.issued_at.date(),
                             verification_code=cert.verification_code or "",
                             contact=ds.settings.producer_contact(brand))
    cert.sha256 = hashlib.sha256(cert.pdf).hexdigest()
