"""One address validator at intake, in forms, on the command line and in the settings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certdesk_tui.config import load_settings
from certdesk_tui.domain import Status, addresses, automation
from certdesk_tui.domain.errors import ConfigurationError, ValidationFailed
from certdesk_tui.storage.models import OutboxEmail
from tests import factories
from tests.integration.test_cli import Cli, seed

# Addresses that look almost right and could not be delivered (each with email-validator's
# words for why).
UNDELIVERABLE = {
    "a..b@example.com": "two periods in a row",
    "certs.bgc.example": "must have an @-sign",
    "zoë@example.com": "internationalized characters before the @-sign",
    "certs@bgc.example.": "cannot end with a period",
    "certs.@bgc.example": "period immediately before the @-sign",
    "x" * 65 + "@bgc.example": "too long before the @-sign",
    "certs@" + "b" * 250 + ".example": "too long",
    "certs@bgc": "should have a period",
    "certs@@bgc.example": "",
    "Big GC <certs@bgc.example>": "display name",
    "certs@bgc.invalid": "special-use or reserved name",
    "certs @bgc.example": "invalid characters",
}


@pytest.mark.parametrize("address", list(UNDELIVERABLE))
def test_the_validator_refuses_with_email_validators_reason(address):
    with pytest.raises(ValidationFailed) as refused:
        addresses.normalized(address, "holder_email")
    assert str(refused.value).startswith(f"holder_email {address!r} is not a valid email address: ")
    assert UNDELIVERABLE[address] in str(refused.value)
    assert addresses.problem(address) and not addresses.is_valid(address)
    assert addresses.usable(address) == ""


def test_the_validator_normalises_the_domain_and_keeps_the_mailbox():
    assert addresses.normalized("Certs@BGC.Example") == "Certs@bgc.example"
    # An internationalised domain is fine: it is sent in its ASCII form.
    assert addresses.normalized("certs@bücher.example") == "certs@xn--bcher-kva.example"
    assert addresses.normalized("o'neil+certs@bgc.example") == "o'neil+certs@bgc.example"


def test_a_sender_may_carry_a_display_name():
    assert addresses.mailbox("Compeo Certificates <certs@compeo.example>", "mail_from") == (
        "Compeo Certificates", "certs@compeo.example")
    assert addresses.mailbox('"Compeo, Inc." <certs@compeo.example>', "mail_from") == (
        "Compeo, Inc.", "certs@compeo.example")
    assert addresses.mailbox("Zoë Ñandú <certs@compeo.example>", "mail_from")[0] == "Zoë Ñandú"
    assert addresses.mailbox("certs@compeo.example", "mail_from") == ("", "certs@compeo.example")
    for bad in ("Compeo <a..b@compeo.example>", "Compeo <certs@compeo.example> trailing",
                "Compeo <certs@compeo.example>, Other <o@compeo.example>", "Compeo"):
        with pytest.raises(ValidationFailed, match="mail_from"):
            addresses.mailbox(bad, "mail_from")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400) | st.from_regex(r"[^@]{0,70}@[^@]{0,70}", fullmatch=True))
def test_any_text_is_an_address_or_a_refusal_with_a_reason(text):
    try:
        value = addresses.normalized(text)
    except addresses.AddressRefused as exc:
        assert exc.reason and "\n" not in exc.reason
        return
    assert value.isascii() and "@" in value and len(value) <= 254
    assert addresses.normalized(value) == value


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["mail_from", "reply_to"]))
def test_any_sender_setting_is_a_mailbox_or_a_refusal(text, what):
    try:
        name, value = addresses.mailbox(text, what)
    except ValidationFailed as exc:
        assert str(exc).startswith(what)
        return
    assert addresses.normalized(value) == value
    assert not any(ch in name for ch in "\r\n\x00")


# -- intake ---------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["a..b@example.com", "certs.bgc.example",
                                     "zoë@example.com", "certs@bgc.example.",
                                     "x" * 65 + "@bgc.example"])
def test_an_undeliverable_holder_email_is_a_discrepancy_and_never_completed_automatically(
        db, specialist, submit, address):
    rid = submit("BAD-1", holder=dict(factories.HOLDER, email=address), send_to_holder=True)

    row = specialist.row(rid)
    assert row.status == Status.NEW and row.manual
    detail = specialist.request(rid)
    [reason] = [r for r in row.manual_reasons if r.startswith("invalid holder email")]
    assert reason.startswith(f"invalid holder email {address!r}: ")
    assert reason.split(": ", 1)[1] == addresses.problem(address)
    assert detail.row.manual_reasons == row.manual_reasons
    with db.reading() as s:
        assert s.query(OutboxEmail).count() == 0


def test_an_undeliverable_customer_email_on_file_is_a_discrepancy(db, manager, specialist, submit):
    manager.import_customers(factories.jsonl(factories.customer("C900", email="a..b@c900.example")))
    rid = submit("BAD-2", "C900")

    row = specialist.row(rid)
    assert row.status == Status.NEW and row.manual
    assert ("invalid customer email 'a..b@c900.example' on file: "
            + addresses.problem("a..b@c900.example")) in row.manual_reasons
    # Completed by a person: no email is queued to the address that cannot take it.
    specialist.automate(rid, to_holder=True)
    with db.reading() as s:
        assert [e.recipient_role for e in s.query(OutboxEmail)] == ["holder"]


def test_a_clean_request_is_still_completed_automatically(db, specialist, submit):
    rid = submit("OK-1", holder=dict(factories.HOLDER, email="Certs@BGC.Example"),
                 send_to_holder=True)
    assert specialist.row(rid).status == Status.COMPLETED
    with db.reading() as s:
        assert sorted(e.to_addr for e in s.query(OutboxEmail)) == [
            "Certs@bgc.example", "owner@c100.example"]


def test_completing_by_hand_refuses_an_undeliverable_holder_email(db, specialist, submit):
    rid = submit("BAD-3", holder=dict(factories.HOLDER, email="a..b@example.com"),
                 send_to_holder=True)
    with pytest.raises(ValidationFailed, match="two periods in a row"):
        specialist.automate(rid, to_holder=True)
    with pytest.raises(ValidationFailed, match="two periods in a row"):
        specialist.automate(rid, changes={"holder_email": "x..y@bgc.example"}, to_holder=True)
    assert specialist.row(rid).status == Status.NEW


# -- forms, the command line, the settings ----------------------------------------------


def test_the_certificate_form_says_why_an_email_is_refused(specialist, submit):
    rid = submit("BAD-4", instructions="x")
    form = specialist.automation_prefill(rid)
    problems = automation.validate(form.with_changes({"holder_email": "a..b@example.com"}))
    assert problems["holder_email"] == (
        "is not a valid email address (an email address cannot have two periods in a row)")
    assert "holder_email" not in automation.validate(
        form.with_changes({"holder_email": "certs@bgc.example"}))


@pytest.fixture
def seeded_cli(tmp_path) -> tuple[Cli, dict[str, int]]:
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    ids = seed(url, factories.submission("CLI-1", instructions="call first"))
    return Cli(tmp_path, url), ids


def test_the_command_line_refuses_an_undeliverable_address_in_one_line(seeded_cli):
    cli, ids = seeded_cli
    rid = str(ids["CLI-1"])
    message = cli.refused("automate", rid, "--set", "holder_email=a..b@example.com",
                          "--to-holder", login="sam")
    assert "holder_email" in message and "two periods in a row" in message
    message = cli.refused("users", "add", "lee", "--role", "manager", "--email", "lee@example")
    assert "'lee@example' is not a valid email address" in message
    assert "should have a period" in message
    shown = cli("show", rid, login="sam").stdout
    assert "Completed" not in shown


def test_settings_check_the_sender_and_reply_to_with_the_same_validator(tmp_path):
    path = tmp_path / "certdesk.toml"
    path.write_text('mail_from = "Compeo Certificates <certs@compeo.example>"\n'
                    'reply_to = "Compeo Desk <desk@compeo.example>"\n', encoding="utf-8")
    loaded = load_settings(path, environ={})
    assert loaded.mail_from == "Compeo Certificates <certs@compeo.example>"
    assert loaded.reply_to == "Compeo Desk <desk@compeo.example>"
    assert load_settings(None, environ={}).reply_to == ""
    for name, value, words in [
        ("CERTDESK_MAIL_FROM", "Compeo <certs@compeo..example>", "MAIL_FROM.*two periods"),
        ("CERTDESK_REPLY_TO", "desk@compeo", "REPLY_TO.*should have a period"),
        ("CERTDESK_MAIL_FROM", "certificates@certdesk.invalid", "MAIL_FROM.*special-use"),
        ("CERTDESK_MAIL_FROM", "Compeo\x07 <c@compeo.example>", "MAIL_FROM.*control"),
        ("CERTDESK_SMTP_TIMEOUT_SECONDS", "nan", "SMTP_TIMEOUT_SECONDS"),
        ("CERTDESK_SMTP_TIMEOUT_SECONDS", "0", "SMTP_TIMEOUT_SECONDS"),
    ]:
        with pytest.raises(ConfigurationError, match=words):
            load_settings(tmp_path / "missing.toml", environ={name: value})
