"""The certificate of liability insurance as a PDF (fpdf2).

A certificate is right or it is not issued, so nothing is cut: text that does not fit
is wrapped, then set in smaller type down to ``MIN_SIZE``, and refused with a
``ValidationFailed`` naming the field past that; a long description of operations
continues on additional remarks pages. Every character of every field is drawn or the
certificate is refused naming it (``typefaces``). The output is byte-identical for the
same input (fixed dates and metadata), so a re-render of an issued certificate can be
compared with the stored file. Fonts come parsed from ``font_cache``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from datetime import UTC, date, datetime, time
from typing import Any

from certdesk_tui.domain.automation import DESCRIPTION_MAX, CertificateForm
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.pdf.drawing import CertificateCanvas
from certdesk_tui.pdf.font_cache import SHARED_FONTS, FontCache
from certdesk_tui.pdf.layout import (
    CANCELLATION,
    COLUMNS,
    CONTENT_W,
    COVERAGE_NOTE,
    DESCRIPTION_LABEL,
    DESCRIPTION_SIZES,
    FIELD_LABELS,
    HALF_W,
    LINE,
    MARGIN,
    NOTICE,
    PAD,
    PAGE_H,
    PAGE_W,
    REMARKS_TITLE,
    WAIVER,
    clean,
    money,
    us_date,
)
from certdesk_tui.pdf.typefaces import FONT, FONT_DIR, FONT_FILES, DocumentFonts


def drawn_fields(form: CertificateForm, number: str) -> Iterable[tuple[str, str]]:
    """Every text of the form drawn on the certificate, with the name a refusal gives it."""
    for name, label in FIELD_LABELS.items():
        yield label, getattr(form, name)
    yield "certificate number", number


def render_certificate(
    form: CertificateForm, *, number: str, revision: int, issued_on: date,
    fonts: FontCache | None = SHARED_FONTS,
) -> bytes:
    """The certificate as PDF bytes; the same arguments always give the same bytes.

    Raises ``ValidationFailed`` naming the field when a character cannot be drawn or a
    field does not fit even in the smallest type. ``fonts=None`` has fpdf2 parse every
    font again for this document (the reference the benchmark measures against).
    """
    form = replace(form, **{f.name: clean(getattr(form, f.name)) for f in fields(form)
                            if isinstance(getattr(form, f.name), str)})
    number = clean(number)
    if len(form.description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            f"the description of operations is longer than {DESCRIPTION_MAX:,} characters: "
            "shorten it")
    pdf = _CertificatePDF(DocumentFonts(drawn_fields(form, number)), fonts)
    # Fixed metadata: fpdf2 otherwise stamps the current time, and its /ID is a
    # hash of the content plus this date, so both become deterministic.
    pdf.set_creation_date(datetime.combine(issued_on, time(0), tzinfo=UTC))
    pdf.set_producer("certdesk")
    pdf.set_creator("certdesk")
    pdf.set_title(f"Certificate of liability insurance {number} revision {revision}")
    pdf.set_author(form.producer_name)
    pdf.add_page()
    pdf.draw(form, number=number, revision=revision, issued_on=issued_on)
    if fonts is not None:
        fonts.subset(pdf)
    return bytes(pdf.output())


def render_stored(data: Mapping[str, Any], *, number: str, revision: int,
                  issued_on: date) -> bytes:
    """A stored certificate drawn from the form it keeps (``Certificate.data``).

    A demo certificate is stored without its file and drawn when first opened; one
    standing for an uploaded carrier's file keeps its form under ``"form"``.
    """
    form = CertificateForm.from_json(data.get("form", data))
    return render_certificate(form, number=number, revision=revision, issued_on=issued_on)


class _CertificatePDF(CertificateCanvas):
    def __init__(self, needed: DocumentFonts, fonts: FontCache | None) -> None:
        super().__init__(orientation="P", unit="mm", format="Letter")
        for style, file_name in FONT_FILES.items():
            path, unicode_range = FONT_DIR / file_name, needed.main_range(style)
            if fonts is None:
                self.add_font(FONT, style, path, unicode_range=unicode_range)
            else:
                fonts.add_font(self, FONT, style, path, unicode_range)
        if needed.fallbacks:
            for family, file_name in needed.fallbacks:
                if fonts is None:
                    self.add_font(family, "", FONT_DIR / file_name)
                else:
                    fonts.add_font(self, family, "", FONT_DIR / file_name)
            # Bold text falls back to the regular face: a glyph is never left out.
            self.set_fallback_fonts([family for family, _ in needed.fallbacks],
                                    exact_match=False)
        if needed.shaping:
            self.set_text_shaping(True)
        # Positions are absolute, so an automatic page break could only ever
        # produce a stray page; additional remarks pages are added explicitly.
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_line_width(0.25)
        self.c_margin = 0  # boxes carry their own padding (PAD)

    # -- pages ---------------------------------------------------------------

    def draw(self, form: CertificateForm, *, number: str, revision: int, issued_on: date) -> None:
        rest = self._first_page(form, number=number, revision=revision, issued_on=issued_on)
        if not rest:
            return
        size = DESCRIPTION_SIZES[0]
        top = 52.0  # where the continued text starts on a remarks page
        per_page = int((PAGE_H - MARGIN - 8 - top) // (size * LINE))
        pages = [rest[i : i + per_page] for i in range(0, len(rest), per_page)]
        total = 1 + len(pages)
        self._page_number(1, total)
        for index, lines in enumerate(pages, start=2):
            self.add_page()
            self._remarks_page(form, number=number, revision=revision, issued_on=issued_on)
            self.set_font(FONT, "", size)
            self._draw(MARGIN + PAD, top, CONTENT_W - 2 * PAD, lines)
            self._page_number(index, total)

    def _page_number(self, page: int, total: int) -> None:
        self._lines(MARGIN, PAGE_H - MARGIN - 3, CONTENT_W, f"Page {page} of {total}",
                    size=6.5, align="R")

    def _title(self, title: str, issued_on: date) -> None:
        self._lines(MARGIN, 13, CONTENT_W - 45, title, size=15, bold=True)
        self.rect(PAGE_W - MARGIN - 40, 12, 40, 10)
        self._label(PAGE_W - MARGIN - 40 + PAD, 13, 37, "DATE (MM/DD/YYYY)")
        self._lines(PAGE_W - MARGIN - 40 + PAD, 16.5, 37, us_date(issued_on), size=10, bold=True)

    def _remarks_page(
        self, form: CertificateForm, *, number: str, revision: int, issued_on: date
    ) -> None:
        """An additional remarks page: which certificate it belongs to, then the text."""
        left = MARGIN
        self._title(REMARKS_TITLE, issued_on)
        self.rect(left, 24, CONTENT_W, 20)
        self._lines(left + PAD, 25.2, CONTENT_W - 2 * PAD,
                    f"This page is part of certificate {number}, revision {revision}.",
                    size=8, bold=True)
        y = self._label(left + PAD, 30, CONTENT_W - 2 * PAD, "INSURED")
        self._lines(left + PAD, y + 0.5, CONTENT_W - 2 * PAD, form.insured_name, size=9,
                    bold=True, max_lines=2, field=FIELD_LABELS["insured_name"])
        self._label(left + PAD, 46.5, CONTENT_W - 2 * PAD, f"{DESCRIPTION_LABEL} (CONTINUED)")

    def _first_page(
        self, form: CertificateForm, *, number: str, revision: int, issued_on: date
    ) -> list[str]:
        """The certificate itself; returns the description lines left for remarks pages."""
        left, right = MARGIN, MARGIN + HALF_W
        inner = HALF_W - 2 * PAD
        labels = FIELD_LABELS

        # Title and date.
        self._title("CERTIFICATE OF LIABILITY INSURANCE", issued_on)

        # Notice: information only, no rights for the holder.
        self.rect(left, 24, CONTENT_W, 10)
        self._lines(left + PAD, 25.2, CONTENT_W - 2 * PAD, NOTICE, size=6.8, max_lines=3)

        # Producer and insured on the left, insurers on the right.
        top = 36
        self.rect(left, top, HALF_W, 28)
        y = self._label(left + PAD, top + 1, inner, "PRODUCER")
        y = self._lines(left + PAD, y + 0.5, inner, form.producer_name, size=9, bold=True,
                        max_lines=2, field=labels["producer_name"])
        self._lines(left + PAD, y, inner, form.producer_address, size=8, max_lines=4,
                    field=labels["producer_address"])

        self.rect(left, top + 28, HALF_W, 28)
        y = self._label(left + PAD, top + 29, inner, "INSURED")
        y = self._lines(left + PAD, y + 0.5, inner, form.insured_name, size=9, bold=True,
                        max_lines=2, field=labels["insured_name"])
        self._lines(left + PAD, y, inner, form.insured_address, size=8, max_lines=4,
                    field=labels["insured_address"])

        self.rect(right, top, HALF_W, 56)
        naic_w = 20
        name_w = inner - naic_w
        self._label(right + PAD, top + 1, name_w, "INSURER(S) AFFORDING COVERAGE")
        self._lines(right + PAD + name_w, top + 1, naic_w, "NAIC #", size=6.5, bold=True, align="R")
        self.line(right, top + 5, right + HALF_W, top + 5)
        insurer = self._lines(right + PAD, top + 6.5, name_w - 2,
                              f"INSURER A: {form.insurer_name}", size=8, max_lines=2,
                              field=labels["insurer_name"])
        self._lines(right + PAD + name_w, top + 6.5, naic_w, form.insurer_naic, size=8,
                    align="R", field=labels["insurer_naic"])
        y = max(insurer, top + 6.5 + 3.4) + 2
        for letter in "BCDEF":
            self.line(right, y - 1, right + HALF_W, y - 1)
            y = self._lines(right + PAD, y, name_w, f"INSURER {letter}:", size=8) + 3.4

        # Coverages heading with the certificate and revision numbers.
        top = 94
        self.set_fill_color(225, 225, 225)
        self.rect(left, top, CONTENT_W, 6, style="DF")
        self._lines(left + PAD, top + 1.3, 30, "COVERAGES", size=8.5, bold=True)
        self._lines(left + 40, top + 1.5, 80, f"CERTIFICATE NUMBER: {number}", size=8, bold=True,
                    field="certificate number")
        self._lines(left + 125, top + 1.5, CONTENT_W - 125 - PAD, f"REVISION NUMBER: {revision}",
                    size=8, bold=True, align="R", field="revision number")
        self.rect(left, top + 6, CONTENT_W, 8)
        self._lines(
            left + PAD, top + 6.8, CONTENT_W - 2 * PAD, COVERAGE_NOTE, size=6.5, max_lines=2
        )
        self._coverages(form, top + 14)

        # Description of operations: fixed box, the font shrinks before it continues.
        top = 146
        self.rect(left, top, CONTENT_W, 68)
        self._label(left + PAD, top + 1, CONTENT_W - 2 * PAD, DESCRIPTION_LABEL)
        rest = self._description(form.description, left + PAD, top + 5, CONTENT_W - 2 * PAD, 62)

        # Certificate holder (left), cancellation and signature (right).
        top = 216
        self.rect(left, top, HALF_W, 44)
        self._label(left + PAD, top + 1, inner, "CERTIFICATE HOLDER")
        y = self._lines(left + PAD, top + 6, inner, form.holder_name, size=9, bold=True,
                        max_lines=3, field=labels["holder_name"])
        # The name is drawn bold above; the rest of holder_block is the address.
        block = form.holder_block
        address = block[len(form.holder_name) :].lstrip("\n") if form.holder_name else block
        self._lines(left + PAD, y, inner, address, size=8.5, max_lines=5,
                    field=labels["holder_address"])

        self.rect(right, top, HALF_W, 24)
        self._label(right + PAD, top + 1, inner, "CANCELLATION")
        self._lines(right + PAD, top + 5, inner, CANCELLATION, size=7.5, max_lines=5)
        self.rect(right, top + 24, HALF_W, 20)
        self._label(right + PAD, top + 25, inner, "AUTHORIZED REPRESENTATIVE")
        self._lines(right + PAD, top + 32, inner, form.producer_name, size=10, bold=True,
                    max_lines=2, field=labels["producer_name"])
        return rest

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
            f"E.L. EACH ACCIDENT {money(form.each_accident)}",
            f"E.L. DISEASE - EA EMPLOYEE {money(form.disease_each_employee)}",
            f"E.L. DISEASE - POLICY LIMIT {money(form.disease_policy_limit)}",
        ]
        cells = [
            ("A", 7.5, True, 1, "insurer letter"),
            ("WORKERS COMPENSATION AND EMPLOYERS' LIABILITY", 7.5, True, 4, "type of insurance"),
            ("N", 7.5, False, 1, "additional insured mark"),
            ("Y" if form.wos else "N", 7.5, True, 1, "waiver mark"),
            (form.policy_number, 7.5, False, 4, FIELD_LABELS["policy_number"]),
            (us_date(form.effective), 7.5, False, 1, "effective date"),
            (us_date(form.expires), 7.5, False, 1, "expiry date"),
        ]
        x = MARGIN
        for (text, size, bold, max_lines, field), (_, width) in zip(cells, COLUMNS, strict=False):
            align = "L" if max_lines > 1 else "C"
            self._lines(x + 1, row + 1.5, width - 2, text, size=size, bold=bold,
                        max_lines=max_lines, align=align, field=field)
            x += width
        # Amounts are never cut: the limits shrink together, and the bound on a limit
        # (automation.LIMIT_MAX) keeps them legible.
        width = COLUMNS[-1][1] - 2
        size = self._fitting_size(limits, width, 7.5)
        y = row + 1.5
        for line in limits:
            self.set_font(FONT, "B" if line == "PER STATUTE" else "", size)
            y = self._draw(x + 1, y, width, [line]) + 0.6

        if form.wos:
            self._lines(MARGIN, row + 22, CONTENT_W, WAIVER, size=9, bold=True)
