"""Untrusted text for the screen: shown literally, never as markup or control sequences.

Everything a customer typed goes through ``literal`` before it reaches a widget:
it returns a ``rich.text.Text`` (which Textual never parses as markup) with
control characters made visible, so an ANSI escape shows as ``\\x1b[31m``.
"""

from __future__ import annotations

from rich.text import Text


def visible(value: object) -> str:
    """The string with control characters (newlines aside) spelt out."""
    text = "" if value is None else str(value)
    return "".join(
        ch if ch.isprintable() or ch in "\n" else repr(ch)[1:-1] for ch in text
    )


def escaped(value: object) -> str:
    """Every control character spelt out, newlines too (one line on a terminal)."""
    text = "" if value is None else str(value)
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def one_line(value: object) -> str:
    """Like ``visible`` but newlines and tabs become spaces (for table cells)."""
    return " ".join(visible(value).replace("\n", " ").split())


def literal(value: object, style: str = "") -> Text:
    """A Text that displays ``value`` exactly, whatever brackets it contains."""
    return Text(visible(value), style=style)


def literal_line(value: object, style: str = "") -> Text:
    return Text(one_line(value), style=style, no_wrap=True, overflow="ellipsis")
