"""Untrusted text for a terminal or an email: shown literally, never as markup or control.

Anything a customer or a colleague typed (names, addresses, policy numbers, notes,
rejection reasons, user names, file names, error messages quoting them) passes
through ``sanitize`` before it reaches a terminal or an outgoing email. It turns
every character a terminal could act on, or that could disguise the text around
it, into a visible placeholder:

* C0 controls (``\\x00``-``\\x1f``: ESC, BEL, backspace, carriage return...), DEL and
  the C1 controls (``\\x80``-``\\x9f``, where ``\\x9b`` is a one-byte CSI);
* format characters, among them the bidirectional overrides, embeddings and isolates
  (U+202A-U+202E, U+2066-U+2069), the marks U+200E, U+200F and U+061C, the zero-width
  space and the byte order mark; line and paragraph separators (U+2028, U+2029);
* lone surrogates, private-use and unassigned code points.

A placeholder is the character's code in Python's escape notation: ``\\x1b``,
``\\x9b``, ``\\u202e``, ``\\udc80``, ``\\U000e0041``. A backslash that the customer
typed is doubled only where it would otherwise read as a placeholder (``\\\\x1b`` is
the four characters they typed), so the shown text is unambiguous and ``reveal``
gives back exactly what was stored.

Kept as they are: every printable character of every script (combining marks too),
spaces of every width, and the zero-width joiner and non-joiner that Persian, Indic
scripts and emoji sequences need. Where a field may hold several lines
(``newlines=True``) line feeds and tabs stay and a CRLF pair is read as one line feed;
everywhere else a line feed is ``\\x0a`` and a tab ``\\x09``.

``visible``, ``escaped`` and ``one_line`` are the three ways callers use it;
``literal`` and ``literal_line`` wrap the result in a ``rich.text.Text``, which Textual
never parses as markup.
"""

from __future__ import annotations

import re
import unicodedata

from rich.text import Text

# Format characters that join letters (Persian, Indic scripts, emoji): no terminal acts on them.
_JOINERS = frozenset("\u200c\u200d")
_C0_C1 = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
# After a typed backslash, what would read as a placeholder (or as an escaped backslash).
_READS_AS_ESCAPE = re.compile(r"\\|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}")
_PLACEHOLDER = re.compile(r"\\(\\|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})")


def is_control(ch: str) -> bool:
    """Would a terminal act on this character, or could it disguise the text around it?"""
    if ch.isprintable() or ch in _JOINERS:
        return False
    # Spaces of other widths (no-break, ideographic...) are text; every other
    # non-printable character (Cc, Cf, Cs, Co, Cn, Zl, Zp) is not.
    return unicodedata.category(ch) != "Zs"


def placeholder(ch: str) -> str:
    """The visible stand-in for one character: its code in Python's escape notation."""
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def sanitize(value: object, *, newlines: bool = False, reversible: bool = True) -> str:
    """``value`` as text in which no character is a control: each one is a placeholder.

    ``newlines``: the field may hold several lines; line feeds and tabs stay (a CRLF
    pair becomes one line feed). ``reversible=False`` leaves backslashes alone: for
    text that already quotes escapes itself (an error message with a ``repr``), or a
    last check over a whole line of output whose parts were sanitized already.
    """
    text = "" if value is None else str(value)
    keep = "\n\t" if newlines else ""
    if newlines and "\r" in text:
        text = text.replace("\r\n", "\n")
    lines = text.split("\n") if newlines else [text]
    return "\n".join(_sanitize_line(line, keep, reversible) for line in lines)


class _Placeholders(dict):
    """A ``str.translate`` table, filled as characters are met: a control character maps
    to its placeholder, any other to itself (``keep``: controls a field allows)."""

    def __init__(self, keep: str) -> None:
        super().__init__()
        self.keep = keep

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        self[code] = shown = ch if ch in self.keep or not is_control(ch) else placeholder(ch)
        return shown


_TABLES = {"": _Placeholders(""), "\n\t": _Placeholders("\n\t")}


def _sanitize_line(text: str, keep: str, reversible: bool) -> str:
    if text.isprintable() and (not reversible or "\\" not in text):
        return text  # the common case, at C speed
    table = _TABLES[keep]
    if not reversible or "\\" not in text:
        return text.translate(table)
    out: list[str] = []
    start = 0
    i = text.find("\\")
    while i >= 0:
        following = text[i + 1:i + 2]
        if following and ((following not in keep and is_control(following))
                          or _READS_AS_ESCAPE.match(text, i + 1) is not None):
            out.append(text[start:i + 1].translate(table))
            out.append("\\")  # the typed backslash, doubled
            start = i + 1
        i = text.find("\\", i + 1)
    out.append(text[start:].translate(table))
    return "".join(out)


def reveal(shown: str) -> str:
    """The text ``sanitize(text)`` was made from (the inverse, for one-line text)."""

    def original(match: re.Match[str]) -> str:
        code = match[1]
        return "\\" if code == "\\" else chr(int(code[1:], 16))

    return _PLACEHOLDER.sub(original, shown)


def visible(value: object) -> str:
    """A field that may hold several lines: line feeds and tabs kept, every control shown."""
    return sanitize(value, newlines=True)


def escaped(value: object) -> str:
    """One line on a terminal: every control shown, line feeds and tabs too."""
    return sanitize(value)


def one_line(value: object) -> str:
    """A table cell: like ``visible``, with line breaks and runs of spaces made one space."""
    return " ".join(visible(value).split())


def folded_line(text: str, limit: int = 200) -> str:
    """An email header or subject: control characters (line breaks too) folded to spaces,
    clipped to ``limit``. Unlike ``one_line`` it shows nothing: a header has no glyphs."""
    folded = " ".join(_C0_C1.sub(" ", text or "").split())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


def terminal_safe(text: str) -> str:
    """A line about to be printed (or notified): controls shown, backslashes and line
    breaks left as they are. The last check where a message is put together from
    parts, some of them quoted with ``repr`` or already sanitized."""
    return sanitize(text, newlines=True, reversible=False)


def literal(value: object, style: str = "") -> Text:
    """A Text that displays ``value`` exactly, whatever brackets it contains."""
    return Text(visible(value), style=style)


def literal_line(value: object, style: str = "") -> Text:
    return Text(one_line(value), style=style, no_wrap=True, overflow="ellipsis")
