"""The mail side of one desk, with its permissions."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from certdesk_tui.config import Settings
from certdesk_tui.domain.permissions import Actor, Permission
from certdesk_tui.mail.delivery import (
    DeliveryResult,
    StopSignal,
    default_worker_name,
    deliver_all_due,
    deliver_due,
)
from certdesk_tui.mail.requeue import RetryOutcome, retry, retry_failed
from certdesk_tui.mail.status import OutboxStatus, failing_count, outbox_status
from certdesk_tui.mail.transports import Transport, make_transport
from certdesk_tui.storage.engine import Database


class DeskSide(Protocol):
    """What the mail side needs of a desk: its database, settings and acting user."""

    db: Database
    settings: Settings
    actor: Actor

    def current_actor(self) -> Actor: ...


class Mailer:
    """The mail side of one desk, with its permissions.

    Any user of the desk may deliver what is due and see the outbox
    (``Permission.VIEW``): delivering only carries out what a processor already
    decided. Putting a message back in the queue is processing
    (``Permission.PROCESS``). Safe to call from a worker thread. Its SMTP connection
    is kept from one delivery to the next (within the transport's bounds) until
    ``close``.
    """

    def __init__(self, desk: DeskSide, transport: Transport | None = None,
                 worker_name: str | None = None) -> None:
        self.desk = desk
        self.db: Database = desk.db
        self.settings: Settings = desk.settings
        self._transport = transport
        self.worker_name = worker_name or default_worker_name(desk.actor.label)

    @property
    def actor(self) -> Actor:
        # Read again for every action: a change of role or a disabled account counts at once.
        return self.desk.current_actor()

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            self._transport = make_transport(self.settings)
        return self._transport

    def deliver_due(self, now: datetime | None = None, limit: int = 50,
                    stop: StopSignal = None) -> DeliveryResult:
        """One batch of due messages (the interface's background worker calls this)."""
        self.actor.require(Permission.VIEW)
        return deliver_due(self.db, self.transport, self.settings, self.worker_name, now=now,
                           limit=limit, stop=stop, keep_open=True)

    def deliver_all_due(self, now: datetime | None = None,
                        stop: StopSignal = None) -> DeliveryResult:
        self.actor.require(Permission.VIEW)
        return deliver_all_due(self.db, self.transport, self.settings, self.worker_name,
                               now=now, stop=stop, keep_open=True)

    def status(self) -> OutboxStatus:
        self.actor.require(Permission.VIEW)
        return outbox_status(self.db)

    def failing_count(self) -> int:
        self.actor.require(Permission.VIEW)
        return failing_count(self.db)

    def retry(self, email_id: int) -> RetryOutcome:
        actor = self.actor
        actor.require(Permission.PROCESS)
        return retry(self.db, email_id, actor.label)

    def retry_failed(self) -> list[RetryOutcome]:
        actor = self.actor
        actor.require(Permission.PROCESS)
        return retry_failed(self.db, actor.label)

    def describe_transport(self) -> str:
        return self.transport.describe()

    def abort(self) -> None:
        """Stop the message being sent now (it stays queued); safe from a signal handler."""
        if self._transport is not None:
            self._transport.abort()

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
