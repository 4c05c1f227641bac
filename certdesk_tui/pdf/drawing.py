"""Text on the certificate: wrapped, shrunk to fit down to ``MIN_SIZE``, or refused.

``CertificateCanvas`` is the fpdf2 document the certificate is drawn on; its
primitives place already-checked text at absolute positions, and every field that
does not fit even in the smallest type is refused with a ``ValidationFailed``
naming it. Nothing is ever cut.
"""

from __future__ import annotations

from collections.abc import Iterable

from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.pdf.layout import CONTINUED, DESCRIPTION_SIZES, LINE, MIN_SIZE, SIZE_STEP
from certdesk_tui.pdf.typefaces import FONT


def _sizes(size: float) -> Iterable[float]:
    """``size``, then smaller in half points down to ``MIN_SIZE``."""
    yield size
    while size - SIZE_STEP >= MIN_SIZE - 1e-9:
        size -= SIZE_STEP
        yield size


WRAPPED_KEPT = 4096
"""ASCII texts whose wrapped lines are kept (the printed sentences, common addresses)."""
_WRAPPED: dict[tuple[str, str, float, float, str], list[str]] = {}


class CertificateCanvas(FPDF):
    """A Letter page in millimetres with the certificate's text primitives."""

    def _wrap(self, text: str, width: float, max_lines: int) -> list[str] | None:
        """Word-wrap ``text`` to ``width`` in the current font; None when it needs more lines."""
        if not text.strip():
            return []
        # Most values are one short line; skipping fpdf2's line breaker halves the draw time.
        if "\n" not in text and self.get_string_width(text) <= width:
            return [text]
        # No letter is narrower than 0.25 em, so text this long cannot fit: refusing it
        # first keeps a huge input from stalling the line breaker.
        if len(text) > int(max_lines * width / (self.font_size * 0.25)) + 1:
            return None
        # The printed sentences (the notice, the cancellation) wrap the same way on every
        # certificate: fpdf2's line breaker, the slowest step left, runs once for them.
        key = None
        if self.text_shaping is None and text.isascii():
            key = (self.font_family, self.font_style, self.font_size_pt, width, text)
        lines = _WRAPPED.get(key) if key is not None else None
        if lines is None:
            lines = self.multi_cell(width, 1, text, dry_run=True,
                                    output=MethodReturnValue.LINES)
            if key is not None and len(_WRAPPED) < WRAPPED_KEPT:
                _WRAPPED[key] = lines
        return list(lines) if len(lines) <= max_lines else None

    def _draw(self, x: float, y: float, width: float, lines: list[str], align: str = "L") -> float:
        """Draw already wrapped lines in the current font; return the y below them."""
        height = self.font_size_pt * LINE
        for line in lines:
            self.set_xy(x, y)
            self.cell(width, height, line, align=align)
            y += height
        return y

    def _fit(
        self, text: str, width: float, *, size: float, bold: bool, max_lines: int, field: str
    ) -> list[str]:
        """Set the font to the largest size (down to ``MIN_SIZE``) at which ``text`` fits.

        A smaller size may use more lines in the same height. Raises ``ValidationFailed``
        naming ``field`` when even the smallest size does not hold it.
        """
        for candidate in _sizes(size):
            self.set_font(FONT, "B" if bold else "", candidate)
            lines = self._wrap(text, width, max(1, int(max_lines * size / candidate + 1e-9)))
            if lines is not None:
                return lines
        raise ValidationFailed(
            f"the {field} does not fit on the certificate even in {min(size, MIN_SIZE):g} pt "
            f"type: shorten it ({len(text):,} characters now)")

    def _lines(
        self,
        x: float,
        y: float,
        width: float,
        text: str,
        *,
        size: float,
        bold: bool = False,
        max_lines: int = 1,
        align: str = "L",
        field: str = "certificate text",
    ) -> float:
        """Draw wrapped text at (x, y), shrunk to fit if need be; return the y below it."""
        lines = self._fit(text, width, size=size, bold=bold, max_lines=max_lines, field=field)
        return self._draw(x, y, width, lines, align)

    def _label(self, x: float, y: float, width: float, text: str) -> float:
        return self._lines(x, y, width, text, size=6.5, bold=True)

    def _fitting_size(self, texts: list[str], width: float, size: float) -> float:
        """The largest font size (down to ``MIN_SIZE``) at which every text fits on one line."""
        for candidate in _sizes(size):
            self.set_font(FONT, "", candidate)
            if all(self.get_string_width(t) <= width for t in texts):
                return candidate
        raise ValidationFailed("the limits do not fit on the certificate: check the amounts")

    def _description(
        self, text: str, x: float, y: float, width: float, height: float
    ) -> list[str]:
        """Draw the description in its box, shrinking it down to 6 pt first.

        Text that does not fit even then is drawn at the largest size with a note, and
        the lines that did not fit are returned for the additional remarks pages.
        """
        for size in DESCRIPTION_SIZES:
            self.set_font(FONT, "", size)
            budget = int(height // (size * LINE))
            # The unwrapped width bounds the line count from below: skip hopeless
            # sizes without running the (slow) line breaker.
            if self.get_string_width(" ".join(text.split())) > width * budget:
                continue
            lines = self._wrap(text, width, budget)
            if lines is not None:
                self._draw(x, y, width, lines)
                return []
        size = DESCRIPTION_SIZES[0]
        self.set_font(FONT, "", size)
        lines = self.multi_cell(width, 1, text, dry_run=True, output=MethodReturnValue.LINES)
        budget = int(height // (size * LINE)) - 1
        self._draw(x, y, width, lines[:budget])
        self.set_font(FONT, "B", size)
        self._draw(x, y + budget * size * LINE, width, [CONTINUED])
        return lines[budget:]
