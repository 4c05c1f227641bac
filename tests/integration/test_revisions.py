# ruff: noqa: F811 - pytest fixtures imported from tests.unit.test_mail_helpers
"""Resend and revisions in process: the exact bytes through a real SMTP server, the
renewal hook, the refusals that change nothing, and typed addresses from outside."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certdesk_tui.domain import addresses
from certdesk_tui.domain.errors import (
    InvalidTransition,
    PermissionDenied,
    PolicyNotInForce,
    StaleRequest,
    ValidationFailed,
)
from certdesk_tui.mail.delivery import deliver_due
from certdesk_tui.mail.transports import SmtpTransport
from certdesk_tui.service import PolicyTerm
from certdesk_tui.service.completion import extra_recipients
from tests.factories import HOLDER
from tests.unit.test_mail_helpers import (  # noqa: F401 - fixtures
    attachments,
    complete,
    smtp_server,
)

CUSTOMER = "owner@c100.example"


def deliver(db, server) -> None:
    settings_ = server.settings()
    deliver_due(db, SmtpTransport(settings_), settings_, "test")


def received(server) -> dict[str, list[tuple[str | None, str, bytes]]]:
    return {r.rcpt_tos[0]: attachments(r.message) for r in server.mailbox.received}


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
                    .split())


def test_a_resent_certificate_arrives_byte_for_byte(db, specialist, complete, smtp_server):
    rid = complete("RS-1")
    deliver(db, smtp_server)
    name, pdf = specialist.certificate(rid)
    smtp_server.mailbox.received.clear()

    done = specialist.resend(rid, to_customer=True, to_holder=True,
                             others=["pm@site.example"])

    assert done.emailed == (CUSTOMER, HOLDER["email"], "pm@site.example")
    deliver(db, smtp_server)
    got = received(smtp_server)
    assert set(got) == {CUSTOMER, HOLDER["email"], "pm@site.example"}
    for parts in got.values():
        assert parts == [(name, "application/pdf", pdf)]
    assert len(specialist.request(rid).certificates) == 1


def test_a_reissued_certificate_arrives_with_the_next_revision(db, specialist, complete,
                                                               smtp_server):
    rid = complete("RV-1")
    version = specialist.row(rid).version
    done = specialist.reissue(rid, reason="suite number missing",
                              changes={"holder_address": "9 Oak Ave, Suite 718"},
                              cc=["pm@site.example"], expected_version=version)
    assert (done.revision, done.superseded) == (1, 0)
    name, pdf = specialist.certificate(rid)
    assert "r1" in name
    text = text_of(pdf)
    assert "9 Oak Ave, Suite 718" in text and "REVISION NUMBER: 1" in text
    old_name, old = specialist.certificate(rid, 0)
    assert "Suite 718" not in text_of(old) and "r0" in old_name
    deliver(db, smtp_server)
    reissued = [r for r in smtp_server.mailbox.received
                if attachments(r.message)[0][0] == name]
    assert sorted(r.rcpt_tos[0] for r in reissued) == sorted(
        [CUSTOMER, HOLDER["email"], "pm@site.example"])
    for r in reissued:
        assert attachments(r.message)[0][2] == pdf
        assert "replaces the certificate sent earlier" in r.message.get_body(
            ("plain",)).get_content()
    detail = specialist.request(rid)
    assert [(c.revision, c.current, c.superseded_at is not None)
            for c in detail.certificates] == [(0, False, True), (1, True, False)]
    assert hashlib.sha256(pdf).hexdigest() == detail.certificates[1].sha256
    # The version read before the reissue is stale now.
    with pytest.raises(StaleRequest):
        specialist.reissue(rid, reason="again", expected_version=version)


def test_a_renewal_certifies_the_new_term(specialist, complete):
    rid = complete("RN-1", to_holder=False)
    term = PolicyTerm(None, "WC-C100", date(2026, 1, 1), date(2027, 1, 1))
    done = specialist.reissue(rid, reason="policy renewed", term=term, email=False)
    assert done.emailed == ()
    assert "2027" in text_of(specialist.certificate(rid)[1])
    late = PolicyTerm(None, "WC-C100", date(2031, 1, 1), date(2032, 1, 1))
    with pytest.raises(PolicyNotInForce):
        specialist.reissue(rid, reason="too early", term=late)
    assert len(specialist.request(rid).certificates) == 2


def test_refusals_change_nothing(specialist, advisor, complete, submit):
    rid = complete("RF-1")
    before = specialist.request(rid)
    with pytest.raises(PermissionDenied):
        advisor.resend(rid, to_customer=True)
    with pytest.raises(PermissionDenied):
        advisor.reissue(rid, reason="typo")
    with pytest.raises(ValidationFailed, match="fields: holder_name"):
        specialist.reissue(rid, reason="typo", changes={"policy_number": "X"})
    with pytest.raises(ValidationFailed, match="not a valid email address"):
        specialist.reissue(rid, reason="typo", changes={"holder_email": "x@"})
    with pytest.raises(ValidationFailed, match="holder_state must be a two-letter state code"):
        specialist.reissue(rid, reason="typo", changes={"holder_state": "Florida!"})
    new = submit("RF-2", instructions="call first")
    with pytest.raises(InvalidTransition, match="has no certificate to resend"):
        specialist.resend(new, others=["a@b.example"])
    after = specialist.request(rid)
    assert (after.certificates, after.emails, after.activities, after.version) == (
        before.certificates, before.emails, before.activities, before.version)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=40), max_size=4))
def test_typed_extra_recipients_are_checked_or_refused_in_words(values):
    try:
        kept = extra_recipients(values, CUSTOMER)
    except ValidationFailed as exc:
        assert "not a valid email address" in str(exc)
        return
    assert all(addresses.is_valid(a) for a in kept)
    lowered = [a.lower() for a in kept]
    assert len(set(lowered)) == len(lowered) and CUSTOMER not in lowered
