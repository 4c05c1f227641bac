"""The common opening of every processing action, read from the action registry.

``opening`` checks, in this order: the acting user may run the action (the
permission of its registry entry, read again from the database); the request
exists and is locked for the transaction; it is in the queue; it is still the
version the user read; the action applies to its state (the registry's
``why_not``); nobody else holds it, unless a manager takes it over (logged).
Each refusal is a ``CertdeskError`` that says what happened; then the action
itself is a few lines inside the ``with``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from certdesk_tui.clock import utcnow
from certdesk_tui.domain import ActivityKind, PaymentStatus, RequestType, Status
from certdesk_tui.domain.activity import CLOSING_KINDS, activity_sentence
from certdesk_tui.domain.errors import AlreadyClaimed, InvalidTransition, StaleRequest
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.workflow import ACTIONS_BY_ID, RequestAction
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import requests
from certdesk_tui.storage.models import CertificateRequest


@contextmanager
def opening(ds: DeskSession, action_id: str, request_id: int, *,
            expected_version: int | None = None,
            take_over: bool = False) -> Iterator[tuple[Session, CertificateRequest]]:
    """Open a write transaction on a request for one action: (session, locked request)."""
    action = ACTIONS_BY_ID[action_id]
    ds.require(action.permission)
    with ds.writing() as s:
        yield s, open_request(ds, s, action, request_id, expected_version, take_over)


def open_request(ds: DeskSession, s: Session, action: RequestAction, request_id: int,
                 expected_version: int | None = None,
                 take_over: bool = False) -> CertificateRequest:
    """The opening's checks inside a transaction the caller holds (see ``opening``)."""
    req = requests.lock_request(s, request_id)
    if not action.holds_the_request:
        return req
    if not req.in_queue:
        raise InvalidTransition(
            f"request #{request_id} is a waiver of subrogation whose payment is "
            f"{req.payment_status or 'not approved'}; it is not in the queue yet"
        )
    if expected_version is not None and req.version != expected_version:
        raise StaleRequest(
            f"request #{request_id} was changed by {req.updated_by or 'someone'} at "
            f"{req.updated_at:%Y-%m-%d %H:%M} UTC after you opened it{what_happened(s, req)}"
        )
    check_state(ds, s, req, action)
    ensure_free(ds, s, req, take_over)
    return req


def check_state(ds: DeskSession, s: Session, req: CertificateRequest,
                action: RequestAction) -> None:
    """The action applies to the request's state, or InvalidTransition says why not."""
    if reason := action.why_not(RequestState(req), ds.actor.login):
        raise InvalidTransition(reason + closed_by(s, req))


def ensure_free(ds: DeskSession, s: Session, req: CertificateRequest, take_over: bool) -> None:
    """A request in progress with someone else is theirs unless a manager takes it over."""
    actor = ds.actor
    refusal = held_elsewhere(ds, req)
    if refusal is None:
        return
    if not take_over:
        raise refusal
    holder = req.assignee
    who = holder.display_name if holder else "someone"
    actor.require(Permission.TAKE_OVER)
    ds.log(s, req.id, ActivityKind.TAKEN_OVER, f"taken over from {who}")
    req.assignee_id = actor.user_id
    req.claimed_at = utcnow()


def held_elsewhere(ds: DeskSession, req: CertificateRequest) -> AlreadyClaimed | None:
    """The refusal for a request in progress with someone else (who, since when), or None."""
    actor = ds.actor
    if req.status != Status.IN_PROGRESS or req.assignee_id in (None, actor.user_id):
        return None
    holder = req.assignee
    who = holder.display_name if holder else "someone"
    since = f"{req.claimed_at:%Y-%m-%d %H:%M} UTC" if req.claimed_at else "earlier"
    held = f"request #{req.id} is in progress by {who} since {since}"
    may_take_over = actor.may(Permission.TAKE_OVER)
    # The desk's words; the command line says it its own way (cli.refusals).
    hint = " (confirm to take it over)" if may_take_over else " (a manager may take it over)"
    return AlreadyClaimed(held + hint, holder.login if holder else "", held=held,
                          may_take_over=may_take_over)


def require_payment_standing(req: CertificateRequest) -> None:
    """A WOS is completed only while its payment stands approved (a later decline stops it)."""
    if (req.type == RequestType.WOS and req.payment_status is not None
            and req.payment_status != PaymentStatus.APPROVED):
        raise InvalidTransition(
            f"request #{req.id} is a waiver of subrogation whose payment is now "
            f"{req.payment_status}: it cannot be completed until the payment is approved "
            "(reject it if the customer will not pay)"
        )


# What a colleague did, not what followed by itself (the emails of a completion).
_EVENTS_AFTER = tuple(k.value for k in ActivityKind if k.value.startswith("email_"))


def what_happened(s: Session, req: CertificateRequest) -> str:
    """The end of a stale-version refusal: what was done to the request meanwhile."""
    status = Status(req.status)
    newest = requests.newest_activity(s, req.id, _EVENTS_AFTER)
    done = f": {activity_sentence(newest.action)} by {newest.actor}" if newest else ""
    if status.is_final:
        return f"{done}; it is now {status.label} and has been reloaded"
    return f"{done}; it has been reloaded, check it and try again"


def closed_by(s: Session, req: CertificateRequest) -> str:
    """Who closed a completed or rejected request, and when: the loser of a race is told."""
    if not Status(req.status).is_final:
        return ""
    closing = requests.last_activity_of(s, req.id, tuple(CLOSING_KINDS))
    if closing is None:
        return ""
    done = Status(req.status).label.lower()
    return f" ({closing.actor} {done} it at {closing.at:%Y-%m-%d %H:%M} UTC)"


class RequestState:
    """The workflow rules' view of an ORM request."""

    def __init__(self, req: CertificateRequest) -> None:
        self.id = req.id
        self.status = req.status
        self.type = req.type
        self.brand = req.customer.brand
        self.assignee_login = req.assignee.login if req.assignee else None
        self.submitted_type = req.submitted_type
