"""Certificates found by what a holder has: the file's digest or the printed code."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import case, exists, select
from sqlalchemy.orm import Session

from certdesk_tui.domain import CertificateSource
from certdesk_tui.storage.models import Certificate, CertificateRequest

# Those certdesk drew before those uploaded, then the newest first.
_DRAWN_FIRST = (case((Certificate.source == CertificateSource.GENERATED.value, 0), else_=1),
                Certificate.id.desc())


def code_in_use(session: Session, code: str) -> bool:
    return bool(session.scalar(select(exists().where(Certificate.verification_code == code))))


def certificate_with_code(session: Session, code: str) -> Certificate | None:
    return session.scalars(
        select(Certificate).where(Certificate.verification_code == code)
    ).first()


def certificates_with_sha256(session: Session, sha256: str) -> list[Certificate]:
    """Every certificate whose stored file has this digest: those certdesk drew first, then
    the newest (a carrier's file may be uploaded for two requests, and a database from
    before such uploads were refused may hold a drawn certificate uploaded again)."""
    return list(session.scalars(
        select(Certificate).where(Certificate.sha256 == sha256, Certificate.sha256 != "")
        .order_by(*_DRAWN_FIRST)))


def certificate_with_any_code(session: Session, codes: Collection[str]) -> Certificate | None:
    """The certificate one of these codes belongs to (one certdesk drew, should two)."""
    if not codes:
        return None
    return session.scalars(
        select(Certificate).where(Certificate.verification_code.in_(list(codes)))
        .order_by(*_DRAWN_FIRST)
    ).first()


def drawn_certificate(session: Session, number: str, revision: int) -> Certificate | None:
    """The certificate certdesk drew with this number and revision, if any."""
    return session.scalars(
        select(Certificate).where(Certificate.number == number,
                                  Certificate.revision == revision,
                                  Certificate.source == CertificateSource.GENERATED.value)
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
