"""Intake in batches: every line stored once, one bad line costs only itself.

The import writes up to ``BATCH_LINES`` lines a transaction. These tests check
that a batch gives exactly what one transaction a line gave (the same report, the
same rows), that a line depending on an earlier line of its own batch sees it,
and that a write the database refuses in the middle of a batch costs that line
only: nothing lost, nothing stored twice.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from certdesk_tui.domain.errors import DatabaseRefused
from certdesk_tui.service import Desk
from certdesk_tui.service import intake as service_intake
from certdesk_tui.service.identity import resolve_actor
from certdesk_tui.storage import intake as stored
from certdesk_tui.storage.models import (
    Activity,
    Certificate,
    CertificateRequest,
    DuplicateLink,
    OutboxEmail,
)
from tests import factories
from tests.conftest import team_database
from tests.integration.test_intake_properties import _env


def _count(db, model) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _counts(db) -> dict[str, int]:
    return {model.__tablename__: _count(db, model)
            for model in (CertificateRequest, Activity, DuplicateLink, Certificate, OutboxEmail)}


def _mixed_lines(seed: int, count: int) -> list[str]:
    """Manual lines, bad lines, repeats, same holders, WOS and their payment updates."""
    rng = random.Random(seed)
    lines: list[str] = []
    for i in range(count):
        roll = rng.random()
        holder = dict(factories.HOLDER, name=f"Holder {rng.randrange(count // 3 + 1)}")
        customer = rng.choice(["C100", "C200", "C300", "C400", "C500", "C999"])
        if roll < 0.08:
            lines.append(rng.choice(["not json", '{"external_id": "X"', "[]",
                                     json.dumps({"kind": "payment"})]))
        elif roll < 0.15 and i:
            lines.append(json.dumps(factories.submission(f"B-{rng.randrange(i)}", customer)))
        elif roll < 0.22:
            lines.append(json.dumps({"kind": "payment", "external_id": f"B-{rng.randrange(i + 1)}",
                                     "payment_status": rng.choice(["approved", "declined"])}))
        elif roll < 0.30:
            lines.append(json.dumps(factories.submission(
                f"B-{i}", customer, type="WOS", payment_status="pending", holder=holder)))
        elif roll < 0.33:
            lines.append(json.dumps(factories.submission(f"B-{i}", "C100", holder=holder)))
        else:
            lines.append(json.dumps(factories.submission(
                f"B-{i}", customer, holder=holder, instructions=f"call {i}",
                channel=rng.choice(["portal", "mobile"]))))
    return lines


def _stored_rows(db) -> list[tuple]:
    with db.reading() as s:
        requests = [tuple(r) for r in s.execute(select(
            CertificateRequest.id, CertificateRequest.external_id, CertificateRequest.status,
            CertificateRequest.manual, CertificateRequest.manual_reasons,
            CertificateRequest.in_queue, CertificateRequest.payment_status,
            CertificateRequest.discrepancy, CertificateRequest.policy_id,
        ).order_by(CertificateRequest.id))]
        activities = [tuple(r) for r in s.execute(select(
            Activity.request_id, Activity.action, Activity.detail, Activity.actor,
        ).where(Activity.request_id.is_not(None)).order_by(Activity.request_id, Activity.id))]
        links = [tuple(r) for r in s.execute(select(
            DuplicateLink.request_id, DuplicateLink.other_id
        ).order_by(DuplicateLink.request_id, DuplicateLink.other_id))]
    return [requests, activities, links]


def _outcomes(report) -> list[list[tuple]]:
    return [[(o.line, o.message, o.request_id) for o in outcomes]
            for outcomes in (report.accepted, report.unchanged, report.refused)]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_batched_import_gives_what_one_transaction_a_line_gave(
        database_url, tmp_path, monkeypatch, seed):
    """The same lines, taken in one a transaction (on SQLite) and in batches (on SQLite and
    PostgreSQL): the same report, the same rows, the same activities and links."""
    lines = _mixed_lines(seed, 240)
    results = []
    for batch, url in ((1, f"sqlite:///{tmp_path / 'one-a-line.sqlite3'}"),
                       (service_intake.BATCH_LINES, database_url)):
        monkeypatch.setattr(service_intake, "BATCH_LINES", batch)
        db = team_database(url)
        manager = Desk(db, resolve_actor(db, "morgan"))
        report = manager.import_submissions(lines)
        results.append((_outcomes(report), report.stopped, _stored_rows(db)))
        db.dispose()
    one_a_line, batched = results
    assert one_a_line[0] == batched[0]
    assert one_a_line[1] == batched[1] == ""
    assert one_a_line[2] == batched[2]
    accepted, unchanged, refused = batched[0]
    assert len(accepted) + len(unchanged) + len(refused) == len(lines)
    assert accepted and unchanged and refused


def test_thousands_of_lines_each_stored_once_and_a_second_import_changes_nothing(
        manager, db, specialist):
    count = 2_500
    lines = factories.jsonl(*(factories.submission(
        f"T-{i}", ("C100", "C200", "C300")[i % 3], instructions=f"Note {i}",
        holder=dict(factories.HOLDER, name=f"Thousand Holder {i}")) for i in range(count)))
    bad = {17: "not json", 1_234: '{"kind": "payment", "external_id": "T-nowhere", '
                                  '"payment_status": "approved"}'}
    for index, text in bad.items():
        lines.insert(index, text)
    before = _counts(db)
    report = manager.import_submissions(lines)
    assert [o.line for o in report.refused] == [index + 1 for index in sorted(bad)]
    assert len(report.accepted) == count and report.unchanged == []
    assert [o.line for o in report.accepted] == sorted(o.line for o in report.accepted)
    ids = [o.request_id for o in report.accepted]
    assert len(set(ids)) == count
    after = _counts(db)
    assert after["certificate_requests"] - before["certificate_requests"] == count
    # Each request: submitted, then assigned to the certificates department.
    assert after["activities"] - before["activities"] == 2 * count
    with db.reading() as s:
        stored_ids = set(s.scalars(select(CertificateRequest.external_id)))
    assert {f"T-{i}" for i in range(count)} <= stored_ids
    assert specialist.request(ids[-1]).row.external_id == f"T-{count - 1}"
    again = manager.import_submissions(lines)
    assert again.accepted == [] and len(again.unchanged) == count
    assert [o.request_id for o in again.unchanged] == ids
    assert _counts(db) == after


def test_a_line_depending_on_an_earlier_line_of_its_batch_sees_it(manager, specialist):
    same_holder = dict(factories.HOLDER, name="Twice Holder Inc")
    report = manager.import_submissions(factories.jsonl(
        factories.submission("D-1", instructions="first", holder=same_holder),
        factories.submission("D-1", instructions="again"),
        factories.submission("D-2", holder=same_holder),
        factories.submission("D-3", "C200", type="WOS", payment_status="pending"),
        {"kind": "payment", "external_id": "D-3", "payment_status": "approved"},
    ))
    assert report.ok, report.refused
    first = report.accepted[0].request_id
    assert report.unchanged[0].line == 2
    assert report.unchanged[0].message == f"already received as request #{first}"
    second = specialist.request(report.accepted[1].request_id)
    assert f"possible duplicate of #{first}" in second.row.manual_reasons
    assert specialist.request(first).row.possible_duplicate
    wos = report.accepted[2].request_id
    assert report.accepted[3].message == "payment pending → approved; now in the queue"
    assert report.accepted[3].request_id == wos
    detail = specialist.request(wos)
    assert (detail.payment_status, detail.in_queue) == ("approved", True)


def test_a_write_the_database_refuses_in_a_batch_costs_that_line_only(
        manager, db, monkeypatch):
    real = stored.insert_requests

    def refusing(session, rows):
        if any(row["external_id"] == "R-20" for row in rows):
            raise DatabaseRefused("value refused by the database")
        return real(session, rows)

    monkeypatch.setattr(stored, "insert_requests", refusing)
    lines = factories.jsonl(*(factories.submission(f"R-{i}", instructions="call")
                              for i in range(50)))
    before = _counts(db)
    report = manager.import_submissions(lines)
    assert [(o.line, o.message) for o in report.refused] == [
        (21, "the database refused it: value refused by the database")]
    assert [o.line for o in report.accepted] == [n for n in range(1, 51) if n != 21]
    after = _counts(db)
    assert after["certificate_requests"] - before["certificate_requests"] == 49
    assert after["activities"] - before["activities"] == 2 * 49
    with db.reading() as s:
        external = list(s.scalars(select(CertificateRequest.external_id)
                                  .where(CertificateRequest.external_id.like("R-%"))))
    assert sorted(external) == sorted(f"R-{i}" for i in range(50) if i != 20)


def test_the_progress_bar_is_not_printed_when_standard_error_is_not_a_terminal(tmp_path):
    env = _env(tmp_path)
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(json.dumps(factories.submission(f"P-{i}", "C999"))
                              for i in range(300)) + "\n", encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "certdesk_tui", *args], env=env,
                              cwd=tmp_path, capture_output=True, timeout=120, check=False)

    assert run("init").returncode == 0
    result = run("import", str(path))
    assert result.returncode == 1
    assert result.stderr == b""
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 301 and lines[-1] == "0 lines accepted, 0 unchanged, 300 refused"
