"""The demo database: everything the desk shows, deterministic for a seed, fast to build."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pty
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, selectinload

from certdesk_tui import demo
from certdesk_tui.demo.history import HistoryWriter
from certdesk_tui.domain import Brand, Channel, RequestType, Role, Status
from certdesk_tui.domain.certificates import DEFAULT_CONTACTS
from certdesk_tui.domain.errors import ConfigurationError
from certdesk_tui.domain.views import QueueFilter
from certdesk_tui.pdf.certificate import render_stored
from certdesk_tui.screens.holder_suggestions import HolderSuggestions
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import initialise, resolve_actor
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.holders import learn_holder
from certdesk_tui.storage.models import (
    Activity,
    Base,
    Certificate,
    CertificateRequest,
    Customer,
    DuplicateLink,
    Holder,
    Note,
    OutboxEmail,
    RejectionReason,
)
from tests import factories
from tests.integration.test_cli import Cli
from tests.integration.test_cli import seed as seed_team

LOGIN = "demo-user"

# Every kind of manual reason the intake gives, as a pattern over the reason's words.
REASON_KINDS = {
    "holder name missing": r"^certificate holder name missing$",
    "holder name incomplete": r"^certificate holder name incomplete$",
    "holder address missing": r"^certificate holder address missing$",
    "holder address incomplete": r"^certificate holder address incomplete$",
    "invalid holder email": r"^invalid holder email '.*': .+$",
    "send to holder without email": r"^send to holder requested but no holder email given$",
    "no policy in force": r"^no policy in force on \d{4}-\d\d-\d\d$",
    "inactive customer": r"^portal request from an inactive customer$",
    "customer email": r"^(customer has no valid email address on file"
                      r"|invalid customer email '.*' on file: .+)$",
    "instructions": r"^customer instructions$",
    "WOS": r"^waiver of subrogation needs an endorsement$",
    "Cornerstone": r"^Cornerstone: upload the carrier's certificate$",
    "possible duplicate": r"^possible duplicate of #\d+(, #\d+)*$",
}


def build(path: Path, requests: int = 400, seed: int = 3) -> Database:
    db = Database(f"sqlite:///{path}", create=True)
    demo.build_demo(db, login=LOGIN, requests=requests, seed=seed)
    return db


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Database:
    """A small demo, built once for the read-only tests of this module."""
    db = build(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    yield db
    db.dispose()


def test_a_small_demo_has_every_status_type_channel_brand_and_reason(demo_db):
    with demo_db.reading() as s:
        requests = s.scalars(select(CertificateRequest)
                             .options(selectinload(CertificateRequest.customer))).all()
        brands = {c.brand for c in s.scalars(select(Customer))}
    assert len(requests) == 400
    assert {r.status for r in requests} == set(Status)
    assert {r.type for r in requests} == set(RequestType)
    assert {r.channel for r in requests} == set(Channel)
    assert brands == set(Brand)
    assert {r.customer.brand for r in requests} == set(Brand)
    reasons = [reason for r in requests for reason in r.manual_reasons]
    for kind, pattern in REASON_KINDS.items():
        assert any(re.match(pattern, reason) for reason in reasons), kind
    unknown = [x for x in reasons if not any(re.match(p, x) for p in REASON_KINDS.values())]
    assert unknown == []


def test_the_queue_is_manual_and_mostly_new(demo_db):
    with demo_db.reading() as s:
        requests = s.scalars(select(CertificateRequest)
                             .options(selectinload(CertificateRequest.customer))).all()
    counts = Counter(r.status for r in requests)
    assert counts[Status.NEW] > counts[Status.IN_PROGRESS] > 0
    assert counts[Status.COMPLETED] > 0 and counts[Status.REJECTED] > 0
    for r in requests:
        # The intake completes a request without reasons at once; all others need a person.
        assert r.manual == bool(r.manual_reasons)
        assert r.department == ("Certificates" if r.manual else None)
        if r.status in (Status.NEW, Status.IN_PROGRESS, Status.REJECTED):
            assert r.manual, r.id
        if not r.manual:
            assert r.status == Status.COMPLETED and r.assignee_id is None
            assert r.customer.brand != Brand.CORNERSTONE and r.type != RequestType.WOS
        if r.status == Status.IN_PROGRESS or (r.manual and r.status in (Status.COMPLETED,
                                                                          Status.REJECTED)):
            assert r.assignee_id is not None and r.claimed_at is not None
        if r.status in (Status.COMPLETED, Status.REJECTED):
            assert r.closed_at is not None and r.closed_at >= r.submitted_at
        assert r.version == 1
        assert r.submission["customer"] == r.customer.code
        assert r.submission["type"] == r.submitted_type
        assert r.holder_key
        assert r.customer.name_search == r.customer.name.lower()


def test_rejected_requests_quote_a_reason_and_emailed_the_customer(demo_db):
    with demo_db.reading() as s:
        rejected = s.scalars(select(CertificateRequest)
                             .where(CertificateRequest.status == Status.REJECTED)).all()
        reasons = {r.id: r for r in s.scalars(select(RejectionReason))}
        for r in rejected:
            assert r.rejection_reason_text == reasons[r.rejection_reason_id].text
            actions = s.scalars(select(Activity.action).where(Activity.request_id == r.id)).all()
            assert "reject" in actions
            assert "email_queued" in actions or "email_not_sent" in actions
            emails = s.scalars(select(OutboxEmail).where(OutboxEmail.request_id == r.id)).all()
            assert all(e.recipient_role == "customer" and e.kind == "rejected" for e in emails)
            assert all(r.rejection_reason_text in e.body_text for e in emails)
        # One extra reason was retired after use: it stays on the requests it closed.
        retired = [x for x in reasons.values() if not x.active]
        assert len(retired) == 1


def test_hidden_waivers_wait_for_their_payment(demo_db):
    with demo_db.reading() as s:
        hidden = s.scalars(select(CertificateRequest)
                           .where(CertificateRequest.in_queue.is_(False))).all()
        assert hidden
        for r in hidden:
            assert r.type == RequestType.WOS and r.status == Status.NEW
            assert r.payment_status in ("pending", "declined")
        later = s.scalars(select(Activity).where(Activity.action == "payment_updated")).all()
        assert later
    desk = Desk(demo_db, resolve_actor(demo_db, LOGIN))
    page = desk.queue(QueueFilter(statuses=frozenset(Status)), limit=1000)
    assert not {r.id for r in hidden} & {row.id for row in page.rows}
    pending = sum(1 for row in page.rows if row.status in (Status.NEW, Status.IN_PROGRESS))
    assert desk.pending_count() == pending


def test_duplicates_are_linked_both_ways(demo_db):
    with demo_db.reading() as s:
        links = {(x.request_id, x.other_id) for x in s.scalars(select(DuplicateLink))}
        flagged = s.scalars(select(CertificateRequest).where(
            CertificateRequest.id.in_({a for a, _ in links}))).all()
    assert links and all((b, a) in links for a, b in links)
    for r in flagged:
        if any(x.startswith("possible duplicate of") for x in r.manual_reasons):
            listed = re.findall(r"#(\d+)", next(x for x in r.manual_reasons
                                                 if x.startswith("possible duplicate")))
            assert {(r.id, int(n)) for n in listed} <= links


def test_activities_tell_each_story_in_order(demo_db):
    desk = Desk(demo_db, resolve_actor(demo_db, LOGIN))
    with demo_db.reading() as s:
        ids = dict(s.execute(select(CertificateRequest.status, func.max(CertificateRequest.id))
                             .group_by(CertificateRequest.status)).all())
        notes = s.scalar(select(func.count()).select_from(Note))
        actions = set(s.scalars(select(Activity.action).distinct()))
    assert notes > 0
    assert {"submitted", "manual", "awaiting_payment", "payment_updated", "start",
            "note", "auto_processed", "certificate_issued", "completed", "email_queued",
            "email_sent", "email_deferred", "email_failed", "reject"} <= actions
    for request_id in ids.values():
        detail = desk.request(request_id)
        story = [a.action for a in reversed(detail.activities)]  # oldest first
        times = [a.at for a in reversed(detail.activities)]
        assert story[0] == "submitted" and times == sorted(times)
        if detail.row.status == Status.COMPLETED:
            assert story.index("certificate_issued") < story.index("completed")
            assert detail.certificates
        if detail.row.status == Status.REJECTED:
            assert detail.rejection_reason
    with demo_db.reading() as s:
        states = Counter(s.scalars(select(OutboxEmail.state)))
        sent = s.scalars(select(OutboxEmail).where(OutboxEmail.state == "sent")).all()
    assert states["sent"] and states["queued"] and states["failed"]
    assert all(e.sent_at is not None and e.message_id.startswith("<") for e in sent)


def test_every_demo_certificate_opens_drawn_by_the_renderer_naming_insured_and_holder(demo_db):
    desk = Desk(demo_db, resolve_actor(demo_db, LOGIN))
    with demo_db.reading() as s:
        rows = s.execute(
            select(CertificateRequest.id, Customer.name, CertificateRequest.holder_name,
                   Certificate.number, Certificate.revision, Certificate.source,
                   Certificate.file_name, Certificate.data, Certificate.issued_at,
                   Certificate.pdf, Certificate.sha256, Certificate.verification_code,
                   Customer.brand)
            .join(Customer, Customer.id == CertificateRequest.customer_id)
            .outerjoin(Certificate, Certificate.request_id == CertificateRequest.id)
            .where(CertificateRequest.status == Status.COMPLETED)
        ).all()
        waiting = set(s.scalars(select(OutboxEmail.certificate_id).where(
            OutboxEmail.certificate_id.is_not(None), OutboxEmail.state != "sent")))
        drawn = set(s.scalars(select(Certificate.id).where(func.length(Certificate.pdf) > 0)))
    assert rows and waiting
    for (request_id, insured, holder, number, revision, _source, file_name, data, issued_at,
         stored, sha256, code, brand) in rows:
        assert number is not None, f"request #{request_id} has no certificate"
        opened_name, pdf = desk.certificate(request_id)
        assert opened_name == file_name and file_name.startswith(f"certificate-{number}-r0-")
        # The same bytes as drawing the stored form again through the one renderer.
        assert pdf == render_stored(data, number=number, revision=revision,
                                    issued_on=issued_at.date(), verification_code=code,
                                    contact=DEFAULT_CONTACTS[Brand(brand)])
        words = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
        assert " ".join(insured.split()) in words, (request_id, insured)
        assert " ".join(holder.split()) in words, (request_id, holder)
        assert number == f"CD-{request_id:06d}" and number in words
        if stored:  # drawn while the demo was built: the same file
            assert stored == pdf and sha256 == hashlib.sha256(pdf).hexdigest()
    # The certificates an email still to be delivered attaches are drawn at build time;
    # the others when first opened.
    assert waiting <= drawn and len(drawn) < len(rows)
    assert {r[5] for r in rows} == {"generated", "uploaded"}


def _address_book(s) -> list[tuple]:
    return sorted(tuple(row) for row in s.execute(select(
        Holder.customer_id, Holder.name_key, Holder.name, Holder.address, Holder.city,
        Holder.state, Holder.zip, Holder.email, Holder.certificates, Holder.last_issued)))


def test_every_demo_certificate_taught_its_holder_as_an_issue_does(demo_db):
    """The address book is what issuing each certificate, one after another, would have
    made of it: replayed through the completion path's own learn_holder, it is the same."""
    with Session(demo_db.engine) as s:
        built = _address_book(s)
        issued = s.execute(
            select(CertificateRequest.customer_id, CertificateRequest.holder_name,
                   CertificateRequest.holder_address, CertificateRequest.holder_city,
                   CertificateRequest.holder_state, CertificateRequest.holder_zip,
                   CertificateRequest.holder_email, Certificate.issued_at)
            .join(Certificate, Certificate.request_id == CertificateRequest.id)
            .order_by(Certificate.issued_at, Certificate.id)).all()
        assert issued and built
        assert sum(row[8] for row in built) == len(issued)
        s.execute(delete(Holder))
        for customer_id, name, address, city, state, zip_code, email, at in issued:
            learn_holder(s, customer_id, name=name, address=address, city=city, state=state,
                         zip_code=zip_code, email=email, at=at)
        s.flush()
        assert _address_book(s) == built
        s.rollback()


def test_a_completed_demo_requests_holder_is_suggested_for_its_customer(demo_db):
    desk = Desk(demo_db, resolve_actor(demo_db, LOGIN))
    with demo_db.reading() as s:
        req, code, issued_at = s.execute(
            select(CertificateRequest, Customer.code, Certificate.issued_at)
            .join(Customer, Customer.id == CertificateRequest.customer_id)
            .join(Certificate, Certificate.request_id == CertificateRequest.id)
            .where(CertificateRequest.status == Status.COMPLETED)
            .order_by(Certificate.issued_at.desc())).first()
    book = desk.holders(code)
    assert book and len(book) == len({h.name.casefold() for h in book})
    # The form's holder name field picks it, case aside, and fills its address and email.
    picked = HolderSuggestions(book).picked(req.holder_name.upper())
    assert picked is not None
    assert (picked.name, picked.address, picked.city, picked.state, picked.zip,
            picked.email) == (req.holder_name, req.holder_address, req.holder_city,
                              req.holder_state, req.holder_zip, req.holder_email)
    assert picked.certificates >= 1 and picked.last_issued == issued_at


def test_some_demo_certificates_are_due_for_renewal_within_the_window(demo_db):
    """Some customers' policies end within the renewal window (or a month after it) and an
    import has already brought their next term: their certificates are listed."""
    desk = Desk(demo_db, resolve_actor(demo_db, LOGIN))
    window = desk.settings.renewal_window_days
    today = datetime.now(UTC).date()
    due = desk.due_renewals()
    assert 3 <= len(due) <= 40, len(due)
    with demo_db.reading() as s:
        printed = {request_id: expires for request_id, expires in s.execute(
            select(Certificate.request_id, Certificate.policy_expires))}
    for d in due:
        assert d.old_expires == printed[d.request_id]
        assert today < d.old_expires <= today + timedelta(days=90)
        assert d.term.effective == d.old_expires
        assert d.term.expires == d.old_expires + timedelta(days=365)
        assert d.renewable(today, window) == (d.old_expires <= today + timedelta(days=window))
    # Every certificate records the term it certified, as an issue does.
    assert None not in printed.values()


def test_special_customer_names_are_stored_literally(demo_db):
    desk = Desk(demo_db, resolve_actor(demo_db, LOGIN))
    found = desk.queue(QueueFilter(statuses=frozenset(Status), search="[bold]bracket"))
    assert found.total and {r.customer_name for r in found.rows} == {"[bold]Bracket[/] & Sons"}
    found = desk.queue(QueueFilter(statuses=frozenset(Status), search="łukasiewicz"))
    assert {r.customer_name for r in found.rows} == {"Zoë Łukasiewicz – Ñandú GmbH"}


def test_the_demo_user_is_the_manager_and_can_process(tmp_path):
    db = build(tmp_path / "demo.sqlite3", requests=120, seed=11)
    actor = resolve_actor(db, LOGIN)
    assert actor.role == Role.MANAGER
    desk = Desk(db, actor)
    roles = Counter(u.role for u in desk.users())
    assert roles == {Role.MANAGER: 1, Role.CERTIFICATE_SPECIALIST: 3, Role.DATA_PROCESSOR: 1,
                     Role.PAYROLL_ADVISOR: 2}
    row = next(r for r in desk.queue(limit=500).rows
               if r.status == Status.NEW and r.brand != Brand.CORNERSTONE)
    claimed = desk.start(row.id, expected_version=row.version)
    assert claimed.assignee_login == LOGIN and claimed.version == row.version + 1
    completion = desk.automate(row.id, changes={
        "holder_name": "Verified Holder LLC", "holder_address": "1 Main St",
        "holder_city": "Tampa", "holder_state": "FL", "holder_zip": "33602",
        "holder_email": "certs@verified.example"})
    assert completion.certificate_number == f"CD-{row.id:06d}"
    # The database goes on counting where the demo stopped.
    report = desk.import_customers(factories.jsonl(factories.customer("NEW1")))
    assert report.ok, report.refused
    report = desk.import_submissions(factories.jsonl(factories.submission("X-1", "NEW1")))
    assert report.ok, report.refused
    # A payroll advisor of the demo team only looks.
    advisor = next(u.login for u in desk.users() if u.role == Role.PAYROLL_ADVISOR)
    other = next(r for r in desk.queue(limit=500).rows if r.status == Status.NEW)
    with pytest.raises(Exception, match="view only"):
        Desk(db, resolve_actor(db, advisor)).start(other.id)
    db.dispose()


def _projection(db: Database) -> dict:
    """The rows, without what depends on the time the demo was built at."""
    date = re.compile(r"\d{4}-\d\d-\d\d")
    with db.reading() as s:
        requests = []
        for r in s.scalars(select(CertificateRequest).order_by(CertificateRequest.id)):
            submission = dict(r.submission)
            submission.pop("submitted_at")
            requests.append((
                r.id, r.external_id, r.customer_id, r.policy_id, r.type, r.submitted_type,
                r.channel, r.status, r.payment_status, r.in_queue, r.holder_name,
                r.holder_address, r.holder_city, r.holder_state, r.holder_zip, r.holder_email,
                r.holder_key, r.send_to_holder, r.instructions, json.dumps(submission),
                r.manual, [date.sub("D", x) for x in r.manual_reasons], r.discrepancy,
                r.department, r.assignee_id, r.rejection_reason_id, r.rejection_reason_text,
                r.has_notes, r.updated_by, r.claimed_at is None, r.closed_at is None,
            ))
        customers = s.execute(text(
            "SELECT id, code, name, brand, status, email, address, city, state, zip "
            "FROM customers ORDER BY id")).all()
        activities = s.execute(text(
            "SELECT request_id, actor, action FROM activities WHERE request_id IS NOT NULL "
            "ORDER BY id")).all()
        notes = s.execute(text("SELECT request_id, author, body FROM notes ORDER BY id")).all()
        emails = s.execute(text(
            "SELECT request_id, to_addr, subject, state, certificate_id FROM outbox "
            "ORDER BY id")).all()
        certificates = s.execute(text(
            "SELECT request_id, number, source, file_name FROM certificates ORDER BY id")).all()
        holders = s.execute(text(
            "SELECT customer_id, name_key, name, address, city, state, zip, email, "
            "certificates FROM holders ORDER BY id")).all()
    return {"requests": requests, "customers": customers, "activities": activities,
            "notes": notes, "emails": emails, "certificates": certificates,
            "holders": holders}


def test_the_same_seed_gives_the_same_rows_at_any_hour(tmp_path, monkeypatch):
    built = []
    for name, now in (("a", datetime(2026, 3, 10, 0, 30)), ("b", datetime(2026, 7, 21, 23, 5)),
                      ("c", datetime(2026, 7, 21, 23, 5))):
        monkeypatch.setattr(demo.build, "utcnow", lambda now=now: now)
        built.append(_projection(build(tmp_path / name / "demo.sqlite3", requests=300, seed=5)))
    assert built[0] == built[1]
    monkeypatch.setattr(demo.build, "utcnow", lambda: datetime(2026, 7, 21, 23, 5))
    other = _projection(build(tmp_path / "d" / "demo.sqlite3", requests=300, seed=6))
    assert other["requests"] != built[2]["requests"]


def test_the_schema_is_the_one_the_migrations_make(tmp_path, demo_db):
    plain = Database(f"sqlite:///{tmp_path / 'plain.sqlite3'}", create=True)
    initialise(plain, "someone")
    query = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' " \
            "ORDER BY type, name"
    with plain.reading() as a, demo_db.reading() as b:
        assert a.execute(text(query)).all() == b.execute(text(query)).all()
    plain.dispose()


def test_it_never_wipes_a_database_that_is_not_a_demo(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'team.sqlite3'}", create=True)
    initialise(db, "morgan")
    desk = Desk(db, resolve_actor(db, "morgan"))
    assert desk.import_customers(factories.jsonl(*factories.CUSTOMERS)).ok
    with pytest.raises(ConfigurationError, match="not a demo database"):
        demo.build_demo(db, login="morgan", requests=50, seed=1)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == len(factories.CUSTOMERS)
    db.dispose()


def _everything(url: str) -> dict[str, list]:
    """Every row of every table, to tell that nothing was changed."""
    db = Database(url)
    try:
        with db.reading() as s:
            return {name: [tuple(row) for row in s.execute(
                select(table).order_by(*table.primary_key.columns))]
                for name, table in Base.metadata.tables.items()}
    finally:
        db.dispose()


def _in_a_terminal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """``certdesk`` with its input and output on a pseudo-terminal (stderr captured)."""
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "certdesk_tui", *args],
                                env={**env, "TERM": "xterm-256color"}, stdin=terminal,
                                stdout=terminal, stderr=subprocess.PIPE, text=True)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail(f"certdesk {' '.join(args)} opened the desk instead of refusing")
        return subprocess.CompletedProcess(args, proc.returncode, "", err)
    finally:
        os.close(terminal)
        os.close(controller)


def test_the_demo_command_refuses_to_open_a_database_that_is_not_a_demo(database_url,
                                                                        tmp_path):
    """Without --reset as with it: a team's database (customers and requests imported, and
    its manager at the keyboard) is refused in one line, and left exactly as it was."""
    seed_team(database_url, factories.submission("T-1", "C100", instructions="call first"),
         factories.submission("T-2", "C200"))
    before = _everything(database_url)
    assert before["customers"] and before["certificate_requests"]
    cli = Cli(tmp_path)
    customers, requests = len(before["customers"]), len(before["certificate_requests"])
    expected = (f"is not a demo database (it holds {customers:,} customers and "
                f"{requests:,} requests)")
    for args in (("demo", "--no-tui"), ("demo", "--no-tui", "--requests", "50"),
                 ("demo", "--no-tui", "--reset")):
        for how in ({"args": ("--db", database_url)},
                    {"env": {"CERTDESK_DATABASE_URL": database_url}}):
            result = cli(*how.get("args", ()), *args, env=how.get("env"), expect=1)
            assert result.stderr.startswith("certdesk: ") and expected in result.stderr, \
                (args, result.stderr)
            assert result.stdout == "", (args, result.stdout)
            assert _everything(database_url) == before, args
    # And the desk is not opened on it as the demo.
    shown = _in_a_terminal(cli.env(), "--db", database_url, "demo")
    assert shown.returncode == 1, shown.stderr
    assert shown.stderr.startswith("certdesk: ") and shown.stderr.count("\n") == 1
    assert expected in shown.stderr, shown.stderr
    assert _everything(database_url) == before
    assert not (tmp_path / "data" / "demo.sqlite3").exists()


def test_an_empty_demo_still_has_customers_and_a_team(tmp_path):
    db = build(tmp_path / "demo.sqlite3", requests=0)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(CertificateRequest)) == 0
        assert s.scalar(select(func.count()).select_from(Customer)) == 30
    db.dispose()


def test_a_build_is_written_in_one_transaction_and_left_in_wal_mode(tmp_path, monkeypatch):
    """The build keeps its journal in memory; a build that fails leaves no row of it, and
    the next build goes ahead; a finished one is in WAL mode like every certdesk file."""
    path = tmp_path / "demo.sqlite3"

    def broken(self):
        raise RuntimeError("the build stops half-way")

    with monkeypatch.context() as m:
        m.setattr(HistoryWriter, "trouble_with_mail", broken)
        with pytest.raises(RuntimeError):
            build(path, requests=300)
    db = Database(f"sqlite:///{path}")
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(CertificateRequest)) == 0
        assert s.scalar(select(func.count()).select_from(Customer)) == 0
    db.dispose()
    db = build(path, requests=300)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(CertificateRequest)) == 300
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    db.dispose()


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, CERTDESK_DATA_DIR=str(tmp_path),
               CERTDESK_CONFIG=os.devnull)
    env.pop("CERTDESK_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "certdesk_tui", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_demo_commands_list_holders_and_renewals_and_renew_them(tmp_path):
    built = _cli(tmp_path, "demo", "--requests", "300", "--no-tui", "--seed", "4")
    assert built.returncode == 0, built.stderr
    db = Database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    with db.reading() as s:
        code, holder = s.execute(
            select(Customer.code, CertificateRequest.holder_name)
            .join(Customer, Customer.id == CertificateRequest.customer_id)
            .where(CertificateRequest.status == Status.COMPLETED)
            .order_by(CertificateRequest.id)).first()
    db.dispose()
    book = _cli(tmp_path, "--demo", "holders", code, "--json")
    assert book.returncode == 0, book.stderr
    assert holder in [h["name"] for h in json.loads(book.stdout)]
    assert "0 holder(s)" not in _cli(tmp_path, "--demo", "holders", code).stdout

    listed = _cli(tmp_path, "--demo", "renewals")
    assert listed.returncode == 0, listed.stderr
    due = re.search(r"^(\d+) certificate\(s\) due for renewal$", listed.stdout, re.M)
    assert due and int(due.group(1)) > 0, listed.stdout
    renewed = _cli(tmp_path, "--demo", "renew", "--all", "--no-email")
    assert renewed.returncode == 0, (renewed.stdout, renewed.stderr)
    counts = re.search(r"^(\d+) renewed, (\d+) skipped, 0 refused$", renewed.stdout, re.M)
    assert counts and int(counts.group(1)) > 0, renewed.stdout
    # What is left is what could not be renewed yet (or by certdesk at all).
    left = json.loads(_cli(tmp_path, "--demo", "renewals", "--json").stdout)
    assert len(left) == int(counts.group(2)) == int(due.group(1)) - int(counts.group(1))


def test_the_demo_command_builds_prints_and_rebuilds(tmp_path):
    first = _cli(tmp_path, "demo", "--requests", "300", "--no-tui", "--seed", "3")
    assert first.returncode == 0, first.stderr
    summary = re.search(r"demo database built: 300 requests \(([\d,]+) pending\), "
                        r"30 customers, 7 users, in [\d.]+ s", first.stdout)
    assert summary, first.stdout
    assert (tmp_path / "demo.sqlite3").exists()
    again = _cli(tmp_path, "demo", "--no-tui")
    assert again.returncode == 0, again.stderr
    assert "demo database built" not in again.stdout
    assert f"{summary.group(1).replace(',', '')} pending requests" in again.stdout
    rebuilt = _cli(tmp_path, "demo", "--requests", "200", "--no-tui", "--seed", "4", "--reset")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "demo database built: 200 requests" in rebuilt.stdout
    db = Database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(CertificateRequest)) == 200
    db.dispose()
