"""Archival form of a certificate: PDF/A-2B, in American English, deterministic.

fpdf2 writes PDF/A when asked (``enforce_compliance``), but it then stamps the XMP
metadata with the current time and leaves out the document information dictionary; a
certificate must give the same bytes for the same input. So the certificate declares
PDF/A-2B itself, with what fpdf2 would add: the sRGB output intent fpdf2 ships, and XMP
metadata that repeats the information dictionary (title, author, creator, producer,
creation date) as PDF/A requires, its dates those of the certificate. The fonts are
embedded TrueType subsets with Unicode maps (``font_cache``), nothing is transparent or
encrypted, and the document language is American English.
"""

from __future__ import annotations

from datetime import UTC
from functools import cache
from html import escape

from fpdf import FPDF
from fpdf.enums import OutputIntentSubType
from fpdf.output import PDFICCProfile
from fpdf.util import builtin_srgb2014_bytes

LANGUAGE = "en-US"
PDFA_PART = 2
PDFA_CONFORMANCE = "B"


@cache
def _srgb() -> bytes:
    return builtin_srgb2014_bytes()


def make_archival(pdf: FPDF) -> None:
    """Declare ``pdf`` PDF/A-2B in American English; call after its metadata is set."""
    pdf.set_lang(LANGUAGE)
    pdf.pdf_version = max(pdf.pdf_version, "1.7")
    pdf.add_output_intent(
        OutputIntentSubType.PDFA,
        output_condition_identifier="sRGB",
        output_condition="IEC 61966-2-1:1999",
        registry_name="http://www.color.org",
        dest_output_profile=PDFICCProfile(contents=_srgb(), n=3, alternate="DeviceRGB"),
        info="sRGB2014 (v2)",
    )
    pdf.set_xmp_metadata(_xmp(pdf))


def _xmp(pdf: FPDF) -> str:
    """The XMP packet's body: the information dictionary again, and the PDF/A claim."""
    created = pdf.creation_date.astimezone(UTC).isoformat(timespec="seconds")

    def text(value: object) -> str:
        return escape(str(value or ""), quote=True)

    author = getattr(pdf, "author", "") or ""
    return "\n".join([
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
        '  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        '    <rdf:Description rdf:about=""',
        '        xmlns:dc="http://purl.org/dc/elements/1.1/"',
        '        xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
        '        xmlns:pdf="http://ns.adobe.com/pdf/1.3/"',
        '        xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">',
        f"      <pdfaid:part>{PDFA_PART}</pdfaid:part>",
        f"      <pdfaid:conformance>{PDFA_CONFORMANCE}</pdfaid:conformance>",
        f"      <xmp:CreatorTool>{text(getattr(pdf, 'creator', ''))}</xmp:CreatorTool>",
        f"      <xmp:CreateDate>{created}</xmp:CreateDate>",
        f"      <xmp:ModifyDate>{created}</xmp:ModifyDate>",
        f"      <xmp:MetadataDate>{created}</xmp:MetadataDate>",
        f"      <pdf:Producer>{text(getattr(pdf, 'producer', ''))}</pdf:Producer>",
        "      <dc:format>application/pdf</dc:format>",
        f'      <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text(getattr(pdf, "title", ""))}'
        "</rdf:li></rdf:Alt></dc:title>",
        f"      <dc:creator><rdf:Seq><rdf:li>{text(author)}</rdf:li></rdf:Seq></dc:creator>",
        f"      <dc:language><rdf:Bag><rdf:li>{LANGUAGE}</rdf:li></rdf:Bag></dc:language>",
        "    </rdf:Description>",
        "  </rdf:RDF>",
        "</x:xmpmeta>",
    ])
