"""What a certificate file says of itself: the verification code and the certificate number
and revision certdesk prints on it."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from certdesk_tui.domain.certificates import CODE_ALPHABET, CODE_LENGTH

_HALF = CODE_LENGTH // 2
_PRINTED = re.compile(rf"\b([{CODE_ALPHABET}]{{{_HALF}}})-([{CODE_ALPHABET}]{{{_HALF}}})\b")
# The coverages heading of the first page, and the line of each additional remarks page.
_HEADING = re.compile(r"CERTIFICATE NUMBER:\s*(CD-\d{6,9})\s+REVISION NUMBER:\s*(\d{1,6})\b")
_REMARKS = re.compile(r"part of certificate (CD-\d{6,9}), revision (\d{1,6})\b")
MAX_CODES = 50
"""Code-shaped groups looked up at most (a certificate prints one)."""


@dataclass(frozen=True)
class PrintedMarks:
    """What of certdesk's marks a file's text shows: the code-shaped groups (stored form, in
    order, at most ``MAX_CODES``) and the certificate number and revision, if printed."""

    codes: tuple[str, ...] = ()
    number: str | None = None
    revision: int | None = None


def first_page_text(data: bytes) -> str:
    """The text of the file's first page ("" when it has none or cannot be read)."""
    from pypdf import PdfReader  # only when a file is verified or uploaded

    from certdesk_tui.pdf.upload_check import _quiet_pypdf

    try:
        with _quiet_pypdf():  # a damaged file's warnings are not the answer
            return PdfReader(io.BytesIO(data)).pages[0].extract_text() or ""
    except Exception:  # noqa: BLE001 - any file at all may be given: no text is the answer
        return ""


def printed_marks(text: str) -> PrintedMarks:
    """certdesk's marks as they read in ``text`` (a first page's)."""
    codes: list[str] = []
    for found in _PRINTED.finditer(text):
        code = found.group(1) + found.group(2)
        if code not in codes:
            codes.append(code)
        if len(codes) == MAX_CODES:
            break
    heading = _HEADING.search(text) or _REMARKS.search(text)
    if heading is None:
        return PrintedMarks(tuple(codes))
    return PrintedMarks(tuple(codes), heading.group(1), int(heading.group(2)))


def printed_verification_code(data: bytes) -> str | None:
    """The code printed on a certdesk certificate's first page (stored form), if any."""
    codes = printed_marks(first_page_text(data)).codes
    return codes[0] if codes else None
