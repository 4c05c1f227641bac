# ruff: noqa: F811 - pytest fixtures imported from tests.unit.test_mail_helpers
"""One SMTP connection for consecutive messages, bounded, and still exactly once.

The server (aiosmtpd on 127.0.0.1) counts the connections it is given.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from certdesk_tui.domain import EmailState
from certdesk_tui.mail import smtp
from certdesk_tui.mail.delivery import deliver_all_due, deliver_due
from certdesk_tui.mail.smtp import SmtpTransport
from certdesk_tui.storage.models import OutboxEmail
from tests.unit.test_mail_helpers import complete, smtp_server  # noqa: F401 - fixtures


def queued(complete, count: int) -> None:
    """``count`` completed requests: two messages each (customer and holder)."""
    for n in range(count):
        complete(f"R-{n}")


def states(db) -> Counter:
    with db.reading() as s:
        return Counter((r.state, r.attempts) for r in s.scalars(select(OutboxEmail)))


def test_consecutive_messages_share_one_connection_across_batches(db, complete, smtp_server):
    queued(complete, 4)
    settings = smtp_server.settings()
    result = deliver_all_due(db, SmtpTransport(settings), settings, "test", batch=3)
    assert result.sent == 8
    assert smtp_server.connections == 1
    assert len(set(smtp_server.mailbox.message_ids())) == 8


def test_a_connection_carries_at_most_the_bounded_number_of_messages(
        db, complete, smtp_server, monkeypatch):
    monkeypatch.setattr(smtp, "MESSAGES_PER_CONNECTION", 3)
    queued(complete, 4)
    settings = smtp_server.settings()
    assert deliver_all_due(db, SmtpTransport(settings), settings, "test").sent == 8
    assert smtp_server.connections == 3  # 3 + 3 + 2


def test_a_connection_idle_past_the_bound_is_not_used_again(
        db, complete, smtp_server, monkeypatch):
    monkeypatch.setattr(smtp, "IDLE_SECONDS", 0.0)
    queued(complete, 2)
    settings = smtp_server.settings()
    assert deliver_all_due(db, SmtpTransport(settings), settings, "test").sent == 4
    assert smtp_server.connections == 4


def test_a_connection_the_server_drops_mid_batch_is_opened_again_and_nothing_is_lost_or_doubled(
        db, complete, smtp_server):
    queued(complete, 3)
    smtp_server.mailbox.drop_after = {2, 4}  # the server hangs up after these messages
    settings = smtp_server.settings()
    result = deliver_all_due(db, SmtpTransport(settings), settings, "test")
    assert (result.sent, result.retried, result.failed) == (6, 0, 0)
    assert states(db) == Counter({(EmailState.SENT, 1): 6})
    ids = smtp_server.mailbox.message_ids()
    assert len(ids) == 6 and len(set(ids)) == 6
    assert smtp_server.connections == 3


def test_a_kept_connection_dropped_between_batches_is_opened_again_once(
        db, complete, smtp_server):
    settings = smtp_server.settings()
    transport = SmtpTransport(settings)
    complete("R-1")
    assert deliver_due(db, transport, settings, "test", keep_open=True).sent == 2
    smtp_server.hang_up()
    complete("R-2")
    try:
        assert deliver_due(db, transport, settings, "test", keep_open=True).sent == 2
    finally:
        transport.close()
    assert len(set(smtp_server.mailbox.message_ids())) == 4
    assert smtp_server.connections == 2


def test_a_server_that_cannot_be_reached_again_fails_the_attempt_without_a_second_try(
        db, complete, smtp_server):
    settings = smtp_server.settings()
    transport = SmtpTransport(settings)
    complete("R-1")
    assert deliver_due(db, transport, settings, "test", keep_open=True).sent == 2
    smtp_server.stop()
    complete("R-2")
    try:
        result = deliver_due(db, transport, settings, "test", keep_open=True)
    finally:
        transport.close()
    assert (result.sent, result.retried) == (0, 2)
    assert states(db)[(EmailState.QUEUED, 1)] == 2
    assert smtp_server.connections == 1
