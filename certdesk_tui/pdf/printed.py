"""What a certificate file says of itself: the verification code printed on it."""

from __future__ import annotations

import io
import re

from certdesk_tui.domain.certificates import CODE_ALPHABET, CODE_LENGTH

_HALF = CODE_LENGTH // 2
_PRINTED = re.compile(rf"\b([{CODE_ALPHABET}]{{{_HALF}}})-([{CODE_ALPHABET}]{{{_HALF}}})\b")


def printed_verification_code(data: bytes) -> str | None:
    """The code printed on a certdesk certificate's first page (stored form), if any."""
    from pypdf import PdfReader  # only when a file is verified

    from certdesk_tui.pdf.upload_check import _quiet_pypdf

    try:
        with _quiet_pypdf():  # a damaged file's warnings are not the answer
            text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    except Exception:  # noqa: BLE001 - any file at all may be given: no code is the answer
        return None
    found = _PRINTED.search(text)
    return found.group(1) + found.group(2) if found else None
