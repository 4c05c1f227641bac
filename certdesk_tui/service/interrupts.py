"""Ctrl-C during an import: never in the middle of a database transaction.

Python raises ``KeyboardInterrupt`` wherever the main thread happens to be when
SIGINT arrives; inside a transaction (or the connection pool behind it) that can
leave a connection that still holds SQLite's write lock, so that nothing, not even
handing back the import's reservations, could write after it. While an import runs
(``catching``), an interrupt that arrives inside a ``shielded`` section is held
until the section ends and raised there; anywhere else (reading a line, drawing a
certificate, waiting for a worker) it is raised at once, as usual.

Only the main thread handles signals, and only a SIGINT Python would turn into a
``KeyboardInterrupt`` is caught: an import run where SIGINT is ignored (``nohup``),
or handled by someone else, or in another thread, is left as it is.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_depth = 0
_pending = False


def _handler(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001
    global _pending
    if _depth:
        _pending = True
        return
    raise KeyboardInterrupt


@contextmanager
def catching() -> Iterator[None]:
    """For the length of an import: interrupts wait for the shielded sections to end."""
    global _pending
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return
    previous = signal.signal(signal.SIGINT, _handler)
    _pending = False
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def shielded(last: bool = False) -> Iterator[None]:
    """A section an interrupt never cuts: one that arrives meanwhile is raised as it
    ends (``last``: dropped instead: the section is what an interrupt leads to)."""
    global _depth, _pending
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if not _depth and _pending:
            _pending = False
            if not last:
                raise KeyboardInterrupt
