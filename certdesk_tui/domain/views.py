"""Read models: plain frozen snapshots the interface and the commands display.

They carry no database session, so a worker thread can hand them to the UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.vocabulary import PENDING_STATUSES, Brand, Channel, RequestType, Status

SORT_KEYS = (
    "id", "age", "customer", "brand", "type", "channel", "holder", "status", "assignee",
)

PAGE_ROWS = 100
"""The rows of one page of the queue: what the desk holds, and reads at once."""

MAX_SEARCH = 200
"""The longest search (customer name or code contains it), in characters: the desk's
search box and ``certdesk list --search`` alike. A longer one is refused, never cut,
and never handed to the database (SQLite refuses a LIKE pattern past 50,000 bytes)."""


def search_problem(search: str) -> str | None:
    """Why ``search`` cannot filter the queue (None: it can)."""
    if len(search) > MAX_SEARCH:
        return f"a search is at most {MAX_SEARCH} characters (this one has {len(search):,})"
    return None


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows. Empty sets mean 'any'."""

    statuses: frozenset[Status] = frozenset(PENDING_STATUSES)
    types: frozenset[RequestType] = frozenset()
    brands: frozenset[Brand] = frozenset()
    channels: frozenset[Channel] = frozenset()
    manual_only: bool = False
    mine: bool = False
    search: str = ""
    sort: str = "age"
    # Oldest first is the default: "age" ascending means the longest-waiting on top.
    descending: bool = False

    def __post_init__(self) -> None:
        problem = search_problem(self.search)
        if problem:
            raise ValidationFailed(problem)


@dataclass(frozen=True)
class RequestRow:
    id: int
    external_id: str
    customer_name: str
    customer_code: str
    brand: str
    type: str
    channel: str
    holder_name: str
    status: str
    assignee_login: str | None
    manual: bool
    manual_reasons: tuple[str, ...]
    discrepancy: bool
    has_notes: bool
    possible_duplicate: bool
    submitted_at: datetime
    version: int
    submitted_type: str = ""
    """The type as submitted (a request relabelled at the desk differs from ``type``)."""
    claimed_at: datetime | None = None

    @property
    def flags(self) -> str:
        """The queue's flags, the same letters in the desk and ``certdesk list``: M on the
        manual list, N notes or instructions, D discrepancy, P possible duplicate."""
        return "".join((
            "M" if self.manual else "-",
            "N" if self.has_notes else "-",
            "D" if self.discrepancy else "-",
            "P" if self.possible_duplicate else "-",
        ))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "external_id": self.external_id,
            "customer": self.customer_name,
            "customer_code": self.customer_code,
            "brand": self.brand,
            "type": self.type,
            "channel": self.channel,
            "holder": self.holder_name,
            "status": self.status,
            "assignee": self.assignee_login,
            "manual": self.manual,
            "manual_reasons": list(self.manual_reasons),
            "discrepancy": self.discrepancy,
            "has_notes": self.has_notes,
            "possible_duplicate": self.possible_duplicate,
            "submitted_at": self.submitted_at.isoformat(),
            "version": self.version,
        }


@dataclass(frozen=True)
class QueuePage:
    rows: tuple[RequestRow, ...]
    total: int
    offset: int


@dataclass(frozen=True)
class QueueSnapshot:
    """The queue as one read transaction saw it: a page and the counts around it."""

    page: QueuePage
    # Pending requests in the queue (New + In Progress): the tab's badge. None when the
    # snapshot was read without its counts.
    pending: int | None
    # Emails failed for good or waiting to retry after a failed attempt (None: not read).
    failing_emails: int | None
    # The change marker's counter when read: a later, higher one means "reload".
    change_counter: int


@dataclass(frozen=True)
class NoteView:
    id: int
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class ActivityView:
    at: datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class EmailView:
    id: int
    to: str
    recipient_role: str
    subject: str
    state: str
    attempts: int
    last_error: str
    attachment_name: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class CertificateView:
    id: int
    number: str
    revision: int
    source: str
    file_name: str
    sha256: str
    issued_at: datetime
    issued_by: str
    superseded_at: datetime | None = None
    current: bool = False
    """The latest revision: the one a holder should hold."""


@dataclass(frozen=True)
class DuplicateView:
    id: int
    status: str
    type: str
    submitted_at: datetime


@dataclass(frozen=True)
class RequestDetail:
    row: RequestRow
    submitted_type: str
    customer_email: str
    customer_status: str
    customer_address: str
    holder_address: str
    holder_city: str
    holder_state: str
    holder_zip: str
    holder_email: str
    send_to_holder: bool
    instructions: str
    payment_status: str | None
    in_queue: bool
    department: str | None
    policy: str | None
    submission: dict[str, Any]
    claimed_at: datetime | None
    closed_at: datetime | None
    rejection_reason: str | None
    updated_by: str
    updated_at: datetime
    notes: tuple[NoteView, ...] = field(default_factory=tuple)
    activities: tuple[ActivityView, ...] = field(default_factory=tuple)
    emails: tuple[EmailView, ...] = field(default_factory=tuple)
    certificates: tuple[CertificateView, ...] = field(default_factory=tuple)
    duplicates: tuple[DuplicateView, ...] = field(default_factory=tuple)

    # The attributes the workflow rules read (see workflow.RequestState).
    @property
    def id(self) -> int:
        return self.row.id

    @property
    def status(self) -> str:
        return self.row.status

    @property
    def type(self) -> str:
        return self.row.type

    @property
    def brand(self) -> str:
        return self.row.brand

    @property
    def assignee_login(self) -> str | None:
        return self.row.assignee_login

    @property
    def version(self) -> int:
        return self.row.version

    def to_json(self) -> dict[str, Any]:
        data = self.row.to_json()
        data.update(
            submitted_type=self.submitted_type,
            customer_email=self.customer_email,
            customer_status=self.customer_status,
            holder={
                "name": self.row.holder_name, "address": self.holder_address,
                "city": self.holder_city, "state": self.holder_state, "zip": self.holder_zip,
                "email": self.holder_email,
            },
            send_to_holder=self.send_to_holder,
            instructions=self.instructions,
            payment_status=self.payment_status,
            in_queue=self.in_queue,
            department=self.department,
            policy=self.policy,
            submission=self.submission,
            claimed_at=_iso(self.claimed_at),
            closed_at=_iso(self.closed_at),
            rejection_reason=self.rejection_reason,
            notes=[
                {"at": _iso(n.created_at), "author": n.author, "body": n.body} for n in self.notes
            ],
            activities=[
                {"at": _iso(a.at), "actor": a.actor, "action": a.action, "detail": a.detail}
                for a in self.activities
            ],
            emails=[
                {
                    "id": e.id, "to": e.to, "recipient": e.recipient_role, "subject": e.subject,
                    "state": e.state, "attempts": e.attempts, "last_error": e.last_error,
                    "attachment": e.attachment_name,
                }
                for e in self.emails
            ],
            certificates=[
                {
                    "id": c.id, "number": c.number, "revision": c.revision, "source": c.source,
                    "file_name": c.file_name, "sha256": c.sha256, "issued_at": _iso(c.issued_at),
                    "issued_by": c.issued_by, "current": c.current,
                    "superseded_at": _iso(c.superseded_at),
                }
                for c in self.certificates
            ],
            possible_duplicates=[d.id for d in self.duplicates],
        )
        return data


@dataclass(frozen=True)
class ReasonView:
    id: int
    text: str
    active: bool
    used: int


@dataclass(frozen=True)
class UserView:
    login: str
    name: str
    email: str
    role: str
    active: bool
    # What happened to the PostgreSQL login role of the same name (add, set-role,
    # disable, enable); "" when nothing applies.
    note: str = field(default="", compare=False)


# Customer text longer than this is shown clipped, with a note (the desk stays responsive
# with megabytes of instructions; `certdesk show ID --full` prints all of it).
PANEL_TEXT_LIMIT = 2_000
PREVIEW_TEXT_LIMIT = 10_000


def clipped(text: str, limit: int, request_id: int | None = None) -> str:
    """``text`` cut at ``limit`` characters with a note of its whole size, if longer."""
    if len(text) <= limit:
        return text
    size = len(text.encode("utf-8", "surrogatepass"))
    where = f"; see certdesk show {request_id} --full" if request_id is not None else ""
    return f"{text[:limit]}… [clipped: {_size(size)} in all{where}]"


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    return f"{n / 1_000:.1f} kB" if n >= 1_000 else f"{n} bytes"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
