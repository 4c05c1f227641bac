"""``certdesk verify``: is a holder's copy of a certificate genuine and current?"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.output import echo_json
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.domain.certificates import (
    Verification,
    parse_verification_code,
    printed_code,
)
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.pdf.upload_check import read_regular_file
from certdesk_tui.text import escaped

PDF_HEADER_WITHIN = 1024  # where a PDF reader looks for "%PDF-"


@click.command()
@click.argument("file", required=False, metavar="FILE.pdf")
@click.option("--code", metavar="CODE",
              help="The verification code printed on the certificate (any case; spaces and "
                   "dashes are ignored).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@pass_ctx
@refusals
def verify(c: Context, file: str | None, code: str | None, as_json: bool) -> None:
    """Tell whether a certificate file, or the code printed on one, is genuine and current.

    Exit 0 when it is the current certificate, 1 when it was superseded by a later
    revision or certdesk never issued it.
    """
    if (file is None) == (code is None):
        raise click.UsageError("give the certificate FILE.pdf or --code CODE (one of them)")
    if code is not None:
        answer = c.desk.verify_code(code)
        shown = printed_code(parse_verification_code(code))
    else:
        assert file is not None
        answer = c.desk.verify_file(_certificate_file(file))
        shown = ""
    if as_json:
        echo_json(answer.to_json())
    else:
        click.echo(_sentence(answer, file, shown))
    sys.exit(0 if answer.is_current else 1)


def _certificate_file(name: str) -> bytes:
    """The file's bytes; a file that is not a PDF at all is refused, not answered."""
    if not name.strip():
        raise ValidationFailed("no certificate file given")
    path = Path(name).expanduser()
    data = read_regular_file(path)
    if b"%PDF-" not in data[:PDF_HEADER_WITHIN]:
        raise ValidationFailed(f"{path} is not a PDF file: a certificate is a PDF")
    return data


def _sentence(answer: Verification, file: str | None, code: str) -> str:
    if answer.number is None:
        if file is not None:
            return (f"unknown: {escaped(file)} is not a certificate certdesk issued (its "
                    "contents match none; it may have been altered)")
        return f"unknown: no certificate has the verification code {escaped(code)}"
    what = (f"certificate {escaped(answer.number)} revision {answer.revision} "
            f"(request #{answer.request_id}) for {escaped(answer.insured)}, "
            f"holder {escaped(answer.holder)}")
    if answer.is_current:
        return f"current: {what} is genuine and current"
    return (f"superseded: {what} is genuine but was replaced by a later revision; "
            "ask the producer for the current one")
