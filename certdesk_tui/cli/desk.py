"""Opening the desk (``certdesk`` with no command, and ``certdesk demo``)."""

from __future__ import annotations

import sys

from certdesk_tui.cli.context import Context
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.domain.errors import CertdeskError
from certdesk_tui.service import Desk


def require_terminal() -> None:
    """The desk draws on a terminal and reads keys from one; without, it would hang."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CertdeskError("the desk needs a terminal; use the commands (certdesk --help) "
                            "in scripts")


@refusals
def open_interface(c: Context, desk: Desk | None = None) -> None:
    require_terminal()
    from certdesk_tui.app import run_app

    run_app(desk or c.desk)
