"""Typed SQLAlchemy 2 models: the shared repository every session works on.

Times are stored as naive UTC. ``CertificateRequest.version`` is SQLAlchemy's
version counter: every UPDATE of a request checks the version it read, so two
people can never silently overwrite each other.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    @property
    def display_name(self) -> str:
        return self.name or self.login


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    brand: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16))
    email: Mapped[str] = mapped_column(String(320), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    state: Mapped[str] = mapped_column(String(32), default="")
    zip: Mapped[str] = mapped_column(String(16), default="")
    # Lower-cased name, for a case-insensitive search that can use an index.
    name_search: Mapped[str] = mapped_column(String(300), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    policies: Mapped[list[Policy]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Policy.effective"
    )


class Policy(Base):
    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    line: Mapped[str] = mapped_column(String(32), default="workers_comp")
    carrier: Mapped[str] = mapped_column(String(200))
    naic: Mapped[str] = mapped_column(String(16), default="")
    number: Mapped[str] = mapped_column(String(64))
    effective: Mapped[date] = mapped_column(Date)
    expires: Mapped[date] = mapped_column(Date)
    each_accident: Mapped[int] = mapped_column(Integer, default=0)
    disease_each_employee: Mapped[int] = mapped_column(Integer, default=0)
    disease_policy_limit: Mapped[int] = mapped_column(Integer, default=0)

    customer: Mapped[Customer] = relationship(back_populates="policies")


class RejectionReason(Base):
    __tablename__ = "rejection_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(300), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class CertificateRequest(Base):
    __tablename__ = "certificate_requests"
    __table_args__ = (
        # The queue: pending rows in the queue, oldest first.
        Index("ix_requests_queue", "in_queue", "status", "submitted_at"),
        # The default queue spans two statuses: walk it in order instead of sorting it.
        Index("ix_requests_submitted", "submitted_at", "id"),
        # A customer search counts and pages its matches from this index alone.
        Index("ix_requests_customer_queue", "customer_id", "in_queue", "status", "submitted_at"),
        Index("ix_requests_duplicates", "customer_id", "holder_key", "submitted_at"),
        Index("ix_requests_assignee_status", "assignee_id", "status"),
        Index("ix_requests_auto_started", "auto_started_at"),
        # The report: requests closed since a day, by day, status and who closed them.
        Index("ix_requests_closed", "closed_at", "status", "assignee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), nullable=True)
    type: Mapped[str] = mapped_column(String(8))
    submitted_type: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="new")
    payment_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # False while a WOS waits for its payment: stored, but not in the queue.
    in_queue: Mapped[bool] = mapped_column(Boolean, default=True)

    holder_name: Mapped[str] = mapped_column(String(300), default="")
    holder_address: Mapped[str] = mapped_column(String(300), default="")
    holder_city: Mapped[str] = mapped_column(String(120), default="")
    holder_state: Mapped[str] = mapped_column(String(32), default="")
    holder_zip: Mapped[str] = mapped_column(String(16), default="")
    holder_email: Mapped[str] = mapped_column(String(320), default="")
    # Normalised holder name + address, to spot possible duplicates.
    holder_key: Mapped[str] = mapped_column(String(400), default="")
    send_to_holder: Mapped[bool] = mapped_column(Boolean, default=False)
    instructions: Mapped[str] = mapped_column(Text, default="")
    # Everything the customer submitted, as received.
    submission: Mapped[dict] = mapped_column(JSON, default=dict)

    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    manual_reasons: Mapped[list] = mapped_column(JSON, default=list)
    discrepancy: Mapped[bool] = mapped_column(Boolean, default=False)
    department: Mapped[str | None] = mapped_column(String(64), nullable=True)

    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    rejection_reason_id: Mapped[int | None] = mapped_column(
        ForeignKey("rejection_reasons.id"), nullable=True
    )
    # The reason's words as quoted to the customer, kept even if it is renamed later.
    rejection_reason_text: Mapped[str | None] = mapped_column(String(300), nullable=True)
    has_notes: Mapped[bool] = mapped_column(Boolean, default=False)
    # When automatic processing at intake reserved the request (its certificate is drawn
    # outside the write lock, then it is completed in a second transaction, which clears
    # this). Still set long after: the import stopped in between; the next one resumes it.
    auto_started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(140), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    customer: Mapped[Customer] = relationship()
    policy: Mapped[Policy | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    rejection_reason: Mapped[RejectionReason | None] = relationship()


class DuplicateLink(Base):
    """Two requests of one customer for the same holder within the duplicate window."""

    __tablename__ = "duplicate_links"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("certificate_requests.id"), primary_key=True
    )
    other_id: Mapped[int] = mapped_column(ForeignKey("certificate_requests.id"), primary_key=True)


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("certificate_requests.id"), index=True)
    author: Mapped[str] = mapped_column(String(140))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Activity(Base):
    """The append-only log of everything that happened to a request."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificate_requests.id"), index=True, nullable=True
    )
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(140))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")


@event.listens_for(Activity, "before_update")
@event.listens_for(Activity, "before_delete")
def _activities_are_append_only(mapper: object, connection: object,  # noqa: ARG001
                                target: object) -> None:
    raise RuntimeError("the activity log is append-only")


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("request_id", "revision"),
        Index("ix_certificates_verification_code", "verification_code", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("certificate_requests.id"), index=True)
    number: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(255))
    # Indexed (0008): an attachment and a holder's file are looked up by it.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # The certificate's fields as issued (for a generated one: what the PDF renders).
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    issued_by: Mapped[str] = mapped_column(String(140))
    # Printed on the certificate so a holder can check it; unique across all revisions.
    verification_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Set when a later revision of the same number replaces this one.
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The policy term the certificate certified (for renewals when the policy renews).
    # No foreign key: columns are added to certificates in place (SQLite cannot add a
    # constraint without rebuilding a table the outbox refers to); removing a policy
    # clears it (storage.requests.forget_policy).
    policy_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    policy_expires: Mapped[date | None] = mapped_column(Date, nullable=True)


class Holder(Base):
    """A certificate holder a customer has used: the address book certificates teach."""

    __tablename__ = "holders"
    __table_args__ = (UniqueConstraint("customer_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    # The name folded for matching (case, spacing and punctuation ignored).
    name_key: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    state: Mapped[str] = mapped_column(String(32), default="")
    zip: Mapped[str] = mapped_column(String(16), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    certificates: Mapped[int] = mapped_column(Integer, default=0)
    last_issued: Mapped[datetime] = mapped_column(DateTime)


class SavedView(Base):
    """A named set of queue filters, kept per user; a shared one is offered to everyone."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class OutboxEmail(Base):
    """One message to one recipient, written in the transaction that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "state", "next_attempt_at"),
        # The messages still to send or failed: a few among millions sent. The queries
        # that look for them (the failing count, the deliverer's claim) name its
        # condition (storage.outbox.UNSENT), so that a database whose statistics saw
        # only sent messages still reads this index instead of every message. Migration
        # 0007 makes it partial on PostgreSQL too; naming postgresql_where here would
        # have SQLAlchemy import its PostgreSQL dialect at every start (about 20 ms).
        Index("ix_outbox_unsent", "state", "next_attempt_at",
              sqlite_where=text("state != 'sent'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificate_requests.id"), index=True, nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    recipient_role: Mapped[str] = mapped_column(String(16))  # customer | holder
    to_addr: Mapped[str] = mapped_column(String(320))
    to_name: Mapped[str] = mapped_column(String(300), default="")
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id"), nullable=True
    )
    attachment_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ChangeMarker(Base):
    """One row whose counter every write bumps: open desks poll it to refresh cheaply."""

    __tablename__ = "change_marker"

    id: Mapped[int] = mapped_column(primary_key=True)
    counter: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
