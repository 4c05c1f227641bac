"""What counts as written text: one rule for blank text and for characters that deceive.

A name, a note or a reason is blank when no character of it draws anything a reader can
see: spaces of every width, line breaks, format characters (zero-width space, joiners,
word joiner), combining marks with no letter, and the letters and symbols that Unicode
defines but no font draws (the Hangul fillers, the blank braille cell). ``"   "``,
``"\u200b\u200b"`` and ``"\u2800\u2800"`` are all blank, so none of them can stand for a
holder's name on a certificate or for the written reason an override asks for.

A control character (C0, C1), a lone surrogate, or a bidirectional embedding, override
or isolate (which reorders what a reader sees) is refused wherever text is printed or
quoted to someone else.
"""

from __future__ import annotations

import unicodedata

# Bidirectional embeddings, overrides and isolates: they reorder the text around them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Bidirectional marks: invisible, they change the direction of the characters next to
# them. Refused in the reasons and notes staff write (plain text in one direction).
BIDI_MARKS = frozenset("\u061c\u200e\u200f")
# Letters and symbols by their category that no font draws: Hangul fillers, the
# Mongolian vowel separator, Khmer inherent vowels, the combining grapheme joiner, the
# blank braille cell.
_DRAW_NOTHING = frozenset("\u115f\u1160\u3164\uffa0\u180e\u17b4\u17b5\u034f\u2800")


def visible(char: str) -> bool:
    """Does this character draw something on its own?"""
    return unicodedata.category(char)[0] not in "CZM" and char not in _DRAW_NOTHING


def is_blank(text: str | None) -> bool:
    """No character of ``text`` draws anything (empty, spaces, invisible characters)."""
    return not any(visible(char) for char in text or "")


def is_unprintable(char: str) -> bool:
    """Whether ``char`` may not be printed on a certificate or in an email: a control
    character (C0, DEL, C1; a line break too, where one line is expected) or a
    bidirectional control.

    The one rule for text certdesk prints as given: the certificate's fields, the
    producer contacts and the mail settings, the names and emails of users.
    """
    return unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS


def unprintable(text: str) -> str | None:
    """The first character of ``text`` that ``is_unprintable`` (None: there is none)."""
    return next((char for char in text if is_unprintable(char)), None)


def deceiving_character(text: str, *, marks: bool = False) -> str | None:
    """The first character of a reason or note someone wrote that is unprintable, a lone
    surrogate or (with ``marks``) a bidirectional mark, or None."""
    for char in text:
        if (is_unprintable(char) or unicodedata.category(char) == "Cs"
                or (marks and char in BIDI_MARKS)):
            return char
    return None
