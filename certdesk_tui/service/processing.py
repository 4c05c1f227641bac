"""The six processing actions. Each opens with ``opening`` (permission, lock, state,
version, take-over from the action registry) and is then its own few lines."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from certdesk_tui.clock import utcnow
from certdesk_tui.domain import (
    ActivityKind,
    Brand,
    RequestType,
    Status,
    addresses,
    automation,
    workflow,
)
from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.errors import InvalidTransition, ValidationFailed
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.views import RequestRow
from certdesk_tui.domain.workflow import ACTIONS_BY_ID
from certdesk_tui.domain.written import is_blank
from certdesk_tui.notifications import rejected_email
from certdesk_tui.pdf.upload_check import check_certificate_pdf
from certdesk_tui.service import completion
from certdesk_tui.service.completion import Completion
from certdesk_tui.service.opening import (
    RequestState,
    check_state,
    open_request,
    opening,
    require_payment_standing,
)
from certdesk_tui.service.reasons import find_active_reason
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import columns, requests
from certdesk_tui.storage.models import CertificateRequest, Note

MAX_NOTE_LENGTH = 5_000


def start(ds: DeskSession, request_id: int, expected_version: int | None = None,
          take_over: bool = False) -> RequestRow:
    """Mark in progress: claim the request for the current user."""
    with opening(ds, "start", request_id, expected_version=expected_version,
                 take_over=take_over) as (s, req):
        req.status = Status.IN_PROGRESS
        if req.assignee_id != ds.actor.user_id:
            req.assignee_id = ds.actor.user_id
            req.claimed_at = utcnow()
        ds.log(s, req.id, ActivityKind.START, f"marked in progress by {ds.actor.label}")
        ds.touch(s, req)
        s.flush()
        return requests.request_row(s, request_id)


def relabel(ds: DeskSession, request_id: int, expected_version: int | None = None,
            take_over: bool = False, back_reason: str | None = None) -> RequestRow:
    """Relabel a request mislabelled at submission as a waiver of subrogation, or, with
    ``back_reason``, a request relabelled as WOS back to the type it was submitted as
    (the reason is logged)."""
    # The reason is checked after the permission: a refusal never depends on it.
    ds.require(ACTIONS_BY_ID["relabel"].permission)
    with opening(ds, "relabel", request_id, expected_version=expected_version,
                 take_over=take_over) as (s, req):
        state = RequestState(req)
        if back_reason is None:
            if req.type == RequestType.WOS:
                raise InvalidTransition(
                    f"request #{req.id} is already a waiver of subrogation (WOS); to relabel "
                    f"it back to {req.submitted_type} give a reason (certdesk relabel {req.id} "
                    "--back --reason TEXT)")
            relabel_as_wos(ds, s, req)
        else:
            if not workflow.relabelled_back(state):
                raise InvalidTransition(
                    f"request #{req.id} is a {req.type} as submitted; only a request "
                    "relabelled as WOS is relabelled back")
            try:
                reason = workflow.clean_relabel_reason(state, back_reason)
            except ValueError as exc:
                raise ValidationFailed(str(exc)) from None
            req.type = req.submitted_type
            ds.log(s, req.id, ActivityKind.RELABEL,
                   f"relabelled WOS → {req.submitted_type}: {reason}")
        ds.touch(s, req)
        s.flush()
        return requests.request_row(s, request_id)


def relabel_as_wos(ds: DeskSession, s: Session, req: CertificateRequest) -> None:
    before = req.type
    req.type = RequestType.WOS
    ds.log(s, req.id, ActivityKind.RELABEL, f"relabelled {before} → WOS")


def automate(
    ds: DeskSession,
    request_id: int,
    *,
    form: CertificateForm | None = None,
    changes: dict[str, str] | None = None,
    wos: bool = False,
    to_holder: bool | None = None,
    attachment: tuple[str, bytes] | None = None,
    expected_version: int | None = None,
    take_over: bool = False,
    override_reason: str | None = None,
    cc: Sequence[str] = (),
) -> Completion:
    """Attempt automation: issue the (reviewed) certificate and email it (also to each
    extra recipient in ``cc``).

    The policy must be in force on the certificate's date (``completion.policy_refusal``);
    ``override_reason`` is the processor's written reason to issue anyway.
    """
    # The input is checked after the permission: a refusal never depends on it.
    ds.require(ACTIONS_BY_ID["automate"].permission)
    if override_reason is not None:
        override_reason = automation.clean_override_reason(override_reason)
    completion.extra_recipients(cc)
    with opening(ds, "automate", request_id, expected_version=expected_version,
                 take_over=take_over) as (s, req):
        require_payment_standing(req)
        if form is None:
            form = automation.prefill(req, req.customer,
                                      completion.certificate_policy(ds, s, req))
        if changes:
            form = form.with_changes(changes)
        if req.type == RequestType.WOS and not form.wos:
            raise ValidationFailed(
                f"request #{req.id} is a waiver of subrogation: its certificate must show "
                "SUBR WVD Y (wos cannot be turned off)"
            )
        if wos and not form.wos:
            form = automation.with_wos(form)
        if form.wos and req.type != RequestType.WOS:
            relabel_as_wos(ds, s, req)
        if attachment is None:
            automation.require_valid(form)
        elif form.holder_email:
            addresses.normalized(form.holder_email, "holder_email")
        overridden = completion.policy_term_or_override(ds, s, req, form, attachment,
                                                        override_reason)
        apply_holder(req, form)
        columns.check_fits(req)
        return completion.complete(ds, s, req, form=form, attachment=attachment,
                                   to_holder=to_holder, overridden=overridden, cc=cc)


def apply_holder(req: CertificateRequest, form: CertificateForm) -> None:
    """Corrections made on the form become the request's holder."""
    req.holder_name = form.holder_name
    req.holder_address = form.holder_address
    req.holder_city = form.holder_city
    req.holder_state = form.holder_state
    req.holder_zip = form.holder_zip
    req.holder_email = form.holder_email


def upload(
    ds: DeskSession,
    request_id: int,
    file_name: str,
    data: bytes,
    *,
    to_holder: bool | None = None,
    expected_version: int | None = None,
    take_over: bool = False,
    override_reason: str | None = None,
    cc: Sequence[str] = (),
) -> Completion:
    """Complete a request with a certificate issued elsewhere (Cornerstone, or any).

    The same policy-date rule and override as ``automate`` apply.
    """
    ds.require(ACTIONS_BY_ID["upload"].permission)
    if override_reason is not None:
        override_reason = automation.clean_override_reason(override_reason)
    completion.extra_recipients(cc)
    check_certificate_pdf(data, file_name)
    with opening(ds, "upload", request_id, expected_version=expected_version,
                 take_over=take_over) as (s, req):
        require_payment_standing(req)
        overridden = completion.policy_term_or_override(ds, s, req, None, (file_name, data),
                                                        override_reason)
        return completion.complete(ds, s, req, form=None, attachment=(file_name, data),
                                   to_holder=to_holder, overridden=overridden, cc=cc)


def reject(ds: DeskSession, request_id: int, reason: str | int,
           expected_version: int | None = None, take_over: bool = False) -> RequestRow:
    """Reject with a configured reason; the customer is emailed the reason."""
    action = ACTIONS_BY_ID["reject"]
    ds.require(action.permission)
    with ds.writing() as s:
        chosen = find_active_reason(s, reason)
        req = open_request(ds, s, action, request_id, expected_version, take_over)
        now = utcnow()
        if req.assignee_id is None:
            req.assignee_id = ds.actor.user_id
            req.claimed_at = now
        req.status = Status.REJECTED
        req.closed_at = now
        req.rejection_reason_id = chosen.id
        req.rejection_reason_text = chosen.text
        ds.log(s, req.id, ActivityKind.REJECT, f"rejected: {chosen.text}")
        draft = rejected_email(
            request_id=req.id, request_type=req.type, brand=Brand(req.customer.brand),
            customer_name=req.customer.name,
            customer_email=addresses.usable(req.customer.email),
            holder_name=req.holder_name, reason=chosen.text,
        )
        completion.queue_emails(ds, s, req, [draft] if draft else [], None)
        ds.touch(s, req)
        s.flush()
        return requests.request_row(s, request_id)


def clean_note(body: str | None) -> str:
    """A note's text as kept, or the refusal: something visible, at most
    ``MAX_NOTE_LENGTH`` characters (one note or the same note on many requests)."""
    body = (body or "").strip()
    if is_blank(body):
        raise ValidationFailed("a note needs some text")
    if len(body) > MAX_NOTE_LENGTH:
        raise ValidationFailed(f"a note is at most {MAX_NOTE_LENGTH} characters")
    return body


def note(ds: DeskSession, request_id: int, body: str) -> None:
    """An internal note on the request (never emailed), whoever holds it."""
    ds.require(ACTIONS_BY_ID["note"].permission)
    body = clean_note(body)
    with opening(ds, "note", request_id) as (s, req):
        s.add(Note(request_id=req.id, author=ds.actor.label, body=body, created_at=utcnow()))
        req.has_notes = True
        ds.log(s, req.id, ActivityKind.NOTE, "internal note added")
        ds.touch(s, req)


# -- what the automation and upload dialogs ask before they open ---------------------


def automation_prefill(ds: DeskSession, request_id: int) -> CertificateForm:
    """The certificate form as automation fills it (Compeo and PeoPayGo only)."""
    ds.require(Permission.PROCESS)
    with ds.db.reading() as s:
        req = requests.get_request(s, request_id)
        check_state(ds, s, req, ACTIONS_BY_ID["automate"])
        return automation.prefill(req, req.customer, completion.certificate_policy(ds, s, req))


def policy_refusal(ds: DeskSession, request_id: int,
                   form: CertificateForm | None = None) -> str | None:
    """Why the request may not be completed today without an override reason (None: it may).

    Asked before a dialog opens, so that it can show the refusal and a reason field.
    A WOS whose payment does not stand approved is refused outright (no override).
    """
    ds.require(Permission.PROCESS)
    with ds.db.reading() as s:
        req = requests.get_request(s, request_id)
        require_payment_standing(req)
        return completion.policy_refusal(ds, s, req, form)
