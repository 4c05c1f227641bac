"""Opening a file someone named: a regular file only, never a blocking open; and what a
path names, in words, for a refusal ("a FIFO (named pipe)", "a directory").

A FIFO with no writer, a device such as ``/dev/zero`` or a directory would hang a
command or feed it forever: each is refused in one line naming the path and what it
is, before anything is read. The path is looked at with ``os.stat`` and then opened
non-blocking (``O_NONBLOCK``: opening a FIFO that replaced the file in between returns
at once), and the file opened is checked to be the regular file looked at. Imports and
uploads (and ``verify``) open their files here.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from certdesk_tui.domain.errors import ValidationFailed


def kind_of(mode: int) -> str:
    """The kind of file an ``os.stat`` mode describes, with its article."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path: str | os.PathLike[str], what: str) -> tuple[BinaryIO, int]:
    """The regular file at ``path`` opened for reading in binary, and its size in bytes;
    ValidationFailed (one line, naming ``what`` was expected: "a PDF file") when there is
    no such file or the path names something else (or a symbolic link to something else).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ValidationFailed(f"{path}: no such file") from None
    except NotADirectoryError:
        raise ValidationFailed(f"{path}: no such file (a parent is not a directory)") from None
    except (OSError, ValueError) as exc:  # ValueError: an embedded NUL
        raise ValidationFailed(f"{path}: cannot read it ({why(exc)})") from None
    if not stat.S_ISREG(info.st_mode):
        link = " (through a symbolic link)" if os.path.islink(path) else ""
        raise ValidationFailed(f"{path} is {kind_of(info.st_mode)}{link}, not {what}")
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
             | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ValidationFailed(f"{path}: cannot read it ({why(exc)})") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (
                info.st_dev, info.st_ino):
            raise ValidationFailed(f"{path} was replaced while it was being opened: try again")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), opened.st_size
    except BaseException:
        os.close(fd)
        raise


def why(exc: Exception) -> str:
    """An OS error in words (its strerror), for a refusal."""
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
