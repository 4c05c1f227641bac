"""Reading a JSON Lines record safely: every line bounded before it is parsed.

Its length, its nesting, the size of its numbers and its dates are checked so
that no line can exhaust memory or the stack, or hold a value the database
cannot store (a NUL, a lone surrogate).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import date
from typing import Any, BinaryIO

from certdesk_tui.domain.errors import IntakeRefused

# What one JSON Lines record may hold. A line is read at most this far: the rest of
# a longer line is skipped, never held in memory.
MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 16
# JSON integers must fit a signed 64-bit column; a longer literal is not even converted.
MAX_INTEGER = 2**63 - 1
MAX_NUMBER_CHARACTERS = 40
# Dates (submission times, policy terms) must lie in this span: far enough apart for any
# real policy, near enough that date arithmetic and time zones never overflow.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"


LINE_LIMIT_TEXT = f"{MAX_LINE_BYTES // (1024 * 1024)} MiB"


def read_lines(stream: BinaryIO) -> Iterator[bytes]:
    """The lines of a binary stream, each cut at ``MAX_LINE_BYTES + 1`` bytes.

    A longer line is read past (in pieces) and handed on cut, so that ``decode_line``
    refuses it without the whole of it ever being in memory.
    """
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(MAX_LINE_BYTES + 1)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line


def decode_line(raw: str | bytes, number: int) -> str:
    """One line as text: without its line ending (and a byte-order mark on line 1).

    Raises IntakeRefused for a line longer than ``MAX_LINE_BYTES`` or not UTF-8.
    """
    if isinstance(raw, bytes):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        raw = raw.rstrip(b"\r\n") if raw.endswith(b"\n") else raw
        if len(raw) > MAX_LINE_BYTES:
            raise IntakeRefused(f"line is longer than {LINE_LIMIT_TEXT}")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise IntakeRefused(
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1})"
            ) from None
    text = raw
    if number == 1 and text.startswith("\ufeff"):
        text = text[1:]
    text = text.rstrip("\r\n")
    # Four bytes a character at most: only a long line is measured exactly.
    if len(text) * 4 > MAX_LINE_BYTES and \
            len(text.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
        raise IntakeRefused(f"line is longer than {LINE_LIMIT_TEXT}")
    return text


def _nesting(line: str) -> int:
    """How deep the line's arrays and objects nest (brackets inside strings not counted)."""
    if line.count("[") + line.count("{") <= MAX_DEPTH:
        return 0
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", line))
    depth = deepest = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        else:
            depth -= 1
    return deepest


def _integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_NUMBER_CHARACTERS:
        raise IntakeRefused(f"a number of {len(literal.lstrip('-')):,} digits is too large")
    value = int(literal)
    if not -MAX_INTEGER <= value <= MAX_INTEGER:
        raise IntakeRefused(f"the number {literal} is too large")
    return value


def _float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARACTERS:
        raise IntakeRefused(f"a number of {len(literal):,} characters is too long")
    value = float(literal)
    if not math.isfinite(value):
        raise IntakeRefused(f"the number {literal} is too large")
    return value


def _constant(name: str) -> Any:
    raise IntakeRefused(f"{name} is not a number JSON allows")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise IntakeRefused(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _check_text(value: Any, where: str) -> None:
    """Refuse text a database cannot store: NUL characters and lone surrogates."""
    if isinstance(value, str):
        if "\x00" in value:
            raise IntakeRefused(f"{where or 'the line'} contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise IntakeRefused(
                f"{where or 'the line'} contains a lone surrogate "
                f"(\\u{ord(value[exc.start]):04x}), not a character"
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            _check_text(key, f"a key in {where}" if where else "a key")
            _check_text(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            _check_text(item, f"{where}[{index}]" if where else f"item {index}")


def load_record(line: str) -> dict[str, Any]:
    """One JSON Lines record as a dict, bounded; IntakeRefused says what is wrong."""
    depth = _nesting(line)
    if depth > MAX_DEPTH:
        raise IntakeRefused(f"nested more than {MAX_DEPTH} levels deep")
    try:
        data = json.loads(line, parse_int=_integer, parse_float=_float,
                          parse_constant=_constant, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise IntakeRefused(f"not valid JSON ({_json_problem(exc)})") from None
    except RecursionError:
        raise IntakeRefused(f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # a number Python itself will not convert
        raise IntakeRefused(f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise IntakeRefused("not a JSON object")
    _check_text(data, "")
    return data


def _json_problem(exc: json.JSONDecodeError) -> str:
    """What the JSON parser found, and where: "Expecting value at column 5".

    Some of its messages end in "at" already ("Invalid control character at",
    "Unterminated string starting at"): the column follows them without a second "at".
    """
    what = exc.msg.removesuffix(" at")
    if what.startswith("Invalid control character") and exc.pos < len(exc.doc):
        what = f"{what} U+{ord(exc.doc[exc.pos]):04X}"
    return f"{what} at column {exc.colno}"


def in_range(day: date, what: str, written: str = "") -> None:
    """Refuse a date outside ``EARLIEST``..``LATEST``. ``written``: the value as given,
    when ``day`` is what it comes to in UTC (a time with an offset)."""
    if not EARLIEST <= day <= LATEST:
        value = f"{shown(written)} ({day.isoformat()} in UTC)" if written else day.isoformat()
        raise IntakeRefused(
            f"{what} {value} is out of range ({EARLIEST.year} to {LATEST.year})"
        )


def shown(value: object, limit: int = 60) -> str:
    """A value quoted in a message: its repr, cut so that a huge one stays readable."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
