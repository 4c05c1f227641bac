"""What a path names, in words, for a refusal: "a FIFO (named pipe)", "a directory"."""

from __future__ import annotations

import stat


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
