"""What the desk and the commands read: the queue, a request, its certificate."""

from __future__ import annotations

from dataclasses import replace

from certdesk_tui.domain import PENDING_STATUSES, Brand
from certdesk_tui.domain.errors import AlreadyClaimed, NotFound
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.views import (
    QueueFilter,
    QueuePage,
    QueueSnapshot,
    RequestDetail,
    RequestRow,
)
from certdesk_tui.domain.workflow import ACTIONS_BY_ID, why_not_offered
from certdesk_tui.service import opening
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import changes, outbox, requests


def queue(ds: DeskSession, flt: QueueFilter | None = None, offset: int = 0,
          limit: int = 100) -> QueuePage:
    ds.require(Permission.VIEW)
    with ds.db.reading() as s:
        return requests.queue_page(s, flt or QueueFilter(), ds.actor.user_id, offset, limit)


def queue_snapshot(ds: DeskSession, flt: QueueFilter | None = None, offset: int = 0,
                   limit: int = 100, *, counts: bool = True) -> QueueSnapshot:
    """A page of the queue, the pending badge, the failing emails and the change counter,
    all from one read transaction. A page past the end gives the last page instead.
    Without ``counts`` the badge and the failing emails are left out (``None``)."""
    ds.require(Permission.VIEW)
    flt = flt or QueueFilter()
    with ds.db.reading() as s:
        counter = changes.change_counter(s)
        page = requests.queue_page(s, flt, ds.actor.user_id, offset, limit)
        if not page.rows and offset > 0:
            offset = max(0, (page.total - 1) // limit * limit)
            page = requests.queue_page(s, flt, ds.actor.user_id, offset, limit)
        # The default queue is exactly the pending requests: its total is the badge.
        if not counts:
            return QueueSnapshot(page, None, None, counter)
        pending = page.total if _all_pending(flt) else requests.pending_count(s)
        return QueueSnapshot(page, pending, outbox.failing_email_count(s), counter)


def _all_pending(flt: QueueFilter) -> bool:
    """Whether ``flt`` selects every pending request in the queue, and nothing else: the
    default filter in any order (a filter field added later counts as narrowing)."""
    return flt == replace(QueueFilter(), sort=flt.sort, descending=flt.descending) \
        and flt.statuses == frozenset(PENDING_STATUSES)


def prepare_search(ds: DeskSession) -> None:
    """Make the search's statements ready before the first key (``requests.prepare_search``)."""
    ds.require(Permission.VIEW)
    with ds.db.reading() as s:
        requests.prepare_search(s)


def pending_count(ds: DeskSession) -> int:
    ds.require(Permission.VIEW)
    with ds.db.reading() as s:
        return requests.pending_count(s)


def change_counter(ds: DeskSession) -> int:
    with ds.db.reading() as s:
        return changes.change_counter(s)


def request(ds: DeskSession, request_id: int) -> RequestDetail:
    ds.require(Permission.VIEW)
    with ds.db.reading() as s:
        return requests.request_detail(s, request_id)


def row(ds: DeskSession, request_id: int) -> RequestRow:
    ds.require(Permission.VIEW)
    with ds.db.reading() as s:
        return requests.request_row(s, request_id)


def held_elsewhere(ds: DeskSession, action_id: str, request_id: int) -> AlreadyClaimed | None:
    """Before a dialog opens: the refusal the action would meet because someone else holds
    the request (who, since when), or None. The action itself checks again."""
    ds.require(Permission.VIEW)
    if not ACTIONS_BY_ID[action_id].holds_the_request:
        return None
    with ds.db.reading() as s:
        return opening.held_elsewhere(ds, requests.get_request(s, request_id))


def why_not(ds: DeskSession, action_id: str, detail: RequestDetail | RequestRow) -> str | None:
    """Why an action is not offered for this request now (None: it is).

    Asked for every row the desk shows: it uses the acting user as last read.
    """
    return why_not_offered(ds.actor, action_id, detail)


def certificate(ds: DeskSession, request_id: int,
                revision: int | None = None) -> tuple[str, bytes]:
    """A certificate of a request, the current one unless ``revision`` says which:
    (file name, PDF bytes)."""
    ds.require(Permission.VIEW)
    with ds.db.reading() as s:
        req = requests.request_row(s, request_id)
        cert = requests.newest_certificate(s, request_id)
        if cert is None:
            raise NotFound(f"request #{request_id} has no certificate yet")
        if revision is not None and revision != cert.revision:
            wanted = (requests.certificate_revision(s, request_id, revision)
                      if 0 <= revision < cert.revision else None)
            if wanted is None:
                raise NotFound(f"request #{request_id} has no certificate revision {revision} "
                               f"(its revisions are 0 to {cert.revision})")
            cert = wanted
        if not cert.pdf:  # a demo certificate, drawn when first opened
            from certdesk_tui.pdf.certificate import render_stored  # fpdf2: only when needed

            return cert.file_name, render_stored(
                cert.data, number=cert.number, revision=cert.revision,
                issued_on=cert.issued_at.date(), verification_code=cert.verification_code or "",
                contact=ds.settings.producer_contact(Brand(req.brand)))
        return cert.file_name, cert.pdf
