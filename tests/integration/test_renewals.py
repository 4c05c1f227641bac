"""Renewals: a policy's new term makes its current certificates due; ``certdesk renewals``
and ``certdesk renew`` as subprocesses, on SQLite and PostgreSQL, on the real clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from certdesk_tui.clock import utcnow
from tests import factories
from tests.integration.test_cli import Cli, carrier_pdf, in_process, seed

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

