"""What every command shares: the context (settings, the desk), refusals, JSON output.

Kept apart from ``cli.py`` so that command groups in other packages (``mail``)
can use it without importing the command line's own module.

Nothing a command prints is a control sequence: each command prints customer and
colleague text through ``certdesk_tui.text`` (``escaped``), and ``refusals`` also
puts every line a command writes to stdout or stderr through ``terminal_safe``
(a control character that reached a message some other way is shown as its
placeholder). JSON output escapes control characters as ``\\uXXXX``.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import wraps
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from certdesk_tui.config import Settings, load_settings
from certdesk_tui.errors import CertdeskError
from certdesk_tui.service import Desk
from certdesk_tui.text import is_control, terminal_safe


class Context:
    def __init__(self, db_url: str | None, as_user: str | None,
                 config_path: str | None = None) -> None:
        self.db_url = db_url
        self.as_user = as_user
        self.config_path = config_path
        self._settings: Settings | None = None
        self._desk: Desk | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            if self.config_path:  # named on the command line: it must exist
                self._settings = load_settings(Path(self.config_path).expanduser(),
                                               required=True)
            else:
                self._settings = load_settings()
        return self._settings

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            from certdesk_tui.identity import open_desk

            self._desk = open_desk(self.settings, self.db_url, self.as_user)
        return self._desk


pass_ctx = click.make_pass_decorator(Context)


class Refused(click.ClickException):
    """A refusal found while reading the arguments: one line on stderr, exit 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo("certdesk: " + " ".join(terminal_safe(self.message).split()), err=True)


class Seconds(click.FloatRange):
    """A number of seconds in a range; ``nan`` is not in any range (click lets it through)."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        result = super().convert(value, param, ctx)
        if result != result:
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return result


class RecordId(click.ParamType):
    """The id of a request, a reason or an email: a whole number, ``#12`` accepted.

    Any whole number is passed on (the desk says "there is no request #0"); a number too
    long for any id is answered here the same way, and anything else is refused: never
    a usage error or a traceback. Only ASCII digits count (``int()`` would take ``٣``).
    """

    name = "ID"

    def __init__(self, noun: str) -> None:
        self.noun = noun

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        number = text.removeprefix("#")
        digits = number.removeprefix("-").removeprefix("+")
        if not (digits.isascii() and digits.isdigit()):
            shown = text if len(text) <= 40 else text[:37] + "..."
            raise Refused(f"{self.noun} ids are whole numbers, not {shown!r}")
        if len(digits.lstrip("0")) > 20:  # beyond any id (and int()'s digit limit)
            raise Refused(f"there is no {self.noun} #{number[:20]}...")
        return int(number)


def refusals(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a refusal (or a database that does not answer) into one line on stderr, exit 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with terminal_safe_output():
            try:
                result = func(*args, **kwargs)
            except CertdeskError as exc:
                message = str(exc)
            except SQLAlchemyError as exc:
                message = f"the database did not answer: {getattr(exc, 'orig', None) or exc}"
            else:
                return result
            # One line, even when a driver's message spans several; a message quoting
            # what was typed shows its control characters as placeholders.
            click.echo("certdesk: " + " ".join(terminal_safe(message).split()), err=True)
        sys.exit(1)

    return wrapper


class _TerminalSafeWriter(io.TextIOBase):
    """A text stream that writes what it is given through ``terminal_safe``."""

    def __init__(self, target: Any) -> None:
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


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(value: Any) -> str:
    """``value`` as indented JSON in which every control character is a ``\\uXXXX`` escape.

    (``json.dumps`` leaves DEL, the C1 controls, the bidirectional overrides and lone
    surrogates as they are; outside strings JSON holds no such character.)"""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    if all(line.isprintable() for line in text.split("\n")):
        return text
    return "".join(_json_escape(ch) if ch not in "\n" and is_control(ch) else ch
                   for ch in text)


def echo_json(value: Any) -> None:
    click.echo(json_text(value))
