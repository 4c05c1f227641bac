"""The emails written to the outbox for completed and rejected requests."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.storage.models import Certificate, OutboxEmail
from tests import factories
from tests.hostile_pdfs import certificate_pdf

EVIL = "<script>alert('x')</script>\r\n[bold]Evil[/bold] & Sons"


def outbox(db, request_id: int) -> list[OutboxEmail]:
    with db.reading() as s:
        return list(s.scalars(select(OutboxEmail).where(OutboxEmail.request_id == request_id)
                              .order_by(OutboxEmail.id)))


def certificates(db, request_id: int) -> list[Certificate]:
    with db.reading() as s:
        return list(s.scalars(select(Certificate).where(Certificate.request_id == request_id)))


def test_completed_writes_one_email_per_recipient_with_the_certificate_attached(
    db, submit, specialist
):
    rid = submit("E-1", instructions="rush", send_to_holder=True)
    done = specialist.automate(rid)
    emails = outbox(db, rid)
    [cert] = certificates(db, rid)
    assert [(e.recipient_role, e.to_addr) for e in emails] == [
        ("customer", "owner@c100.example"), ("holder", factories.HOLDER["email"])]
    for e in emails:
        assert e.kind == "completed" and e.state == "queued" and e.attempts == 0
        assert e.certificate_id == cert.id
        assert e.attachment_name == cert.file_name == done.file_name
        assert e.attachment_name.endswith(".pdf")
        assert done.certificate_number in e.body_text
        assert e.message_id.startswith("<") and e.message_id.endswith(">")
    assert len({e.message_id for e in emails}) == 2
    assert emails[0].to_name == "Acme Roofing LLC"
    assert emails[1].to_name == factories.HOLDER["name"]


def test_completed_without_holder_writes_only_the_customers_email(db, submit, specialist):
    rid = submit("E-2", instructions="rush")
    specialist.upload(rid, "carrier.pdf", certificate_pdf())
    emails = outbox(db, rid)
    assert [(e.recipient_role, e.to_addr) for e in emails] == [("customer", "owner@c100.example")]
    assert emails[0].certificate_id == certificates(db, rid)[0].id


def test_rejected_writes_one_email_to_the_customer_only_quoting_the_reason(
    db, submit, specialist, manager
):
    reason = manager.add_reason("Holder <b>name</b> & address unreadable")
    rid = submit("E-3", instructions="rush", send_to_holder=True)
    specialist.reject(rid, reason.id)
    [email] = outbox(db, rid)
    assert (email.kind, email.recipient_role, email.to_addr) == (
        "rejected", "customer", "owner@c100.example")
    assert email.certificate_id is None and email.attachment_name is None
    assert "Holder <b>name</b> & address unreadable" in email.body_text
    assert "Holder &lt;b&gt;name&lt;/b&gt; &amp; address unreadable" in email.body_html
    assert "<b>name</b>" not in email.body_html
    assert f"#{rid}" in email.subject


def test_customer_text_is_escaped_in_html_and_folded_to_one_line_in_the_subject(
    db, manager, submit, specialist
):
    manager.import_customers(factories.jsonl(
        factories.customer("C700", name="Acme <img src=x onerror=alert(1)>\nRoofing")))
    rid = submit("E-4", "C700", send_to_holder=True,
                 holder=dict(factories.HOLDER, name=EVIL), instructions="x")
    specialist.automate(rid)
    emails = outbox(db, rid)
    assert len(emails) == 2
    for e in emails:
        assert "<script>" not in e.body_html and "<img" not in e.body_html
        assert "&lt;script&gt;" in e.body_html
        assert "[bold]Evil[/bold] &amp; Sons" in e.body_html
        for header in (e.subject, e.to_name):
            assert "\n" not in header and "\r" not in header
        assert "[bold]Evil[/bold]" in e.body_text  # shown literally, never interpreted
    holder_email = emails[1]
    assert "<script>alert('x')</script> [bold]Evil[/bold] & Sons" in holder_email.subject
    assert "Acme <img src=x onerror=alert(1)> Roofing" in emails[0].to_name


def test_rejection_of_customer_text_is_escaped_too(db, submit, specialist):
    rid = submit("E-5", holder=dict(factories.HOLDER, name=EVIL), instructions="x")
    specialist.reject(rid, 1)
    [email] = outbox(db, rid)
    assert "<script>" not in email.body_html and "&lt;script&gt;" in email.body_html
    assert "\n" not in email.subject


def test_no_valid_customer_email_writes_no_customer_email_and_says_so(
    db, manager, submit, specialist
):
    manager.import_customers(factories.jsonl(factories.customer("C800", email="")))
    rid = submit("E-6", "C800")
    detail = specialist.request(rid)
    assert "customer has no valid email address on file" in detail.row.manual_reasons
    specialist.automate(rid)
    assert outbox(db, rid) == []
    assert any(a.action == "email_not_sent" for a in specialist.request(rid).activities)


def test_emails_are_written_with_the_status_change_or_not_at_all(db, submit, specialist):
    rid = submit("E-7", instructions="x")
    with pytest.raises(ValidationFailed):
        specialist.automate(rid, changes={"effective": "not a date"})
    assert outbox(db, rid) == [] and certificates(db, rid) == []
    specialist.automate(rid)
    assert len(outbox(db, rid)) == 1 and len(certificates(db, rid)) == 1
