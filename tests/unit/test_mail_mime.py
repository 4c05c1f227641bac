"""Messages written directly (mail/mime.py) read exactly as the email package's own do."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certdesk_tui.mail import message as message_module
from certdesk_tui.mail.message import build_message


def compose(direct: bool, monkeypatch: pytest.MonkeyPatch, **fields) -> bytes:
    with monkeypatch.context() as m:
        if not direct:
            m.setattr(message_module, "_plain", lambda *_args: None)
        return build_message(email_id=1, recipient_role="customer",
                             created_at=datetime(2026, 3, 4, 5, 6, 7),
                             message_id="<bench.1@certdesk.example>", **fields).data


def reading(data: bytes) -> dict:
    """What a reader of the message gets: headers as parsed, each part decoded."""
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert not parsed.defects
    headers = {}
    for name in ("From", "To", "Reply-To"):
        value = parsed[name]
        headers[name] = None if value is None else [(a.display_name, a.addr_spec)
                                                    for a in value.addresses]
    for name in ("Subject", "Date", "Message-ID", "Auto-Submitted", "MIME-Version"):
        headers[name] = None if parsed[name] is None else str(parsed[name])
    parts = []
    for part in parsed.walk():
        assert not part.defects
        if part.is_multipart():
            parts.append(part.get_content_type())
        else:
            parts.append((part.get_content_type(), part.get_filename(), part.get_content()))
    return {"headers": headers, "parts": parts}


def both(monkeypatch: pytest.MonkeyPatch, **fields) -> tuple[bytes, bytes]:
    return compose(True, monkeypatch, **fields), compose(False, monkeypatch, **fields)


def test_a_typical_message_is_written_directly_and_reads_as_the_email_package_writes_it(
        monkeypatch):
    fields = dict(mail_from="Compeo Certificates <certs@compeo.example>",
                  to_addr="owner@customer.example", to_name="Bob Smith, Jr.",
                  subject="Your certificate of insurance #4411 (revision 2)",
                  body_text="Dear Bob,\n\nattached: caf\u00e9 = 100%.\n" + "long " * 40,
                  body_html="<p>Dear Bob,</p>\n<p>a = b</p>",
                  attachment=("WC-2026-000123.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 9),
                  reply_to="Desk <desk@compeo.example>")
    direct, composed = both(monkeypatch, **fields)
    assert direct != composed  # the boundaries differ, not what a reader gets
    assert reading(direct) == reading(composed)
    assert all(len(line) <= 78 for line in direct.split(b"\r\n"))
    assert b"\n" not in direct.replace(b"\r\n", b"")


@pytest.mark.parametrize("name, subject", [
    ("J\u00f6rg M\u00fcller", "Plain subject"),  # a name outside ASCII
    ("Plain Name", "Zertifikat f\u00fcr J\u00f6rg"),  # a subject outside ASCII
    ("=?utf-8?q?evil?=", "Plain subject"),  # an encoded word
    ("Plain Name", "word " * 30),  # a subject that needs folding
])
def test_anything_not_plain_goes_through_the_email_package_and_its_check(
        monkeypatch, name, subject):
    fields = dict(mail_from="certs@compeo.example", to_addr="owner@customer.example",
                  to_name=name, subject=subject, body_text="x", body_html="")
    used = []
    real = message_module.mime.plain_message
    monkeypatch.setattr(message_module.mime, "plain_message",
                        lambda *a: used.append(real(*a)) or used[-1])
    direct = compose(True, monkeypatch, **fields)
    assert used == [] or used == [None]
    assert reading(direct) == reading(compose(False, monkeypatch, **fields))


header_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=90)
plain_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=70)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(to_name=st.one_of(plain_text, header_text), subject=st.one_of(plain_text, header_text),
       body_text=st.text(max_size=400), body_html=st.text(max_size=200),
       file_name=st.one_of(st.none(), plain_text, header_text),
       pdf=st.one_of(st.none(), st.binary(max_size=300)))
def test_any_message_reads_the_same_whichever_way_it_is_written(
        monkeypatch, to_name, subject, body_text, body_html, file_name, pdf):
    fields = dict(mail_from="Compeo Certificates <certs@compeo.example>",
                  to_addr="owner@customer.example", to_name=to_name, subject=subject,
                  body_text=body_text, body_html=body_html,
                  attachment=None if pdf is None else (file_name, pdf))
    direct, composed = both(monkeypatch, **fields)
    assert reading(direct) == reading(composed)
