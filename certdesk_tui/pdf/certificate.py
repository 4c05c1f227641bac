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
from certdesk_tui.domain.certificates import ProducerContact, printed_code
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.pdf.archival import make_archival
from certdesk_tui.pdf.drawing import CertificateCanvas
from certdesk_tui.pdf.font_cache import SHARED_FONTS, FontCache
from certdesk_tui.pdf.layout import (
    CANCELLATION,
    COLUMNS,
    CONTACT_LABELS,
    CONTENT_W,
    COVERAGE_NOTE,
    DESCRIPTION_LABEL,
    DESCRIPTION_SIZES,
    ENDORSEMENT_NOTICE,
    FIELD_LABELS,
    HALF_W,
    LINE,
    MARGIN,
    NOT_APPLICABLE,
    NOTICE,
    OFFICERS_EXCLUDED,
    OFFICERS_NOTE,
    PAD,
    PAGE_H,
    PAGE_W,
    REMARKS_TITLE,
    VERIFICATION_LABEL,
    VERIFICATION_NOTE,
    WAIVER,
    WORKERS_COMPENSATION,
    clean,
    money,
    us_date,
)
from certdesk_tui.pdf.typefaces import FONT, FONT_DIR, FONT_FILES, DocumentFonts

# Characters whose glyphs every certificate embeds (``embed_common_glyphs``): printable
# ASCII, what nearly every name, address and code is written in. (With Latin-1 as well,
# a certificate would grow by 27 KB rather than 8 KB.)
COMMON_CHARACTERS = range(0x21, 0x7F)

def drawn_fields(form: CertificateForm, number: str,
                 contact: ProducerContact | None = None) -> Iterable[tuple[str, str]]:
    """Every text of the form drawn on the certificate, with the name a refusal gives it."""
    for name, label in FIELD_LABELS.items():
        yield label, getattr(form, name)
    yield "certificate number", number
    if contact is not None:
        for name, label in CONTACT_LABELS.items():
            yield label, getattr(contact, name)


def render_certificate(
    form: CertificateForm, *, number: str, revision: int, issued_on: date,
    verification_code: str, contact: ProducerContact,
    fonts: FontCache | None = SHARED_FONTS,
) -> bytes:
    """The certificate as PDF bytes; the same arguments always give the same bytes.

    ``contact`` is the brand's producer contact and authorized representative (from the
    settings), ``verification_code`` the code this issue is stored with. Raises
    ``ValidationFailed`` naming the field when a character cannot be drawn or a field
    does not fit even in the smallest type. ``fonts=None`` has fpdf2 parse every font
    again for this document (the reference the benchmark measures against).
    """
    form = replace(form, **{f.name: clean(getattr(form, f.name)) for f in fields(form)
                            if isinstance(getattr(form, f.name), str)})
    number = clean(number)
    contact = ProducerContact(*(clean(getattr(contact, f.name)) for f in fields(contact)))
    if len(form.description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            f"the description of operations is longer than {DESCRIPTION_MAX:,} characters: "
            "shorten it")
    pdf = _CertificatePDF(DocumentFonts(drawn_fields(form, number, contact)), fonts)
    pdf.code = printed_code(verification_code)
    pdf.contact = contact
    # Fixed metadata: fpdf2 otherwise stamps the current time, and its /ID is a
    # hash of the content plus this date, so both become deterministic.
    pdf.set_creation_date(datetime.combine(issued_on, time(0), tzinfo=UTC))
    pdf.set_producer("certdesk")
    pdf.set_creator("certdesk")
    pdf.set_title(f"Certificate of liability insurance {number} revision {revision}")
    pdf.set_author(form.producer_name)
    make_archival(pdf)
    pdf.add_page()
    pdf.draw(form, number=number, revision=revision, issued_on=issued_on)
    pdf.embed_common_glyphs()
    if fonts is not None:
        fonts.subset(pdf)
    return bytes(pdf.output())


def render_stored(data: Mapping[str, Any], *, number: str, revision: int,
                  issued_on: date, verification_code: str, contact: ProducerContact) -> bytes:
    """A stored certificate drawn from the form it keeps (``Certificate.data``).

    A demo certificate is stored without its file and drawn when first opened; one
    standing for an uploaded carrier's file keeps its form under ``"form"``.
    """
    form = CertificateForm.from_json(data.get("form", data))
    return render_certificate(form, number=number, revision=revision, issued_on=issued_on,
                              verification_code=verification_code, contact=contact)


class _CertificatePDF(CertificateCanvas):
    code: str  # the verification code as printed
    contact: ProducerContact

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

    def embed_common_glyphs(self) -> None:
        """Embed every glyph of ``COMMON_CHARACTERS`` in the main fonts, drawn or not.

        A document's fonts are cut to the glyphs it uses, and a cut is made once per set
        of glyphs. With the common characters always in, nearly every certificate (any
        name, number and verification code written in them) has the same set, so its
        fonts are cut once per process rather than once per certificate: the cut costs
        several times the drawing. They are added after the drawing, so the text keeps
        the character ids it was drawn with.
        """
        for style in FONT_FILES:
            font = self.fonts[f"{FONT.lower()}{style}"]
            for code in COMMON_CHARACTERS:
                if code in font.glyph_ids:
                    font.subset.pick(code)

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
        y = self._lines(MARGIN, 13, CONTENT_W - 86, title, size=15, bold=True)
        self._lines(MARGIN, y + 0.3, CONTENT_W - 86, VERIFICATION_NOTE, size=6.5)
        # The verification code beside the date: what a holder reads out to verify it.
        code_x = PAGE_W - MARGIN - 84
        self.rect(code_x, 12, 42, 10)
        self._label(code_x + PAD, 13, 39, VERIFICATION_LABEL)
        self._lines(code_x + PAD, 16.5, 39, self.code, size=10, bold=True,
                    field="verification code")
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

        # Title, verification code and date.
        self._title("CERTIFICATE OF LIABILITY INSURANCE", issued_on)

        # Notices: information only, no rights for the holder; endorsements decide.
        self.rect(left, 24, CONTENT_W, 17)
        y = self._lines(left + PAD, 25, CONTENT_W - 2 * PAD, NOTICE, size=6.8, max_lines=3)
        self._lines(left + PAD, y + 0.8, CONTENT_W - 2 * PAD, ENDORSEMENT_NOTICE, size=6.8,
                    bold=True, max_lines=3)

        # Producer and insured on the left; the producer's contact and the insurers right.
        top = 43
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
        self._contact(right + PAD, top + 1, inner)
        self.line(right, top + 18, right + HALF_W, top + 18)
        naic_w = 20
        name_w = inner - naic_w
        self._label(right + PAD, top + 19, name_w, "INSURER(S) AFFORDING COVERAGE")
        self._lines(right + PAD + name_w, top + 19, naic_w, "NAIC #", size=6.5, bold=True,
                    align="R")
        self.line(right, top + 23, right + HALF_W, top + 23)
        insurer = self._lines(right + PAD, top + 24.5, name_w - 2,
                              f"INSURER A: {form.insurer_name}", size=8, max_lines=2,
                              field=labels["insurer_name"])
        self._lines(right + PAD + name_w, top + 24.5, naic_w, form.insurer_naic, size=8,
                    align="R", field=labels["insurer_naic"])
        y = max(insurer, top + 24.5 + 3.4) + 2
        for letter in "BCD":
            self.line(right, y - 1, right + HALF_W, y - 1)
            y = self._lines(right + PAD, y, name_w, f"INSURER {letter}:", size=8) + 3.4

        # Coverages heading with the certificate and revision numbers.
        top = 101
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
        top = 153
        self.rect(left, top, CONTENT_W, 63)
        self._label(left + PAD, top + 1, CONTENT_W - 2 * PAD, DESCRIPTION_LABEL)
        rest = self._description(form.description, left + PAD, top + 5, CONTENT_W - 2 * PAD, 57)

        # Certificate holder (left), cancellation and signature (right).
        top = 218
        self.rect(left, top, HALF_W, 44)
        self._label(left + PAD, top + 1, inner, "CERTIFICATE HOLDER")
        y = self._lines(left + PAD, top + 6, inner, form.holder_name, size=9, bold=True,
                        max_lines=3, field=labels["holder_name"])
        # The name is drawn bold above; the rest of holder_block is the address.
        block = form.holder_block
        address = block[len(form.holder_name) :].lstrip("\n") if form.holder_name else block
        self._lines(left + PAD, y, inner, address, size=8.5, max_lines=5,
                    field=labels["holder_address"])

        self.rect(right, top, HALF_W, 22)
        self._label(right + PAD, top + 1, inner, "CANCELLATION")
        self._lines(right + PAD, top + 5, inner, CANCELLATION, size=7.5, max_lines=4)
        self._signature(right, top + 22, 22)
        return rest

    def _contact(self, x: float, y: float, width: float) -> None:
        """The producer's contact for this brand: who a holder calls about the certificate.

        A long name or address takes a second line (17 mm hold two lines of each).
        """
        contact = self.contact
        for label, value, field, lines in (
                ("CONTACT NAME", contact.name, CONTACT_LABELS["name"], 2),
                ("PHONE", contact.phone, CONTACT_LABELS["phone"], 1),
                ("E-MAIL", contact.email, CONTACT_LABELS["email"], 2)):
            self._lines(x, y + 0.3, 21, f"{label}:", size=6.5, bold=True)
            y = self._lines(x + 21.5, y, width - 21.5, value, size=8, max_lines=lines,
                            field=field) + 0.2

    def _signature(self, x: float, top: float, height: float) -> None:
        """The authorized representative: a signature line with the name under it."""
        inner = HALF_W - 2 * PAD
        self.rect(x, top, HALF_W, height)
        self._label(x + PAD, top + 1, inner, "AUTHORIZED REPRESENTATIVE")
        line_y = top + height - 9
        self.line(x + PAD, line_y, x + HALF_W - PAD, line_y)
        self._lines(x + PAD, line_y + 0.8, inner, self.contact.representative, size=9,
                    bold=True, max_lines=2, field=CONTACT_LABELS["representative"])

    def _coverages(self, form: CertificateForm, top: float) -> None:
        """The coverages table: a two-line heading and the workers' compensation row."""
        x = MARGIN
        row_h = 24
        self.set_fill_color(240, 240, 240)
        self.rect(MARGIN, top, CONTENT_W, 7, style="DF")
        for heading, width in COLUMNS:
            self.line(x, top, x, top + 7 + row_h)
            self._lines(
                x + 0.5, top + 0.8, width - 1, heading, size=6, bold=True, max_lines=2, align="C"
            )
            x += width
        row = top + 7
        self.rect(MARGIN, row, CONTENT_W, row_h)

        limits = [
            f"E.L. EACH ACCIDENT {money(form.each_accident)}",
            f"E.L. DISEASE - EA EMPLOYEE {money(form.disease_each_employee)}",
            f"E.L. DISEASE - POLICY LIMIT {money(form.disease_policy_limit)}",
        ]
        cells = [
            ("A", 7.5, True, 1, "insurer letter"),
            (WORKERS_COMPENSATION, 7.5, True, 3, "type of insurance"),
            # Additional insured does not apply to workers' compensation.
            (NOT_APPLICABLE, 7.5, False, 1, "additional insured mark"),
            ("Y" if form.wos else "N", 7.5, True, 1, "waiver mark"),
            (form.policy_number, 7.5, False, 4, FIELD_LABELS["policy_number"]),
            (us_date(form.effective), 7.5, False, 1, "effective date"),
            (us_date(form.expires), 7.5, False, 1, "expiry date"),
        ]
        x = MARGIN
        bottoms: list[float] = []
        for (text, size, bold, max_lines, field), (_, width) in zip(cells, COLUMNS, strict=False):
            align = "L" if max_lines > 1 else "C"
            bottoms.append(self._lines(x + 1, row + 1.5, width - 2, text, size=size, bold=bold,
                                       max_lines=max_lines, align=align, field=field))
            x += width
        self._officers_box(MARGIN + COLUMNS[0][1] + 1, bottoms[1] + 0.8, COLUMNS[1][1] - 2,
                           form.officers_excluded)
        # PER STATUTE / OTH-ER as check boxes: workers' compensation limits are statutory.
        y = row + 1.5
        y = self._check_boxes(x + 1, y, (("PER STATUTE", True), ("OTH-ER", False))) + 0.8
        # Amounts are never cut: the limits shrink together, and the bound on a limit
        # (automation.LIMIT_MAX) keeps them legible.
        width = COLUMNS[-1][1] - 2
        size = self._fitting_size(limits, width, 7.5)
        for line in limits:
            self.set_font(FONT, "", size)
            y = self._draw(x + 1, y, width, [line]) + 0.6

        if form.wos:
            self._lines(MARGIN, row + row_h + 1.5, CONTENT_W, WAIVER, size=9, bold=True)

    def _officers_box(self, x: float, y: float, width: float, excluded: bool) -> None:
        """The question with its Y/N box, and where an exclusion is described."""
        box = 3.2
        bottom = self._lines(x, y, width - box - 1, OFFICERS_EXCLUDED, size=5.5, max_lines=3)
        self.rect(x + width - box, y, box, box)
        self._lines(x + width - box, y + 0.5, box, "Y" if excluded else "N", size=7, bold=True,
                    align="C")
        self._lines(x, bottom + 0.2, width, OFFICERS_NOTE, size=5, max_lines=2)

    def _check_boxes(self, x: float, y: float, boxes: tuple[tuple[str, bool], ...]) -> float:
        """Labeled check boxes on one line, an X in each ticked one; the y below them."""
        box = 2.6
        for label, ticked in boxes:
            self.rect(x, y, box, box)
            if ticked:
                self._lines(x, y + 0.3, box, "X", size=6.5, bold=True, align="C")
            self._lines(x + box + 0.8, y + 0.2, 22, label, size=6.5, bold=True)
            self.set_font(FONT, "B", 6.5)
            x += box + 0.8 + self.get_string_width(label) + 3
        return y + box
