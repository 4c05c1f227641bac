"""What a holder looks for on the certificate, read back from the PDF (pypdf).

The producer's contact, the endorsement notice, the excluded-officers box, the check
boxes, ADDL INSD not applicable, the authorized representative, American spelling, the
verification code, and the archival form (PDF/A-2B in American English).
"""

from __future__ import annotations

import re
import xml.dom.minidom
from dataclasses import replace

import pypdf
import pytest

from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.certificates import ProducerContact
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.pdf.certificate import render_certificate
from certdesk_tui.pdf.layout import ENDORSEMENT_NOTICE, OFFICERS_EXCLUDED
from certdesk_tui.pdf.printed import printed_verification_code
from tests.unit.test_certificate_pdf import (
    CODE,
    ISSUED_ON,
    MM_TO_PT,
    column_texts,
    reader,
)
from tests.unit.test_certificate_pdf import form as form  # the fixture

CONTACT = ProducerContact("Jordan Lee, Certificate Desk", "(555) 010-4242",
                          "jordan@agency.example", "Alex Moreno")


def render(form: CertificateForm, contact: ProducerContact = CONTACT, code: str = CODE,
           revision: int = 2) -> bytes:
    return render_certificate(form, number="CD-000123", revision=revision, issued_on=ISSUED_ON,
                              verification_code=code, contact=contact)


def flat(pdf: bytes, page: int = 0) -> str:
    return " ".join(reader(pdf).pages[page].extract_text().split())


def test_the_producer_contact_is_printed_name_phone_and_email(form: CertificateForm) -> None:
    text = flat(render(form))
    assert "CONTACT NAME: Jordan Lee, Certificate Desk" in text
    assert "PHONE: (555) 010-4242" in text
    assert "E-MAIL: jordan@agency.example" in text


def test_the_endorsement_notice_is_printed(form: CertificateForm) -> None:
    text = flat(render(form))
    assert " ".join(ENDORSEMENT_NOTICE.split()) in text
    assert "additional insured" in ENDORSEMENT_NOTICE
    assert "waiver of subrogation" in ENDORSEMENT_NOTICE and "endorsement" in ENDORSEMENT_NOTICE


@pytest.mark.parametrize(("excluded", "mark"), [(False, "N"), (True, "Y")])
def test_the_excluded_officers_box_says_y_or_n(form: CertificateForm, excluded: bool,
                                               mark: str) -> None:
    pdf = render(replace(form, officers_excluded=excluded))
    column = column_texts(pdf, "TYPE OF INSURANCE")
    # The box sits beside the question's first line.
    assert column[column.index("ANY PROPRIETOR / PARTNER /") + 1] == mark
    assert [text for text in column if text in ("Y", "N")] == [mark]
    assert " ".join(OFFICERS_EXCLUDED.split()) in flat(pdf)
    assert "If Y, described under the description of operations." in flat(pdf)


def test_officers_excluded_is_a_yes_or_no_field_of_the_form(form: CertificateForm) -> None:
    assert form.officers_excluded is False
    assert form.with_changes({"officers_excluded": "yes"}).officers_excluded is True
    with pytest.raises(ValidationFailed, match="officers_excluded must be yes or no"):
        form.with_changes({"officers_excluded": "maybe"})
    stored = form.to_json()
    del stored["officers_excluded"]  # a certificate stored before the box existed
    assert CertificateForm.from_json(stored).officers_excluded is False


def test_per_statute_is_a_ticked_box_and_oth_er_an_empty_one(form: CertificateForm) -> None:
    pdf = render(form)
    runs: dict[str, list[float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip() in ("X", "PER STATUTE", "OTH-ER"):
            runs.setdefault(text.strip(), []).append(tm[4] / MM_TO_PT)

    reader(pdf).pages[0].extract_text(visitor_text=visit)
    [tick], [statute], [other] = runs["X"], runs["PER STATUTE"], runs["OTH-ER"]
    # One X, in the box just left of PER STATUTE; OTH-ER's box stays empty.
    assert statute - 4 < tick < statute < other
    column = column_texts(pdf, "LIMITS")
    assert {"X", "PER STATUTE", "OTH-ER"} <= set(column) and column.count("X") == 1


def test_addl_insd_is_not_applicable_on_the_workers_compensation_row(
        form: CertificateForm) -> None:
    for wos in (False, True):
        column = column_texts(render(replace(form, wos=wos)), "ADDL\nINSD")
        assert column[column.index("INSD") + 1] == "N/A"


def test_the_authorized_representative_signs_on_a_line(form: CertificateForm) -> None:
    pdf = render(form)
    text = reader(pdf).pages[0].extract_text()
    assert "AUTHORIZED REPRESENTATIVE\nAlex Moreno" in text
    # The signature line: a stroked line across the box, above the name.
    content = reader(pdf).pages[0].get_contents().get_data().decode("latin-1")
    assert len(re.findall(r" l S", content)) >= 10


def test_american_spelling_throughout(form: CertificateForm) -> None:
    text = flat(render(replace(form, wos=True, description="Long words. " * 900)), 0)
    text += " ".join(flat(render(replace(form, description="Long words. " * 900)), page)
                     for page in (1,))
    for british in ("favour", "authorised", "cancelled", "licence", "organisation"):
        assert british not in text.lower(), british
    assert "in its favor" in text and "canceled" in text and "AUTHORIZED" in text


def test_the_verification_code_is_printed_on_every_page(form: CertificateForm) -> None:
    pdf = render(replace(form, description="Long description of operations. " * 300))
    pages = reader(pdf).pages
    assert len(pages) > 1
    for page in pages:
        text = page.extract_text()
        assert "VERIFICATION CODE\n7K3QF-9XM2D" in text
    assert "Give the verification code to the producer contact" in flat(pdf)
    assert printed_verification_code(pdf) == CODE


def test_everything_still_fits_one_page(form: CertificateForm) -> None:
    # The longest the settings take: 80 characters, a phone 40.
    name = ("Certificate Desk of the Producer " * 3)[:80]
    email = "certificates." + "a" * 54 + "@example.com"
    long_contact = ProducerContact(name, "+1 (555) 010-4242 ext. 12345 / 555 0199", email,
                                   ("Representative Name " * 4)[:80])
    pdf = render(replace(form, wos=True, officers_excluded=True), long_contact)
    assert len(reader(pdf).pages) == 1
    text = "".join(flat(pdf).split())
    for value in long_contact.name, long_contact.phone, email, long_contact.representative:
        assert "".join(value.split()) in text


def test_a_contact_that_cannot_be_drawn_is_refused_naming_it(form: CertificateForm) -> None:
    with pytest.raises(ValidationFailed, match="authorized representative has a character"):
        render(form, replace(CONTACT, representative="Alex \U0001f9d1 Moreno"))


def test_the_same_input_gives_the_same_bytes_and_another_code_other_bytes(
        form: CertificateForm) -> None:
    assert render(form) == render(form)
    assert render(form) != render(form, code="ZZZZZZZZZZ")
    assert render(form) != render(form, replace(CONTACT, phone="(555) 010-0000"))


def test_the_file_is_pdf_a_2b_in_american_english(form: CertificateForm) -> None:
    pdf = render(form)
    assert pdf.startswith(b"%PDF-1.7")
    document = reader(pdf)
    root = document.trailer["/Root"]
    assert root["/Lang"] == "en-US"
    [intent] = root["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/OutputConditionIdentifier"] == "sRGB"
    assert intent["/DestOutputProfile"].get_object().get_data()[36:40] == b"acsp"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    # The information dictionary and the XMP say the same, dated the certificate's day.
    assert "<xmp:CreateDate>2024-03-05T00:00:00+00:00</xmp:CreateDate>" in xmp
    assert "<xmp:ModifyDate>2024-03-05T00:00:00+00:00</xmp:ModifyDate>" in xmp
    assert document.metadata["/CreationDate"] == "D:20240305000000Z"
    assert document.metadata["/Title"] in xmp and "<pdf:Producer>certdesk</pdf:Producer>" in xmp
    assert "<rdf:li>Compeo Insurance Services</rdf:li>" in xmp
    # Every font is embedded.
    for font in _fonts(document):
        descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()[
            "/FontDescriptor"]
        descriptor = descriptor.get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_producer_names_with_markup_characters_stay_valid_xml(form: CertificateForm) -> None:
    pdf = render(replace(form, producer_name='Smith & Sons <Agency> "Q"'))
    xmp = reader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "Smith &amp; Sons &lt;Agency&gt; &quot;Q&quot;" in xmp
    xml.dom.minidom.parseString(xmp)


def _fonts(document: pypdf.PdfReader) -> list:
    fonts = []
    for page in document.pages:
        resources = page["/Resources"].get_object()
        for font in resources["/Font"].get_object().values():
            fonts.append(font.get_object())
    return fonts


def test_extracted_text_keeps_the_words_in_reading_order(form: CertificateForm) -> None:
    text = reader(render(form)).pages[0].extract_text()
    assert text.index("PRODUCER") < text.index("CONTACT NAME") < text.index("COVERAGES")
