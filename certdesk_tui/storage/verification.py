"""Certificates found by what a holder has: the file's digest or the printed code."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from certdesk_tui.storage.models import Certificate, CertificateRequest


def code_in_use(session: Session, code: str) -> bool:
    return bool(session.scalar(select(exists().where(Certificate.verification_code == code))))


def certificate_with_code(session: Session, code: str) -> Certificate | None:
    return session.scalars(
        select(Certificate).where(Certificate.verification_code == code)
    ).first()


def certificate_with_sha256(session: Session, sha256: str) -> Certificate | None:
    """The certificate whose stored file has this digest (the newest, should two share it)."""
    return session.scalars(
        select(Certificate).where(Certificate.sha256 == sha256, Certificate.sha256 != "")
        .order_by(Certificate.id.desc())
    ).first()


def is_superseded(session: Session, cert: Certificate) -> bool:
    """Marked superseded, or a later revision of the same request exists."""
    if cert.superseded_at is not None:
        return True
    return bool(session.scalar(select(exists().where(
        Certificate.request_id == cert.request_id, Certificate.revision > cert.revision))))


def request_of(session: Session, cert: Certificate) -> CertificateRequest:
    req = session.get(CertificateRequest, cert.request_id)
    assert req is not None, "a certificate belongs to a request"
    return req
