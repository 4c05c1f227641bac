"""The certificate PDF: content, Unicode, waiver, determinism, overflow and file names."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

import pypdf
import pytest

from certdesk_tui.automation import CertificateForm
from certdesk_tui.certificate_pdf import (
    COLUMNS,
    MARGIN,
    WAIVER,
    certificate_file_name,
    render_certificate,
)

UNICODE_NAME = "Zoë Łukasiewicz – Ñandú GmbH"
ISSUED_ON = date(2024, 3, 5)
MM_TO_PT = 72 / 25.4


@pytest.fixture
def form() -> CertificateForm:
    return CertificateForm(
        producer_name="Compeo Insurance Services",
        producer_address="1200 Harbor Blvd, Suite 400\nTampa, FL 33602",
        insured_name="Acme Roofing LLC",
        insured_address="42 Market Street\nSpringfield, IL 62701",
        insurer_name="Great Lakes Mutual Casualty",
        insurer_naic="12345",
        policy_number="WC-2024-0098765",
        effective=date(2024, 1, 1),
        expires=date(2025, 1, 1),
        each_accident=1_000_000,
        disease_each_employee=500_000,
        disease_policy_limit=2_000_000,
        holder_name="Blue Sky General Contractors",
        holder_address="77 Pine Road",
        holder_city="Austin",
        holder_state="TX",
        holder_zip="78701",
        holder_email="certs@bluesky.example",
        description="Roofing work at 12 Elm St, Austin TX, for the certificate holder.",
        wos=False,
    )


def render(form: CertificateForm, *, number: str = "CD-000123", revision: int = 2) -> bytes:
    return render_certificate(form, number=number, revision=revision, issued_on=ISSUED_ON)


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return reader(pdf).pages[0].extract_text()


def column_texts(pdf: bytes, heading: str) -> list[str]:
    """Text runs starting inside one column of the coverages table, top to bottom."""
    left = MARGIN
    for name, width in COLUMNS:
        if name == heading:
            break
        left += width
    x0, x1 = left * MM_TO_PT, (left + width) * MM_TO_PT
    runs: list[tuple[float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip() and x0 <= tm[4] < x1:
            runs.append((tm[5], text.strip()))

    reader(pdf).pages[0].extract_text(visitor_text=visit)
    return [text for _, text in sorted(runs, key=lambda run: -run[0])]


def test_sections_and_values_appear(form: CertificateForm) -> None:
    text = text_of(render(form))
    for expected in (
        "CERTIFICATE OF LIABILITY INSURANCE",
        "03/05/2024",
        "CERTIFICATE NUMBER: CD-000123",
        "REVISION NUMBER: 2",
        "information only",
        "PRODUCER",
        "Compeo Insurance Services",
        "INSURED",
        "Acme Roofing LLC",
        "42 Market Street",
        "INSURER A: Great Lakes Mutual Casualty",
        "NAIC #",
        "12345",
        "COVERAGES",
        "POLICY NUMBER",
        "LIMITS",
        "WORKERS",
        "EMPLOYERS' LIABILITY",
        "WC-2024-0098765",
        "01/01/2024",
        "01/01/2025",
        "PER STATUTE",
        "DESCRIPTION OF OPERATIONS",
        form.description,
        "CERTIFICATE HOLDER",
        "CANCELLATION",
        "AUTHORIZED REPRESENTATIVE",
    ):
        assert expected in text, expected


def test_limits_are_formatted_with_thousands_separators(form: CertificateForm) -> None:
    text = text_of(render(form))
    assert "E.L. EACH ACCIDENT $1,000,000" in text
    assert "E.L. DISEASE - EA EMPLOYEE $500,000" in text
    assert "E.L. DISEASE - POLICY LIMIT $2,000,000" in text


def test_holder_block_appears_line_by_line(form: CertificateForm) -> None:
    text = text_of(render(form))
    assert "Blue Sky General Contractors\n77 Pine Road\nAustin, TX 78701" in text


def test_unicode_insured_name_is_extracted_exactly(form: CertificateForm) -> None:
    greek_cyrillic = "Σπύρος Παπαδόπουλος · Ёлкин Дмитрий Щукин"
    pdf = render(replace(form, insured_name=UNICODE_NAME, holder_name=greek_cyrillic))
    text = text_of(pdf)
    assert UNICODE_NAME in text.splitlines()
    assert greek_cyrillic in text.splitlines()


def test_waiver_of_subrogation_marks_subr_wvd_and_prints_the_waiver_line(
    form: CertificateForm,
) -> None:
    pdf = render(replace(form, wos=True))
    column = column_texts(pdf, "SUBR\nWVD")
    assert column[column.index("WVD") + 1] == "Y"
    assert WAIVER in text_of(pdf)


def test_without_waiver_subr_wvd_is_n_and_no_waiver_line(form: CertificateForm) -> None:
    pdf = render(form)
    column = column_texts(pdf, "SUBR\nWVD")
    assert column[column.index("WVD") + 1] == "N"
    assert "WAIVER" not in text_of(pdf)


def test_additional_insured_is_n(form: CertificateForm) -> None:
    column = column_texts(render(form), "ADDL\nINSD")
    assert column[column.index("INSD") + 1] == "N"


def test_same_input_gives_byte_identical_output(form: CertificateForm) -> None:
    first = render(replace(form, insured_name=UNICODE_NAME, wos=True))
    second = render(replace(form, insured_name=UNICODE_NAME, wos=True))
    assert first == second
    assert reader(first).metadata["/CreationDate"] == "D:20240305000000Z"
    assert reader(first).metadata["/Producer"] == "certdesk"


def test_huge_values_do_not_raise_and_stay_on_one_page(form: CertificateForm) -> None:
    long_name = ("Very Long Holder Name Ünïcødé " * 10)[:300]
    description = ("All operations performed by the insured for the holder. " * 40)[:2000]
    pdf = render(
        replace(
            form,
            holder_name=long_name,
            description=description,
            insured_name="X" * 500,
            policy_number="P" * 200,
            each_accident=10**15,
        ),
        number="CD-" + "9" * 120,
    )
    assert len(reader(pdf).pages) == 1
    text = text_of(pdf)
    # Whatever does not fit is cut visibly rather than drawn off the page.
    assert "…" in text
    assert "Very Long Holder Name" in text
    assert "All operations performed by the insured" in text


def test_file_name_is_ascii_and_safe() -> None:
    assert (
        certificate_file_name("CD-000123", 0, "Acme Roofing")
        == "certificate-CD-000123-r0-acme-roofing.pdf"
    )
    assert (
        certificate_file_name("CD-7", 1, UNICODE_NAME)
        == "certificate-CD-7-r1-zoe-lukasiewicz-nandu-gmbh.pdf"
    )
    for name in (
        certificate_file_name("../CD 1/\\x", 3, 'a/b\\c:d*e?f"g<h>i|j\x00 ' * 20),
        certificate_file_name("CD-1", 0, "Σπύρος 東京"),
        certificate_file_name("", 0, ""),
    ):
        assert name.isascii()
        assert re.fullmatch(r"certificate-[A-Za-z0-9-]*\.pdf", name), name
        assert "--" not in name
        assert len(name) <= 80
