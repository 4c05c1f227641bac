"""Opening a JSON Lines file to import: a regular file only, never a blocking open
(``domain.files.open_regular``). Standard input (``-``) is not opened here: the
command reads it as it is.
"""

from __future__ import annotations

from typing import BinaryIO

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.files import open_regular as open_file

WHAT = "a JSON Lines file"


def open_regular(source: str) -> tuple[BinaryIO, int]:
    """The file named ``source`` opened for reading in binary, and its size in bytes.

    ValidationFailed (one line) when there is no path, no such file, or the path
    names something other than a regular file (or a symbolic link to one).
    """
    if not source:
        raise ValidationFailed(
            f"no file given (the path is empty): name {WHAT}, or - for standard input")
    return open_file(source, WHAT)
