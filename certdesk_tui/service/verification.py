"""Verification: a holder's copy of a certificate, or its printed code, checked.

Anyone who may open the database may verify (view-only users included): it is the
check a certificate holder asks for. A file is genuine only when its bytes are those
of an issued certificate (its SHA-256 digest is stored); a real code printed on an
altered file does not make it genuine. The answer names the certificate the file shows:
one certdesk drew before one uploaded with the same bytes, and never an upload whose
file prints another certificate's code or number.

``refuse_own_certificate`` is the rule that keeps it so: a certificate certdesk drew is
never uploaded (or attached) as a certificate issued elsewhere. Nor is a carrier's
certificate uploaded for one request attached to another made out to someone else
(``refuse_another_holders_certificate``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from certdesk_tui.domain import Brand, CertificateSource
from certdesk_tui.domain.certificates import (
    UNKNOWN,
    Verification,
    new_verification_code,
    parse_verification_code,
)
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.intake.submissions import Holder
from certdesk_tui.pdf.printed import (
    PrintedMarks,
    first_page_text,
    printed_marks,
    printed_verification_code,
)
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import verification
from certdesk_tui.storage.models import Certificate, CertificateRequest


def unused_code(s: Session) -> str:
    """A verification code no certificate has yet (a repeat is unlikely, and cheap to rule out)."""
    while True:
        code = new_verification_code()
        if not verification.code_in_use(s, code):
            return code


def verify_code(ds: DeskSession, typed: str) -> Verification:
    """The certificate a code belongs to, as typed by a holder (any case, spaces, dashes)."""
    ds.require(Permission.VIEW)
    code = parse_verification_code(typed)
    with ds.db.reading() as s:
        cert = verification.certificate_with_code(s, code)
        return UNKNOWN if cert is None else _answer(s, cert)


def verify_file(ds: DeskSession, data: bytes) -> Verification:
    """The issued certificate whose bytes these are, or unknown."""
    ds.require(Permission.VIEW)
    digest = hashlib.sha256(data).hexdigest()
    with ds.db.reading() as s:
        same = verification.certificates_with_sha256(s, digest)
        cert = _shown(s, same, data) if same else None
        if cert is None:
            cert = _undrawn_match(ds, s, data)
        return UNKNOWN if cert is None else _answer(s, cert)


def _shown(s: Session, same: list[Certificate], data: bytes) -> Certificate | None:
    """Of the certificates stored with these bytes (drawn ones first), the one the file is:
    one certdesk drew prints its own number and code; an upload only when the file prints
    no other certificate's code or number."""
    if same[0].source == CertificateSource.GENERATED:
        return same[0]
    printed = _printed_certificate(s, printed_marks(first_page_text(data)))
    if printed is not None:
        return printed if printed in same else None
    return same[0]


def _printed_certificate(s: Session, marks: PrintedMarks) -> Certificate | None:
    """The stored certificate whose code, or (for one certdesk drew) number and revision,
    the file prints."""
    cert = verification.certificate_with_any_code(s, marks.codes)
    if cert is None and marks.number is not None and marks.revision is not None:
        cert = verification.drawn_certificate(s, marks.number, marks.revision)
    return cert


def refuse_issued_attachment(ds: DeskSession, name: str, data: bytes, request_id: int) -> None:
    """``refuse_own_certificate`` and ``refuse_another_holders_certificate`` asked before an
    attachment is sent as request ``request_id``'s certificate (the command line asks before
    its wrong-file warning); issuing asks again in its own transaction."""
    ds.require(Permission.VIEW)
    with ds.db.reading() as s:
        refuse_own_certificate(s, name, data)
        req = s.get(CertificateRequest, request_id)
        if req is not None:
            refuse_another_holders_certificate(s, req, name, data)


HOLDER_FIELDS = ("holder_name", "holder_address", "holder_zip")


def holder_as_issued(req: CertificateRequest) -> dict[str, str]:
    """The holder a certificate issued now for ``req`` is made out to (kept in its data)."""
    return {name: getattr(req, name) or "" for name in HOLDER_FIELDS}


def _made_out_to(s: Session, cert: Certificate) -> tuple[str, str]:
    """(holder name, holder key) of the holder ``cert`` was made out to: as kept with it
    (a form's fields, or an upload's holder), else, for an upload kept before the holder
    was, its request's holder."""
    data = cert.data if isinstance(cert.data, dict) else {}
    if not all(isinstance(data.get(name), str) for name in HOLDER_FIELDS):
        data = holder_as_issued(verification.request_of(s, cert))
    holder = Holder(name=data["holder_name"], address=data["holder_address"],
                    zip=data["holder_zip"])
    return holder.name, holder.key


def refuse_another_holders_certificate(s: Session, req: CertificateRequest, name: str,
                                       data: bytes) -> None:
    """ValidationFailed when the PDF ``name`` is already the certificate of another
    request, made out to someone else (another customer, or another holder, as the holder
    stood when each was issued): a carrier's certificate names one holder, so the same file
    sent for this request would give its holder a certificate that names another. The
    same file for a request of the same customer and holder (a duplicate) is the right
    certificate, and is accepted; so is a file whose certificate a later revision
    replaced (it may have been uploaded for the wrong request, and belong to this one)."""
    here = Holder(**{name.removeprefix("holder_"): value
                     for name, value in holder_as_issued(req).items()}).key
    for cert in verification.certificates_with_sha256(s, hashlib.sha256(data).hexdigest()):
        if cert.request_id == req.id or cert.superseded_at is not None:
            continue  # a certificate replaced may have been the wrong file for its request
        other = verification.request_of(s, cert)
        holder_name, key = _made_out_to(s, cert)
        if other.customer_id == req.customer_id and key == here:
            continue
        made_out = ("another customer" if other.customer_id != req.customer_id
                    else f'the holder "{holder_name}"' if holder_name else "no holder")
        raise ValidationFailed(
            f"{name} is already the certificate of request #{other.id}, made out to "
            f"{made_out}: attach the certificate issued for this request")


def refuse_own_certificate(s: Session, name: str, data: bytes) -> None:
    """ValidationFailed when the PDF ``name`` to be attached as a certificate issued
    elsewhere is one certdesk drew: the same bytes as a stored certificate it drew, or a
    copy printing such a certificate's code, or its number and revision.

    Issued again as another request's, its file would verify as that request's
    certificate although it prints its own number and code."""
    same = verification.certificates_with_sha256(s, hashlib.sha256(data).hexdigest())
    cert = (same[0] if same and same[0].source == CertificateSource.GENERATED
            else _printed_certificate(s, printed_marks(first_page_text(data))))
    if cert is None or cert.source != CertificateSource.GENERATED:
        return
    raise ValidationFailed(
        f"{name} is certdesk's certificate {cert.number} revision {cert.revision} for "
        f"request #{cert.request_id}: issue or reissue a certificate instead of uploading it")


def _undrawn_match(ds: DeskSession, s: Session, data: bytes) -> Certificate | None:
    """A demo certificate is stored without its file until first opened: the file is
    genuine when it is exactly what that certificate draws."""
    code = printed_verification_code(data)
    cert = verification.certificate_with_code(s, code) if code else None
    if cert is None or cert.pdf or cert.verification_code is None:
        return None
    from certdesk_tui.pdf.certificate import render_stored  # fpdf2: only when needed

    drawn = render_stored(cert.data, number=cert.number, revision=cert.revision,
                          issued_on=cert.issued_at.date(),
                          verification_code=cert.verification_code,
                          contact=ds.settings.producer_contact(
                              Brand(verification.request_of(s, cert).customer.brand)))
    return cert if drawn == data else None


def _answer(s: Session, cert: Certificate) -> Verification:
    req = verification.request_of(s, cert)
    form: Any = cert.data.get("form", cert.data) if isinstance(cert.data, dict) else {}
    insured = form.get("insured_name") or req.customer.name
    holder = form.get("holder_name") or req.holder_name
    status = "superseded" if verification.is_superseded(s, cert) else "current"
    return Verification(status, cert.number, cert.revision, cert.request_id, insured, holder)
