"""An uploaded certificate is a PDF: the one check the desk, the forms and the commands use.

``read_certificate_pdf`` opens only a regular file (never a directory, FIFO,
device or socket, nor a symbolic link to one), checks its size before reading
and reads at most ``MAX_PDF_BYTES`` + 1 bytes. ``check_certificate_pdf`` then
requires what a holder can open safely: a PDF that pypdf parses, with at least
one page, not encrypted, and with no active content anywhere in its object graph:
no action that runs something or reaches outside the document (``REFUSED_ACTIONS``:
JavaScript, Launch, GoToR, GoToE, SubmitForm, ImportData, Rendition, Movie, Sound,
RichMedia, GoTo3DView, a Thread into another file), no movie, sound, rich media, screen
or 3D annotation, no embedded file, no XFA form,
and no URI action that opens by itself (in /OpenAction or an /AA trigger; a link's
URI, opened only when clicked, is allowed). Every refusal is a ``ValidationFailed``
naming the file and what is wrong with it; nothing else escapes.

``CertificatePdf.wrong_file_warning`` says when the PDF's text names neither
the insured nor the holder: the file may belong to another request.
"""

from __future__ import annotations

import io
import logging
import os
import re
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.files import open_regular, why

if TYPE_CHECKING:
    from pypdf import PdfReader

MAX_PDF_BYTES = 20 * 1024 * 1024
"""The largest certificate file accepted (20 MB): checked before reading, and the read is
bounded to one byte more."""

MAX_PDF_OBJECTS = 200_000
"""Objects walked looking for active content; a certificate has a few hundred."""

TEXT_PAGES = 20
"""Pages whose text is extracted to look for the insured's and the holder's names."""

# A header line, comment lines, then markup: a web page someone gave a PDF header.
_HTML = re.compile(rb"\s*(%[^\r\n]*[\r\n]+\s*)+<(!doctype|html|head|body|script|meta)\b",
                   re.IGNORECASE)
_MB = 1024 * 1024
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class CertificatePdf:
    """A file that passed every check: its name, its bytes and the text of its pages."""

    name: str
    data: bytes = field(repr=False)
    pages: int
    text: str = field(repr=False)

    @property
    def attachment(self) -> tuple[str, bytes]:
        return self.name, self.data

    def names(self, name: str) -> bool:
        """Whether the text contains ``name`` (case, accents, punctuation and spacing aside)."""
        return _mentions(self.text, name)

    def wrong_file_warning(self, insured: str, holder: str) -> str:
        """Why this may be the wrong file for a request, or "" when it names either party."""
        parties = [(role, value.strip()) for role, value in (("insured", insured),
                                                             ("holder", holder))
                   if value and value.strip()]
        if not parties or any(self.names(value) for _, value in parties):
            return ""
        named = " or ".join(f'the {role} "{value}"' for role, value in parties)
        if not self.text.strip():
            return (f"{self.name} has no text to read (a scan?), so nothing shows it names "
                    f"{named}: it may be the wrong file")
        if len(parties) == 1:
            return f"{self.name} does not name {named}: it may be the wrong file"
        return (f'{self.name} names neither the insured "{parties[0][1]}" nor the holder '
                f'"{parties[1][1]}": it may be the wrong file')


def read_certificate_pdf(path_text: str | os.PathLike[str]) -> CertificatePdf:
    """Read and check the certificate PDF at ``path_text``; ValidationFailed when it is not one."""
    if not str(path_text).strip():
        raise ValidationFailed("no PDF file given")
    path = Path(path_text).expanduser()
    return check_certificate_pdf(read_regular_file(path), path.name)


def read_regular_file(path: Path, limit: int = MAX_PDF_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, read without ever blocking."""
    stream, size = open_regular(path, "a PDF file")
    with stream:
        if size > limit:
            raise ValidationFailed(f"{path} is {size / _MB:,.1f} MB: a certificate PDF may "
                                   f"be at most {limit // _MB} MB")
        # Never more than limit + 1 bytes, however the file grows while it is read.
        chunks: list[bytes] = []
        size = 0
        try:
            while size <= limit:
                chunk = os.read(stream.fileno(), min(_CHUNK, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as exc:
            raise ValidationFailed(f"{path}: cannot read it ({why(exc)})") from None
    data = b"".join(chunks)
    if len(data) > limit:
        raise ValidationFailed(f"{path} grew past {limit // _MB} MB while it was being read")
    return data


def check_certificate_pdf(data: bytes, name: str) -> CertificatePdf:
    """The checked PDF, or ValidationFailed saying what is wrong with ``data``."""
    if not data:
        raise ValidationFailed(f"{name} is empty")
    if len(data) > MAX_PDF_BYTES:
        raise ValidationFailed(f"{name} is larger than {MAX_PDF_BYTES // _MB} MB")
    if data.lstrip()[:5] != b"%PDF-":
        raise ValidationFailed(f"{name} is not a PDF file")
    if _HTML.match(data):
        raise ValidationFailed(f"{name} is an HTML page with a PDF header, not a PDF")
    if b"%%EOF" not in data[-2048:]:
        raise ValidationFailed(f"{name} is not a complete PDF file (no end-of-file marker)")
    with _quiet_pypdf():
        try:
            return _parse(data, name)
        except ValidationFailed:
            raise
        except Exception as exc:  # whatever pypdf raises, the file cannot be read as a PDF
            raise ValidationFailed(
                f"{name} is damaged or not a PDF: {_reason(exc)}") from None


def _parse(data: bytes, name: str) -> CertificatePdf:
    from pypdf import PdfReader  # pypdf is imported when a certificate is first checked

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise ValidationFailed(
            f"{name} is encrypted (password-protected): ask its issuer for an unprotected copy")
    pages = len(reader.pages)
    if pages == 0:
        raise ValidationFailed(f"{name} has no pages")
    found = _active_content(reader, name)
    if found:
        raise ValidationFailed(f"{name} carries {found}: a certificate must not")
    texts = []
    for number, page in enumerate(reader.pages[:TEXT_PAGES], start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:  # a page whose content cannot be read
            raise ValidationFailed(
                f"{name} is damaged: page {number} cannot be read ({_reason(exc)})") from None
    return CertificatePdf(name, data, pages, "\n".join(texts))


def _active_content(reader: PdfReader, name: str) -> str:
    """What in the PDF could run something, reach outside the document or drop a file on
    the reader's machine, or ""."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    walked = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            found = _dangerous(obj) or _automatic_link(obj)
            if found:
                return found
            stack.extend(dict.values(obj))
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
        else:
            continue
        walked += 1
        if walked > MAX_PDF_OBJECTS:
            raise ValidationFailed(
                f"{name} has more than {MAX_PDF_OBJECTS:,} objects: "
                "not a certificate")
    return ""


REFUSED_ACTIONS: dict[str, str] = {
    "/JavaScript": "JavaScript",
    "/Launch": "a launch action (it could start a program)",
    "/GoToR": "a GoToR action (it opens another file, which may be on a network share)",
    "/GoToE": "a GoToE action (it opens an embedded or attached document)",
    "/SubmitForm": "a SubmitForm action (it sends the form's data to an address)",
    "/ImportData": "an ImportData action (it reads a file from the reader's machine)",
    "/Rendition": "a Rendition action (it plays media)",
    "/Movie": "a Movie action (it plays a movie)",
    "/Sound": "a Sound action (it plays a sound)",
    "/RichMedia": "a RichMedia action (it runs rich media content)",
    "/RichMediaExecute": "a RichMediaExecute action (it runs rich media content)",
    "/GoTo3DView": "a GoTo3DView action (it drives 3D content, which can run scripts)",
}
"""The action kinds (an action dictionary's /S) refused wherever they appear, and how a
refusal names each."""

# Annotations that play media or run 3D content (3D streams can carry JavaScript).
_MEDIA_ANNOTATIONS = {"/Movie", "/Sound", "/RichMedia", "/Screen", "/3D"}
_AUTOMATIC_URI = ("a URI action that opens a web address by itself (in /OpenAction or an "
                  "/AA trigger)")
_CHAIN_LIMIT = 1000


def _resolved(obj: object) -> object:
    return obj.get_object() if hasattr(obj, "get_object") else obj


def _dangerous(obj: dict) -> str:
    def value(key: str) -> object:
        return _resolved(dict.get(obj, key))

    keys = set(dict.keys(obj))
    if "/JS" in keys or "/JavaScript" in keys:
        return REFUSED_ACTIONS["/JavaScript"]
    action = value("/S")
    if isinstance(action, str) and action in REFUSED_ACTIONS:
        return REFUSED_ACTIONS[action]
    if "/Launch" in keys:
        return REFUSED_ACTIONS["/Launch"]
    if action == "/Thread" and "/F" in keys:
        return "a Thread action into another file (it opens that file)"
    if ("/EmbeddedFiles" in keys or "/EF" in keys
            or value("/Type") == "/EmbeddedFile" or value("/Subtype") == "/FileAttachment"):
        return "an embedded file"
    subtype = value("/Subtype")
    if value("/Type") in (None, "/Annot") and "/Rect" in keys and subtype in _MEDIA_ANNOTATIONS:
        return f"a {str(subtype)[1:]} annotation (it plays or runs media)"
    if "/XFA" in keys:
        return "an XFA form (it can run scripts)"
    return ""


def _automatic_link(obj: dict) -> str:
    """A /URI action run without a click: the document's /OpenAction, or any trigger of an
    /AA (additional actions) dictionary, followed along its /Next chain."""
    starts: list[object] = []
    if "/OpenAction" in obj:
        starts.append(dict.get(obj, "/OpenAction"))
    triggers = _resolved(dict.get(obj, "/AA"))
    if isinstance(triggers, dict):
        starts.extend(dict.values(triggers))
    pending = [_resolved(start) for start in starts]
    followed = 0
    while pending and followed < _CHAIN_LIMIT:
        action = pending.pop()
        followed += 1
        if isinstance(action, list):
            pending.extend(_resolved(item) for item in list.__iter__(action))
        elif isinstance(action, dict):
            if _resolved(dict.get(action, "/S")) == "/URI":
                return _AUTOMATIC_URI
            if "/Next" in action:
                pending.append(_resolved(dict.get(action, "/Next")))
    return ""


def _reason(exc: BaseException) -> str:
    """pypdf's words for a failure, printable and short (it may quote the file's bytes)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 120 else text[:119] + "…"


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf reports what it repaired through logging and warnings: not to the user's terminal."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.findall(r"\w+", plain)


def _mentions(text: str, name: str) -> bool:
    wanted = _words(name)
    if not wanted:
        return False
    words = _words(text)
    if f" {' '.join(wanted)} " in f" {' '.join(words)} ":
        return True
    # Some PDFs space their letters out or split words when extracted: compare without spaces.
    compact = "".join(wanted)
    return len(compact) >= 6 and compact in "".join(words)
