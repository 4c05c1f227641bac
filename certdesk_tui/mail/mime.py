"""The common message written directly as MIME bytes, without the email package's objects.

Most messages have plain ASCII headers that fit on one line each: for those the
message is written here, part by part, the way the email package would write it
(quoted-printable UTF-8 text and HTML, the certificate in base64, CRLF line
endings), at a fraction of the cost. ``plain_message`` answers None for anything
else (a name or subject outside printable ASCII, a header that would need
folding, an address that would need quoting, an attachment name that would need
encoding): those go through the email package, and are read back and checked.
"""

from __future__ import annotations

import binascii
import random
import re
import sys
from email.quoprimime import body_encode

MAX_LINE = 78
"""The line length the composition policy folds at (``email.policy.SMTP``)."""

_ATOM_TEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
_QUOTABLE = re.compile(r"[ -~]*")  # printable ASCII: in a quoted string, \ and " escaped
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                      r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_FILE_NAME = re.compile(r"[A-Za-z0-9 ._()+,-]*")
_BASE64_CHUNK = MAX_LINE // 4 * 3  # 57 bytes: one 76-character base64 line
_random = random.Random()
_WIDTH = len(repr(sys.maxsize - 1))


def mailbox(name: str, addr: str) -> str | None:
    """``Name <addr>`` (quoted when the name holds specials), None when it is not plain."""
    if not _ADDRESS.fullmatch(addr):
        return None
    if not name:
        return addr
    if name != name.strip() or "  " in name:
        return None
    if _ATOM_TEXT.fullmatch(name):
        return f"{name} <{addr}>"
    if _QUOTABLE.fullmatch(name):
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{addr}>'
    return None


def _header(name: str, value: str) -> str | None:
    line = f"{name}: {value}"
    if len(line) > MAX_LINE or not _QUOTABLE.fullmatch(value) or "=?" in value:
        return None
    return line


def _text_part(text: str, subtype: str) -> str:
    # As the email package's content manager: UTF-8, lines joined with \n, quoted-printable.
    lines = text.encode("utf-8").splitlines()
    body = body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), MAX_LINE)
    return (f'Content-Type: text/{subtype}; charset="utf-8"\n'
            "Content-Transfer-Encoding: quoted-printable\n\n" + body)


def _boundary() -> str:
    return "=" * 15 + f"{_random.randrange(sys.maxsize):0{_WIDTH}d}" + "=="


def _multipart(subtype: str, parts: list[str]) -> tuple[str, str]:
    """(the Content-Type header line, the body) of a multipart holding ``parts``."""
    boundary = _boundary()
    body = "".join(f"--{boundary}\n{part}\n" for part in parts) + f"--{boundary}--\n"
    return f'Content-Type: multipart/{subtype};\n boundary="{boundary}"', body


def plain_message(headers: list[tuple[str, str]], body_text: str, body_html: str,
                  attachment: tuple[str, bytes] | None) -> bytes | None:
    """The message's bytes (CRLF line endings), or None when it is not a plain one.

    ``headers`` are (name, value) pairs, values already formatted (``mailbox``);
    ``attachment`` is (a safe file name, the PDF's bytes).
    """
    lines = []
    for name, value in headers:
        line = _header(name, value)
        if line is None:
            return None
        lines.append(line)
    parts = [_text_part(body_text, "plain")]
    if body_html:
        parts.append(_text_part(body_html, "html"))
    if len(parts) == 1:
        head, _, body = parts[0].partition("\n\n")
        content = [*head.split("\n")]
    else:
        content_type, body = _multipart("alternative", parts)
        content = [content_type]
    if attachment is not None:
        file_name, data = attachment
        disposition = f'Content-Disposition: attachment; filename="{file_name}"'
        if not _FILE_NAME.fullmatch(file_name) or len(disposition) > MAX_LINE:
            return None
        encoded = "".join(binascii.b2a_base64(data[i:i + _BASE64_CHUNK]).decode("ascii")
                          for i in range(0, len(data), _BASE64_CHUNK))
        pdf = ("Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
               f"{disposition}\n\n{encoded}")
        inner = "\n".join(content) + "\n\n" + body
        content_type, body = _multipart("mixed", [inner, pdf])
        content = [content_type]
    text = "\n".join([*lines, "MIME-Version: 1.0", *content]) + "\n\n" + body
    return text.replace("\n", "\r\n").encode("ascii")
