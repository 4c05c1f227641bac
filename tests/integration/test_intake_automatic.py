"""Automatic processing at intake: the certificate drawn outside the write lock.

A clean request is stored reserved, its certificate drawn outside any transaction,
then completed in a second short transaction. These tests stop an import between
the two (nothing half done; the next import resumes it, exactly once), let a person
claim a reserved request first (the person wins, nothing is issued), and compare
an import drawn by worker processes with one drawn in the importing process.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from certdesk_tui.domain import Status
from certdesk_tui.pdf.printed import printed_verification_code
from certdesk_tui.service import Desk, intake_auto
from certdesk_tui.service.identity import resolve_actor
from certdesk_tui.storage.models import Activity, Certificate, CertificateRequest, OutboxEmail
from tests import factories
from tests.conftest import team_database


class Crash(BaseException):
    """The import process dying between drawing and completing (not an Exception)."""


def _clean(count: int, tag: str = "A") -> list[str]:
    return factories.jsonl(*(factories.submission(
        f"{tag}-{i}", ("C100", "C200")[i % 2],
        holder=dict(factories.HOLDER, name=f"Automatic Holder {tag}{i}")) for i in range(count)))


def _count(db, model, **where) -> int:
    with db.reading() as s:
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return s.scalar(stmt) or 0


def _reserved(db) -> list[int]:
    with db.reading() as s:
        return list(s.scalars(select(CertificateRequest.id)
                              .where(CertificateRequest.auto_started_at.is_not(None))))


def test_an_import_stopped_between_drawing_and_completing_leaves_nothing_half_done(
        manager, db, specialist, monkeypatch):
    def crash(ds, drawings, report):  # noqa: ARG001
        raise Crash

    monkeypatch.setattr("certdesk_tui.service.intake_auto.finish", crash)
    with pytest.raises(Crash):
        manager.import_submissions(_clean(6))
    # The batches stored before the crash (one or more: a batch ends after 50 ms) are
    # all reserved, every one of them.
    reserved = _reserved(db)
    assert reserved and len(reserved) == _count(db, CertificateRequest)
    for rid in reserved:
        detail = specialist.request(rid)
        assert (detail.row.status, detail.row.manual) == (Status.NEW, False)
        assert detail.certificates == () and detail.emails == ()
        assert [a.action for a in detail.activities] == ["submitted"]
    assert _count(db, Certificate) == 0 and _count(db, OutboxEmail) == 0
    monkeypatch.undo()

    # A mark this recent may belong to an import still running: the next import leaves it.
    report = manager.import_submissions(_clean(1, "B"))
    assert report.ok and report.resumed == []
    assert sorted(_reserved(db)) == sorted(reserved)

    # Later, the next import takes them up and completes each exactly once.
    monkeypatch.setattr(intake_auto, "RESUME_AFTER", timedelta(0))
    report = manager.import_submissions(_clean(1, "C"))
    assert report.ok, report.refused
    assert sorted(o.request_id for o in report.resumed) == sorted(reserved)
    assert all("completed automatically" in o.message for o in report.resumed)
    assert _reserved(db) == []
    for rid in reserved:
        detail = specialist.request(rid)
        assert detail.row.status == Status.COMPLETED
        assert len(detail.certificates) == 1
        actions = [a.action for a in detail.activities]
        assert actions.count("auto_processed") == 1 and actions.count("completed") == 1
    issued = len(reserved) + 2
    assert _count(db, Certificate) == issued
    # Each request's emails queued once: those resumed and those of the two new lines.
    assert _count(db, OutboxEmail) == issued * len(specialist.request(reserved[0]).emails)
    again = manager.import_submissions(_clean(1, "D"))
    assert again.resumed == [] and _count(db, Certificate) == issued + 1


def test_a_person_who_claims_a_reserved_request_first_keeps_it_and_nothing_is_issued(
        manager, db, specialist, monkeypatch):
    real = intake_auto.finish

    def claim_first(ds, drawings, report):
        for drawing in drawings:
            rid = drawing.job.request_id
            specialist.start(rid, expected_version=specialist.row(rid).version)
        real(ds, drawings, report)

    monkeypatch.setattr("certdesk_tui.service.intake_auto.finish", claim_first)
    report = manager.import_submissions(_clean(2))
    assert report.ok and len(report.accepted) == 2
    for outcome in report.accepted:
        assert outcome.message == (f"stored as request #{outcome.request_id} (not processed "
                                   "automatically: it is In Progress by now)")
        detail = specialist.request(outcome.request_id)
        assert (detail.row.status, detail.row.assignee_login) == (Status.IN_PROGRESS, "sam")
        assert detail.certificates == () and detail.emails == ()
        assert "auto_processed" not in [a.action for a in detail.activities]
    assert _reserved(db) == [] and _count(db, Certificate) == 0


def test_a_certificate_that_cannot_be_drawn_puts_the_request_on_the_manual_list(
        manager, db, specialist, monkeypatch):
    def refuse(job):
        return intake_auto.Drawing(job, None, "holder_name: too long to print")

    monkeypatch.setattr(intake_auto, "draw", refuse)
    report = manager.import_submissions(_clean(1))
    assert report.ok
    rid = report.accepted[0].request_id
    stopped = "automatic processing stopped: holder_name: too long to print"
    assert report.accepted[0].message == f"stored as request #{rid} (manual: {stopped})"
    detail = specialist.request(rid)
    assert detail.row.manual and detail.row.manual_reasons == (stopped,)
    assert detail.certificates == () and detail.emails == ()
    assert _reserved(db) == []


def test_workers_issue_the_same_certificates_as_one_process(database_url, tmp_path):
    """The same lines drawn by two worker processes and in the importing process: the
    same report, certificates, activities and emails; each certificate prints the
    verification code it is stored with (drawn ahead, before it was stored)."""
    lines = _clean(24) + factories.jsonl(factories.submission("M-1", instructions="call"))
    results = []
    for workers, url in ((1, f"sqlite:///{tmp_path / 'one.sqlite3'}"), (2, database_url)):
        db = team_database(url)
        report = Desk(db, resolve_actor(db, "morgan")).import_submissions(lines, workers)
        with db.reading() as s:
            certificates = []
            for c in s.scalars(select(Certificate).order_by(Certificate.id)):
                assert printed_verification_code(c.pdf) == c.verification_code
                assert hashlib.sha256(c.pdf).hexdigest() == c.sha256
                certificates.append((c.request_id, c.number, c.revision, c.file_name))
            activities = [(a.request_id, a.action) for a in s.scalars(
                select(Activity).where(Activity.request_id.is_not(None))
                .order_by(Activity.request_id, Activity.id))]
        emails = _count(db, OutboxEmail)
        results.append(([(o.line, o.message) for o in report.accepted], certificates,
                        activities, emails, _reserved(db)))
        db.dispose()
    assert results[0] == results[1]
    accepted, certificates, _activities, _emails, reserved = results[1]
    assert len(accepted) == 25 and len(certificates) == 24 and reserved == []


@pytest.mark.parametrize("bad", ["0", "65", "two", "-1", "1.5", "9" * 30])
def test_certdesk_import_refuses_a_number_of_workers_it_cannot_use_in_one_line(
        tmp_path, bad):
    from tests.integration.test_intake_properties import _run

    path = tmp_path / "lines.jsonl"
    path.write_text("\n".join(_clean(2)) + "\n", encoding="utf-8")
    result = _run(tmp_path, "import", "--workers", bad, str(path))
    assert result.returncode == 1 and result.stdout == b""
    assert result.stderr.decode().startswith("certdesk: --workers takes a whole number from 1")
    assert len(result.stderr.splitlines()) == 1


def test_certdesk_import_with_workers_completes_every_clean_line(tmp_path):
    from tests.integration.test_intake_properties import _run

    assert _run(tmp_path, "init").returncode == 0
    customers = tmp_path / "customers.jsonl"
    customers.write_text("\n".join(factories.jsonl(*factories.CUSTOMERS)), "utf-8")
    assert _run(tmp_path, "customers", "import", str(customers)).returncode == 0
    path = tmp_path / "lines.jsonl"
    path.write_text("\n".join(_clean(12) + ["not json"]) + "\n", encoding="utf-8")
    result = _run(tmp_path, "import", "--workers", "2", str(path))
    assert result.returncode == 1 and result.stderr == b""
    out = result.stdout.decode().splitlines()
    assert out[0].startswith("line 13: not valid JSON")
    assert out[-1] == "12 lines accepted, 0 unchanged, 1 refused"
    listed = _run(tmp_path, "list", "--status", "completed", "--json")
    assert len(json.loads(listed.stdout)) == 12
