"""A progress bar for a long import, on standard error, only when that is a terminal.

Nothing is shown for an import that ends within ``DELAY`` seconds, nor when
standard error is a file or a pipe (a script's log stays as it was). The bar is
drawn by rich and erased when the import ends, so that the report printed after
it stands alone.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

# An import shorter than this shows no bar at all.
DELAY = 0.5


class _Bar:
    """Bytes read so far, and the bar once the import has taken longer than ``DELAY``."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.done = 0
        self.lines = 0
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def advance(self, size: int) -> None:
        self.done += size
        self.lines += 1
        if self.bar is None:
            if time.monotonic() - self.started < DELAY:
                return
            self._start()
        assert self.bar is not None and self.task is not None
        self.bar.update(self.task, completed=self.done, lines=self.lines)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = [TextColumn("importing"), BarColumn(), TaskProgressColumn(),
                   TextColumn("{task.fields[lines]:,} lines"), TimeElapsedColumn()]
        if self.total is not None:
            columns.append(TimeRemainingColumn())
        self.bar = Progress(*columns, console=Console(stderr=True), transient=True,
                            redirect_stdout=False, redirect_stderr=False)
        self.task = self.bar.add_task("import", total=self.total, lines=0)
        self.bar.start()

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@contextmanager
def progress(total: int | None) -> Iterator[Callable[[int], None]]:
    """A function to call with the size of each line read (``total``: the file's size,
    None when it is not known, as for standard input)."""
    if not sys.stderr.isatty():
        yield lambda _size: None
        return
    bar = _Bar(total)
    try:
        yield bar.advance
    finally:
        bar.stop()
