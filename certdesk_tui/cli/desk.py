"""Opening the desk (``certdesk`` with no command, and ``certdesk demo``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from certdesk_tui.cli.context import Context
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.domain.errors import CertdeskError
from certdesk_tui.launch import freeze_late_load, freeze_start_up

if TYPE_CHECKING:
    from certdesk_tui.service import Desk
    from certdesk_tui.service.late import LateDesk


def require_terminal() -> None:
    """The desk draws on a terminal and reads keys from one; without, it would hang."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CertdeskError("the desk needs a terminal; use the commands (certdesk --help) "
                            "in scripts")


def first_frame_desk(c: Context) -> LateDesk | None:
    """The desk with its first frame read from a SQLite file without SQLAlchemy, which
    loads once that frame is on screen; None: open the desk the usual way."""
    if c.as_user is not None:
        return None
    from certdesk_tui.service.late import late_desk
    from certdesk_tui.service.login import os_login

    def open_desk() -> Desk:
        desk = c.desk
        freeze_late_load()
        return desk

    settings = c.settings
    return late_desk(c.db_url or settings.effective_database_url, os_login(), settings,
                     open_desk)


@refusals
def open_interface(c: Context, desk: Desk | LateDesk | None = None) -> None:
    require_terminal()
    from certdesk_tui.service.late import LateDesk  # sqlite3 and the domain only

    desk = desk or first_frame_desk(c) or c.desk
    # A desk opened the usual way reads its first page while Textual and the screens
    # load (the database's work runs outside Python's lock); a late desk has it already.
    desk.read_queue_early()
    from certdesk_tui.app import run_app

    freeze_start_up()
    run_app(desk)
    if isinstance(desk, LateDesk) and desk.failure is not None:
        # Drawn from its first frame, the desk could not be opened behind it: the one
        # line opening it the usual way says.
        raise desk.failure
