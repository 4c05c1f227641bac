"""Which fonts draw a certificate, and the check that every character has a glyph.

DejaVu Sans covers Latin, Greek, Cyrillic, Hebrew and Arabic; documents that need them
also load Noto Sans Arabic and Noto Sans Hebrew (for the letters DejaVu lacks), Noto Sans
Devanagari and Thai, and Droid Sans Fallback (Chinese, Japanese, Korean), all shipped in
``fonts/`` with their licences. Right-to-left text, Arabic joining and the combining marks
of Indic scripts are shaped with HarfBuzz. A character no font has (an emoji, a control
character) refuses the certificate with its code point and name instead of a blank or a
dropped glyph.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from fontTools.ttLib import TTFont

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.written import is_unprintable
from certdesk_tui.pdf.layout import describe

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# Fallback fonts in the order they are tried for a character the main font lacks.
# Each is loaded only for a document with a character that needs it.
FALLBACKS: tuple[tuple[str, str], ...] = (
    ("NotoSansArabic", "NotoSansArabic-Regular.ttf"),
    ("NotoSansHebrew", "NotoSansHebrew-Regular.ttf"),
    ("NotoSansDevanagari", "NotoSansDevanagari-Regular.ttf"),
    ("NotoSansThai", "NotoSansThai-Regular.ttf"),
    ("DroidSansFallback", "DroidSansFallback.ttf"),
)
# Arabic letters join within a word, which only works when the whole word comes from
# one font: a document with Arabic draws all of it in Noto Sans Arabic.
ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF),
                 (0xFE70, 0xFEFE))


@functools.cache
def font_cmap(file_name: str) -> frozenset[int]:
    """The code points a shipped font has a glyph for (read once per process)."""
    with TTFont(FONT_DIR / file_name, lazy=True) as font:
        return frozenset(font.getBestCmap() or ())


@functools.cache
def main_cmap() -> frozenset[int]:
    """What the main font draws in both of its styles."""
    return font_cmap(FONT_FILES[""]) & font_cmap(FONT_FILES["B"])


def is_arabic(code: int) -> bool:
    return any(low <= code <= high for low, high in ARABIC_RANGES)


def needs_shaping(char: str) -> bool:
    """Right-to-left text and combining marks are placed by HarfBuzz."""
    return (unicodedata.bidirectional(char) in ("R", "AL", "AN")
            or unicodedata.category(char) in ("Mn", "Mc")
            or 0x1100 <= ord(char) <= 0x11FF)  # conjoining Hangul jamo


class DocumentFonts:
    """Which fonts a document needs, after checking that every character has a glyph.

    ``texts`` are (field label, text) pairs; a refusal names the field.
    """

    def __init__(self, texts: Iterable[tuple[str, str]]) -> None:
        main = main_cmap()
        self.fallbacks: list[tuple[str, str]] = []
        self.arabic = False
        self.shaping = False
        needed: set[str] = set()
        for label, text in texts:
            # One pass over the distinct characters, in the order they are written, so
            # that a refusal names the first character that cannot be drawn.
            for char in dict.fromkeys(text.replace("\n", "")):
                code = ord(char)
                if is_unprintable(char):
                    raise ValidationFailed(
                        f"the {label} has a control character that cannot be printed on a "
                        f"certificate: {describe(char)}")
                if code < 0x80:
                    continue  # ASCII: in the main font, never shaped
                arabic = is_arabic(code)
                self.arabic = self.arabic or arabic
                if not self.shaping and code >= 0x0300 and needs_shaping(char):
                    self.shaping = True
                if code in main and not arabic:
                    continue
                family = next((family for family, file_name in FALLBACKS
                               if code in font_cmap(file_name)), None)
                if family is None:
                    raise ValidationFailed(
                        f"the {label} has a character no certificate font can draw: "
                        f"{describe(char)}")
                needed.add(family)
        if self.arabic:
            needed.add(FALLBACKS[0][0])
        self.fallbacks = [(family, file_name) for family, file_name in FALLBACKS
                          if family in needed]

    def main_range(self, style: str) -> list[int] | None:
        """The code points the main font is used for: all but Arabic in an Arabic document."""
        return list(_non_arabic(FONT_FILES[style])) if self.arabic else None


@functools.cache
def _non_arabic(file_name: str) -> tuple[int, ...]:
    return tuple(sorted(code for code in font_cmap(file_name) if not is_arabic(code)))
