"""Opening a JSON Lines file to import: a regular file only, never a blocking open.

A FIFO with no writer, a device such as ``/dev/zero`` or a directory would hang an
import or feed it forever: each is refused in one line naming the path and what it
is, before anything is read. The path is looked at with ``os.stat`` and then opened
non-blocking (``O_NONBLOCK``: opening a FIFO that replaced the file in between
returns at once), and the file opened is checked to be the regular file looked at.
Standard input (``-``) is not opened here: the command reads it as it is.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.files import kind_of

WHAT = "a JSON Lines file"


def open_regular(source: str) -> tuple[BinaryIO, int]:
    """The file named ``source`` opened for reading in binary, and its size in bytes.

    ValidationFailed (one line) when there is no path, no such file, or the path
    names something other than a regular file (or a symbolic link to one).
    """
    if not source:
        raise ValidationFailed(
            f"no file given (the path is empty): name {WHAT}, or - for standard input")
    try:
        info = os.stat(source)
    except FileNotFoundError:
        raise ValidationFailed(f"{source}: no such file") from None
    except NotADirectoryError:
        raise ValidationFailed(f"{source}: no such file (a parent is not a directory)") from None
    except (OSError, ValueError) as exc:  # ValueError: an embedded NUL
        raise ValidationFailed(f"{source}: cannot read it ({_why(exc)})") from None
    if not stat.S_ISREG(info.st_mode):
        link = " (through a symbolic link)" if os.path.islink(source) else ""
        raise ValidationFailed(f"{source} is {kind_of(info.st_mode)}{link}, not {WHAT}")
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
             | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        fd = os.open(source, flags)
    except OSError as exc:
        raise ValidationFailed(f"{source}: cannot read it ({_why(exc)})") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (
                info.st_dev, info.st_ino):
            raise ValidationFailed(f"{source} was replaced while it was being opened: try again")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), opened.st_size
    except BaseException:
        os.close(fd)
        raise


def _why(exc: Exception) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
