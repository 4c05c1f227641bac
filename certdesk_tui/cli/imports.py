"""``certdesk customers import`` and ``certdesk import``: JSON Lines in, refusals out.

Interrupted (Ctrl-C), an import stops cleanly (the service hands back what it had
started), prints its report so far and one line on stderr saying how far it got,
and exits 130, as a command stopped by SIGINT does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

import click

from certdesk_tui import intake
from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.params import Workers
from certdesk_tui.cli.progress import progress
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.text import escaped

if TYPE_CHECKING:
    from certdesk_tui.service import ImportReport


@contextmanager
def _lines_of(source: str) -> Iterator[Iterator[bytes]]:
    """The lines of a JSON Lines file (or stdin for ``-``), read one at a time as bytes.

    Opening is checked here (one refusal for the whole command); each line is decoded
    and checked on its own by the import, so one unreadable line costs only itself.
    On a terminal, a long import shows its progress (see ``progress``).
    """
    if source == "-":
        with progress(None) as advance:
            yield _counted(intake.read_lines(sys.stdin.buffer), advance)
        return
    # A regular file only: a FIFO, a device or a directory is refused, never waited on.
    stream, size = intake.open_regular(source)
    with stream, progress(size) as advance:
        yield _counted(_reading(stream, source), advance)


def _reading(stream: IO[bytes], source: str) -> Iterator[bytes]:
    try:
        yield from intake.read_lines(stream)
    except OSError as exc:
        raise ValidationFailed(f"{source}: {exc.strerror}") from None


def _counted(lines: Iterator[bytes], advance: Callable[[int], None]) -> Iterator[bytes]:
    for line in lines:
        advance(len(line))
        yield line


# The exit status of an import interrupted by Ctrl-C (128 + SIGINT), as `mail send`.
INTERRUPTED = 130
AGAIN = {
    "import": "lines already stored are not stored twice",
    "customers import": "a customer already stored is updated, never stored twice",
}


@contextmanager
def _interruptible(command: str) -> Iterator[None]:
    """Ctrl-C outside the import itself (opening the database, printing): one line."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo(f"certdesk: {command} interrupted: run it again to finish "
                   f"({AGAIN[command]})", err=True)
        sys.exit(INTERRUPTED)


def _report(report: ImportReport, noun: str, command: str) -> None:
    for outcome in report.resumed:
        # Requests an earlier import stopped before completing: taken up by this one.
        click.echo(f"resumed: {escaped(' '.join(outcome.message.split()))}")
    for outcome in report.refused:
        # One line each, whatever the reason quotes.
        click.echo(f"line {outcome.line}: {escaped(' '.join(outcome.message.split()))}")
    if report.stopped:
        click.echo(escaped(" ".join(report.stopped.split())))
    click.echo(report.summary(noun))
    if report.interrupted:
        click.echo(f"certdesk: {command} interrupted after {report.taken_in} of the "
                   f"{report.read} lines read: run it again to finish ({AGAIN[command]})",
                   err=True)
        sys.exit(INTERRUPTED)
    if not report.ok:
        sys.exit(1)


@click.group()
def customers() -> None:
    """Customers and their policies."""


@customers.command("import")
@click.argument("source", metavar="FILE|-")
@pass_ctx
@refusals
def customers_import(c: Context, source: str) -> None:
    """Load or update customers from JSON Lines (one customer a line)."""
    with _interruptible("customers import"):
        with _lines_of(source) as lines:
            report = c.desk.import_customers(lines)
        _report(report, "customers", "customers import")


@click.command("import")
@click.argument("source", metavar="FILE|-")
@click.option("--workers", type=Workers(), default=1, show_default=True,
              help="Processes that draw the certificates of requests processed "
                   "automatically (the database writes stay in this one).")
@pass_ctx
@refusals
def import_(c: Context, source: str, workers: int) -> None:
    """Take in portal / mobile submissions and payment updates (JSON Lines)."""
    with _interruptible("import"):
        with _lines_of(source) as lines:
            report = c.desk.import_submissions(lines, workers)
        _report(report, "lines", "import")
