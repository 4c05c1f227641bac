"""What a command prints: nothing a terminal would take as a control sequence.

Each command prints customer and colleague text through ``certdesk_tui.text``
(``escaped``), and ``refusals`` also puts every line a command writes to stdout
or stderr through ``terminal_safe`` (a control character that reached a message
some other way is shown as its placeholder). JSON output escapes control
characters as ``\\uXXXX``.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO

import click

from certdesk_tui.text import is_control, terminal_safe


class _TerminalSafeWriter(io.TextIOBase):
    """A text stream that writes what it is given through ``terminal_safe``."""

    def __init__(self, target: IO[str]) -> None:
        super().__init__()
        self._target = target

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._target, "errors", None)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("a text stream")
        self._target.write(terminal_safe(text))
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return bool(getattr(self._target, "isatty", lambda: False)())

    def fileno(self) -> int:
        return self._target.fileno()


@contextmanager
def terminal_safe_output() -> Iterator[None]:
    """While a command runs, nothing it writes to stdout or stderr is a control character
    (newlines and tabs aside). The desk is not affected: Textual writes to the terminal
    through ``sys.__stderr__``."""
    if isinstance(sys.stdout, _TerminalSafeWriter):
        yield
        return
    # Click's own choice of text stream (it copes with a misconfigured encoding).
    out = _TerminalSafeWriter(click.get_text_stream("stdout"))
    err = _TerminalSafeWriter(click.get_text_stream("stderr"))
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        yield
    finally:
        if (sys.stdout, sys.stderr) == (out, err):
            sys.stdout, sys.stderr = saved
        for stream in (out, err):
            with suppress(OSError, ValueError):
                stream.flush()


def binary_stdout() -> IO[bytes]:
    """Standard output for bytes that are not text (a PDF): the stream under the
    terminal-safe writer, with what was written as text so far flushed first.

    Nothing a terminal must see goes this way: the caller refuses a terminal
    (``isatty``), binary bytes carry control sequences."""
    text = sys.stdout
    text.flush()
    if isinstance(text, _TerminalSafeWriter):
        text = text._target
    binary: IO[bytes] = getattr(text, "buffer", None) or click.get_binary_stream("stdout")
    return binary


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(value: object) -> str:
    """``value`` as indented JSON in which every control character is a ``\\uXXXX`` escape.

    (``json.dumps`` leaves DEL, the C1 controls, the bidirectional overrides and lone
    surrogates as they are; outside strings JSON holds no such character.)"""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    if all(line.isprintable() for line in text.split("\n")):
        return text
    return "".join(_json_escape(ch) if ch not in "\n" and is_control(ch) else ch
                   for ch in text)


def echo_json(value: object) -> None:
    click.echo(json_text(value))
