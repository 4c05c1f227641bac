"""A desk drawn before it is opened: the first frame from ``storage/first_frame.py``,
everything after it from the ``Desk`` opened once the frame is on screen.

``certdesk`` on a SQLite file reads who is at the keyboard and the default queue's
first page with the standard library (no SQLAlchemy: about 0.2 s sooner), draws them,
and opens the real desk when it is first needed: by the reads that follow the first
frame (in the worker threads that read the saved views' counts and the selected
request's detail), or by the first action. Every rule is the real desk's; this class
only hands out what the first frame read. A desk that cannot be opened then (its file
made unwritable meanwhile...) ends the interface with that refusal, in one line.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from certdesk_tui.config import Settings
from certdesk_tui.domain.errors import CertdeskError
from certdesk_tui.domain.permissions import Actor
from certdesk_tui.domain.views import (
    PAGE_ROWS,
    QueueFilter,
    QueueSnapshot,
    RequestDetail,
    RequestRow,
)
from certdesk_tui.domain.workflow import why_not_offered
from certdesk_tui.service.early import EarlyRead
from certdesk_tui.storage.first_frame import FirstFrame, read_first_frame

if TYPE_CHECKING:
    from certdesk_tui.service.desk import Desk


class LateDesk:
    """The first frame's actor and queue page at once; any other call goes to the real
    ``Desk``, opened (once, whichever thread asks first) by ``open_desk``."""

    def __init__(self, first: FirstFrame, settings: Settings,
                 open_desk: Callable[[], Desk]) -> None:
        # Handed to the one call that asks for it while it is fresh, as a desk's early read.
        self._early: EarlyRead[QueueSnapshot] | None = EarlyRead.done(first.key,
                                                                      first.snapshot)
        self._actor = first.actor
        self._settings = settings
        self._open_desk = open_desk
        self._desk: Desk | None = None
        self._opening = threading.Lock()
        # Why the real desk could not be opened: every later call is refused the same
        # way (not opened again each time), and the desk closes with it as its refusal.
        self.failure: CertdeskError | None = None

    @property
    def opened(self) -> bool:
        """Whether the real desk is open yet."""
        return self._desk is not None

    def real(self) -> Desk:
        """The real desk, opened on first use (or the refusal that opening it met)."""
        desk = self._desk
        if desk is None:
            with self._opening:
                if self.failure is not None:
                    raise self.failure
                if self._desk is None:
                    try:
                        self._desk = self._open_desk()
                    except CertdeskError as exc:
                        self.failure = exc
                        raise
                    except Exception as exc:
                        # The database's own error (a file corrupted meanwhile): named
                        # as the command line names it, and kept as the refusal.
                        from certdesk_tui.storage.engine import as_database_error

                        failure = as_database_error(exc)
                        if failure is None:
                            raise
                        self.failure = failure
                        raise failure from exc
                desk = self._desk
        return desk

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def actor(self) -> Actor:
        """Who is acting: as the first frame read it, then as the real desk last read it."""
        return self._desk.actor if self._desk is not None else self._actor

    def read_queue_early(self, limit: int = PAGE_ROWS) -> None:
        """The first page is read already."""

    def close(self) -> None:
        """End what the real desk holds open; a desk never opened holds nothing."""
        if self._desk is not None:
            self._desk.close()

    def queue_snapshot(self, flt: QueueFilter | None = None, offset: int = 0,
                       limit: int = PAGE_ROWS, *, counts: bool = True) -> QueueSnapshot:
        """The first frame's page, to the one call that asks for it while it is fresh;
        anything else from the real desk."""
        early, self._early = self._early, None
        if early is not None:
            snapshot = early.result_for((flt or QueueFilter(), offset, limit))
            if snapshot is not None:
                return snapshot
        return self.real().queue_snapshot(flt, offset, limit, counts=counts)

    def why_not(self, action_id: str, detail: RequestDetail | RequestRow) -> str | None:
        """Why an action is not offered for this request now (None: it is): asked for
        the rows of the first frame, before the real desk is open."""
        return why_not_offered(self.actor, action_id, detail)

    def __getattr__(self, name: str) -> Any:
        # Everything else is the real desk's (called, as always, from a worker thread).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.real(), name)


def late_desk(url: str, login: str, settings: Settings,
              open_desk: Callable[[], Desk]) -> LateDesk | None:
    """A desk whose first frame is read already, or None when it cannot be read that way
    (not a SQLite file at the current schema, an unknown login...: open it the usual way)."""
    first = read_first_frame(url, login)
    return LateDesk(first, settings, open_desk) if first is not None else None
