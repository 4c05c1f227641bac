"""Opening the desk (``certdesk`` with no command, and ``certdesk demo``)."""

from __future__ import annotations

import sys

from certdesk_tui.cli.context import Context
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.domain.errors import CertdeskError
from certdesk_tui.launch import freeze_start_up
from certdesk_tui.service import Desk


def require_terminal() -> None:
    """The desk draws on a terminal and reads keys from one; without, it would hang."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CertdeskError("the desk needs a terminal; use the commands (certdesk --help) "
                            "in scripts")


@refusals
def open_interface(c: Context, desk: Desk | None = None) -> None:
    require_terminal()
    desk = desk or c.desk
    # The first page is read while Textual and the screens load (the database's work
    # runs outside Python's lock), so the first frame does not wait for both in turn.
    desk.read_queue_early()
    from certdesk_tui.app import run_app

    freeze_start_up()
    run_app(desk)
