"""Verification: a holder's copy of a certificate, or its printed code, checked.

Anyone who may open the database may verify (view-only users included): it is the
check a certificate holder asks for. A file is genuine only when its bytes are those
of an issued certificate (its SHA-256 digest is stored); a real code printed on an
altered file does not make it genuine.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from certdesk_tui.domain import Brand
from certdesk_tui.domain.certificates import (
    UNKNOWN,
    Verification,
    new_verification_code,
    parse_verification_code,
)
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.pdf.printed import printed_verification_code
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import verification
from certdesk_tui.storage.models import Certificate


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
        cert = verification.certificate_with_sha256(s, digest)
        if cert is None:
            cert = _undrawn_match(ds, s, data)
        return UNKNOWN if cert is None else _answer(s, cert)


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
