"""PDF files a careless or hostile user might upload, built with fpdf2 and pypdf."""

from __future__ import annotations

import io

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)


def certificate_pdf(*lines: str) -> bytes:
    """A one-page PDF whose text is ``lines`` (a carrier's certificate, as far as text goes)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for line in lines or ("Carrier issued certificate",):
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _writer(*lines: str) -> PdfWriter:
    return PdfWriter(clone_from=PdfReader(io.BytesIO(certificate_pdf(*lines))))


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def html_with_pdf_header() -> bytes:
    return (b"%PDF-1.7\n<!doctype html><html><body><h1>Certificate</h1>"
            b"<script>alert(1)</script></body></html>\n%%EOF\n")


def truncated_pdf() -> bytes:
    data = certificate_pdf("Acme Roofing LLC")
    return data[: len(data) // 2]


def encrypted_pdf(user_password: str = "secret") -> bytes:
    writer = _writer("Acme Roofing LLC")
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    return _bytes(writer)


def _open_action(writer: PdfWriter, action: DictionaryObject) -> bytes:
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _bytes(writer)


def open_action_javascript_pdf() -> bytes:
    return _open_action(_writer("Acme Roofing LLC"), DictionaryObject({
        NameObject("/Type"): NameObject("/Action"),
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('hello');"),
    }))


def names_tree_javascript_pdf() -> bytes:
    """Document-level JavaScript in the /Names /JavaScript tree."""
    writer = _writer("Acme Roofing LLC")
    js = writer._add_object(DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("this.print({bUI:true});"),
    }))
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("print"), js])})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)})
    return _bytes(writer)


def page_additional_action_javascript_pdf() -> bytes:
    """JavaScript run when the page opens (/AA /O), in no names tree and no /OpenAction."""
    writer = _writer("Acme Roofing LLC")
    js = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                           NameObject("/JS"): TextStringObject("app.launchURL('x');")})
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): js})
    return _bytes(writer)


def launch_pdf() -> bytes:
    return _open_action(_writer("Acme Roofing LLC"), DictionaryObject({
        NameObject("/S"): NameObject("/Launch"),
        NameObject("/F"): TextStringObject("C:\\Windows\\System32\\calc.exe"),
    }))


def link_launch_pdf() -> bytes:
    """A launch action behind a link annotation on the page."""
    writer = _writer("Acme Roofing LLC")
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0),
                                          NumberObject(100), NumberObject(100)]),
        NameObject("/A"): DictionaryObject({
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("/bin/sh"),
        }),
    })
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _bytes(writer)


def embedded_file_pdf() -> bytes:
    writer = _writer("Acme Roofing LLC")
    writer.add_attachment("invoice.exe", b"MZ not really a program")
    return _bytes(writer)


def zero_pages_pdf() -> bytes:
    return _bytes(PdfWriter())


def hex_escaped_javascript_pdf() -> bytes:
    """/JavaScript spelt /J#61vaScript (PDF name escapes), offsets left as they fall."""
    data = open_action_javascript_pdf()
    assert b"/JavaScript" in data
    return data.replace(b"/JavaScript", b"/J#61vaScript")
