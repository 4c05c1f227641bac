"""The embedded default: each message as an .eml file in the outbox folder."""

# ruff: noqa: F811 - pytest fixtures imported from tests.unit.test_mail_helpers
from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from certdesk_tui import locations
from certdesk_tui.clock import utcnow
from certdesk_tui.config import Settings
from certdesk_tui.domain import EmailState
from certdesk_tui.domain.errors import DeliveryError
from certdesk_tui.mail.claims import backoff
from certdesk_tui.mail.delivery import deliver_due
from certdesk_tui.mail.message import PermanentDeliveryError, build_message
from certdesk_tui.mail.transports import FileTransport, SmtpTransport, make_transport
from certdesk_tui.storage.models import OutboxEmail
from tests.factories import HOLDER
from tests.unit.test_mail_helpers import attachments, bodies, complete  # noqa: F401


def rows(db) -> list[OutboxEmail]:
    with db.reading() as s:
        return list(s.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def parse(path) -> email.message.EmailMessage:
    with path.open("rb") as handle:
        return email.message_from_binary_file(handle, policy=email.policy.default)


def test_without_smtp_settings_the_outbox_folder_is_used():
    transport = make_transport(Settings())
    assert isinstance(transport, FileTransport)
    assert transport.outbox_dir == locations.outbox_dir()
    assert isinstance(make_transport(Settings(smtp_host="mail.example")), SmtpTransport)
    assert isinstance(make_transport(Settings(smtp_host="mail.example", mail_transport="file")),
                      FileTransport)


def test_the_file_transport_writes_valid_eml_files(db, specialist, complete):
    rid = complete("F-1", holder=dict(HOLDER, name="Zoë <b>Ñandú</b>\n& Co"))
    file_name, pdf = specialist.certificate(rid)

    result = specialist.outbox.deliver_due()

    assert result.sent == 2
    outbox = locations.outbox_dir()
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 2
    assert not [p for p in outbox.iterdir() if p.suffix != ".eml"]  # no temporary files left
    stored = {r.recipient_role: r for r in rows(db)}
    for path in files:
        message = parse(path)
        role = path.stem.rsplit("-", 1)[1]
        row = stored[role]
        assert path.name.endswith(f"-{row.id}-{role}.eml")
        assert [a.addr_spec for a in message["To"].addresses] == [row.to_addr]
        assert str(message["Message-ID"]) == row.message_id
        assert message["Subject"].strip() == row.subject
        assert message["From"].addresses[0].addr_spec == Settings().mail_from
        assert attachments(message) == [(file_name, "application/pdf", pdf)]
        text, html = bodies(message)
        assert text == row.body_text
        assert "<b>Ñandú</b>" not in html and "&lt;b&gt;Ñandú&lt;/b&gt;" in html
        assert not message.defects
    holder = parse(next(p for p in files if p.name.endswith("-holder.eml")))
    assert holder["To"].addresses[0].display_name == "Zoë <b>Ñandú</b> & Co"
    assert all(r.state == EmailState.SENT for r in rows(db))
    activities = specialist.request(rid).activities
    sent = [a for a in activities if a.action == "email_sent"]
    assert len(sent) == 2 and all(str(outbox) in a.detail for a in sent)


def test_writing_a_message_again_rewrites_the_same_file(tmp_path):
    transport = FileTransport(tmp_path / "outbox")
    outgoing = build_message(
        email_id=7, recipient_role="customer", mail_from="certs@certdesk.example",
        to_addr="owner@c100.example", to_name="Acme", subject="Hello", body_text="text",
        body_html="<p>text</p>", message_id="<7.abc@certdesk.example>",
        created_at=datetime(2026, 11, 20, 15, 0, 0))
    transport.send(outgoing)
    transport.send(outgoing)
    files = list((tmp_path / "outbox").iterdir())
    assert [p.name for p in files] == ["20261120T150000Z-7-customer.eml"]
    assert parse(files[0])["Message-ID"] == "<7.abc@certdesk.example>"


def test_an_outbox_folder_that_cannot_be_written_keeps_the_message_queued(
        db, specialist, complete, tmp_path):
    complete("F-2", to_holder=False)
    blocked = tmp_path / "outbox"
    blocked.write_text("a file where the folder should be")
    t0 = utcnow()

    result = deliver_due(db, FileTransport(blocked), Settings(), "test", now=t0)

    assert result.retried == 1
    [row] = rows(db)
    assert row.state == EmailState.QUEUED and row.attempts == 1
    assert "cannot write to the outbox folder" in row.last_error
    blocked.unlink()
    assert deliver_due(db, FileTransport(blocked), Settings(), "test",
                       now=t0 + timedelta(minutes=1)).sent == 1


def test_the_message_is_built_from_its_parts_never_from_paths(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    outgoing = build_message(
        email_id=1, recipient_role="holder", mail_from="Certdesk <certs@certdesk.example>",
        to_addr="certs@bgc.example", to_name=f"{secret}\nBcc: x@evil.example",
        subject=f"Subject\r\nBcc: x@evil.example {secret}", body_text=str(secret),
        body_html=str(secret), message_id="<1.x@certdesk.example>",
        created_at=datetime(2026, 1, 1), attachment=("../../etc/cert\n.pdf", b"%PDF-1.4\n%%EOF"))
    data = outgoing.as_bytes()
    assert b"top secret" not in data
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["Bcc"] is None
    assert message["Subject"] == f"Subject Bcc: x@evil.example {secret}"
    # A long quoted name: Python's folding would drop its quotes and make the header
    # say x@evil.example; the message is checked and written so that it reads right.
    assert [(a.display_name, a.addr_spec) for a in message["To"].addresses] == [
        (f"{secret} Bcc: x@evil.example", "certs@bgc.example")]
    assert attachments(message) == [("etc_cert .pdf", "application/pdf",
                                      b"%PDF-1.4\n%%EOF")]
    assert bodies(message)[0].strip() == str(secret)
    assert outgoing.envelope_to == "certs@bgc.example"


@pytest.mark.parametrize("bad", ["", "no-at-sign", "a@b", "a@b.example\nBcc: c@d.example",
                                 "a b@c.example", "<a@b.example>"])
def test_an_invalid_recipient_is_a_permanent_error(bad):
    with pytest.raises(PermanentDeliveryError):
        build_message(email_id=1, recipient_role="customer", mail_from="c@certdesk.example",
                      to_addr=bad, to_name="", subject="s", body_text="t", body_html="",
                      message_id="<1@x>", created_at=datetime(2026, 1, 1))
    assert issubclass(PermanentDeliveryError, DeliveryError)


def test_the_wait_between_attempts_doubles_and_is_capped():
    settings = Settings(mail_retry_base_seconds=30)
    assert [backoff(settings, n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(settings, 500) == timedelta(hours=6)


NAMES = [
    "Acme Roofing LLC", "Smith, Jones & Co.", 'The "Best" Builders', "Zoë Łukasiewicz – Ñandú GmbH",
    "x@evil.example", "A <x@evil.example>", "=?utf-8?q?x?=", "Name; Bcc: x@evil.example",
    "(comment) name", "\\back\\slash", "", "  spaced   out  ",
]


@pytest.mark.parametrize("repeat", [1, 3, 8])
@pytest.mark.parametrize("name", NAMES)
def test_any_name_reads_back_with_the_intended_recipient_only(name, repeat):
    full = " ".join([name] * repeat)
    outgoing = build_message(
        email_id=3, recipient_role="holder", mail_from="certificates@certdesk.example",
        to_addr="certs@bgc.example", to_name=full, subject=f"For {full}", body_text=full,
        body_html=f"<p>{full}</p>", message_id="<3.x@certdesk.example>",
        created_at=datetime(2026, 1, 1))
    message = email.message_from_bytes(outgoing.as_bytes(), policy=email.policy.default)
    assert [a.addr_spec for a in message["To"].addresses] == ["certs@bgc.example"]
    assert [a.addr_spec for a in message["From"].addresses] == ["certificates@certdesk.example"]
    assert message["Bcc"] is None and message["Cc"] is None
    assert max(len(line) for line in outgoing.as_bytes().split(b"\r\n")) <= 998
