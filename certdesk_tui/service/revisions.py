"""Revisions: a completed request's certificate corrected (or renewed) under the same number.

``issue_revision`` is the one way a later revision is issued: ``certdesk reissue``, the
desk's reissue form and renewals all call it. The new certificate is generated from
the current one's fields with the corrections (or attached, the only way for
Cornerstone), emailed as a completion is, and the one it replaces is kept and marked
superseded, all in one transaction with its activities and emails.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from certdesk_tui.domain import ActivityKind, Brand, CertificateSource, addresses, automation
from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.certificates import HOLDER_FIELDS, REVISABLE_FIELDS, certificate_title
from certdesk_tui.domain.errors import (
    DuplicateRow,
    InvalidTransition,
    StaleRequest,
    ValidationFailed,
)
from certdesk_tui.domain.workflow import ACTIONS_BY_ID
from certdesk_tui.domain.written import deceiving_character, is_blank
from certdesk_tui.pdf.upload_check import check_certificate_pdf
from certdesk_tui.service import completion
from certdesk_tui.service.opening import opening, require_payment_standing
from certdesk_tui.service.processing import apply_holder
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import columns, requests
from certdesk_tui.storage.models import Certificate, CertificateRequest

MAX_REASON = 500
ACTION = ACTIONS_BY_ID["reissue"]


@dataclass(frozen=True)
class PolicyTerm:
    """The policy term a revision certifies instead of the current one's (a renewal)."""

    policy_id: int | None
    number: str
    effective: date
    expires: date


@dataclass(frozen=True)
class Revision:
    """What ``issue_revision`` issued."""

    request_id: int
    certificate_number: str
    revision: int
    superseded: int
    """The revision it replaces."""
    file_name: str
    emailed: tuple[str, ...]
    overridden: str = ""
    """The policy-date refusal overridden with a written reason ("" when none)."""


def clean_reason(reason: str) -> str:
    """Why the certificate is reissued: required, one line, at most ``MAX_REASON``."""
    text = " ".join((reason or "").split())
    if is_blank(text):
        raise ValidationFailed("a reissue needs a reason: say what the new revision corrects")
    if len(text) > MAX_REASON:
        raise ValidationFailed(f"a reissue reason is at most {MAX_REASON} characters, "
                               f"not {len(text)}")
    if (char := deceiving_character(text, marks=True)) is not None:
        raise ValidationFailed(f"a reissue reason cannot contain the control character "
                               f"U+{ord(char):04X}")
    return text


def check_changes(changes: Mapping[str, str]) -> None:
    """Only the holder and the description may be corrected by a revision."""
    for name in changes:
        if name not in REVISABLE_FIELDS:
            raise ValidationFailed(f"a revision cannot change {name!r}; fields: "
                                   f"{', '.join(REVISABLE_FIELDS)}")


def issue_revision(
    ds: DeskSession,
    request_id: int,
    *,
    changes: Mapping[str, str] | None = None,
    attachment: tuple[str, bytes] | None = None,
    to_holder: bool | None = None,
    reason: str,
    term: PolicyTerm | None = None,
    override_reason: str | None = None,
    email: bool = True,
    cc: Sequence[str] = (),
    expected_version: int | None = None,
    actor: str | None = None,
) -> Revision:
    """Issue the next revision of a completed request's certificate.

    ``changes``: corrections to ``REVISABLE_FIELDS`` (holder corrections are saved on the
    request); ``attachment``: (file name, PDF) issued elsewhere instead of generating;
    ``to_holder``: email the holder too (default: as the request said); ``term``: certify
    this policy term instead (a renewal); ``override_reason``: issue although the policy
    is not in force on the certificate's date; ``email``: queue the emails (a renewal may
    not); ``cc``: extra recipients. Two revisions at once: one wins, the other is a
    ``StaleRequest`` (the request's version and the unique revision number).
    """
    ds.require(ACTION.permission)
    reason = clean_reason(reason)
    changes = dict(changes or {})
    check_changes(changes)
    if override_reason is not None:
        override_reason = automation.clean_override_reason(override_reason)
    completion.extra_recipients(cc)
    if attachment is not None:
        check_certificate_pdf(attachment[1], attachment[0])
    try:
        with opening(ds, "reissue", request_id, expected_version=expected_version) as (s, req):
            return _issue(ds, s, req, changes=changes, attachment=attachment,
                          to_holder=to_holder, reason=reason, term=term,
                          override_reason=override_reason, email=email, cc=cc, actor=actor)
    except DuplicateRow:
        raise StaleRequest(
            f"request #{request_id} was reissued by someone else at the same moment; it has "
            "been reloaded, check it and try again") from None


PRINTED_POLICY_FIELDS = frozenset({"policy_number", "effective", "expires"})


def _issue(ds: DeskSession, s: Session, req: CertificateRequest, *,
           changes: dict[str, str], attachment: tuple[str, bytes] | None,
           to_holder: bool | None, reason: str, term: PolicyTerm | None,
           override_reason: str | None, email: bool, cc: Sequence[str],
           actor: str | None) -> Revision:
    current = requests.newest_certificate(s, req.id)
    if current is None:
        raise InvalidTransition(f"request #{req.id} has no certificate to reissue")
    require_payment_standing(req)
    if attachment is None and not Brand(req.customer.brand).automation_supported:
        raise ValidationFailed(
            f"request #{req.id} is a Cornerstone (CS) request: its certificate comes from "
            "the carrier; attach the carrier's corrected certificate PDF")
    form = revised_form(ds, s, req, current, changes, term)
    if attachment is None:
        automation.require_valid(form)
    else:
        if changes.keys() - set(HOLDER_FIELDS):
            raise ValidationFailed("an attached certificate is sent as it is: only the holder "
                                   "fields can be corrected with it")
        if form.holder_email:
            addresses.normalized(form.holder_email, "holder_email")
    # A revision keeps the printed policy of the certificate it corrects (or takes the
    # renewed term from the record); only a policy number or dates typed over it must be
    # the record's.
    overridden = completion.policy_term_or_override(
        ds, s, req, form if attachment is None or term is not None else None, attachment,
        override_reason, printed_policy=bool(changes.keys() & PRINTED_POLICY_FIELDS))
    apply_holder(req, form)
    columns.check_fits(req)
    to_holder = req.send_to_holder if to_holder is None else to_holder
    holder_email = completion.holder_address(req, to_holder) if email else ""
    cert = completion.issue_certificate(ds, s, req, form=form if attachment is None else None,
                                        attachment=attachment, actor=actor)
    current.superseded_at = cert.issued_at
    ds.log(s, req.id, ActivityKind.REISSUE,
           f"{certificate_title(cert.number, cert.revision)} supersedes revision "
           f"{current.revision}; reason: {reason}", actor=actor)
    emailed: list[str] = []
    if email:
        emailed = completion.email_certificate(ds, s, req, cert, holder_email=holder_email,
                                               to_holder=to_holder, cc=cc, actor=actor)
    ds.touch(s, req)
    s.flush()
    return Revision(req.id, cert.number, cert.revision, current.revision, cert.file_name,
                    tuple(emailed), overridden)


def revised_form(ds: DeskSession, s: Session, req: CertificateRequest, current: Certificate,
                 changes: dict[str, str], term: PolicyTerm | None) -> CertificateForm:
    """The current certificate's fields (as the request's data fills them when it was
    uploaded), the policy term a renewal certifies, then the corrections."""
    form = stored_form(current)
    if form is None:
        form = automation.prefill(req, req.customer, completion.certificate_policy(ds, s, req))
    if term is not None:
        form = form.with_changes({"policy_number": term.number,
                                  "effective": term.effective.isoformat(),
                                  "expires": term.expires.isoformat()})
    return form.with_changes(changes) if changes else form


def stored_form(cert: Certificate) -> CertificateForm | None:
    """The form a certificate was generated from (None for one uploaded without a form)."""
    if cert.source != CertificateSource.GENERATED and "insured_name" not in (cert.data or {}):
        return None
    try:
        return CertificateForm.from_json(dict(cert.data))
    except (KeyError, TypeError, ValueError):
        return None


def revision_prefill(ds: DeskSession, request_id: int) -> CertificateForm:
    """The form the desk's reissue dialog starts from: the current certificate's fields."""
    ds.require(ACTION.permission)
    with ds.db.reading() as s:
        req = requests.get_request(s, request_id)
        current = requests.newest_certificate(s, request_id)
        if current is None:
            raise InvalidTransition(f"request #{request_id} has no certificate to reissue")
        return revised_form(ds, s, req, current, {}, None)
