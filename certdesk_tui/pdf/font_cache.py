"""Fonts parsed once per process, and subsets made once per set of glyphs.

fpdf2's ``add_font`` parses a TrueType file and builds its width and glyph tables for
every document; the document's output then subsets that parsed font in place (fontTools
decompiles the tables of the whole font to do it) and closes it. Those two steps were
most of the time a certificate took. Here:

- each font is parsed once into a prototype; every document gets a light copy sharing
  the prototype's read-only tables (widths, glyph ids, character map, and the glyph
  names and widths shaping reads, and HarfBuzz's face of the font) with its own
  subset map, font descriptor and HarfBuzz font (which keeps the type size);
- once drawn, a document's fonts are cut to the glyphs it used (``subset``) with the
  options fpdf2's output uses, and each cut is kept for the next document drawn with the
  same glyphs (most certificates differ in a few letters at most). The cut is handed to
  the output as a font already subset, so fpdf2's own subsetting finds nothing left to
  do and embeds exactly the bytes it would have made;
- a new cut of the main font is made from its Latin cut (every glyph of the Latin
  letters and general punctuation, made once) when the glyphs allow: fontTools gives
  the same bytes as from the whole font at a fraction of the decompiling.

tests/test_certificate_pdf.py checks that the bytes are those of fpdf2 parsing and
subsetting every font for every document. One cache serves every thread that renders:
what is shared is built under a lock and never changed afterwards.
"""

from __future__ import annotations

import copy
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import HarfBuzzFont, SubsetMap, TTFFont, hb

# Attributes a document's copy shares with its prototype: never written after parsing.
_SHARED = ("type", "ttffile", "fontkey", "scale", "name", "up", "ut", "sp", "ss", "emphasis",
           "is_compressed", "is_cff", "is_cid_keyed", "is_symbol", "cff_ros",
           "collection_font_number", "cmap", "palette_index", "color_font")

# The tables fpdf2's output drops when it subsets a font (fpdf/output.py, _add_fonts).
_DROPPED_TABLES = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT",
                   "CBLC", "EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR")

# The Latin letters, general punctuation and the euro sign: the Latin cut of a font.
LATIN_RANGES = ((0x0000, 0x024F), (0x2000, 0x206F), (0x20AC, 0x20AC))

CUTS_KEPT = 1024
"""Cuts kept, least recently used dropped first (a Latin cut is about 14 KB)."""


@dataclass(eq=False)
class _Prototype:
    font: TTFFont
    data: bytes  # the whole font file
    latin: tuple[bytes, frozenset[str]] | None = None  # the Latin cut and its glyphs
    face: Any = None  # HarfBuzz's face of the font: read once, shared by every document


@dataclass(frozen=True)
class _Cut:
    data: bytes  # the font file cut to some glyphs
    glyph_order: list[str]  # the cut's glyphs by id
    glyph_ids: dict[str, int]


class _CutFont(ttLib.TTFont):  # type: ignore[misc]
    """A font already cut to a document's glyphs, as fpdf2's output expects to find it.

    It has no tables, so the subsetting the output runs on it has nothing to do; the
    output then asks for the glyph ids and the file, which are the cut's.
    """

    def __init__(self, cut: _Cut) -> None:
        super().__init__()
        self._cut = cut
        self.setGlyphOrder(cut.glyph_order)

    def getGlyphID(self, glyphName: str) -> int:  # noqa: N802, N803 (fontTools' names)
        return self._cut.glyph_ids[glyphName]

    def save(self, file: IO[bytes], *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        file.write(self._cut.data)


class FontCache:
    """Parsed fonts and cuts, for ``render_certificate``."""

    def __init__(self, *, kept: int = CUTS_KEPT) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._prototypes: dict[tuple[str, str, tuple[int, ...] | None], _Prototype] = {}
        self._cuts: OrderedDict[tuple[int, frozenset[str]], _Cut] = OrderedDict()
        # A document's font shares its prototype's character map: found by its id.
        self._by_cmap: dict[int, _Prototype] = {}
        self.cuts_made = 0  # how many times a font was cut for a new set of glyphs

    def add_font(self, pdf: FPDF, family: str, style: str, path: Path,
                 unicode_range: list[int] | None = None) -> None:
        """What ``pdf.add_font(family, style, path, unicode_range=...)`` does, from the cache."""
        fontkey = f"{family.lower()}{style}"
        prototype = self._prototype(path, fontkey, style, unicode_range)
        font = _copy(prototype.font, len(pdf.fonts) + 1)
        if prototype.face is not None:
            font._hbfont = HarfBuzzFont(prototype.face)  # keeps its own type size
        pdf.fonts[fontkey] = font

    def subset(self, pdf: FPDF) -> None:
        """Cut each of the document's fonts to the glyphs drawn, ready for ``pdf.output()``."""
        for font in pdf.fonts.values():
            if not isinstance(font, TTFFont):
                continue
            prototype = self._by_cmap.get(id(font.cmap))
            if prototype is None:
                continue
            glyphs = frozenset(font.subset.get_all_glyph_names())
            font.ttfont = _CutFont(self._cut(prototype, glyphs))

    def _cut(self, prototype: _Prototype, glyphs: frozenset[str]) -> _Cut:
        key = (id(prototype), glyphs)
        with self._lock:
            cut = self._cuts.get(key)
            if cut is not None:
                self._cuts.move_to_end(key)
                return cut
        latin_data, latin_glyphs = self._latin(prototype)
        cut = _subset(latin_data if glyphs <= latin_glyphs else prototype.data, glyphs)
        with self._lock:
            self._cuts[key] = cut
            self.cuts_made += 1
            while len(self._cuts) > self._kept:
                self._cuts.popitem(last=False)
        return cut

    def _prototype(self, path: Path, fontkey: str, style: str,
                   unicode_range: list[int] | None) -> _Prototype:
        key = (str(path), fontkey, tuple(unicode_range) if unicode_range is not None else None)
        prototype = self._prototypes.get(key)
        if prototype is not None:
            return prototype
        with self._lock:
            prototype = self._prototypes.get(key)
            if prototype is None:
                font = TTFFont(FPDF(), path, fontkey, style,
                               set(unicode_range) if unicode_range is not None else None)
                font.ttfont.close()  # what shaping reads (names, widths) is loaded
                data = path.read_bytes()
                face = hb.Face(hb.Blob(data)) if hb is not None else None
                prototype = _Prototype(font, data, face=face)
                self._prototypes[key] = prototype
                self._by_cmap[id(font.cmap)] = prototype
        return prototype

    def _latin(self, prototype: _Prototype) -> tuple[bytes, frozenset[str]]:
        with self._lock:
            if prototype.latin is None:
                glyphs = frozenset(
                    name for code, name in prototype.font.cmap.items()
                    if any(low <= code <= high for low, high in LATIN_RANGES))
                prototype.latin = (_subset(prototype.data, glyphs).data, glyphs)
            return prototype.latin


def _subset(data: bytes, glyphs: frozenset[str]) -> _Cut:
    """The font cut down to ``glyphs`` the way fpdf2's output cuts it."""
    font = ttLib.TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True)
    options.drop_tables += list(_DROPPED_TABLES)
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=sorted(glyphs))
    subsetter.subset(font)
    order = font.getGlyphOrder()
    out = io.BytesIO()
    font.save(out)
    font.close()
    return _Cut(out.getvalue(), order, {name: index for index, name in enumerate(order)})


def _copy(prototype: TTFFont, index: int) -> TTFFont:
    """A document's own font: the prototype's read-only tables, its own state."""
    font = TTFFont.__new__(TTFFont)
    for name in _SHARED:
        setattr(font, name, getattr(prototype, name))
    font.i = index
    # Shaping reads glyph names and widths from the prototype's fontTools font; the
    # document's cut replaces it before the output (which would subset it in place).
    font.ttfont = prototype.ttfont
    font.desc = copy.copy(prototype.desc)  # the output names and numbers it
    font.cw = prototype.cw.copy()  # a defaultdict: looking up a missing character adds it
    font.glyph_ids = dict(prototype.glyph_ids)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None  # HarfBuzz keeps the type size on its font: one per document
    font.subset = SubsetMap(font)
    return font


SHARED_FONTS = FontCache()
"""The process's cache, used by ``render_certificate`` unless told otherwise."""
