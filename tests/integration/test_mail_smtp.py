# ruff: noqa: F811 - pytest fixtures imported from tests.unit.test_mail_helpers
"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1): never lost, never doubled."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from certdesk_tui.clock import utcnow
from certdesk_tui.domain import EmailState
from certdesk_tui.domain.errors import ConfigurationError, InvalidTransition, PermissionDenied
from certdesk_tui.mail.claims import CLAIM_TIMEOUT, claim
from certdesk_tui.mail.delivery import deliver_all_due, deliver_due
from certdesk_tui.mail.status import failing_count, outbox_status
from certdesk_tui.mail.transports import SmtpTransport, make_transport
from certdesk_tui.storage.models import Activity, OutboxEmail
from tests.factories import HOLDER
from tests.unit.test_mail_helpers import (  # noqa: F401 - fixtures
    SmtpServer,
    attachments,
    bodies,
    complete,
    smtp_server,
)

CUSTOMER = "owner@c100.example"


def rows(db) -> list[OutboxEmail]:
    with db.reading() as s:
        return list(s.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def actions(db, action: str) -> list[Activity]:
    with db.reading() as s:
        return list(s.scalars(select(Activity).where(Activity.action == action)
                              .order_by(Activity.id)))


def deliver(db, server: SmtpServer, now=None, **over):
    settings = server.settings(**over)
    return deliver_due(db, SmtpTransport(settings), settings, "test", now=now)


def test_a_completed_request_reaches_the_customer_and_the_holder_with_the_pdf(
        db, specialist, complete, smtp_server):
    rid = complete("S-1")
    file_name, pdf = specialist.certificate(rid)

    result = deliver(db, smtp_server)

    assert (result.sent, result.failed, result.retried) == (2, 0, 0)
    received = smtp_server.mailbox.received
    assert sorted(tuple(r.rcpt_tos) for r in received) == [(HOLDER["email"],), (CUSTOMER,)]
    assert {r.mail_from for r in received} == {"certificates@certdesk.example"}
    stored = {r.to_addr: r for r in rows(db)}
    for r in received:
        message = r.message
        to = r.rcpt_tos[0]
        assert [a.addr_spec for a in message["To"].addresses] == [to]
        assert str(message["Message-ID"]) == stored[to].message_id
        # (a long subject is folded onto its own line; unfolding leaves the space)
        assert message["Subject"].strip() == stored[to].subject
        assert f"#{rid}" in message["Subject"] or "Big General Contractor" in message["Subject"]
        assert attachments(message) == [(file_name, "application/pdf", pdf)]
        text, html = bodies(message)
        assert "Big General Contractor Inc" in text and "Big General Contractor Inc" in html
        assert "Acme Roofing LLC" in text
    customer_msg = next(r.message for r in received if r.rcpt_tos == [CUSTOMER])
    assert customer_msg["To"].addresses[0].display_name == "Acme Roofing LLC"

    assert all(r.state == EmailState.SENT and r.sent_at and r.attempts == 1 for r in rows(db))
    sent_log = actions(db, "email_sent")
    assert len(sent_log) == 2 and all(a.request_id == rid for a in sent_log)
    # The request's detail shows each email's state.
    assert {(e.recipient_role, e.state) for e in specialist.request(rid).emails} == {
        ("customer", "sent"), ("holder", "sent")}
    # Nothing is sent twice.
    assert deliver(db, smtp_server).attempted == 0
    assert len(smtp_server.mailbox.received) == 2


def test_a_rejection_reaches_only_the_customer_with_the_reason(
        db, specialist, manual_request, smtp_server):
    specialist.start(manual_request)
    specialist.reject(manual_request, "Incomplete address")

    result = deliver(db, smtp_server)

    assert result.sent == 1
    [received] = smtp_server.mailbox.received
    assert received.rcpt_tos == [CUSTOMER]
    message = received.message
    text, html = bodies(message)
    assert "Reason: Incomplete address" in text and "Incomplete address" in html
    assert attachments(message) == []
    assert f"#{manual_request}" in message["Subject"]


def test_while_the_server_is_down_nothing_is_lost_and_each_message_goes_exactly_once(
        db, specialist, complete, smtp_server):
    rid = complete("S-2")
    smtp_server.stop()
    t0 = utcnow()

    first = deliver(db, smtp_server, now=t0)

    assert (first.sent, first.retried, first.failed) == (0, 2, 0)
    for row in rows(db):
        assert row.state == EmailState.QUEUED and row.attempts == 1
        assert "connection refused" in row.last_error
        assert row.next_attempt_at == t0 + timedelta(seconds=30)
    assert failing_count(db) == 2
    assert len(actions(db, "email_deferred")) == 2
    # Within the backoff nothing is attempted; after it, the wait doubles.
    assert deliver(db, smtp_server, now=t0 + timedelta(seconds=29)).attempted == 0
    second = deliver(db, smtp_server, now=t0 + timedelta(seconds=31))
    assert second.retried == 2
    assert {(r.attempts, r.next_attempt_at) for r in rows(db)} == {
        (2, t0 + timedelta(seconds=31 + 60))}
    assert outbox_status(db).counts["queued"] == 2

    smtp_server.start()  # back, on the same host and port
    later = t0 + timedelta(hours=1)
    assert deliver(db, smtp_server, now=later).sent == 2
    assert deliver(db, smtp_server, now=later + timedelta(hours=1)).attempted == 0

    ids = smtp_server.mailbox.message_ids()
    assert sorted(ids) == sorted(r.message_id for r in rows(db))
    assert all(r.state == EmailState.SENT and r.attempts == 3 and not r.last_error
               for r in rows(db))
    assert failing_count(db) == 0
    assert {e.state for e in specialist.request(rid).emails} == {"sent"}


def test_after_the_last_attempt_a_message_fails_visibly_and_retry_sends_it_once(
        db, specialist, desk_for, complete, smtp_server):
    rid = complete("S-3", to_holder=False)
    smtp_server.stop()
    t0 = utcnow()
    deliver(db, smtp_server, now=t0, mail_max_attempts=2)
    result = deliver(db, smtp_server, now=t0 + timedelta(minutes=5), mail_max_attempts=2)

    assert result.failed == 1
    [row] = rows(db)
    assert row.state == EmailState.FAILED and row.attempts == 2
    [failed] = actions(db, "email_failed")
    assert failed.request_id == rid and "connection refused" in failed.detail
    status = outbox_status(db)
    assert status.counts["failed"] == 1
    assert [(p.id, p.request_id, p.to, p.attempts) for p in status.failures] == [
        (row.id, rid, CUSTOMER, 2)]
    assert "connection refused" in status.failures[0].last_error
    [email_view] = specialist.request(rid).emails
    assert email_view.state == "failed" and "connection refused" in email_view.last_error
    # A failed message is never picked up again by itself.
    assert deliver(db, smtp_server, now=t0 + timedelta(days=1)).attempted == 0

    smtp_server.start()
    with pytest.raises(PermissionDenied):
        desk_for("pat").outbox.retry(row.id)
    outcome = specialist.outbox.retry(row.id)
    assert outcome.changed
    [requeued] = rows(db)
    assert requeued.state == EmailState.QUEUED and requeued.attempts == 0
    assert len(actions(db, "email_retry")) == 1
    assert deliver(db, smtp_server).sent == 1
    assert deliver(db, smtp_server, now=utcnow() + timedelta(days=1)).attempted == 0
    assert len(smtp_server.mailbox.received) == 1
    with pytest.raises(InvalidTransition, match="already sent"):
        specialist.outbox.retry(row.id)


def test_a_recipient_the_server_refuses_fails_at_once_and_the_others_still_go(
        db, complete, smtp_server):
    smtp_server.mailbox.refuse.add(HOLDER["email"])
    complete("S-4")

    result = deliver(db, smtp_server)

    assert (result.sent, result.failed) == (1, 1)
    by_role = {r.recipient_role: r for r in rows(db)}
    assert by_role["customer"].state == EmailState.SENT
    holder = by_role["holder"]
    assert holder.state == EmailState.FAILED and holder.attempts == 1
    assert "550" in holder.last_error and HOLDER["email"] in holder.last_error
    [failed] = actions(db, "email_failed")
    assert "not retried" in failed.detail and "550" in failed.detail


def test_two_deliverers_in_parallel_send_every_message_exactly_once(
        db, specialist, complete, submit, smtp_server):
    for n in range(8):
        complete(f"P-{n}")
    rid = submit("P-R", instructions="call me")
    specialist.reject(rid, "Incomplete address")
    expected = sorted(r.message_id for r in rows(db))
    assert len(expected) == 17
    smtp_server.mailbox.delay = 0.02
    settings = smtp_server.settings()
    results = []
    errors = []

    def worker(name: str) -> None:
        try:
            results.append(deliver_all_due(db, SmtpTransport(settings), settings, name, batch=3))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"worker-{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not errors
    assert sum(r.sent for r in results) == 17
    assert sorted(smtp_server.mailbox.message_ids()) == expected
    assert Counter(smtp_server.mailbox.message_ids()).most_common(1)[0][1] == 1
    assert all(r.state == EmailState.SENT for r in rows(db))
    assert len(actions(db, "email_sent")) == 17


def test_a_claim_left_by_a_deliverer_that_died_is_taken_over_after_the_timeout(
        db, complete, smtp_server):
    complete("S-5", to_holder=False)
    t0 = utcnow()
    assert len(claim(db, "dead worker", t0, 10)) == 1  # claimed, then the process died

    assert deliver(db, smtp_server, now=t0 + timedelta(minutes=1)).attempted == 0
    assert outbox_status(db, now=t0).counts["sending"] == 1
    assert outbox_status(db, now=t0 + CLAIM_TIMEOUT * 2).stale_claims == 1

    assert deliver(db, smtp_server, now=t0 + CLAIM_TIMEOUT * 2).sent == 1
    assert len(smtp_server.mailbox.received) == 1
    assert rows(db)[0].state == EmailState.SENT


def test_stopping_gives_unused_claims_back(db, complete, smtp_server):
    complete("S-6")
    stop = threading.Event()
    stop.set()
    settings = smtp_server.settings()

    result = deliver_due(db, SmtpTransport(settings), settings, "test", stop=stop)

    assert result.attempted == 0
    assert {(r.state, r.claimed_by) for r in rows(db)} == {(EmailState.QUEUED, None)}
    assert deliver(db, smtp_server).sent == 2


def test_a_holder_name_with_a_newline_markup_and_a_file_path_is_delivered_safely(
        db, specialist, complete, smtp_server):
    hostile = "Evil Corp\nBcc: victim@evil.example <b>x</b> [bold]red[/bold] /etc/passwd"
    rid = complete("S-7", holder=dict(HOLDER, name=hostile))
    rid2 = complete("S-8", instructions="/etc/passwd",
                    holder=dict(HOLDER, name="/etc/passwd"))
    pdfs = {specialist.certificate(r)[1] for r in (rid, rid2)}

    assert deliver(db, smtp_server).sent == 4

    received = smtp_server.mailbox.received
    assert sorted(tuple(r.rcpt_tos) for r in received) == [
        (HOLDER["email"],), (HOLDER["email"],), (CUSTOMER,), (CUSTOMER,)]
    for r in received:
        message = r.message
        assert {k.lower() for k in message} == {
            "from", "to", "subject", "date", "message-id", "auto-submitted", "mime-version",
            "content-type"}  # no Bcc, no Cc, nothing injected
        assert len(message["To"].addresses) == 1
        assert message["To"].addresses[0].addr_spec == r.rcpt_tos[0]
        assert "\n" not in message["Subject"]
        found = attachments(message)
        assert len(found) == 1 and found[0][1] == "application/pdf" and found[0][2] in pdfs
        text, html = bodies(message)
        assert b"root:" not in r.data  # /etc/passwd was never read
        if "Evil Corp" in text:
            assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
            assert "[bold]red[/bold]" in text  # plain text, shown as typed
    holder_msgs = [r.message for r in received if r.rcpt_tos == [HOLDER["email"]]]
    names = sorted(m["To"].addresses[0].display_name for m in holder_msgs)
    assert names == ["/etc/passwd",
                     "Evil Corp Bcc: victim@evil.example <b>x</b> [bold]red[/bold] /etc/passwd"]


def test_smtp_login_uses_the_configured_credentials_and_never_prompts(db, complete):
    server = SmtpServer(credentials=("apikey", "s3cret"))
    server.start()
    try:
        complete("S-9", to_holder=False)
        t0 = utcnow()
        wrong = deliver(db, server, now=t0, smtp_user="apikey", smtp_password="wrong")
        assert wrong.retried == 1
        assert "refused the login" in rows(db)[0].last_error
        good = deliver(db, server, now=t0 + timedelta(hours=1), smtp_user="apikey",
                       smtp_password="s3cret")
        assert good.sent == 1
        # The plain login name is used as given (yagmail would append "@gmail.com").
        assert {login for login, _ in server.logins} == {"apikey"}
        assert server.logins[-1] == ("apikey", "s3cret")
    finally:
        server.stop()


def test_a_user_without_a_password_is_a_configuration_error_not_a_prompt(smtp_server):
    with pytest.raises(ConfigurationError, match="CERTDESK_SMTP_PASSWORD"):
        make_transport(smtp_server.settings(smtp_user="someone"))
    assert isinstance(make_transport(smtp_server.settings()), SmtpTransport)


def test_the_outbox_lets_a_viewer_deliver_and_see_but_not_retry(db, desk_for, complete,
                                                                smtp_server):
    complete("S-10", to_holder=False)
    advisor = desk_for("pat", settings=smtp_server.settings()).outbox
    assert advisor.deliver_due().sent == 1  # delivering carries out what was decided
    assert advisor.status().counts["sent"] == 1
    assert advisor.failing_count() == 0
    with pytest.raises(PermissionDenied):
        advisor.retry(rows(db)[0].id)


@pytest.mark.parametrize(("security", "words"), [
    ("starttls", "does not support"),
    ("ssl", "secure connection"),
])
def test_a_security_setting_the_server_does_not_offer_keeps_messages_queued_with_the_reason(
        db, complete, smtp_server, security, words):
    complete("S-11")
    result = deliver(db, smtp_server, smtp_security=security)
    assert result.retried == 2 and result.sent == 0
    assert all(words in r.last_error and r.state == EmailState.QUEUED for r in rows(db))
    assert smtp_server.mailbox.received == []
