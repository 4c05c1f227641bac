"""The policy-date rule on the command line: ``automate`` and ``upload`` with ``--override-reason``.

Run as real subprocesses on the real clock, so the policies are dated around today.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from certdesk_tui.clock import utcnow
from tests import factories
from tests.integration.test_cli import ME, Cli, carrier_pdf, in_process, seed

REASON = "Carrier confirmed the renewal by phone; binder 55-1 on file"


def _policy(number: str, effective, expires) -> dict:
    return dict(factories.POLICY, number=number, effective=effective.isoformat(),
                expires=expires.isoformat())


@pytest.fixture
def expired(database_url, tmp_path):
    """A CLI on a team database; requests on a policy that expired 30 days ago."""
    today = utcnow().date()
    ends = today - timedelta(days=30)
    old = _policy("WC-OLD", ends - timedelta(days=365), ends)
    seed(database_url)
    with in_process(database_url) as desk:
        for code, brand in (("C700", "compeo"), ("C800", "cornerstone")):
            assert desk.import_customers(factories.jsonl(factories.customer(
                code, brand, name=f"Lapsed {code} Inc", policies=[old]))).ok
        report = desk.import_submissions(factories.jsonl(
            factories.submission("E-1", "C700", submitted_at=f"{ends}T09:00:00+00:00"),
            factories.submission("E-2", "C800", submitted_at=f"{ends}T09:00:00+00:00"),
        ))
        assert report.ok, report.refused
        ids = [str(o.request_id) for o in report.accepted]
    return Cli(tmp_path, db_url=database_url), ids, ends, today


def test_automate_on_an_expired_policy_is_one_line_and_exit_1_then_overridden(expired):
    cli, (automated, _), ends, today = expired
    message = cli.refused("automate", automated, login="sam")
    assert message == (
        f"certdesk: request #{automated}: policy WC-OLD expired on {ends}; the certificate is "
        f"dated {today}; nothing was issued; to issue it anyway give --override-reason TEXT"
    )
    assert cli.json("show", automated)["status"] == "new"
    assert "written reason" in cli.refused("automate", automated, "--override-reason", "  ",
                                           login="sam")
    assert "payroll advisor" in cli.refused("automate", automated, "--override-reason", REASON,
                                            login="pat")
    done = cli("automate", automated, "--override-reason", REASON, login="sam").stdout
    assert f"issued despite: policy WC-OLD expired on {ends}" in done
    assert "completed: certificate" in done
    shown = cli.json("show", automated)
    assert shown["status"] == "completed"
    override = [a for a in shown["activities"] if a["action"] == "policy_override"]
    assert len(override) == 1 and override[0]["actor"] == f"{ME} acting as sam"
    assert override[0]["detail"].endswith(f"issued anyway, reason: {REASON}")


def test_upload_on_an_expired_policy_is_one_line_and_exit_1_then_overridden(expired, tmp_path):
    cli, (_, uploaded), ends, today = expired
    pdf = str(carrier_pdf(tmp_path / "carrier.pdf"))
    message = cli.refused("upload", uploaded, pdf, login="sam")
    assert f"policy WC-OLD expired on {ends}; the certificate is dated {today}" in message
    assert message.endswith("give --override-reason TEXT")
    assert "at most 500 characters" in cli.refused("upload", uploaded, pdf,
                                                   "--override-reason", "x" * 501, login="sam")
    assert "control character U+001B" in cli.refused(
        "upload", uploaded, pdf, "--override-reason", "fine\x1b[2J", login="sam")
    assert cli.json("show", uploaded)["certificates"] == []
    done = cli("upload", uploaded, pdf, "--override-reason", REASON, login="sam").stdout
    assert "issued despite" in done and "completed" in done
    with in_process(cli.db_url) as desk:
        detail = desk.request(int(uploaded))
        assert [a.action for a in detail.activities].count("policy_override") == 1
        assert detail.row.status == "completed"
