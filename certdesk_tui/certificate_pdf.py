"""The certificate of liability insurance as a one-page PDF (fpdf2).

This is our own layout of the usual certificate sections, not an ACORD form.
Every block has a fixed place and size on a Letter page; text that does not fit
is wrapped and then cut with an ellipsis, so any input yields exactly one page.
The output is byte-identical for the same input (fixed dates and metadata), so a
re-render of an issued certificate can be compared with the stored file.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from certdesk_tui.automation import CertificateForm

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"
ELLIPSIS = "\u2026"

# Letter portrait in millimetres; the margin gives a round 190 mm content width.
PAGE_W = 215.9
MARGIN = 12.95
CONTENT_W = PAGE_W - 2 * MARGIN
HALF_W = CONTENT_W / 2
PAD = 1.5  # inner padding of every box
LINE = 0.42  # line height in mm per point of font size: about 1.2 line spacing
DESCRIPTION_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0)

NOTICE = (
    "This certificate is issued for information only and gives the certificate holder no "
    "rights. It does not amend, extend or alter the coverage afforded by the policies listed "
    "below, and it is not a contract between the insurer(s), the producer and the holder."
)
COVERAGE_NOTE = (
    "The policies listed below have been issued to the insured named above for the policy "
    "period shown. Limits may have been reduced by paid claims. Coverage is subject to all "
    "terms, conditions and exclusions of the policies themselves."
)
CANCELLATION = (
    "If any policy described above is cancelled before its expiration date, notice will be "
    "delivered in accordance with the provisions of that policy."
)
WAIVER = "WAIVER OF SUBROGATION APPLIES"

# Coverages table: (heading, width in mm); the widths add up to CONTENT_W.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("INSR\nLTR", 10),
    ("TYPE OF INSURANCE", 36),
    ("ADDL\nINSD", 11),
    ("SUBR\nWVD", 11),
    ("POLICY NUMBER", 28),
    ("POLICY EFF\n(MM/DD/YYYY)", 20),
    ("POLICY EXP\n(MM/DD/YYYY)", 20),
    ("LIMITS", 54),
)

# Control characters (tabs, form feeds, ...) have no glyph and would be dropped
# with a warning; newlines are kept because they separate address lines.
_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


_TRANSLITERATE = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "Đ": "D",
        "đ": "d",
        "Ħ": "H",
        "ħ": "h",
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "Th",
        "þ": "th",
        "ı": "i",
    }
)


def certificate_file_name(number: str, revision: int, insured_name: str) -> str:
    """An ASCII file name, e.g. ``certificate-CD-000123-r0-acme-roofing.pdf``."""
    number_part = _slug(number, keep_case=True)[:30].strip("-")
    name_part = _slug(insured_name)
    stem = "-".join(p for p in ("certificate", number_part, f"r{int(revision)}", name_part) if p)
    # 76 + ".pdf" keeps the whole name within 80 characters.
    return stem[:76].rstrip("-") + ".pdf"


def _slug(text: str, *, keep_case: bool = False) -> str:
    # NFKD strips accents (é -> e) but leaves letters such as Ł or ß alone.
    text = unicodedata.normalize("NFKD", str(text).translate(_TRANSLITERATE))
    ascii_text = text.encode("ascii", "ignore").decode("ascii")
    if not keep_case:
        ascii_text = ascii_text.lower()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")


def _us_date(value: date) -> str:
    return value.strftime("%m/%d/%Y")


def _money(amount: int) -> str:
    return f"${amount:,}"


def _clean(text: str) -> str:
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL_RE.sub("", text)


def render_certificate(
    form: CertificateForm, *, number: str, revision: int, issued_on: date
) -> bytes:
    """The certificate as PDF bytes; the same arguments always give the same bytes."""
    pdf = _CertificatePDF()
    # Fixed metadata: fpdf2 otherwise stamps the current time, and its /ID is a
    # hash of the content plus this date, so both become deterministic.
    pdf.set_creation_date(datetime.combine(issued_on, time(0), tzinfo=UTC))
    pdf.set_producer("certdesk")
    pdf.set_creator("certdesk")
    pdf.set_title(f"Certificate of liability insurance {number} revision {revision}")
    pdf.set_author(_clean(form.producer_name))
    pdf.add_page()
    pdf.draw(form, number=number, revision=revision, issued_on=issued_on)
    return bytes(pdf.output())


class _CertificatePDF(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="Letter")
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        # Positions are absolute, so an automatic page break could only ever
        # produce a stray second page.
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_line_width(0.25)
        self.c_margin = 0  # boxes carry their own padding (PAD)

    # -- text primitives -------------------------------------------------------

    def _wrap(self, text: str, width: float, max_lines: int) -> tuple[list[str], bool]:
        """Word-wrap ``text`` to ``width`` in the current font: (lines, whether it was cut).

        Text beyond ``max_lines`` is dropped and the last kept line ends with an ellipsis.
        """
        text = _clean(text)
        if not text.strip() or max_lines < 1:
            return [], bool(text.strip())
        # Most values are one short line; skipping fpdf2's line breaker halves the draw time.
        if "\n" not in text and self.get_string_width(text) <= width:
            return [text], False
        # No DejaVu letter is narrower than 0.25 em, so nothing past this many characters
        # can fit; cutting first keeps a huge input from stalling the line breaker.
        limit = int(max_lines * width / (self.font_size * 0.25)) + 1
        cut = len(text) > limit
        lines: list[str] = self.multi_cell(
            width, 1, text[:limit], dry_run=True, output=MethodReturnValue.LINES
        )
        if len(lines) <= max_lines and not cut:
            return lines, False
        kept = lines[:max_lines]
        kept[-1] = self._ellipsize(kept[-1], width)
        return kept, True

    def _ellipsize(self, line: str, width: float) -> str:
        line = line.rstrip()
        while line and self.get_string_width(line + ELLIPSIS) > width:
            line = line[:-1].rstrip()
        return line + ELLIPSIS

    def _draw(self, x: float, y: float, width: float, lines: list[str], align: str = "L") -> float:
        """Draw already wrapped lines in the current font; return the y below them."""
        height = self.font_size_pt * LINE
        for line in lines:
            self.set_xy(x, y)
            self.cell(width, height, line, align=align)
            y += height
        return y

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
    ) -> float:
        """Draw wrapped text at (x, y); return the y below it."""
        self.set_font(FONT, "B" if bold else "", size)
        return self._draw(x, y, width, self._wrap(text, width, max_lines)[0], align)

    def _label(self, x: float, y: float, width: float, text: str) -> float:
        return self._lines(x, y, width, text, size=6.5, bold=True)

    def _fitting_size(self, texts: list[str], width: float, size: float, smallest: float) -> float:
        """The largest font size (down to ``smallest``) at which every text fits on one line."""
        while size > smallest:
            self.set_font(FONT, "", size)
            if all(self.get_string_width(t) <= width for t in texts):
                break
            size -= 0.5
        return size

    def _description(self, text: str, x: float, y: float, width: float, height: float) -> None:
        """A long description first shrinks (down to 6 pt), then is cut with an ellipsis."""
        text = _clean(text)
        for size in DESCRIPTION_SIZES:
            self.set_font(FONT, "", size)
            budget = int(height // (size * LINE))
            last = size == DESCRIPTION_SIZES[-1]
            # The unwrapped width bounds the line count from below: skip hopeless
            # sizes without running the (slow) line breaker.
            if not last and self.get_string_width(" ".join(text.split())) > width * budget:
                continue
            lines, cut = self._wrap(text, width, budget)
            if not cut or last:
                break
        self._draw(x, y, width, lines)

    # -- page ----------------------------------------------------------------

    def draw(self, form: CertificateForm, *, number: str, revision: int, issued_on: date) -> None:
        left, right = MARGIN, MARGIN + HALF_W
        inner = HALF_W - 2 * PAD

        # Title and date.
        self._lines(
            left, 13, CONTENT_W - 45, "CERTIFICATE OF LIABILITY INSURANCE", size=15, bold=True
        )
        self.rect(PAGE_W - MARGIN - 40, 12, 40, 10)
        self._label(PAGE_W - MARGIN - 40 + PAD, 13, 37, "DATE (MM/DD/YYYY)")
        self._lines(PAGE_W - MARGIN - 40 + PAD, 16.5, 37, _us_date(issued_on), size=10, bold=True)

        # Notice: information only, no rights for the holder.
        self.rect(left, 24, CONTENT_W, 10)
        self._lines(left + PAD, 25.2, CONTENT_W - 2 * PAD, NOTICE, size=6.8, max_lines=3)

        # Producer and insured on the left, insurers on the right.
        top = 36
        self.rect(left, top, HALF_W, 28)
        y = self._label(left + PAD, top + 1, inner, "PRODUCER")
        y = self._lines(
            left + PAD, y + 0.5, inner, form.producer_name, size=9, bold=True, max_lines=2
        )
        self._lines(left + PAD, y, inner, form.producer_address, size=8, max_lines=4)

        self.rect(left, top + 28, HALF_W, 28)
        y = self._label(left + PAD, top + 29, inner, "INSURED")
        y = self._lines(
            left + PAD, y + 0.5, inner, form.insured_name, size=9, bold=True, max_lines=2
        )
        self._lines(left + PAD, y, inner, form.insured_address, size=8, max_lines=4)

        self.rect(right, top, HALF_W, 56)
        naic_w = 20
        name_w = inner - naic_w
        self._label(right + PAD, top + 1, name_w, "INSURER(S) AFFORDING COVERAGE")
        self._lines(right + PAD + name_w, top + 1, naic_w, "NAIC #", size=6.5, bold=True, align="R")
        self.line(right, top + 5, right + HALF_W, top + 5)
        insurer = self._lines(
            right + PAD,
            top + 6.5,
            name_w - 2,
            f"INSURER A: {form.insurer_name}",
            size=8,
            max_lines=2,
        )
        self._lines(right + PAD + name_w, top + 6.5, naic_w, form.insurer_naic, size=8, align="R")
        y = max(insurer, top + 6.5 + 3.4) + 2
        for letter in "BCDEF":
            self.line(right, y - 1, right + HALF_W, y - 1)
            y = self._lines(right + PAD, y, name_w, f"INSURER {letter}:", size=8) + 3.4

        # Coverages heading with the certificate and revision numbers.
        top = 94
        self.set_fill_color(225, 225, 225)
        self.rect(left, top, CONTENT_W, 6, style="DF")
        self._lines(left + PAD, top + 1.3, 30, "COVERAGES", size=8.5, bold=True)
        self._lines(left + 40, top + 1.5, 80, f"CERTIFICATE NUMBER: {number}", size=8, bold=True)
        self._lines(
            left + 125,
            top + 1.5,
            CONTENT_W - 125 - PAD,
            f"REVISION NUMBER: {revision}",
            size=8,
            bold=True,
            align="R",
        )
        self.rect(left, top + 6, CONTENT_W, 8)
        self._lines(
            left + PAD, top + 6.8, CONTENT_W - 2 * PAD, COVERAGE_NOTE, size=6.5, max_lines=2
        )
        self._coverages(form, top + 14)

        # Description of operations: fixed box, the font shrinks before cutting.
        top = 146
        self.rect(left, top, CONTENT_W, 68)
        self._label(
            left + PAD,
            top + 1,
            CONTENT_W - 2 * PAD,
            "DESCRIPTION OF OPERATIONS / LOCATIONS / VEHICLES",
        )
        self._description(form.description, left + PAD, top + 5, CONTENT_W - 2 * PAD, 62)

        # Certificate holder (left), cancellation and signature (right).
        top = 216
        self.rect(left, top, HALF_W, 44)
        self._label(left + PAD, top + 1, inner, "CERTIFICATE HOLDER")
        y = self._lines(
            left + PAD, top + 6, inner, form.holder_name, size=9, bold=True, max_lines=3
        )
        # The name is drawn bold above; the rest of holder_block is the address.
        block = form.holder_block
        rest = block[len(form.holder_name) :].lstrip("\n") if form.holder_name else block
        self._lines(left + PAD, y, inner, rest, size=8.5, max_lines=5)

        self.rect(right, top, HALF_W, 24)
        self._label(right + PAD, top + 1, inner, "CANCELLATION")
        self._lines(right + PAD, top + 5, inner, CANCELLATION, size=7.5, max_lines=5)
        self.rect(right, top + 24, HALF_W, 20)
        self._label(right + PAD, top + 25, inner, "AUTHORIZED REPRESENTATIVE")
        self._lines(
            right + PAD, top + 32, inner, form.producer_name, size=10, bold=True, max_lines=2
        )

    def _coverages(self, form: CertificateForm, top: float) -> None:
        """The coverages table: a two-line heading and the workers' compensation row."""
        x = MARGIN
        self.set_fill_color(240, 240, 240)
        self.rect(MARGIN, top, CONTENT_W, 7, style="DF")
        for heading, width in COLUMNS:
            self.line(x, top, x, top + 7 + 20)
            self._lines(
                x + 0.5, top + 0.8, width - 1, heading, size=6, bold=True, max_lines=2, align="C"
            )
            x += width
        row = top + 7
        self.rect(MARGIN, row, CONTENT_W, 20)

        limits = [
            "PER STATUTE",
            f"E.L. EACH ACCIDENT {_money(form.each_accident)}",
            f"E.L. DISEASE - EA EMPLOYEE {_money(form.disease_each_employee)}",
            f"E.L. DISEASE - POLICY LIMIT {_money(form.disease_policy_limit)}",
        ]
        cells = [
            ("A", 7.5, True, 1),
            ("WORKERS COMPENSATION AND EMPLOYERS' LIABILITY", 7.5, True, 4),
            ("N", 7.5, False, 1),
            ("Y" if form.wos else "N", 7.5, True, 1),
            (form.policy_number, 7.5, False, 4),
            (_us_date(form.effective), 7.5, False, 1),
            (_us_date(form.expires), 7.5, False, 1),
        ]
        x = MARGIN
        for (text, size, bold, max_lines), (_, width) in zip(cells, COLUMNS, strict=False):
            align = "L" if max_lines > 1 else "C"
            self._lines(
                x + 1,
                row + 1.5,
                width - 2,
                text,
                size=size,
                bold=bold,
                max_lines=max_lines,
                align=align,
            )
            x += width
        # Amounts should not be cut, so the limits shrink (down to 5 pt) before anything is.
        width = COLUMNS[-1][1] - 2
        size = self._fitting_size(limits, width, 7.5, 5.0)
        y = row + 1.5
        for line in limits:
            y = self._lines(x + 1, y, width, line, size=size, bold=line == "PER STATUTE") + 0.6

        if form.wos:
            self._lines(MARGIN, row + 22, CONTENT_W, WAIVER, size=9, bold=True)
