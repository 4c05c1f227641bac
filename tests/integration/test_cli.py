"""The command-line contract, run as subprocesses on a temporary data directory.

Each subprocess costs about a second, so every test runs several commands; the
databases the commands work on are seeded in-process where the seeding itself
is not what is being tested.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pwd
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdf
import pytest
from fpdf import FPDF

from certdesk_tui.domain import Role
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import initialise, resolve_actor
from certdesk_tui.storage.engine import Database
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
# certdesk acts as the login of the process's real user id. The commands under test run
# as this process's own login, the database's manager; "as sam" is the manager's --as,
# so each command runs with sam's role and the log says who really acted.
ME = pwd.getpwuid(os.getuid()).pw_name
ROW_KEYS = {"id", "external_id", "customer", "customer_code", "brand", "type", "channel",
            "status", "assignee", "manual", "manual_reasons", "submitted_at"}


class Cli:
    """Runs ``certdesk`` as a subprocess on a temporary data directory.

    ``login=`` other than ``ME`` acts as that user through ``--as`` (ME is the manager).
    """

    def __init__(self, home: Path, db_url: str | None = None) -> None:
        self.home = home
        self.db_url = db_url
        (home / "data").mkdir(parents=True, exist_ok=True)

    @property
    def default_database(self) -> Path:
        return self.home / "data" / "certdesk.sqlite3"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("CERTDESK_") and k not in ("LOGNAME", "USER", "LNAME",
                                                               "USERNAME")}
        env.update(
            CERTDESK_DATA_DIR=str(self.home / "data"),
            CERTDESK_CONFIG=os.devnull,
            NO_COLOR="1", PYTHONIOENCODING="utf-8",
            PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        )
        return env

    def __call__(self, *args: str, login: str = ME, stdin: str | None = None,
                 expect: int = 0, db: bool = True,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        argv = [sys.executable, "-m", "certdesk_tui"]
        if db and self.db_url:
            argv += ["--db", self.db_url]
        if login != ME:
            argv += ["--as", login]
        result = subprocess.run(
            argv + list(args), input=stdin, capture_output=True, text=True, encoding="utf-8",
            env={**self.env(), **(env or {})}, cwd=self.home, timeout=60,
        )
        assert result.returncode == expect, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        # (verify's exit 1 is an answer on stdout, "superseded" or "unknown", not a refusal)
        if expect == 1 and args[0] not in ("import", "verify") and args[:2] != (
                "customers", "import"):
            # A refusal: exactly one line on stderr that says what and why.
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
            assert result.stderr.strip()
        return result

    def json(self, *args: str, login: str = ME):
        return json.loads(self(*args, "--json", login=login).stdout)

    def refused(self, *args: str, login: str = ME, stdin: str | None = None,
                env: dict[str, str] | None = None) -> str:
        return self(*args, login=login, stdin=stdin, expect=1, env=env).stderr.strip()

    def usage(self, *args: str, login: str = ME) -> str:
        result = self(*args, login=login, expect=2)
        assert "Usage" in result.stderr or "Error" in result.stderr
        return result.stderr


def write_jsonl(path: Path, *records: dict) -> Path:
    path.write_text("\n".join(factories.jsonl(*records)) + "\n", encoding="utf-8")
    return path


def carrier_pdf(path: Path, number: str = "") -> Path:
    """A carrier's certificate naming the standard holder (``number``: the carrier's own
    certificate number, so that two requests get two different files)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    numbered = f"certificate {number}" if number else "certificate"
    pdf.cell(text=f"Carrier issued {numbered} for {factories.HOLDER['name']}")
    path.write_bytes(bytes(pdf.output()))
    return path


def pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages)


def seed(url: str, *submissions: dict) -> dict[str, int]:
    """In-process: ME's database with the standard team, customers and submissions."""
    db = Database(url, create=True)
    try:
        initialise(db, ME)
        desk = Desk(db, resolve_actor(db, ME))
        desk.add_user("sam", Role.CERTIFICATE_SPECIALIST.value, "Sam Specialist")
        desk.add_user("sky", Role.CERTIFICATE_SPECIALIST.value, "Sky Specialist")
        desk.add_user("pat", Role.PAYROLL_ADVISOR.value, "Pat Advisor")
        desk.add_user("dana", Role.DATA_PROCESSOR.value, "Dana Processor")
        assert desk.import_customers(factories.jsonl(*factories.CUSTOMERS)).ok
        report = desk.import_submissions(factories.jsonl(*submissions))
        assert report.ok, report.refused
        return {s["external_id"]: o.request_id for s, o in zip(submissions, report.accepted,
                                                                strict=True)}
    finally:
        db.dispose()


@pytest.fixture
def cli(tmp_path) -> Cli:
    """The command line on the embedded default database (no --db)."""
    return Cli(tmp_path)


@contextmanager
def in_process(url: str, login: str = ME) -> Iterator[Desk]:
    """A desk opened in this process, for seeding and setting up what is not under test."""
    db = Database(url)
    try:
        yield Desk(db, resolve_actor(db, login))
    finally:
        db.dispose()


# -- init, imports, list and show ---------------------------------------------------


def test_init_imports_list_and_show_on_the_embedded_default_database(cli, tmp_path):
    assert f"{ME} is its manager" in cli("init").stdout
    assert cli.default_database.exists()

    customers = write_jsonl(tmp_path / "customers.jsonl", *factories.CUSTOMERS[:4])
    assert "4 customers accepted" in cli("customers", "import", str(customers)).stdout
    update = "\n".join(factories.jsonl(
        factories.customer("C100", name="Acme Roofing & Sons LLC"), factories.CUSTOMERS[4],
        {"code": "C9", "name": "Nine", "brand": "acme"}))
    partly = cli("customers", "import", "-", stdin=update, expect=1)
    assert "line 3: unknown brand 'acme'" in partly.stdout + partly.stderr
    assert "2 customers accepted" in partly.stdout + partly.stderr

    submissions = write_jsonl(
        tmp_path / "subs.jsonl",
        factories.submission("S-1"),                                     # auto-processed
        factories.submission("S-2", "C999"),                             # refused: customer
        factories.submission("S-3", "C300"),                             # Cornerstone: manual
        factories.submission("S-4", "C400", channel="mobile"),          # refused: inactive
    )
    with submissions.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")                                          # refused: line 5
    mixed = cli("import", str(submissions), expect=1)
    out = mixed.stdout + mixed.stderr
    assert "line 2: unknown customer 'C999'" in out
    assert "line 4: " in out and "inactive" in out
    assert "line 5: not valid JSON" in out
    assert "line 1:" not in out and "line 3:" not in out
    assert "2 lines accepted" in out and "3 refused" in out
    assert out.index("line 5:") < out.index("2 lines accepted")  # the summary comes last

    good = "\n".join(factories.jsonl(
        factories.submission("S-5", "C200", type="WOS", payment_status="pending"),
        factories.submission("S-1"),
        {"kind": "payment", "external_id": "S-5", "payment_status": "approved"},
    ))
    assert "0 refused" in cli("import", "-", stdin=good).stdout

    pending = cli.json("list")
    assert {r["external_id"] for r in pending} == {"S-3", "S-5"}
    assert all(set(r) >= ROW_KEYS for r in pending)
    s3 = next(r for r in pending if r["external_id"] == "S-3")
    assert (s3["customer"], s3["customer_code"], s3["brand"], s3["type"], s3["channel"],
            s3["status"], s3["assignee"], s3["manual"]) == (
        "Zoë Łukasiewicz – Ñandú GmbH", "C300", "cornerstone", "COI", "portal", "new", None,
        True)
    assert s3["manual_reasons"] and s3["submitted_at"].startswith("2026-11-20T15:00")
    completed = cli.json("list", "--status", "completed")
    assert [(r["external_id"], r["customer"]) for r in completed] == [
        ("S-1", "Acme Roofing & Sons LLC")]

    shown = cli.json("show", str(completed[0]["id"]))
    assert shown["status"] == "completed" and shown["notes"] == []
    actions = [a["action"] for a in shown["activities"]]
    assert {"submitted", "auto_processed", "certificate_issued", "email_queued"} <= set(actions)
    assert all(set(a) >= {"at", "actor", "action", "detail"} for a in shown["activities"])
    assert [(e["to"], e["state"]) for e in shown["emails"]] == [("owner@c100.example", "queued")]
    assert all(set(e) >= {"to", "subject", "state"} for e in shown["emails"])


def test_list_filters(cli):
    url = f"sqlite:///{cli.default_database}"
    ids = seed(
        url,
        factories.submission("F-1", "C100", instructions="x"),
        factories.submission("F-2", "C300", channel="mobile"),
        factories.submission("F-3", "C200", type="WOS", payment_status="approved",
                             holder=dict(factories.HOLDER, name="Other Holder")),
        factories.submission("F-4", "C200", type="POI"),                    # auto: completed
        factories.submission("F-5", "C300", holder=dict(factories.HOLDER, name="Five")),
        factories.submission("F-6", "C100", channel="mobile", instructions="x",
                             holder=dict(factories.HOLDER, name="Six Holder")),
        factories.submission("F-7", "C300", channel="mobile",
                             holder=dict(factories.HOLDER, name="Seven Holder")),
    )
    with in_process(url, "sam") as sam:
        sam.start(ids["F-2"])
    with in_process(url, "sky") as sky:
        sky.start(ids["F-5"])
        sky.start(ids["F-7"])

    def listed(*args: str, login: str = ME) -> list[str]:
        return sorted(r["external_id"] for r in cli.json("list", *args, login=login))

    assert listed() == ["F-1", "F-2", "F-3", "F-5", "F-6", "F-7"]
    assert listed("--brand", "cornerstone", "--channel", "mobile", "--mine", login="sam") == [
        "F-2"]
    assert listed("--status", "new", "--status", "completed", "--search", "BRIGHT") == [
        "F-3", "F-4"]
    assert listed("--status", "completed", "--status", "new", "--manual", "--type", "WOS") == [
        "F-3"]


def test_list_refuses_a_search_longer_than_200_characters_in_one_line(cli):
    """The database is never handed a pattern it would refuse (SQLite: "LIKE or GLOB
    pattern too complex"): the search is refused first, as the desk's search box does."""
    url = f"sqlite:///{cli.default_database}"
    seed(url, factories.submission("L-1", "C200", instructions="x"))
    for length in (201, 100_000):
        assert cli.refused("list", "--search", "b" * length) == (
            f"certdesk: a search is at most 200 characters (this one has {length:,})")
    # 200 characters, even of LIKE's own characters, is a search the database answers.
    for text in ("%" * 200, "_\\" * 66 + "br", "bright payroll dental".ljust(200, "%")):
        assert cli("list", "--search", text).stdout.splitlines()[-1].endswith("request(s)")
    assert [r["external_id"] for r in cli.json("list", "--search", "BRIGHT")] == ["L-1"]


# -- processing ---------------------------------------------------------------------


def test_processing_commands_and_their_refusals(cli, tmp_path):
    evil = "Evil\x1b[2J Holder [red]x[/red]"
    ids = seed(
        f"sqlite:///{cli.default_database}",
        factories.submission("P-1", "C100", instructions="call first"),
        factories.submission("P-2", "C200", instructions="x",
                             holder=dict(factories.HOLDER, name="Two Holder")),
        factories.submission("P-3", "C300"),
        factories.submission("P-4", "C100", instructions="\x1b]0;pwned\x07 [bold]hi[/bold]",
                             holder=dict(factories.HOLDER, name=evil)),
        factories.submission("P-5", "C200", instructions="x",
                             holder=dict(factories.HOLDER, name="Five Holder")),
    )
    p1, p2, p3, p4, p5 = (str(ids[f"P-{n}"]) for n in range(1, 6))
    issued = carrier_pdf(tmp_path / "issued.pdf")

    assert "in progress with sam" in cli("start", p1, login="sam").stdout
    assert "in progress by Sam Specialist since" in cli.refused("start", p1, login="sky")
    assert "note added" in cli("note", p1, "Customer called: holder is BGC", login="sam").stdout
    # A policy number the customer does not hold is printed only with a logged reason.
    assert "prints policy WC-C100-A, which is not on record" in cli.refused(
        "automate", p1, "--set", "policy_number=WC-C100-A", login="sam")
    done = cli("automate", p1, "--set", "holder_name=Big General Contractors Inc", "--set",
               "policy_number=WC-C100-A", "--override-reason", "carrier's endorsement A",
               "--wos", "--to-holder", login="sam")
    assert "completed" in done.stdout and "certs@bgc.example" in done.stdout
    cli("certificate", p1, "--output", str(tmp_path / "p1.pdf"), login="pat")
    text = " ".join(pdf_text(tmp_path / "p1.pdf").split())
    assert "Big General Contractors Inc" in text
    assert "N/A Y WC-C100-A" in text  # ADDL INSD N/A, SUBR WVD Y, then the policy number
    shown = cli.json("show", p1)
    assert shown["type"] == "WOS" and shown["status"] == "completed"
    assert [n["body"] for n in shown["notes"]] == ["Customer called: holder is BGC"]
    assert sorted(e["to"] for e in shown["emails"]) == ["certs@bgc.example",
                                                        "owner@c100.example"]
    assert {"start", "note", "relabel", "policy_override"} <= {
        a["action"] for a in shown["activities"]}

    # P-2's insured and holder are not on the carrier's PDF: refused unless --yes.
    assert ('issued.pdf names neither the insured "Bright Payroll Dental" nor the holder '
            '"Two Holder": it may be the wrong file; check it, then add --yes') in cli.refused(
        "automate", p2, "--attach", str(issued), "--no-to-holder", login="sam")
    warned = cli("automate", p2, "--attach", str(issued), "--no-to-holder", "--yes", login="sam")
    assert warned.stderr.startswith("certdesk: warning: issued.pdf names neither")
    with in_process(f"sqlite:///{cli.default_database}") as desk:
        detail = desk.request(int(p2))
        assert [e.to for e in detail.emails] == ["owner@c200.example"]
        assert detail.certificates[0].sha256 == hashlib.sha256(issued.read_bytes()).hexdigest()

    assert "Cornerstone" in cli.refused("automate", p3, login="sam")
    assert "not a PDF" in cli.refused("upload", p3, str(write_jsonl(tmp_path / "x.pdf")),
                                      login="sam")
    # P-2's certificate names P-2's holder: not another customer's (P-3's) certificate.
    assert (f"issued.pdf is already the certificate of request #{p2}, made out to another "
            "customer") in cli.refused("upload", p3, str(issued), login="sam")
    own = carrier_pdf(tmp_path / "p3.pdf", number="C-3")
    assert "completed" in cli("upload", p3, str(own), login="sam").stdout

    assert "is now WOS" in cli("relabel", p4, "--wos", login="sam").stdout
    options = cli.refused("reject", p4, "--reason", "Because", login="sam")
    assert "unknown or retired rejection reason" in options and "6: Incomplete address" in options
    assert "rejected" in cli("reject", p4, "--reason", "6", login="sam").stdout
    cli("reject", p5, "--reason", "Incomplete address", login="sam")
    with in_process(f"sqlite:///{cli.default_database}") as desk:
        for rid, customer in ((p3, "owner@c300.example"), (p4, "owner@c100.example"),
                              (p5, "owner@c200.example")):
            detail = desk.request(int(rid))
            assert detail.row.status == ("completed" if rid == p3 else "rejected")
            assert [e.to for e in detail.emails] == [customer]
        assert desk.request(int(p4)).rejection_reason == "Incomplete address"
        assert desk.request(int(p4)).row.type == "WOS"

    # Customer text on the terminal: shown literally, control sequences never emitted.
    out = cli("show", p4).stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "[bold]hi[/bold]" in out and "[red]x[/red]" in out

    cli.usage("relabel", p4)                       # --wos is required


# -- reasons, users, identity, permissions --------------------------------------------


def test_reasons_users_identity_and_permissions_with_db_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    cli = Cli(tmp_path, db_url=url)
    assert "no database at" in cli.refused("list")
    assert not (tmp_path / "team.sqlite3").exists()
    assert f"{ME} is its manager" in cli("init").stdout
    assert not cli.default_database.exists()  # --db, not the embedded default
    assert "there is no user sam to act as" in cli.refused("list", login="sam")
    assert "added" in cli("users", "add", "sam", "--role", "certificate_specialist",
                          "--name", "Sam Specialist", "--email", "sam@x.example").stdout
    with in_process(url) as desk:
        desk.add_user("pat", "payroll_advisor")
        desk.import_customers(factories.jsonl(*factories.CUSTOMERS))
        report = desk.import_submissions(
            factories.jsonl(factories.submission("I-1", instructions="x")))
        rid = str(report.accepted[0].request_id)
    listed = {u["login"]: u["role"] for u in cli.json("users", "list")}
    assert listed == {ME: "manager", "sam": "certificate_specialist",
                      "pat": "payroll_advisor"}
    assert "last manager" in cli.refused("users", "set-role", ME, "payroll_advisor")
    assert "now manager" in cli("users", "set-role", "sam", "manager").stdout

    assert "added: Holder is a person" in cli("reasons", "add", "Holder is a person").stdout
    assert "already says" in cli.refused("reasons", "add", "incomplete address")
    cli("reasons", "rename", "8", "Holder is a private person")
    cli("reasons", "retire", "2")
    lines = cli("reasons", "list").stdout.strip().splitlines()
    assert len(lines) == 7 and lines[0].endswith("Duplicate request received")
    assert lines[-1].endswith("Holder is a private person")
    assert not any("needs a waiver" in line for line in lines)

    assert "pat is a payroll advisor" in cli.refused("start", rid, login="pat")
    assert "in progress with sam" in cli("--as", "sam", "start", rid).stdout
    shown = cli.json("show", rid, login="pat")
    assert shown["assignee"] == "sam"
    assert shown["activities"][0]["actor"] == f"{ME} acting as sam"


@pytest.mark.postgres
def test_the_command_line_on_postgresql(postgres_url, tmp_path):
    cli = Cli(tmp_path, db_url=postgres_url)
    assert f"{ME} is its manager" in cli("init").stdout
    customers = write_jsonl(tmp_path / "c.jsonl", *factories.CUSTOMERS)
    cli("customers", "import", str(customers))
    subs = write_jsonl(tmp_path / "s.jsonl", factories.submission("PG-1"),
                       factories.submission("PG-2", "C300"))
    cli("import", str(subs))
    rows = cli.json("list", "--status", "new", "--status", "completed")
    assert sorted((r["external_id"], r["status"]) for r in rows) == [
        ("PG-1", "completed"), ("PG-2", "new")]
    cli("upload", str(rows[0]["id"] if rows[0]["status"] == "new" else rows[1]["id"]),
        str(carrier_pdf(tmp_path / "c.pdf")))


def test_a_database_that_does_not_answer_is_one_line_and_exit_1(tmp_path):
    env = {**os.environ, "CERTDESK_DATA_DIR": str(tmp_path), "LOGNAME": "morgan",
           "CERTDESK_CONFIG": os.devnull}
    result = subprocess.run(
        [sys.executable, "-m", "certdesk_tui", "--db", "postgresql://nobody@127.0.0.1:1/x",
         "list"], capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "cannot open the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_wrong_file_warning_shows_a_file_name_literally_off_a_terminal(cli, tmp_path):
    ids = seed(f"sqlite:///{cli.default_database}",
               factories.submission("W-1", "C200", instructions="x",
                                    holder=dict(factories.HOLDER, name="Five Holder")))
    odd = tmp_path / "evil\x1b[31mRED\x07.pdf"
    odd.write_bytes(carrier_pdf(tmp_path / "issued.pdf").read_bytes())
    warned = cli("upload", str(ids["W-1"]), str(odd), "--no-to-holder", "--yes", login="sam")
    assert warned.stderr.startswith("certdesk: warning: evil\\x1b[31mRED\\x07.pdf names "
                                    "neither"), warned.stderr
    assert "\x1b" not in warned.stderr and "\x07" not in warned.stderr
