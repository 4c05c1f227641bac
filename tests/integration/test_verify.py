"""``certdesk verify``: a holder's file or printed code, on SQLite and PostgreSQL, as processes.

A file is genuine only when its bytes are those of an issued certificate; the answer
is current, superseded (a later revision exists) or unknown, exit 0 only for current.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from certdesk_tui.clock import utcnow
from certdesk_tui.config import Settings
from certdesk_tui.domain import Brand
from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.certificates import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DEFAULT_CONTACTS,
    printed_code,
)
from certdesk_tui.pdf.certificate import render_certificate
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import resolve_actor
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import Certificate
from tests import factories, hostile_pdfs
from tests.conftest import MANAGER
from tests.integration.test_cli import ME, Cli, carrier_pdf, seed

INSURED = "Acme Roofing LLC"
HOLDER = factories.HOLDER["name"]


def certificates_of(url: str, request_id: int) -> list[Certificate]:
    db = Database(url)
    try:
        with db.reading() as s:
            found = list(s.scalars(select(Certificate).where(Certificate.request_id == request_id)
                                   .order_by(Certificate.revision)))
            s.expunge_all()
            return found
    finally:
        db.dispose()


def add_revision(url: str, request_id: int, code: str) -> bytes:
    """The request's next revision, drawn from the same form, the previous one superseded
    (what a reissue leaves in the database)."""
    db = Database(url)
    try:
        with db.writing() as s:
            old = s.scalars(select(Certificate).where(Certificate.request_id == request_id)
                            .order_by(Certificate.revision.desc())).first()
            assert old is not None
            now = utcnow()
            pdf = render_certificate(
                CertificateForm.from_json(old.data), number=old.number,
                revision=old.revision + 1, issued_on=now.date(), verification_code=code,
                contact=DEFAULT_CONTACTS[Brand.COMPEO])
            s.add(Certificate(
                request_id=request_id, number=old.number, revision=old.revision + 1,
                source=old.source, file_name=f"r{old.revision + 1}.pdf",
                sha256=hashlib.sha256(pdf).hexdigest(), data=old.data, pdf=pdf, issued_at=now,
                issued_by="sam", verification_code=code))
            old.superseded_at = now
        return pdf
    finally:
        db.dispose()


@pytest.fixture
def issued(database_url, tmp_path):
    """A Compeo request completed automatically and a Cornerstone one uploaded by sam."""
    ids = seed(database_url, factories.submission("V-1"), factories.submission("V-2", "C300"))
    cli = Cli(tmp_path, db_url=database_url)
    cli("upload", str(ids["V-2"]), str(carrier_pdf(tmp_path / "carrier.pdf")), login="sam")
    return cli, ids["V-1"], ids["V-2"]


def saved(cli: Cli, request_id: int, name: str) -> Path:
    path = cli.home / name
    cli("certificate", str(request_id), "--output", str(path), login="pat")
    return path


def answer(cli: Cli, *args: str, expect: int = 0, login: str = ME) -> dict:
    result = cli("verify", *args, "--json", expect=expect, login=login)
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_an_issued_certificate_is_current_by_its_file_and_by_its_printed_code(issued):
    cli, generated, _ = issued
    path = saved(cli, generated, "issued.pdf")
    [cert] = certificates_of(cli.db_url, generated)
    code = cert.verification_code
    assert code and len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    text = pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text()
    assert printed_code(code) in text
    expected = {"status": "current", "number": cert.number, "revision": 0,
                "request_id": generated, "insured": INSURED, "holder": HOLDER}
    # A view-only user verifies too: it is the holder's check.
    assert answer(cli, str(path), login="pat") == expected
    human = cli("verify", str(path), login="pat").stdout.strip()
    assert human == (f"current: certificate {cert.number} revision 0 (request #{generated}) "
                     f"for {INSURED}, holder {HOLDER} is genuine and current")
    # As a holder types it: any case, spaces, dashes, O for 0 and I or L for 1.
    typed = f" {printed_code(code).lower()} ".replace("-", " - ")
    assert answer(cli, "--code", typed) == expected
    lookalike = code.replace("0", "O").replace("1", "l")
    assert answer(cli, "--code", lookalike, login="pat") == expected


def test_an_uploaded_certificate_has_a_code_and_its_file_verifies(issued):
    cli, _, uploaded = issued
    [cert] = certificates_of(cli.db_url, uploaded)
    assert cert.source == "uploaded"
    assert cert.verification_code and len(cert.verification_code) == CODE_LENGTH
    assert cert.pdf == (cli.home / "carrier.pdf").read_bytes()
    found = answer(cli, str(cli.home / "carrier.pdf"))
    assert found["status"] == "current" and found["request_id"] == uploaded
    assert found["insured"] == "Zoë Łukasiewicz – Ñandú GmbH"
    assert found["holder"] == HOLDER
    assert answer(cli, "--code", cert.verification_code)["request_id"] == uploaded


def test_a_superseded_revision_says_so_and_exits_1_the_new_one_is_current(issued):
    cli, generated, _ = issued
    first = saved(cli, generated, "first.pdf")
    [old] = certificates_of(cli.db_url, generated)
    second = cli.home / "second.pdf"
    second.write_bytes(add_revision(cli.db_url, generated, "7K3QF9XM2D"))
    superseded = answer(cli, str(first), expect=1)
    assert superseded["status"] == "superseded" and superseded["revision"] == 0
    assert answer(cli, "--code", old.verification_code or "", expect=1)["status"] == "superseded"
    human = cli("verify", str(first), expect=1).stdout.strip()
    assert human.startswith(f"superseded: certificate {old.number} revision 0 ")
    assert "replaced by a later revision" in human
    current = answer(cli, str(second))
    assert (current["status"], current["revision"]) == ("current", 1)
    assert answer(cli, "--code", "7k3qf-9xm2d")["revision"] == 1


def test_an_altered_file_is_unknown_even_with_a_real_code_on_it(issued):
    cli, generated, _ = issued
    original = saved(cli, generated, "issued.pdf").read_bytes()
    nothing = {"status": "unknown", "number": None, "revision": None, "request_id": None,
               "insured": None, "holder": None}
    for name, data in (("appended.pdf", original + b"\n% edited\n"),
                       ("changed.pdf", original.replace(b"/Producer", b"/Producex", 1)),
                       ("cut.pdf", original[:-10])):
        path = cli.home / name
        path.write_bytes(data)
        assert answer(cli, str(path), expect=1) == nothing, name
    human = cli("verify", str(cli.home / "appended.pdf"), expect=1).stdout.strip()
    assert human.startswith("unknown: ") and "not a certificate certdesk issued" in human
    # A PDF certdesk never issued at all.
    assert answer(cli, str(carrier_pdf(cli.home / "other.pdf")), expect=1) == nothing


def test_unknown_and_malformed_codes_and_files_that_are_not_certificates(issued):
    cli, _, _ = issued
    assert answer(cli, "--code", "ZZZZZ-ZZZZZ", expect=1)["status"] == "unknown"
    human = cli("verify", "--code", "zzzzz zzzzz", expect=1).stdout.strip()
    assert human == "unknown: no certificate has the verification code ZZZZZ-ZZZZZ"
    for typed, reason in (("ABC", "it has 3 characters, a code has 10"),
                          ("7K3QF-9XM2U", "'U' is not one of its characters"),
                          ("7K3QF/9XM2D", "'/' is not one of its characters"),
                          ("", "no verification code given"),
                          ("[bold]x\x1b[31m", "is not one of its characters")):
        refused = cli("verify", "--code", typed, "--json", expect=1)
        assert refused.stdout == ""
        [line] = refused.stderr.strip().splitlines()
        assert line.startswith("certdesk: ") and reason in line, line
        assert "\x1b" not in line
    text = cli.home / "notes.txt"
    text.write_text("not a certificate\n", encoding="utf-8")
    for path, reason in ((text, "is not a PDF file"),
                         (cli.home / "missing.pdf", "no such file"),
                         (cli.home, "is a directory")):
        refused = cli("verify", str(path), expect=1)
        assert refused.stdout == ""
        [line] = refused.stderr.strip().splitlines()
        assert reason in line, line
    assert "one of them" in cli.usage("verify")
    assert "one of them" in cli.usage("verify", str(text), "--code", "ZZZZZ-ZZZZZ")


def test_the_certificate_names_the_configured_contact_and_representative(db, tmp_path):
    settings = Settings(producer_contacts={
        "compeo": {"name": "Jordan Lee, Certificate Desk", "phone": "(555) 010-4242",
                   "representative": "Alex Moreno"}})
    desk = Desk(db, resolve_actor(db, "sam"), settings)
    # Processed automatically at intake: the certificate is drawn with these settings.
    report = Desk(db, resolve_actor(db, MANAGER), settings).import_submissions(
        factories.jsonl(factories.submission("K-1")))
    assert report.ok, report.refused
    request_id = report.accepted[0].request_id
    assert request_id is not None
    _, pdf = desk.certificate(request_id)
    text = " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "CONTACT NAME: Jordan Lee, Certificate Desk" in text
    assert "PHONE: (555) 010-4242" in text
    # What the settings leave out keeps the brand's default.
    assert f"E-MAIL: {DEFAULT_CONTACTS[Brand.COMPEO].email}" in text
    assert "AUTHORIZED REPRESENTATIVE Alex Moreno" in text
    assert desk.verify_file(pdf).status == "current"


# -- a certificate certdesk drew is never a certificate issued elsewhere ---------------------

OTHER_HOLDER = "Other Holder LLC"


@pytest.fixture
def second_request(issued) -> int:
    """Another request of the generated certificate's customer, another holder, on the
    manual list (uploading is allowed there)."""
    cli, _, _ = issued
    db = Database(cli.db_url)
    try:
        report = Desk(db, resolve_actor(db, ME)).import_submissions(factories.jsonl(
            factories.submission("V-3", holder=dict(factories.HOLDER, name=OTHER_HOLDER),
                                 instructions="call first")))
    finally:
        db.dispose()
    assert report.ok, report.refused
    request_id = report.accepted[0].request_id
    assert request_id is not None
    return request_id


def show(cli: Cli, request_id: int) -> dict:
    return cli.json("show", str(request_id))


def one_line_refusal(cli: Cli, *args: str) -> str:
    result = cli(*args, expect=1, login="sam")
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    return line


def test_uploading_a_certificate_certdesk_drew_is_refused_and_verify_stays_true(
        issued, second_request):
    cli, generated, _ = issued
    number = f"CD-{generated:06d}"
    path = saved(cli, generated, "v.pdf")
    assert number in pdf_text_of(path)  # the file prints its own number
    before = show(cli, second_request)
    expected = (f"certdesk: v.pdf is certdesk's certificate {number} revision 0 for request "
                f"#{generated}: issue or reissue a certificate instead of uploading it")
    assert one_line_refusal(cli, "upload", str(second_request), str(path)) == expected
    assert one_line_refusal(cli, "automate", str(second_request), "--attach", str(path)) == (
        expected)
    assert show(cli, second_request) == before
    # Reissued: the file is the superseded revision 0 of its own number, never another's.
    cli("reissue", str(generated), "--reason", "holder moved", login="sam")
    found = answer(cli, str(path), expect=1)
    assert (found["status"], found["number"], found["revision"], found["request_id"]) == (
        "superseded", number, 0, generated)
    assert found["holder"] == HOLDER


def test_a_copy_changed_on_the_way_is_still_recognised_by_its_code_or_its_number(
        issued, second_request):
    cli, generated, _ = issued
    number = f"CD-{generated:06d}"
    original = saved(cli, generated, "v.pdf").read_bytes()
    resaved = cli.home / "resaved.pdf"  # another program wrote it again: other bytes
    out = io.BytesIO()
    pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(original))).write(out)
    resaved.write_bytes(out.getvalue())
    assert resaved.read_bytes() != original
    [cert] = certificates_of(cli.db_url, generated)
    assert printed_code(cert.verification_code or "") in pdf_text_of(resaved)
    line = one_line_refusal(cli, "upload", str(second_request), str(resaved), "--yes")
    assert line.startswith(f"certdesk: resaved.pdf is certdesk's certificate {number} "
                           f"revision 0 for request #{generated}: ")
    # Its code blacked out, the heading with the number and revision still says what it is.
    lookalike = cli.home / "lookalike.pdf"
    lookalike.write_bytes(hostile_pdfs.certificate_pdf(
        "CERTIFICATE OF LIABILITY INSURANCE", INSURED,
        f"COVERAGES CERTIFICATE NUMBER: {number} REVISION NUMBER: 0"))
    line = one_line_refusal(cli, "upload", str(second_request), str(lookalike))
    assert f"is certdesk's certificate {number} revision 0" in line
    assert show(cli, second_request)["certificates"] == []


def test_a_carriers_certificate_is_not_sent_for_a_request_made_out_to_someone_else(
        issued, second_request):
    """A carrier's certificate names one holder: the same file, uploaded for request V-2,
    is refused for another customer's request and for another holder of V-2's customer,
    and changes neither; for a duplicate of V-2 (same customer, same holder) it is the
    right certificate."""
    cli, _, uploaded = issued
    carrier = cli.home / "carrier.pdf"
    db = Database(cli.db_url)
    try:
        report = Desk(db, resolve_actor(db, ME)).import_submissions(factories.jsonl(
            factories.submission("V-4", "C300", holder=dict(factories.HOLDER, name=OTHER_HOLDER),
                                 instructions="call first"),
            factories.submission("V-5", "C300", instructions="call first",
                                 submitted_at="2026-11-21T15:00:00+00:00")))
    finally:
        db.dispose()
    assert report.ok, report.refused
    other_holder, duplicate = (line.request_id for line in report.accepted)
    assert other_holder is not None and duplicate is not None
    for request_id, made_out in ((second_request, "another customer"),
                                 (other_holder, f'the holder "{factories.HOLDER["name"]}"')):
        before = show(cli, request_id)
        line = one_line_refusal(cli, "upload", str(request_id), str(carrier), "--yes")
        assert line == (f"certdesk: carrier.pdf is already the certificate of request "
                        f"#{uploaded}, made out to {made_out}: attach the certificate issued "
                        "for this request")
        assert show(cli, request_id) == before
    cli("upload", str(duplicate), str(carrier), login="sam")
    assert show(cli, duplicate)["status"] == "completed"


def test_a_carriers_certificate_is_not_taken_for_certdesks(issued, second_request):
    cli, _, _ = issued
    # Code-shaped groups and a certificate number of the carrier's own are not certdesk's.
    fresh = cli.home / "fresh.pdf"
    fresh.write_bytes(hostile_pdfs.certificate_pdf(
        INSURED, "Reference 12345-67890", "CERTIFICATE NUMBER: 2026-118 REVISION NUMBER: 0"))
    cli("upload", str(second_request), str(fresh), login="sam")
    assert show(cli, second_request)["status"] == "completed"
    assert answer(cli, str(fresh))["request_id"] == second_request


def store_copy(url: str, request_id: int, pdf: bytes, code: str) -> None:
    """What an older database may hold: ``pdf`` uploaded as another request's certificate."""
    db = Database(url)
    try:
        with db.writing() as s:
            s.add(Certificate(
                request_id=request_id, number=f"CD-{request_id:06d}", revision=0,
                source="uploaded", file_name="copy.pdf", sha256=hashlib.sha256(pdf).hexdigest(),
                data={"uploaded_file": "copy.pdf"}, pdf=pdf, issued_at=utcnow(),
                issued_by="sam", verification_code=code))
    finally:
        db.dispose()


def test_a_file_stored_twice_verifies_as_the_certificate_it_prints(issued, second_request):
    cli, generated, _ = issued
    number = f"CD-{generated:06d}"
    path = saved(cli, generated, "v.pdf")
    store_copy(cli.db_url, second_request, path.read_bytes(), "ABCDE12345")
    assert answer(cli, str(path))["request_id"] == generated
    add_revision(cli.db_url, generated, "7K3QF9XM2D")
    found = answer(cli, str(path), expect=1)
    assert (found["status"], found["number"], found["request_id"]) == (
        "superseded", number, generated)
    human = cli("verify", str(path), expect=1).stdout.strip()
    assert human.startswith(f"superseded: certificate {number} revision 0 (request "
                            f"#{generated}) for {INSURED}, holder {HOLDER} is genuine")
    assert OTHER_HOLDER not in human


def test_an_upload_printing_another_certificates_code_is_not_reported_as_itself(
        issued, second_request):
    cli, generated, _ = issued
    [cert] = certificates_of(cli.db_url, generated)
    altered = cli.home / "altered.pdf"  # not the bytes certdesk drew, but its code printed
    altered.write_bytes(hostile_pdfs.certificate_pdf(
        INSURED, f"VERIFICATION CODE {printed_code(cert.verification_code or '')}"))
    store_copy(cli.db_url, second_request, altered.read_bytes(), "ABCDE12345")
    nothing = {"status": "unknown", "number": None, "revision": None, "request_id": None,
               "insured": None, "holder": None}
    assert answer(cli, str(altered), expect=1) == nothing


def pdf_text_of(path: Path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages)
