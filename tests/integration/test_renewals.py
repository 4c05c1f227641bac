"""Renewals: a policy's new term makes its current certificates due; ``certdesk renewals``
and ``certdesk renew`` as subprocesses, on SQLite and PostgreSQL, on the real clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from certdesk_tui.clock import utcnow
from tests import factories
from tests.integration.test_cli import Cli, carrier_pdf, in_process, pdf_text, seed

TODAY = utcnow().date()
OLD_START, OLD_END = TODAY - timedelta(days=300), TODAY + timedelta(days=30)
EXTENDED = OLD_END + timedelta(days=365)
LATE_START = TODAY + timedelta(days=200)


def _policy(number: str, effective, expires, line: str = "workers_comp") -> dict:
    return dict(factories.POLICY, number=number, line=line, effective=effective.isoformat(),
                expires=expires.isoformat())


def _customers(*, renewed: bool) -> list[dict]:
    """C610 (Compeo): its policy extended; C620 (PeoPayGo): a new policy of the same line
    starting in 200 days; C630 (Compeo): a later policy of another line only; C640
    (Cornerstone): extended."""
    def c610() -> list[dict]:
        return [_policy("WC-610", OLD_START, EXTENDED if renewed else OLD_END)]

    c620 = [_policy("WC-620", OLD_START, OLD_END)]
    if renewed:
        c620.append(_policy("WC-620B", LATE_START, LATE_START + timedelta(days=365)))
    c630 = [_policy("WC-630", OLD_START, OLD_END)]
    if renewed:
        c630.append(_policy("GL-630", OLD_START, EXTENDED, line="general_liability"))
    return [
        factories.customer("C610", name="Extended Roofing LLC", policies=c610()),
        factories.customer("C620", "peopaygo", name="Replaced Dental PA", policies=c620),
        factories.customer("C630", name="Other Line Bakery", policies=c630),
        factories.customer("C640", "cornerstone", name="Carrier Issued Inc",
                           policies=[_policy("WC-640", OLD_START,
                                             EXTENDED if renewed else OLD_END)]),
    ]


@pytest.fixture
def renewing(database_url, tmp_path):
    """Each customer has one completed certificate on the old term; then an import renews."""
    seed(database_url)
    with in_process(database_url) as desk:
        assert desk.import_customers(factories.jsonl(*_customers(renewed=False))).ok
        report = desk.import_submissions(factories.jsonl(*(
            factories.submission(f"RN-{code}", code, send_to_holder=True,
                                 submitted_at=f"{TODAY}T08:00:00+00:00")
            for code in ("C610", "C620", "C630", "C640"))))
        assert report.ok, report.refused
        codes = ("C610", "C620", "C630", "C640")
        ids = {code: o.request_id for code, o in zip(codes, report.accepted, strict=True)}
        # Cornerstone's certificate comes from the carrier: uploaded.
        pdf = carrier_pdf(tmp_path / "carrier.pdf").read_bytes()
        desk.upload(ids["C640"], "carrier.pdf", pdf)
        assert desk.due_renewals() == []
        assert desk.import_customers(factories.jsonl(*_customers(renewed=True))).ok
    return Cli(tmp_path, db_url=database_url), ids


def test_renewals_lists_every_current_certificate_on_a_renewed_term(renewing):
    cli, ids = renewing
    due = cli.json("renewals")
    assert [d["request_id"] for d in due] == [ids["C610"], ids["C620"], ids["C640"]]
    first = due[0]
    assert set(first) == {"request_id", "number", "revision", "customer_code", "holder",
                          "old_expires", "new_expires"}
    assert first == {"request_id": ids["C610"], "number": f"CD-{ids['C610']:06d}",
                     "revision": 0, "customer_code": "C610",
                     "holder": factories.HOLDER["name"], "old_expires": OLD_END.isoformat(),
                     "new_expires": EXTENDED.isoformat()}
    assert due[1]["new_expires"] == (LATE_START + timedelta(days=365)).isoformat()
    assert [d["request_id"] for d in cli.json("renewals", "--customer", "C620")] == [
        ids["C620"]]
    out = cli("renewals", login="pat").stdout
    renewable = LATE_START - timedelta(days=60)
    assert f"renewable from {renewable}" in out
    assert "Cornerstone: cannot be renewed automatically" in out
    assert out.rstrip().endswith("3 certificate(s) due for renewal")
    assert cli.refused("renewals", "--customer", "NOPE") == (
        "certdesk: there is no customer 'NOPE'")


def test_renew_issues_each_renewable_a_new_revision_and_again_nothing_new(renewing, tmp_path):
    cli, ids = renewing
    assert cli.refused("renew", "--all", login="pat") == (
        "certdesk: pat is a payroll advisor and may not process requests (view only)")
    assert cli.refused("renew") == (
        "certdesk: say which certificates to renew: --customer CODE or --all")
    assert "there is no customer 'NOPE'" in cli.refused("renew", "--customer", "NOPE")
    out = cli("renew", "--all", login="sam").stdout
    lines = out.strip().splitlines()
    assert lines[0].startswith(f"#{ids['C610']} CD-{ids['C610']:06d} (C610): renewed: "
                               f"revision 1 expires {EXTENDED}; owner@c610.example, "
                               "certs@bgc.example")
    renewable = LATE_START - timedelta(days=60)
    assert lines[1] == (f"#{ids['C620']} CD-{ids['C620']:06d} (C620): skipped: the new term "
                        f"begins {LATE_START}: renewable from {renewable}")
    assert f"#{ids['C640']} CD-{ids['C640']:06d} (C640): skipped: Cornerstone certificates " \
           "come from the carrier: cannot be renewed automatically" in lines[2]
    assert lines[-1] == "1 renewed, 2 skipped, 0 refused"
    shown = cli.json("show", str(ids["C610"]))
    current = [c for c in shown["certificates"] if c["current"]]
    assert [c["revision"] for c in current] == [1]
    assert any(a["action"] == "reissue" and "renewal" in a["detail"]
               for a in shown["activities"])
    # Emailed as the original was: to the customer and the holder, the new revision attached.
    attached = [e["to"] for e in shown["emails"]
                if e["attachment"] and "-r1-" in e["attachment"]]
    assert sorted(attached) == ["certs@bgc.example", "owner@c610.example"]
    # The renewed certificate prints the new expiry.
    saved = tmp_path / "renewed.pdf"
    cli("certificate", str(ids["C610"]), "--output", str(saved))
    text = pdf_text(saved)
    assert EXTENDED.strftime("%m/%d/%Y") in text
    # Running it again issues nothing new.
    again = cli("renew", "--all").stdout
    assert again.strip().splitlines()[-1] == "0 renewed, 2 skipped, 0 refused"
    assert [d["request_id"] for d in cli.json("renewals")] == [ids["C620"], ids["C640"]]


def test_renew_without_email_and_for_one_customer(renewing):
    cli, ids = renewing
    out = cli("renew", "--customer", "C610", "--no-email").stdout
    assert "renewed: revision 1" in out and "not emailed (--no-email)" in out
    assert out.strip().splitlines()[-1] == "1 renewed, 0 skipped, 0 refused"
    shown = cli.json("show", str(ids["C610"]))
    assert not [e for e in shown["emails"] if e["attachment"] and "-r1-" in e["attachment"]]


def test_two_renewals_at_once_one_wins(renewing, database_url):
    cli, ids = renewing
    with in_process(database_url, "sam") as first, in_process(database_url, "sky") as second:
        renewal = next(d for d in first.due_renewals() if d.request_id == ids["C610"])
        assert first.renew_one(renewal).state == "renewed"
        late = second.renew_one(renewal)
        assert late.state == "refused" and "changed since it was listed" in late.message
    current = [c for c in cli.json("show", str(ids["C610"]))["certificates"] if c["current"]]
    assert [c["revision"] for c in current] == [1]
