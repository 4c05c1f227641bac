"""Resend, reissue, ``certificate --revision``, ``--cc`` and ``show --json``'s certificates,
on the command line as a process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest

from tests import factories
from tests.integration.test_cli import Cli, carrier_pdf, in_process, pdf_text, seed

HOLDER_EMAIL = factories.HOLDER["email"]
CUSTOMER_EMAIL = "owner@c100.example"


@pytest.fixture
def team(database_url, tmp_path):
    """A CLI on a team database: one completed Compeo request (issued at import), one new
    Cornerstone request, one new Compeo request with instructions (manual)."""
    ids = seed(database_url,
               factories.submission("R-1", "C100", send_to_holder=True),
               factories.submission("R-2", "C300"),
               factories.submission("R-3", "C100", instructions="call me first"))
    return Cli(tmp_path, db_url=database_url), {k: str(v) for k, v in ids.items()}


def outbox(cli: Cli, rid: str) -> list[tuple[str, str, str | None]]:
    return [(e["recipient"], e["to"], e["attachment"]) for e in cli.json("show", rid)["emails"]]


def test_resend_queues_the_current_certificate_to_each_recipient(team, tmp_path):
    cli, ids = team
    rid = ids["R-1"]
    before = outbox(cli, rid)
    out = cli("resend", rid, "--to-customer", "--to-holder", "--to", "pm@site.example",
              "--to", "PM@Site.example", login="sam").stdout
    assert out.strip() == (f"request #{rid}: certificate CD-{int(rid):06d} revision 0 queued to "
                           f"{CUSTOMER_EMAIL}, {HOLDER_EMAIL}, pm@site.example")
    shown = cli.json("show", rid)
    after = outbox(cli, rid)[len(before):]
    name = shown["certificates"][0]["file_name"]
    assert after == [("customer", CUSTOMER_EMAIL, name), ("holder", HOLDER_EMAIL, name),
                     ("other", "pm@site.example", name)]
    resent = [a for a in shown["activities"] if a["action"] == "resend"]
    assert len(resent) == 1 and resent[0]["actor"].endswith("acting as sam")
    assert resent[0]["detail"] == (f"certificate CD-{int(rid):06d} rev 0 resent to "
                                   f"{CUSTOMER_EMAIL}, {HOLDER_EMAIL}, pm@site.example")
    assert len(shown["certificates"]) == 1  # nothing issued


def test_resend_refusals_are_one_line_and_change_nothing(team):
    cli, ids = team
    rid, new = ids["R-1"], ids["R-3"]
    emails = outbox(cli, rid)
    assert cli.refused("resend", new, "--to-customer", login="sam") == (
        f"certdesk: request #{new} has no certificate to resend: it is new")
    assert "say who to send the certificate to" in cli.refused("resend", rid, login="sam")
    assert "'not-an-address' is not a valid email address" in cli.refused(
        "resend", rid, "--to", "not-an-address", login="sam")
    assert "payroll advisor" in cli.refused("resend", rid, "--to-customer", login="pat")
    # A header smuggled into an address is an invalid address, nothing more.
    assert "is not a valid email address" in cli.refused(
        "resend", rid, "--to", "pm@site.example\r\nBcc: spy@evil.example", login="sam")
    assert "there is no request #999" in cli.refused("resend", "999", "--to-customer")
    with in_process(cli.db_url) as desk:
        desk.automate(int(new), changes={"holder_email": ""}, to_holder=False)
    assert cli.refused("resend", new, "--to-holder", login="sam") == (
        f"certdesk: request #{new} has no holder email: send it to an address instead")
    assert outbox(cli, rid) == emails


def test_reissue_issues_the_next_revision_and_keeps_the_previous_one(team, tmp_path):
    cli, ids = team
    rid = ids["R-1"]
    first = cli.json("show", rid)["certificates"]
    out = cli("reissue", rid, "--set", "holder_name=Big General Contractor Holdings Inc",
              "--set", "description=Project: Harbor Tower, phase 2", "--reason",
              "holder name misspelt", "--cc", "pm@site.example", login="sam").stdout
    number = f"CD-{int(rid):06d}"
    assert f"certificate {number} revision 1" in out and "supersedes revision 0" in out
    shown = cli.json("show", rid)
    assert shown["status"] == "completed"
    assert shown["holder"]["name"] == "Big General Contractor Holdings Inc"
    certs = shown["certificates"]
    assert [(c["number"], c["revision"], c["source"], c["current"]) for c in certs] == [
        (number, 0, "generated", False), (number, 1, "generated", True)]
    assert certs[0]["sha256"] == first[0]["sha256"] and certs[0]["superseded_at"]
    assert certs[1]["superseded_at"] is None
    assert {"number", "revision", "source", "sha256", "issued_at", "current"} <= set(certs[1])
    reissued = [a for a in shown["activities"] if a["action"] == "reissue"]
    assert reissued[0]["detail"] == (f"certificate {number} rev 1 supersedes revision 0; "
                                     "reason: holder name misspelt")
    new_emails = [e for e in shown["emails"] if e["attachment"] == certs[1]["file_name"]]
    assert sorted((e["recipient"], e["to"]) for e in new_emails) == [
        ("customer", CUSTOMER_EMAIL), ("holder", HOLDER_EMAIL), ("other", "pm@site.example")]

    old, new = tmp_path / "r0.pdf", tmp_path / "r1.pdf"
    cli("certificate", rid, "--output", str(old), "--revision", "0")
    cli("certificate", rid, "--output", str(new))
    assert hashlib.sha256(old.read_bytes()).hexdigest() == certs[0]["sha256"]
    assert hashlib.sha256(new.read_bytes()).hexdigest() == certs[1]["sha256"]
    text = " ".join(pdf_text(new).split())
    assert "Big General Contractor Holdings Inc" in text and "Harbor Tower, phase 2" in text
    assert number in text and "REVISION NUMBER: 1" in text
    assert "Holdings" not in pdf_text(old)
    assert "has no certificate revision 5 (its revisions are 0 to 1)" in cli.refused(
        "certificate", rid, "--output", str(tmp_path / "x.pdf"), "--revision", "5")
    assert "has no certificate revision 9999" in cli.refused(
        "certificate", rid, "--output", str(tmp_path / "x.pdf"), "--revision", "9" * 25)
    cli.usage("certificate", rid, "--output", str(tmp_path / "x.pdf"), "--revision", "-1")
    assert not (tmp_path / "x.pdf").exists()
    # Resend sends the current one: revision 1.
    cli("resend", rid, "--to", "pm@site.example", login="sam")
    assert cli.json("show", rid)["emails"][-1]["attachment"] == certs[1]["file_name"]


def test_reissue_refusals_are_one_line_and_change_nothing(team, tmp_path):
    cli, ids = team
    rid, cs, new = ids["R-1"], ids["R-2"], ids["R-3"]
    assert cli.refused("reissue", new, "--reason", "typo", login="sam") == (
        f"certdesk: request #{new} is new: only a completed request's certificate can be "
        "reissued")
    unknown = cli.refused("reissue", rid, "--set", "insurer_name=X", "--reason", "typo",
                          login="sam")
    assert unknown == ("certdesk: a revision cannot change 'insurer_name'; fields: holder_name, "
                       "holder_address, holder_city, holder_state, holder_zip, holder_email, "
                       "description")
    assert "payroll advisor" in cli.refused("reissue", rid, "--reason", "typo", login="pat")
    assert "needs a reason" in cli.refused("reissue", rid, "--reason", "  ", login="sam")
    assert "is not a valid email address" in cli.refused(
        "reissue", rid, "--reason", "typo", "--cc", "x@", login="sam")
    assert "is not a valid email address" in cli.refused(
        "reissue", rid, "--set", "holder_email=nobody", "--reason", "typo", login="sam")
    cli.usage("reissue", rid)  # --reason is required
    # Cornerstone: only with the carrier's corrected PDF.
    pdf = str(carrier_pdf(tmp_path / "carrier.pdf"))
    cli("upload", cs, pdf, login="sam")
    assert "attach the carrier's corrected certificate PDF" in cli.refused(
        "reissue", cs, "--reason", "typo", login="sam")
    assert len(cli.json("show", rid)["certificates"]) == 1
    assert len(cli.json("show", cs)["certificates"]) == 1
    done = cli("reissue", cs, "--attach", pdf, "--reason", "carrier corrected it",
               login="sam").stdout
    assert "revision 1" in done
    certs = cli.json("show", cs)["certificates"]
    assert [(c["source"], c["current"]) for c in certs] == [("uploaded", False),
                                                            ("uploaded", True)]
    saved = tmp_path / "cs.pdf"
    cli("certificate", cs, "--output", str(saved))
    assert saved.read_bytes() == (tmp_path / "carrier.pdf").read_bytes()


def test_completion_takes_extra_recipients(team, tmp_path):
    cli, ids = team
    new = ids["R-3"]
    assert "is not a valid email address" in cli.refused("automate", new, "--cc", "bad",
                                                         login="sam")
    assert cli.json("show", new)["status"] == "new"
    cli("automate", new, "--cc", "pm@site.example", "--cc", "office@site.example",
        "--cc", CUSTOMER_EMAIL, login="sam")
    assert sorted((r, t) for r, t, _ in outbox(cli, new)) == [
        ("customer", CUSTOMER_EMAIL), ("other", "office@site.example"),
        ("other", "pm@site.example")]
    pdf = str(carrier_pdf(tmp_path / "carrier.pdf"))
    cs = ids["R-2"]
    cli("upload", cs, pdf, "--cc", "broker@site.example", login="sam")
    assert ("other", "broker@site.example") in [(r, t) for r, t, _ in outbox(cli, cs)]
