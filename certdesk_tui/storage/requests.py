"""Certificate requests in the database: the queue, details, locking, their certificates.

Filtering, sorting and paging happen in SQL so that the interface only ever
holds the rows it shows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Row, Select, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from certdesk_tui.domain import PENDING_STATUSES, postal_address
from certdesk_tui.domain.errors import NotFound
from certdesk_tui.domain.views import (
    ActivityView,
    CertificateView,
    DuplicateView,
    EmailView,
    NoteView,
    QueueFilter,
    QueuePage,
    RequestDetail,
    RequestRow,
)
from certdesk_tui.storage.models import (
    Activity,
    Certificate,
    CertificateRequest,
    Customer,
    DuplicateLink,
    Note,
    OutboxEmail,
    User,
)
from certdesk_tui.storage.rows import queue_row

R = CertificateRequest
_duplicate_flag = exists().where(DuplicateLink.request_id == R.id).correlate(R)

_SORT_COLUMNS = {
    "id": R.id,
    "age": R.submitted_at,
    "customer": Customer.name,
    "brand": Customer.brand,
    "type": R.type,
    "channel": R.channel,
    "holder": R.holder_name,
    "status": R.status,
    "assignee": User.login,
}


MAX_ID = 2**63 - 1  # the largest id any table can hold; SQLite overflows beyond it


def is_id(value: object) -> bool:
    """Whether ``value`` could be a row's id (0, negative or 20 digits never is)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(flt: QueueFilter, user_id: int | None, *, in_order: bool = False) -> list:
    """The filter's conditions. ``in_order``: match the customers without their index,
    so that the database walks the requests in the order shown and stops at the page."""
    clauses: list = [R.in_queue.is_(True)]
    if flt.statuses:
        clauses.append(R.status.in_(sorted(s.value for s in flt.statuses)))
    if flt.types:
        clauses.append(R.type.in_(sorted(t.value for t in flt.types)))
    if flt.channels:
        clauses.append(R.channel.in_(sorted(c.value for c in flt.channels)))
    if flt.manual_only:
        clauses.append(R.manual.is_(True))
    if flt.mine:
        clauses.append(R.assignee_id == user_id)
    if flt.brands or flt.search.strip():
        customers = select(Customer.id)
        if flt.brands:
            customers = customers.where(Customer.brand.in_(sorted(b.value for b in flt.brands)))
        text = flt.search.strip().lower()
        if text:
            pattern = f"%{escape_like(text)}%"
            customers = customers.where(
                or_(
                    Customer.name_search.like(pattern, escape="\\"),
                    func.lower(Customer.code).like(pattern, escape="\\"),
                )
            )
        customer = (R.customer_id + 0) if in_order else R.customer_id
        clauses.append(customer.in_(customers.scalar_subquery()))
    return clauses


def _row_select() -> Select:
    return (
        select(
            R.id, R.external_id, Customer.name, Customer.code, Customer.brand, R.type, R.channel,
            R.holder_name, R.status, User.login, R.manual, R.manual_reasons, R.discrepancy,
            or_(R.has_notes, R.instructions != ""), _duplicate_flag, R.submitted_at, R.version,
            R.submitted_type, R.claimed_at,
        )
        .join(Customer, Customer.id == R.customer_id)
        .outerjoin(User, User.id == R.assignee_id)
    )


def count_statement(flt: QueueFilter, user_id: int | None) -> Select:
    """How many requests ``flt`` selects."""
    return select(func.count()).select_from(R).where(*_where(flt, user_id))


def page_statement(flt: QueueFilter, user_id: int | None, skip: int, take: int, *,
                   backwards: bool = False, in_order: bool = False) -> Select:
    """The rows of a page: ``take`` rows after ``skip``, in the filter's order (the
    opposite order when read ``backwards``, from the end)."""
    column = _SORT_COLUMNS.get(flt.sort, R.submitted_at)
    descending = flt.descending != backwards
    order = [column.desc() if descending else column.asc(),
             R.id.desc() if descending else R.id.asc()]
    return (_row_select().where(*_where(flt, user_id, in_order=in_order))
            .order_by(*order).offset(skip).limit(take))


def queue_page(
    session: Session, flt: QueueFilter, user_id: int | None, offset: int, limit: int
) -> QueuePage:
    total = session.scalar(count_statement(flt, user_id)) or 0
    column = _SORT_COLUMNS.get(flt.sort, R.submitted_at)
    # A page nearer the end is read from the end, in the opposite order (the last page
    # of 700,000 requests: 7 ms instead of 0.7 s spent skipping the rows before it).
    if offset and offset >= total:
        return QueuePage(rows=(), total=total, offset=offset)  # past the end: no rows
    end = min(offset + limit, total)
    backwards = offset > 0 and total - end < offset
    skip, take = (total - end, end - offset) if backwards else (offset, limit)
    by_customer = bool(flt.brands or flt.search.strip())  # the condition in_order rewrites
    in_order = by_customer and column is R.submitted_at and _denser_than_a_page(
        session, total, skip + take)
    stmt = page_statement(flt, user_id, skip, take, backwards=backwards, in_order=in_order)
    rows = [queue_row(v) for v in session.execute(stmt)]
    if backwards:
        rows.reverse()
    return QueuePage(rows=tuple(rows), total=total, offset=offset)


def _max_id_statement() -> Select:
    return select(func.max(R.id))


def _denser_than_a_page(session: Session, matches: int, reach: int) -> bool:
    """Whether walking the requests in the queue's order finds the page sooner than
    reading every match through the customers' index and sorting them.

    Walking reads about ``reach`` (offset + limit) rows per share of requests matching:
    ``reach * requests / matches``; the customers' index reads ``matches`` rows. So a
    search of one or two letters (150,000 matches of a million) walks, reading a few
    hundred rows instead of sorting 150,000 (half a second); one customer's 5,000
    requests, or the last page of any search, are read through the index. The highest
    id stands for the number of requests (it is at least that, read at once).
    """
    if not matches or reach >= matches:
        return False
    requests = session.scalar(_max_id_statement()) or 0
    return matches * matches > reach * requests


# A search that matches no customer's name or code (a control picture, never typed).
_UNMATCHED = "\u2400"


def prepare_search(session: Session) -> None:
    """Run a search's statements once, on nothing: SQLAlchemy compiles each statement's
    shape once per process (about 10 ms at first use), so that the first key typed in the
    search box does not wait for it. Reads no request (the pages are of no rows)."""
    flt = QueueFilter(search=_UNMATCHED)
    session.scalar(count_statement(flt, None))
    for in_order in (False, True):
        session.execute(page_statement(flt, None, 0, 0, in_order=in_order)).all()
    session.scalar(_max_id_statement())


def pending_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(R).where(
            R.in_queue.is_(True), R.status.in_([s.value for s in PENDING_STATUSES])
        )
    ) or 0


def request_row(session: Session, request_id: int) -> RequestRow:
    if not is_id(request_id):
        raise NotFound(f"there is no request #{request_id}")
    values = session.execute(_row_select().where(R.id == request_id)).first()
    if values is None:
        raise NotFound(f"there is no request #{request_id}")
    return queue_row(values)


def request_detail(session: Session, request_id: int) -> RequestDetail:
    row = request_row(session, request_id)
    req = session.get(R, request_id)
    assert req is not None
    customer = req.customer
    policy = req.policy
    notes = session.scalars(
        select(Note).where(Note.request_id == request_id).order_by(Note.id.desc())
    )
    activities = session.scalars(
        select(Activity).where(Activity.request_id == request_id).order_by(Activity.id.desc())
    )
    emails = session.scalars(
        select(OutboxEmail).where(OutboxEmail.request_id == request_id).order_by(OutboxEmail.id)
    )
    certificates = session.execute(
        select(Certificate.id, Certificate.number, Certificate.revision, Certificate.source,
               Certificate.file_name, Certificate.sha256, Certificate.issued_at,
               Certificate.issued_by, Certificate.superseded_at)
        .where(Certificate.request_id == request_id).order_by(Certificate.revision)
    )
    other = aliased(R)
    duplicates = session.execute(
        select(other.id, other.status, other.type, other.submitted_at)
        .join(DuplicateLink, DuplicateLink.other_id == other.id)
        .where(DuplicateLink.request_id == request_id).order_by(other.id)
    )
    return RequestDetail(
        row=row,
        submitted_type=req.submitted_type,
        customer_email=customer.email,
        customer_status=customer.status,
        customer_address=postal_address(customer.address, customer.city, customer.state,
                                        customer.zip),
        holder_address=req.holder_address,
        holder_city=req.holder_city,
        holder_state=req.holder_state,
        holder_zip=req.holder_zip,
        holder_email=req.holder_email,
        send_to_holder=req.send_to_holder,
        instructions=req.instructions,
        payment_status=req.payment_status,
        in_queue=req.in_queue,
        department=req.department,
        policy=(
            f"{policy.carrier} {policy.number} ({policy.effective.isoformat()} to "
            f"{policy.expires.isoformat()})" if policy else None
        ),
        submission=dict(req.submission or {}),
        claimed_at=req.claimed_at,
        closed_at=req.closed_at,
        rejection_reason=req.rejection_reason_text,
        updated_by=req.updated_by,
        updated_at=req.updated_at,
        notes=tuple(NoteView(n.id, n.author, n.body, n.created_at) for n in notes),
        activities=tuple(ActivityView(a.at, a.actor, a.action, a.detail) for a in activities),
        emails=tuple(
            EmailView(e.id, e.to_addr, e.recipient_role, e.subject, e.state, e.attempts,
                      e.last_error, e.attachment_name, e.sent_at)
            for e in emails
        ),
        certificates=_with_current(tuple(CertificateView(*c) for c in certificates)),
        duplicates=tuple(DuplicateView(*d) for d in duplicates),
    )


def _with_current(certificates: tuple[CertificateView, ...]) -> tuple[CertificateView, ...]:
    """The latest revision is the current certificate; the others were superseded."""
    if not certificates:
        return certificates
    return (*certificates[:-1], replace(certificates[-1], current=True))


def lock_request(session: Session, request_id: int) -> CertificateRequest:
    """Load a request for change, locking its row (PostgreSQL) for the transaction."""
    if not is_id(request_id):
        raise NotFound(f"there is no request #{request_id}")
    req = session.scalars(
        select(R).where(R.id == request_id).with_for_update().execution_options(
            populate_existing=True
        )
    ).first()
    if req is None:
        raise NotFound(f"there is no request #{request_id}")
    return req


def possible_duplicates(
    session: Session, customer_id: int, holder_key: str, around: datetime, window_days: int,
    exclude_id: int | None = None,
) -> list[int]:
    window = timedelta(days=window_days)
    stmt = select(R.id).where(
        R.customer_id == customer_id,
        R.holder_key == holder_key,
        and_(R.submitted_at >= around - window, R.submitted_at <= around + window),
    )
    if exclude_id is not None:
        stmt = stmt.where(R.id != exclude_id)
    return list(session.scalars(stmt.order_by(R.id)))


def get_request(session: Session, request_id: int) -> CertificateRequest:
    """A request to read (no lock); NotFound when there is none."""
    req = session.get(R, request_id) if is_id(request_id) else None
    if req is None:
        raise NotFound(f"there is no request #{request_id}")
    return req


def request_id_by_external_id(session: Session, external_id: str) -> int | None:
    return session.scalar(select(R.id).where(R.external_id == external_id))


def lock_request_by_external_id(session: Session, external_id: str) -> CertificateRequest | None:
    return session.scalars(
        select(R).where(R.external_id == external_id).with_for_update()
    ).first()


def newest_certificate(session: Session, request_id: int) -> Certificate | None:
    """The request's current certificate: its latest revision."""
    return session.scalars(
        select(Certificate).where(Certificate.request_id == request_id)
        .order_by(Certificate.revision.desc())
    ).first()


def certificate_revision(session: Session, request_id: int, revision: int) -> Certificate | None:
    return session.scalars(
        select(Certificate).where(Certificate.request_id == request_id,
                                  Certificate.revision == revision)
    ).first()


def certificate_count(session: Session, request_id: int) -> int:
    """How many certificates the request has: the next one's revision."""
    return session.scalar(
        select(func.count()).select_from(Certificate).where(Certificate.request_id == request_id)
    ) or 0


def last_activity_of(session: Session, request_id: int,
                     kinds: tuple[str, ...]) -> Row[tuple[str, datetime]] | None:
    """Who logged the request's newest activity of these kinds, and when."""
    return session.execute(
        select(Activity.actor, Activity.at)
        .where(Activity.request_id == request_id, Activity.action.in_(kinds))
        .order_by(Activity.id.desc()).limit(1)
    ).first()


def newest_activity(session: Session, request_id: int,
                    excluding: tuple[str, ...]) -> Row[tuple[str, datetime, str]] | None:
    """Who did the newest thing to the request (of any kind but these), when, and what."""
    return session.execute(
        select(Activity.actor, Activity.at, Activity.action)
        .where(Activity.request_id == request_id, Activity.action.not_in(excluding))
        .order_by(Activity.id.desc()).limit(1)
    ).first()


def forget_policy(session: Session, policy_id: int) -> None:
    """Requests under a policy that is going away keep no reference to it (a new version)."""
    session.execute(update(R).where(R.policy_id == policy_id)
                    .values(policy_id=None, version=R.version + 1))
    # Certificates keep the expiry they printed; a renewal then matches any line.
    session.execute(update(Certificate).where(Certificate.policy_id == policy_id)
                    .values(policy_id=None))


def rejection_reason_usage(session: Session) -> dict[int, int]:
    """How many requests each rejection reason closed."""
    return {reason_id: count for reason_id, count in session.execute(
        select(R.rejection_reason_id, func.count())
        .where(R.rejection_reason_id.is_not(None))
        .group_by(R.rejection_reason_id)
    ).all()}
