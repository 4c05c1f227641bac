"""The outbox as the desk and the commands see it: who may see it, deliver it, retry it.

Any user of the desk may see the outbox and deliver what is due
(``Permission.VIEW``): delivering only carries out what a processor already
decided. Putting a message back in the queue is processing
(``Permission.PROCESS``). The acting user is read again for every call, so a
change of role or a disabled account counts at once. Safe to call from a worker
thread; one ``Outbox`` keeps one transport for its desk, and its SMTP connection from
one delivery to the next (within the transport's bounds) until ``close``.
"""

from __future__ import annotations

from datetime import datetime

from certdesk_tui.config import Settings
from certdesk_tui.domain.permissions import Permission
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
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage.engine import Database


class Outbox:
    """The outbox of one desk, with its permissions (``desk.outbox``)."""

    def __init__(self, session: DeskSession, transport: Transport | None = None,
                 worker_name: str | None = None) -> None:
        self._session = session
        self.db: Database = session.db
        self.settings: Settings = session.settings
        self._transport = transport
        self.worker_name = worker_name or default_worker_name(session.actor.label)

    @property
    def transport(self) -> Transport:
        """The transport the settings choose (a configuration problem is raised here)."""
        if self._transport is None:
            self._transport = make_transport(self.settings)
        return self._transport

    def status(self) -> OutboxStatus:
        """Counts by state, the failed messages and those waiting to retry."""
        self._session.require(Permission.VIEW)
        return outbox_status(self.db)

    def failing_count(self) -> int:
        """Messages failed for good plus those waiting to retry after a failed attempt."""
        self._session.require(Permission.VIEW)
        return failing_count(self.db)

    def send(self, now: datetime | None = None, stop: StopSignal = None) -> DeliveryResult:
        """Deliver everything due now, batch after batch (``certdesk mail send``)."""
        self._session.require(Permission.VIEW)
        return deliver_all_due(self.db, self.transport, self.settings, self.worker_name,
                               now=now, stop=stop, keep_open=True)

    def deliver_due(self, now: datetime | None = None, limit: int = 50,
                    stop: StopSignal = None) -> DeliveryResult:
        """One batch of due messages (the desk's background worker calls this)."""
        self._session.require(Permission.VIEW)
        return deliver_due(self.db, self.transport, self.settings, self.worker_name, now=now,
                           limit=limit, stop=stop, keep_open=True)

    def retry(self, email_id: int) -> RetryOutcome:
        """Queue a failed message again, or make a waiting one due now."""
        actor = self._session.require(Permission.PROCESS)
        return retry(self.db, email_id, actor.label)

    def retry_failed(self) -> list[RetryOutcome]:
        """Queue every failed message again."""
        actor = self._session.require(Permission.PROCESS)
        return retry_failed(self.db, actor.label)

    def describe_transport(self) -> str:
        return self.transport.describe()

    def abort(self) -> None:
        """Stop the message being sent now (it stays queued); safe from a signal handler."""
        if self._transport is not None:
            self._transport.abort()

    def close(self) -> None:
        """End the transport's connection, if any (the outbox can be used again after)."""
        if self._transport is not None:
            self._transport.close()
