"""An uploaded certificate is a PDF: hostile files through the service, the command line and the
desk, the wrong-file warning, and a property test over arbitrary bytes."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import Input

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.pdf.upload_check import (
    MAX_PDF_BYTES,
    CertificatePdf,
    check_certificate_pdf,
    read_certificate_pdf,
    read_regular_file,
)
from certdesk_tui.screens.confirm import ConfirmScreen
from certdesk_tui.screens.upload import UploadResult, UploadScreen
from tests import factories
from tests import hostile_pdfs as hostile
from tests.functional.test_modals import SIZE, Harness, form_screen, rendered_text, static_text
from tests.integration.test_cli import Cli, in_process, seed
from tests.snapshot_apps.modal_data import request_detail

HOLDER = factories.HOLDER["name"]  # "Big General Contractor Inc"
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file kinds")

# What each hostile content is refused with (the service, the CLI and the desk say the same).
HOSTILE_CONTENT = {
    "html-with-pdf-header": (hostile.html_with_pdf_header, "is an HTML page with a PDF header"),
    "truncated": (hostile.truncated_pdf, "is not a complete PDF file"),
    "encrypted": (hostile.encrypted_pdf, "is encrypted (password-protected)"),
    "encrypted-empty-password": (lambda: hostile.encrypted_pdf(""), "is encrypted"),
    # AES-256 is opened (to try the empty password) only with cryptography installed.
    "encrypted-aes-256": (lambda: hostile.encrypted_pdf("", "AES-256"),
                          "is encrypted (password-protected)"),
    "open-action-javascript": (hostile.open_action_javascript_pdf, "carries JavaScript"),
    "names-tree-javascript": (hostile.names_tree_javascript_pdf, "carries JavaScript"),
    "page-open-javascript": (hostile.page_additional_action_javascript_pdf,
                             "carries JavaScript"),
    "hex-escaped-javascript": (hostile.hex_escaped_javascript_pdf, "carries JavaScript"),
    "open-action-launch": (hostile.launch_pdf, "carries a launch action"),
    "link-launch": (hostile.link_launch_pdf, "carries a launch action"),
    "embedded-file": (hostile.embedded_file_pdf, "carries an embedded file"),
    "zero-pages": (hostile.zero_pages_pdf, "has no pages"),
    "empty": (lambda: b"", "is empty"),
    "gif": (lambda: b"GIF89a\x01\x00\x01\x00", "is not a PDF file"),
    "header-then-garbage": (lambda: b"%PDF-1.7\n\x00\xff garbage \x1b[2J\n%%EOF\n",
                            "is damaged or not a PDF"),
}


def hostile_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Paths that are no regular file (or too big to be a certificate), and their refusal."""
    fifo = tmp_path / "fifo.pdf"
    os.mkfifo(fifo)
    directory = tmp_path / "folder.pdf"
    directory.mkdir()
    sparse = tmp_path / "sparse.pdf"
    with sparse.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # 200 MB of holes: nothing on disk, nothing read
    zero_link = tmp_path / "zero.pdf"
    zero_link.symlink_to("/dev/zero")
    return {
        "dev-zero": (Path("/dev/zero"), "/dev/zero is a character device, not a PDF file"),
        "fifo": (fifo, "is a FIFO (named pipe), not a PDF file"),
        "directory": (directory, "is a directory, not a PDF file"),
        "sparse-200-mb": (sparse, "is 200.0 MB: a certificate PDF may be at most 20 MB"),
        "symlink-to-dev-zero": (zero_link,
                                "is a character device (through a symbolic link), not a PDF"),
        "missing": (tmp_path / "nope.pdf", "nope.pdf: no such file"),
    }


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def soon(call, seconds: float = 10):
    """Run ``call`` in a thread and fail (instead of hanging) if it takes longer than seconds."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(call).result(timeout=seconds)
    finally:
        pool.shutdown(wait=False)


# -- the service ---------------------------------------------------------------------------


@pytest.fixture
def cornerstone_request(submit) -> int:
    return submit("CS-1", "C300")


@pytest.mark.parametrize(("build", "message"), HOSTILE_CONTENT.values(), ids=HOSTILE_CONTENT)
def test_the_service_refuses_hostile_content_and_changes_nothing(
        specialist, cornerstone_request, build, message):
    before = specialist.request(cornerstone_request)
    with pytest.raises(ValidationFailed) as refused:
        specialist.upload(cornerstone_request, "c.pdf", build())
    assert str(refused.value).startswith("c.pdf ") and message in str(refused.value)
    assert specialist.request(cornerstone_request) == before


def test_automation_refuses_an_attachment_that_carries_javascript(specialist, manual_request):
    before = specialist.request(manual_request)
    with pytest.raises(ValidationFailed, match="issued.pdf carries JavaScript"):
        specialist.automate(manual_request,
                            attachment=("issued.pdf", hostile.open_action_javascript_pdf()))
    assert specialist.request(manual_request) == before


def test_the_service_stores_a_real_pdf_unchanged(specialist, cornerstone_request):
    data = hostile.certificate_pdf(f"Certificate holder: {HOLDER}")
    done = specialist.upload(cornerstone_request, "carrier.pdf", data)
    assert specialist.certificate(cornerstone_request)[1] == data
    assert done.certificate_number == f"CD-{cornerstone_request:06d}"


@POSIX
@pytest.mark.parametrize("case", ["dev-zero", "fifo", "directory", "sparse-200-mb",
                                  "symlink-to-dev-zero", "missing"])
def test_only_a_regular_file_of_at_most_20_mb_is_read(tmp_path, case):
    path, message = hostile_files(tmp_path)[case]
    with pytest.raises(ValidationFailed) as refused:
        soon(lambda: read_certificate_pdf(str(path)))
    assert message in str(refused.value)


@POSIX
def test_a_fifo_swapped_in_after_the_check_does_not_hang_the_open(tmp_path, monkeypatch):
    fifo = tmp_path / "swapped.pdf"
    os.mkfifo(fifo)
    regular = write(tmp_path, "regular.pdf", hostile.certificate_pdf())
    real_stat = os.stat
    # The check sees a regular file; by the time of the open it is a FIFO with no writer.
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: real_stat(regular if p == fifo else p))
    with pytest.raises(ValidationFailed, match="was replaced while it was being opened"):
        soon(lambda: read_regular_file(fifo))


def test_the_read_is_bounded_even_when_the_file_grows(tmp_path, monkeypatch):
    path = write(tmp_path, "grows.pdf", b"%PDF-" + b"x" * 100)
    reads: list[int] = []
    real_read = os.read

    def read(fd: int, n: int) -> bytes:
        chunk = real_read(fd, n) or b"y" * n  # a file that never ends
        reads.append(len(chunk))
        return chunk

    monkeypatch.setattr(os, "read", read)
    with pytest.raises(ValidationFailed, match="grew past 1 MB"):
        read_regular_file(path, limit=1024 * 1024)
    assert sum(reads) == 1024 * 1024 + 1


def test_a_symlink_to_a_real_pdf_and_a_file_of_exactly_the_limit_are_read(tmp_path):
    data = hostile.certificate_pdf(HOLDER)
    link = tmp_path / "link.pdf"
    link.symlink_to(write(tmp_path, "real.pdf", data))
    assert read_certificate_pdf(str(link)).data == data
    full = tmp_path / "full.bin"
    with full.open("wb") as f:
        f.truncate(MAX_PDF_BYTES)
    assert len(read_regular_file(full)) == MAX_PDF_BYTES


# -- the wrong-file warning ----------------------------------------------------------------


def checked(text: str) -> CertificatePdf:
    return CertificatePdf("carrier.pdf", b"", 1, text)


@pytest.mark.parametrize("text", [
    "CERTIFICATE HOLDER\nBIG GENERAL CONTRACTOR, INC.\n9 Oak Ave",
    "Insured: acme   roofing\nllc",
    "A c m e R o o f i n g L L C",
])
def test_a_pdf_naming_the_insured_or_the_holder_gives_no_warning(text):
    assert checked(text).wrong_file_warning("Acme Roofing LLC", HOLDER) == ""


def test_accents_and_case_are_ignored_when_looking_for_a_name():
    pdf = checked("INSURED: ZOE LUKASIEWICZ - NANDU GMBH")
    assert pdf.wrong_file_warning("Zoë Łukasiewicz – Ñandú GmbH", "Other Holder") != ""
    pdf = checked("Insured: ZOË ŁUKASIEWICZ – ÑANDÚ GMBH")
    assert pdf.wrong_file_warning("Zoë Łukasiewicz – Ñandú GmbH", "Other Holder") == ""
    assert checked("Zoe Lukasiewicz").names("Zoë Lukasiewicz")


def test_a_pdf_naming_neither_is_a_warning_that_names_both():
    assert checked("Certificate for Harbor Tower Builders").wrong_file_warning(
        "Acme Roofing LLC", HOLDER) == (
        'carrier.pdf names neither the insured "Acme Roofing LLC" nor the holder '
        f'"{HOLDER}": it may be the wrong file')
    assert checked("Acme Roofing Company").wrong_file_warning("Acme Roofing LLC", "") == (
        'carrier.pdf does not name the insured "Acme Roofing LLC": it may be the wrong file')
    assert "has no text to read (a scan?)" in checked("  \n").wrong_file_warning(
        "Acme Roofing LLC", HOLDER)


def test_the_text_of_a_real_pdf_is_what_is_searched():
    pdf = check_certificate_pdf(hostile.certificate_pdf("Holder:", HOLDER.upper()), "c.pdf")
    assert pdf.pages == 1 and pdf.names(HOLDER)
    assert pdf.wrong_file_warning("Acme Roofing LLC", HOLDER) == ""
    assert pdf.wrong_file_warning("Acme Roofing LLC", "Someone Else") != ""


# -- the command line ----------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path)


def assert_unchanged(cli: Cli, request_id: int) -> None:
    shown = cli.json("show", str(request_id))
    assert shown["status"] == "new" and shown["certificates"] == [] and shown["emails"] == []


@POSIX
def test_cli_refuses_files_that_are_not_regular_in_one_line_without_hanging(cli, tmp_path):
    rid = seed(f"sqlite:///{cli.default_database}", factories.submission("CS-1", "C300"))["CS-1"]
    for case, (path, message) in hostile_files(tmp_path).items():
        # Cli waits 60 seconds at most: a FIFO that hung the open would fail here.
        stderr = cli.refused("upload", str(rid), str(path), login="sam")
        assert message in stderr, case
    assert_unchanged(cli, rid)


def test_cli_refuses_hostile_pdfs_in_one_line_and_changes_nothing(cli, tmp_path):
    rid = seed(f"sqlite:///{cli.default_database}", factories.submission("CS-1", "C300"))["CS-1"]
    for case in ("html-with-pdf-header", "truncated", "encrypted", "open-action-javascript",
                 "open-action-launch", "zero-pages", "embedded-file"):
        build, message = HOSTILE_CONTENT[case]
        path = write(tmp_path, f"{case}.pdf", build())
        assert message in cli.refused("upload", str(rid), str(path), "--yes", login="sam"), case
    assert_unchanged(cli, rid)


def test_cli_attach_refuses_a_hostile_pdf_and_a_device(cli, tmp_path):
    rid = seed(f"sqlite:///{cli.default_database}",
               factories.submission("P-1", "C100", instructions="call first"))["P-1"]
    launch = write(tmp_path, "launch.pdf", hostile.launch_pdf())
    assert "launch.pdf carries a launch action" in cli.refused(
        "automate", str(rid), "--attach", str(launch), login="sam")
    if sys.platform != "win32":
        assert "/dev/zero is a character device" in cli.refused(
            "automate", str(rid), "--attach", "/dev/zero", login="sam")
    assert_unchanged(cli, rid)


def test_cli_upload_of_a_pdf_naming_neither_party_needs_yes_and_then_warns(cli, tmp_path):
    ids = seed(f"sqlite:///{cli.default_database}", factories.submission("CS-1", "C300"),
               factories.submission("CS-2", "C300"))
    other = write(tmp_path, "other.pdf", hostile.certificate_pdf("Harbor Tower Builders Inc"))
    refusal = cli.refused("upload", str(ids["CS-1"]), str(other), login="sam")
    assert refusal == (
        'certdesk: other.pdf names neither the insured "Zoë Łukasiewicz – Ñandú GmbH" nor the '
        f'holder "{HOLDER}": it may be the wrong file; check it, then add --yes to send it anyway')
    assert_unchanged(cli, ids["CS-1"])

    done = cli("upload", str(ids["CS-1"]), str(other), "--yes", login="sam")
    assert done.stderr.startswith("certdesk: warning: other.pdf names neither the insured")
    assert len(done.stderr.splitlines()) == 1
    assert "completed" in done.stdout

    named = write(tmp_path, "named.pdf", hostile.certificate_pdf("Certificate holder:", HOLDER))
    quiet = cli("upload", str(ids["CS-2"]), str(named), login="sam")
    assert quiet.stderr == "" and "completed" in quiet.stdout
    with in_process(f"sqlite:///{cli.default_database}") as desk:
        assert desk.certificate(ids["CS-2"])[1] == named.read_bytes()


def test_cli_a_completed_request_is_refused_for_its_state_before_the_file_is_judged(
        cli, tmp_path):
    rid = seed(f"sqlite:///{cli.default_database}", factories.submission("CS-1", "C300"))["CS-1"]
    named = write(tmp_path, "named.pdf", hostile.certificate_pdf(HOLDER))
    cli("upload", str(rid), str(named), login="sam")
    other = write(tmp_path, "other.pdf", hostile.certificate_pdf("Somebody Else"))
    assert "completed" in cli.refused("upload", str(rid), str(other), login="sam")


# -- the desk ------------------------------------------------------------------------------


async def test_upload_dialog_warns_in_its_confirmation_when_the_pdf_names_neither(tmp_path):
    path = write(tmp_path, "other.pdf", hostile.certificate_pdf("Harbor Tower Builders Inc"))
    app = Harness(UploadScreen(request_detail(), tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#path", Input).value = str(path)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        shown = " ".join(rendered_text(app.screen).split())
        assert ('WARNING: other.pdf names neither the insured "Acme Roofing LLC" nor the '
                f'holder "{HOLDER}": it may be the wrong file.') in shown
        await pilot.press("y")
        await pilot.pause()
        assert app.result == UploadResult("other.pdf", path.read_bytes(), False)


async def test_upload_dialog_confirms_without_warning_when_the_pdf_names_the_insured(tmp_path):
    path = write(tmp_path, "acme.pdf", hostile.certificate_pdf("Insured: ACME ROOFING, LLC"))
    app = Harness(UploadScreen(request_detail(), tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#path", Input).value = str(path)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "WARNING" not in rendered_text(app.screen)


@POSIX
async def test_upload_dialog_refuses_a_device_a_fifo_and_javascript_on_the_spot(tmp_path):
    fifo = tmp_path / "fifo.pdf"
    os.mkfifo(fifo)
    js = write(tmp_path, "js.pdf", hostile.open_action_javascript_pdf())
    app = Harness(UploadScreen(request_detail(), tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        for path, message in (("/dev/zero", "/dev/zero is a character device"),
                              (str(fifo), "is a FIFO (named pipe)"),
                              (str(js), "js.pdf carries JavaScript")):
            app.screen.query_one("#path", Input).value = path
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, UploadScreen)
            assert message in static_text(app.screen, "#error"), path
        await pilot.press("escape", "y")          # the typed path is discarded on request
        await pilot.pause()
        assert app.results == [None]


async def test_automation_form_attach_warns_when_the_pdf_names_neither(tmp_path):
    path = write(tmp_path, "other.pdf", hostile.certificate_pdf("Harbor Tower Builders Inc"))
    app = Harness(form_screen())
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#field-attachment", Input).value = str(path)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        shown = " ".join(rendered_text(app.screen).split())
        assert "WARNING: other.pdf names neither the insured" in shown
        await pilot.press("y")
        await pilot.pause()
        assert app.result.attachment == ("other.pdf", path.read_bytes())


# -- any bytes -----------------------------------------------------------------------------

VALID = hostile.certificate_pdf(HOLDER)


@st.composite
def mutated_pdfs(draw) -> bytes:
    """A real PDF with bytes flipped, cut out or inserted, often keeping its end marker."""
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at:at + draw(st.integers(1, 200))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=50))
        if not data:
            break
    if draw(st.booleans()):
        data += b"\n%%EOF\n"
    return bytes(data)


ANY_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda body: b"%PDF-1.7\n" + body + b"\n%%EOF\n", st.binary(max_size=2000)),
    mutated_pdfs(),
    st.sampled_from([build() for build, _ in HOSTILE_CONTENT.values()]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_BYTES)
def test_any_bytes_are_a_checked_pdf_or_a_validation_refusal(data):
    try:
        pdf = check_certificate_pdf(data, "any.pdf")
    except ValidationFailed as refused:
        message = str(refused)
        assert message.startswith("any.pdf ") and "\n" not in message
        assert all(ch.isprintable() for ch in message)
    else:
        assert pdf.pages >= 1 and pdf.data == data
        assert isinstance(pdf.wrong_file_warning("Acme Roofing LLC", HOLDER), str)
