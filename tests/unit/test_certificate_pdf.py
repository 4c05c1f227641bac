"""The certificate PDF: content, every script drawn, nothing cut, bounds, determinism, names."""

from __future__ import annotations

import hashlib
import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certdesk_tui.domain import Brand
from certdesk_tui.domain.automation import LIMIT_MAX, CertificateForm, limit_problem, validate
from certdesk_tui.domain.certificates import DEFAULT_CONTACTS
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.pdf.certificate import render_certificate
from certdesk_tui.pdf.font_cache import SHARED_FONTS, FontCache
from certdesk_tui.pdf.layout import COLUMNS, CONTINUED, MARGIN, MIN_SIZE, WAIVER
from certdesk_tui.pdf.naming import certificate_file_name
from certdesk_tui.pdf.typefaces import FONT_FILES
from tests import factories

UNICODE_NAME = "Zoë Łukasiewicz – Ñandú GmbH"
ISSUED_ON = date(2024, 3, 5)
CODE = "7K3QF9XM2D"
CONTACT = DEFAULT_CONTACTS[Brand.COMPEO]
PRINTED = {"verification_code": CODE, "contact": CONTACT}
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
    return render_certificate(form, number=number, revision=revision, issued_on=ISSUED_ON,
                              **PRINTED)


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return reader(pdf).pages[0].extract_text()


def font_sizes(pdf: bytes, starting: str, page: int = 0) -> list[float]:
    """The type sizes (pt) of the text runs that start with ``starting``."""
    sizes: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.startswith(starting):
            sizes.append(round(size * tm[0], 2))

    reader(pdf).pages[page].extract_text(visitor_text=visit)
    return sizes


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


def test_additional_insured_is_not_applicable_on_the_workers_compensation_row(
    form: CertificateForm,
) -> None:
    column = column_texts(render(form), "ADDL\nINSD")
    assert column[column.index("INSD") + 1] == "N/A"


def test_same_input_gives_byte_identical_output(form: CertificateForm) -> None:
    first = render(replace(form, insured_name=UNICODE_NAME, wos=True))
    second = render(replace(form, insured_name=UNICODE_NAME, wos=True))
    assert first == second
    assert reader(first).metadata["/CreationDate"] == "D:20240305000000Z"
    assert reader(first).metadata["/Producer"] == "certdesk"


def test_long_values_shrink_and_stay_on_one_page_without_an_ellipsis(form: CertificateForm) -> None:
    long_name = ("Very Long Holder Name Ünïcødé " * 5)[:140]
    description = ("All operations performed by the insured for the holder. " * 30)[:1500]
    pdf = render(
        replace(
            form,
            holder_name=long_name,
            description=description,
            insured_name="Insured " * 9,
            policy_number="P" * 60,
            each_accident=LIMIT_MAX,
        ),
        number="CD-" + "9" * 20,
    )
    assert len(reader(pdf).pages) == 1
    text = text_of(pdf)
    assert "…" not in text
    flat = "".join(text.split())
    for value in (long_name, description, "Insured " * 9, "P" * 60, "CD-" + "9" * 20,
                  "$999,999,999"):
        assert "".join(value.split()) in flat, value
    assert font_sizes(pdf, "Very")[0] < 9


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


# -- every character drawn -----------------------------------------------------------------

SCRIPTS = {
    "japanese": "株式会社東京建設 カタカナ",
    "chinese": "北京建筑有限公司",
    "korean": "대한건설 주식회사",
    "greek": "Σπύρος Παπαδόπουλος ΑΕ",
    "cyrillic": "ООО Ёлкин и Щукин",
    "hebrew": "בנייה ירושלים בעמ",
    "arabic": "شركة البناء العربية",
    "devanagari": "नमस्ते ट्रेडर्स प्राइवेट लिमिटेड",
    "thai": "บริษัท ไทยก่อสร้าง จำกัด",
}
# pypdf extracts right-to-left text a word at a time in the order the words are drawn
# (right to left), so for these scripts each word is checked rather than the whole line.
RIGHT_TO_LEFT = {"hebrew", "arabic"}
# Where HarfBuzz reorders or splits a cluster (a Devanagari vowel sign drawn before its
# consonant, Thai sara am) pypdf also extracts stray control characters; they are dropped.
REORDERED = {"devanagari", "thai"}


def embedded_fonts(pdf: bytes) -> set[str]:
    fonts = reader(pdf).pages[0]["/Resources"]["/Font"]
    return {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()}


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_holder_name_in_any_customer_script_is_drawn_and_extracted(
    form: CertificateForm, script: str
) -> None:
    name = SCRIPTS[script]
    pdf = render(replace(form, holder_name=name, insured_name=f"{name} 2"))
    text = text_of(pdf)
    if script in REORDERED:
        text = re.sub(r"[\x00-\x09\x0b-\x1f]", "", text)
    lines = text.splitlines()
    if script in RIGHT_TO_LEFT:
        words = set(" ".join(lines).split())
        assert set(name.split()) <= words
    else:
        assert name in lines
        assert f"{name} 2" in lines


def test_fallback_fonts_are_embedded_only_when_a_document_needs_them(
    form: CertificateForm,
) -> None:
    latin = embedded_fonts(render(replace(form, holder_name="Zoë Ñandú – Σπύρος – Ёлкин")))
    assert latin and all(name.startswith("DejaVuSans") for name in latin), latin
    cjk = embedded_fonts(render(replace(form, holder_name="東京建設")))
    assert any(name.startswith("DroidSansFallback") for name in cjk), cjk
    # Arabic is drawn from one font so that its letters join, Urdu letters included.
    arabic = embedded_fonts(render(replace(form, holder_name="مؤسسة ٹیکنالوجی کراچی")))
    assert any(name.startswith("NotoSansArabic") for name in arabic), arabic
    assert not any(name.startswith("DroidSansFallback") for name in arabic), arabic


def test_arabic_letters_are_shaped_into_their_joined_forms(form: CertificateForm) -> None:
    # Shaped text is drawn with glyph ids, so the ToUnicode map of the Arabic font is what
    # maps the joined (initial, medial, final) glyphs back to the letters typed.
    pdf = render(replace(form, holder_name="شركة"))
    fonts = reader(pdf).pages[0]["/Resources"]["/Font"]
    arabic = next(f.get_object() for f in fonts.values()
                  if "NotoSansArabic" in str(f.get_object()["/BaseFont"]))
    to_unicode = arabic["/ToUnicode"].get_object().get_data().decode("latin-1")
    # Four letters, each drawn once: at least four glyphs mapped.
    assert to_unicode.count("<") >= 8
    assert "شركة" in text_of(pdf).replace(" ", "")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("holder_name", "Smile \U0001F9D1 Builders",
         "the holder name has a character no certificate font can draw: U+1F9D1 ADULT"),
        ("insured_name", "ሰላም Traders",
         "the insured name has a character no certificate font can draw: U+1230 "
         "ETHIOPIC SYLLABLE SA"),
        ("holder_address", "9 Oak Ave\x1b[2J",
         "the holder address has a control character that cannot be printed on a "
         "certificate: U+001B (a control character)"),
        ("policy_number", "WC-\u202e1234",
         "the policy number has a control character that cannot be printed on a "
         "certificate: U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("holder_city", "Mia\ud800mi",
         "the holder city has a character no certificate font can draw: U+D800 "
         "(a lone surrogate)"),
        ("description", "Work \U00013000 here",
         "the description of operations has a character no certificate font can draw: "
         "U+13000 EGYPTIAN HIEROGLYPH A001"),
    ],
    ids=["emoji", "ethiopic", "escape", "bidi-override", "lone-surrogate", "hieroglyph"],
)
def test_a_character_that_cannot_be_drawn_stops_the_certificate_naming_it(
    form: CertificateForm, field: str, value: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        render(replace(form, **{field: value}))
    assert str(refused.value).startswith(message)
    assert str(refused.value).isascii()


def test_decomposed_accents_are_composed_and_drawn(form: CertificateForm) -> None:
    pdf = render(replace(form, holder_name="Zoe\u0308 Cafe\u0301 Ltd"))
    assert "Zoë Café Ltd" in text_of(pdf).splitlines()


# -- nothing cut silently ------------------------------------------------------------------

def test_a_long_holder_name_shrinks_to_the_minimum_and_past_it_is_refused(
    form: CertificateForm,
) -> None:
    fits_small = "Northwestern Regional Mechanical Electrical And Plumbing " * 3
    pdf = render(replace(form, holder_name=fits_small.strip()))
    assert "".join(fits_small.split()) in "".join(text_of(pdf).split())
    sizes = font_sizes(pdf, "Northwestern")
    assert sizes and MIN_SIZE <= sizes[0] < 9

    with pytest.raises(ValidationFailed, match=(
            "the holder name does not fit on the certificate even in 6 pt type: shorten it")):
        render(replace(form, holder_name=(fits_small * 3).strip()))


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [("insured_name", "Insured Company " * 20, "insured name"),
     ("insured_address", "1 Long Street\n" * 12, "insured address"),
     ("insurer_name", "Mutual Casualty " * 20, "insurer name"),
     ("insurer_naic", "1234567890" * 3, "insurer NAIC number"),
     ("policy_number", "WC-2026-" * 20, "policy number"),
     ("holder_address", "9 Oak Avenue, Building " * 40, "holder address"),
     ("producer_name", "Producer Agency " * 20, "producer name")],
    ids=lambda value: value if " " not in str(value) or len(str(value)) < 20 else "",
)
def test_every_field_that_does_not_fit_is_refused_by_name(
    form: CertificateForm, field: str, value: str, label: str
) -> None:
    with pytest.raises(ValidationFailed, match=f"^the {label} does not fit on the certificate"):
        render(replace(form, **{field: value}))


def test_a_long_description_continues_on_an_additional_remarks_page(
    form: CertificateForm,
) -> None:
    words = [f"site{i:04d}" for i in range(600)]
    description = " ".join(words)
    assert len(description) > 5_000
    pdf = render(replace(form, description=description))
    pages = reader(pdf).pages
    assert len(pages) == 2
    first, second = pages[0].extract_text(), pages[1].extract_text()
    assert CONTINUED in first and "Page 1 of 2" in first
    assert "ADDITIONAL REMARKS" in second and "Page 2 of 2" in second
    assert "certificate CD-000123, revision 2" in second and "Acme Roofing LLC" in second
    assert " ".join(words[-5:]) in second
    # Every word is printed exactly once, in order, across the two pages.
    printed = [w for w in (first + "\n" + second).split() if w.startswith("site")]
    assert printed == words
    assert font_sizes(pdf, "site0000")[0] == 8


def test_a_description_that_fits_in_smaller_type_stays_on_one_page(
    form: CertificateForm,
) -> None:
    description = " ".join(f"work{i:03d}" for i in range(330))
    pdf = render(replace(form, description=description))
    assert len(reader(pdf).pages) == 1
    assert CONTINUED not in text_of(pdf)
    assert font_sizes(pdf, "work000")[0] < 8


def test_a_description_past_the_bound_is_refused(form: CertificateForm) -> None:
    with pytest.raises(ValidationFailed, match="description of operations is longer than 20,000"):
        render(replace(form, description="x " * 10_001))
    assert validate(replace(form, description="x" * 20_001))["description"] == (
        "is longer than 20,000 characters")


def test_the_largest_limit_is_printed_in_full_in_legible_type(form: CertificateForm) -> None:
    pdf = render(replace(form, each_accident=LIMIT_MAX, disease_each_employee=LIMIT_MAX,
                         disease_policy_limit=LIMIT_MAX))
    text = text_of(pdf)
    assert "E.L. DISEASE - POLICY LIMIT $999,999,999" in text
    assert font_sizes(pdf, "E.L. DISEASE - POLICY")[0] >= MIN_SIZE


# -- the one bound on a limit ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "message"),
    [("1000000000000000000000000000000", "must be at most $999,999,999"),
     ("1,000,000,000", "must be at most $999,999,999"),
     ("9" * 5000, "must be at most $999,999,999"),
     ("0", "must be more than zero"),
     ("-5", "must be a whole dollar amount"),
     ("²", "must be a whole dollar amount"),
     ("1e30", "must be a whole dollar amount"),
     ("١٢٣", "must be a whole dollar amount")],
)
def test_a_limit_out_of_bounds_is_refused_in_the_form(
    form: CertificateForm, raw: str, message: str
) -> None:
    # Conversion refuses what is not an amount; validate() (the form's and the service's
    # check) refuses an amount out of bounds.
    try:
        problems = validate(form.with_changes({"each_accident": raw}))
    except ValidationFailed as refused:
        assert str(refused).startswith(f"each_accident {message}, not ")
        assert len(str(refused)) < 120
    else:
        assert problems == {"each_accident": message}


def test_limit_problem_is_the_one_bound() -> None:
    assert limit_problem(1) is None and limit_problem(LIMIT_MAX) is None
    assert limit_problem(LIMIT_MAX + 1) == "must be at most $999,999,999"
    assert limit_problem(10**30) == "must be at most $999,999,999"
    assert limit_problem(0) == "must be more than zero"
    assert limit_problem(True) == limit_problem(1.5) == "must be a whole dollar amount"
    assert form_problems(each_accident=10**30) == {"each_accident": "must be at most $999,999,999"}
    assert form_problems(each_accident=999_999_999) == {}


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(st.text(max_size=60), st.from_regex(r"\$?[0-9][0-9,]{0,40}", fullmatch=True),
                     st.integers(min_value=-(10**40), max_value=10**40).map(str)))
def test_any_limit_typed_is_an_amount_within_the_bound_or_refused_with_a_message(
    form: CertificateForm, raw: str
) -> None:
    try:
        changed = form.with_changes({"disease_policy_limit": raw})
    except ValidationFailed as refused:
        assert str(refused).startswith("disease_policy_limit must be ")
        assert "\n" not in str(refused) and len(str(refused)) < 120
        return
    problem = validate(changed).get("disease_policy_limit")
    assert (problem is None) == (1 <= changed.disease_policy_limit <= LIMIT_MAX)


def form_problems(**changes: object) -> dict[str, str]:
    base = CertificateForm(
        producer_name="P", producer_address="", insured_name="Insured", insured_address="",
        insurer_name="Insurer", insurer_naic="", policy_number="WC-1",
        effective=date(2026, 1, 1), expires=date(2027, 1, 1), each_accident=1,
        disease_each_employee=1, disease_policy_limit=1, holder_name="Holder Inc",
        holder_address="1 Main St", holder_city="Austin", holder_state="TX", holder_zip="78701",
        holder_email="", description="")
    return validate(replace(base, **changes))


def test_a_limit_of_ten_to_the_thirty_is_refused_at_import_and_the_good_lines_kept(
    manager,
) -> None:
    def policy(limit: int) -> dict:
        return dict(factories.POLICY, number=f"WC-{limit}",
                    limits=dict(factories.POLICY["limits"], disease_policy_limit=limit))

    report = manager.import_customers(factories.jsonl(
        factories.customer("C700", name="Good Before LLC"),
        factories.customer("C701", policies=[policy(10**30)]),
        factories.customer("C702", policies=[policy(LIMIT_MAX + 1)]),
        factories.customer("C703", name="Good After LLC")))
    assert [o.line for o in report.refused] == [2, 3]
    assert "too large" in report.refused[0].message or "disease_policy_limit" in (
        report.refused[0].message)
    assert "limits.disease_policy_limit must be a whole dollar amount up to $999,999,999" in (
        report.refused[1].message)
    assert len(report.accepted) == 2


def test_a_submission_whose_certificate_cannot_be_drawn_goes_to_the_manual_list(
    manager, specialist,
) -> None:
    holder = dict(factories.HOLDER, name="Smile \U0001F9D1 Builders")
    report = manager.import_submissions(factories.jsonl(
        factories.submission("D-1"),
        factories.submission("D-2", holder=holder),
        factories.submission("D-3", holder=dict(factories.HOLDER, name="Other Holder Inc"))))
    assert report.refused == []
    assert [o.line for o in report.accepted] == [1, 2, 3]
    assert "completed automatically" in report.accepted[0].message
    assert "completed automatically" in report.accepted[2].message
    drawn = report.accepted[1]
    assert "the holder name has a character no certificate font can draw: U+1F9D1 ADULT" in (
        drawn.message)
    detail = specialist.request(drawn.request_id)
    assert detail.row.status == "new" and detail.row.manual and not detail.certificates
    assert not detail.emails
    assert "auto_processed" not in {a.action for a in detail.activities}
    # Corrected by a person, the certificate is issued.
    specialist.automate(drawn.request_id, changes={"holder_name": "Smile Builders"})
    assert "Smile Builders" in text_of(specialist.certificate(drawn.request_id)[1])


def test_a_limit_of_ten_to_the_thirty_is_refused_on_the_command_line(tmp_path) -> None:
    from tests.integration.test_cli import Cli, seed

    cli = Cli(tmp_path)
    ids = seed(f"sqlite:///{cli.default_database}",
               factories.submission("L-1", "C100", instructions="call first"))
    request = str(ids["L-1"])
    refusal = cli.refused("automate", request, "--set", f"each_accident={10**30}", login="sam")
    assert "each_accident must be at most $999,999,999" in refusal
    refusal = cli.refused("automate", request, "--set", "holder_name=Smile \U0001F9D1",
                          login="sam")
    assert "the holder name has a character no certificate font can draw: U+1F9D1 ADULT" in (
        refusal)
    shown = cli.json("show", request)
    assert shown["status"] != "completed" and shown["emails"] == []


# -- determinism and any input ---------------------------------------------------------------

def test_a_certificate_in_several_scripts_is_byte_identical_when_rendered_again(
    form: CertificateForm,
) -> None:
    mixed = replace(form, holder_name="東京建設 – שלום – شركة", insured_name="대한건설 ООО",
                    description="Долгое описание. " * 400)
    first, second = render(mixed), render(mixed)
    assert first == second
    assert len(reader(first).pages) == 2


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=3, max_size=40))
def test_any_holder_name_is_drawn_whole_or_refused_with_a_message(
    form: CertificateForm, name: str
) -> None:
    try:
        pdf = render(replace(form, holder_name=name))
    except ValidationFailed as refused:
        assert str(refused).startswith("the holder name ")
        assert str(refused).isascii()
        return
    assert len(reader(pdf).pages) == 1


# -- the font cache: same bytes, any thread -----------------------------------------------

# sha256 of the certificates fpdf2 makes parsing and subsetting every font for every
# document (``fonts=None``, the reference path without the cache; printable ASCII
# embedded as on every certificate): the cache must not change a byte.
GOLDEN = {
    "latin": ({}, "5b85db4c9cfec59d063c9a6189ee84e47f78307c3e79067fc4eff5fbc1ea7a48"),
    "latin-wos": ({"wos": True, "holder_name": UNICODE_NAME},
                  "670c9526f4a89d7372ed8ec187f10c92c7e8f95ce4f5084a3fe261f73377a28c"),
    "remarks": ({"description": "Long description of operations. " * 300},
                "00de4680325a087cf570b9ac1d6ea78dc9a36fbcac8812c48482df62d3578c28"),
    "cjk": ({"holder_name": SCRIPTS["japanese"], "insured_name": SCRIPTS["korean"]},
            "611f28308342044f66fbb5e0f54fe0ac42826d3282fcbc4ad5d2daf1139d0b3c"),
    "arabic": ({"holder_name": SCRIPTS["arabic"]},
               "6b69ff31a7307f95fd6e77c23f7ff052661eec0b10545440bfeebf99fcd99b99"),
    "hebrew": ({"holder_name": SCRIPTS["hebrew"]},
               "cd676c696c07ca23ab6bd9d6a70e4210a6543f4f83f1dda60d82d725b498ce7c"),
    "devanagari": ({"holder_name": SCRIPTS["devanagari"]},
                   "62486a65d47a10ef5a07757634ca273485a2b6bae632cc117026bd2156261f0b"),
    "thai": ({"holder_name": SCRIPTS["thai"]},
             "0a1eb04e47b304e1e8d0cf7b853154f037c3a0f089ff6a6e45e6ad5d2427db27"),
    "mixed": ({"holder_name": "東京建設 – שלום – شركة", "insured_name": "대한건설 ООО",
               "description": "Долгое описание. " * 400},
              "b923c72372a0414e0e6be0f41890185e71f24d634512a55f9b512aa331f175c9"),
}


@pytest.mark.parametrize("case", GOLDEN)
def test_cached_fonts_give_the_same_bytes_as_before_the_cache(
    form: CertificateForm, case: str
) -> None:
    changes, digest = GOLDEN[case]
    changed = replace(form, **changes)
    # A cold cache (parsing, cutting) and then a warm one (everything reused).
    for fonts in (FontCache(), FontCache(), SHARED_FONTS, SHARED_FONTS):
        pdf = render_certificate(changed, number="CD-000123", revision=2, issued_on=ISSUED_ON,
                                 fonts=fonts, **PRINTED)
        assert hashlib.sha256(pdf).hexdigest() == digest


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(insured=st.text(st.characters(max_codepoint=0x024F, categories=("L", "N", "P", "Zs")),
                       min_size=1, max_size=30),
       holder=st.sampled_from([UNICODE_NAME, "Σπύρος ΑΕ", "ООО Ёлкин", "北京建筑", "Quartz Jinx"]))
def test_cached_fonts_give_the_bytes_of_fonts_parsed_for_the_document(
    form: CertificateForm, insured: str, holder: str
) -> None:
    changed = replace(form, insured_name=insured, holder_name=holder)
    try:
        reference = render_certificate(changed, number="CD-1", revision=0, issued_on=ISSUED_ON,
                                       fonts=None, **PRINTED)
    except ValidationFailed:
        return
    assert render_certificate(changed, number="CD-1", revision=0, issued_on=ISSUED_ON,
                              **PRINTED) == reference


def test_certificates_written_in_ascii_share_one_cut_of_each_font(
    form: CertificateForm,
) -> None:
    """Every certificate embeds the glyphs of printable ASCII, so certificates that
    differ in names, numbers and verification codes (a cut each, before) share one cut of
    each font: cutting costs several times the drawing."""
    fonts = FontCache()
    for index, code in enumerate(("7K3M9QW2XT", "ABCDEFGHJK", "0123456789", "VWXYZPQRST")):
        changed = replace(form, insured_name=f"Insured {index} {code.lower()} LLC",
                          holder_name=f"Holder #{index} ({code})")
        pdf = render_certificate(changed, number=f"CD-{index:06d}", revision=index,
                                 issued_on=ISSUED_ON, fonts=fonts, verification_code=code,
                                 contact=CONTACT)
        assert code[:5] in text_of(pdf)
    assert fonts.cuts_made == len(FONT_FILES)
    # A letter outside ASCII is a new set of glyphs: one cut more, for that face only.
    render_certificate(replace(form, holder_name="Müller Bau GmbH"), number="CD-9",
                       revision=0, issued_on=ISSUED_ON, fonts=fonts, **PRINTED)
    assert fonts.cuts_made == len(FONT_FILES) + 1


def test_the_font_cache_used_from_several_threads_at_once_gives_identical_bytes(
    form: CertificateForm,
) -> None:
    cases = [replace(form, **changes) for changes, _ in GOLDEN.values()]
    expected = [hashlib.sha256(render(case)).hexdigest() for case in cases]
    fonts = FontCache()  # cold: prototypes and cuts are built by the threads themselves
    start = threading.Barrier(4)

    def draw_all(offset: int) -> list[str]:
        """Every case twice, each thread starting at another case."""
        start.wait()
        digests: dict[int, set[str]] = {}
        for k in range(2 * len(cases)):
            index = (offset + k) % len(cases)
            pdf = render_certificate(cases[index], number="CD-000123", revision=2,
                                     issued_on=ISSUED_ON, fonts=fonts, **PRINTED)
            digests.setdefault(index, set()).add(hashlib.sha256(pdf).hexdigest())
        return [digests[index].pop() if len(digests[index]) == 1 else "differs"
                for index in range(len(cases))]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(draw_all, range(4)))
    assert all(result == expected for result in results)
