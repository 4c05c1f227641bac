"""``certdesk certificate ID --output -``: the PDF on standard output, as ``import -``
reads standard input; never a file named ``-``, never PDF bytes on a terminal."""

from __future__ import annotations

import hashlib
import io
import os
import pty
import subprocess
import sys

import pypdf
import pytest

from tests import factories
from tests.integration.test_cli import Cli, seed


@pytest.fixture
def issued(tmp_path) -> tuple[Cli, str]:
    """The command line on a database with one request completed at import."""
    cli = Cli(tmp_path)
    ids = seed(f"sqlite:///{cli.default_database}", factories.submission("O-1", "C100"))
    return cli, str(ids["O-1"])


def _argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "certdesk_tui", *args]


@pytest.mark.parametrize("option", ["--output", "-o"])
def test_output_dash_writes_the_stored_certificate_to_standard_output(issued, option):
    cli, rid = issued
    [stored] = cli.json("show", rid)["certificates"]
    result = subprocess.run(_argv("certificate", rid, option, "-"), env=cli.env(),
                            cwd=cli.home, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    # Nothing but the PDF on stdout: the very bytes stored.
    assert hashlib.sha256(result.stdout).hexdigest() == stored["sha256"]
    text = " ".join(" ".join(page.extract_text() for page in
                             pypdf.PdfReader(io.BytesIO(result.stdout)).pages).split())
    assert f"CD-{int(rid):06d}" in text and factories.HOLDER["name"] in text
    # What is said goes to stderr; no file named "-" is made.
    assert result.stderr.decode() == f"{stored['file_name']} written to standard output\n"
    assert not (cli.home / "-").exists()


def test_output_dash_is_refused_in_one_line_when_standard_output_is_a_terminal(issued):
    cli, rid = issued
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.run(_argv("certificate", rid, "--output", "-"), env=cli.env(),
                              cwd=cli.home, stdin=subprocess.DEVNULL, stdout=terminal,
                              stderr=subprocess.PIPE, text=True, timeout=60)
        os.set_blocking(controller, False)
        try:
            shown = os.read(controller, 65536)
        except BlockingIOError:
            shown = b""
    finally:
        os.close(terminal)
        os.close(controller)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("certdesk: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "standard output is a terminal" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert shown == b""  # not a byte of the PDF reached the terminal
    assert not (cli.home / "-").exists()
