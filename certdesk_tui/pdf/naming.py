"""The file name a certificate is saved and attached under."""

from __future__ import annotations

import re
import unicodedata

_TRANSLITERATE = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "Đ": "D",
        "đ": "d",
        "Ħ": "H",
        "ħ": "h",
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "Th",
        "þ": "th",
        "ı": "i",
    }
)


def certificate_file_name(number: str, revision: int, insured_name: str) -> str:
    """An ASCII file name, e.g. ``certificate-CD-000123-r0-acme-roofing.pdf``."""
    number_part = _slug(number, keep_case=True)[:30].strip("-")
    name_part = _slug(insured_name)
    stem = "-".join(p for p in ("certificate", number_part, f"r{int(revision)}", name_part) if p)
    # 76 + ".pdf" keeps the whole name within 80 characters.
    return stem[:76].rstrip("-") + ".pdf"


def _slug(text: str, *, keep_case: bool = False) -> str:
    # NFKD strips accents (é -> e) but leaves letters such as Ł or ß alone.
    text = unicodedata.normalize("NFKD", str(text).translate(_TRANSLITERATE))
    ascii_text = text.encode("ascii", "ignore").decode("ascii")
    if not keep_case:
        ascii_text = ascii_text.lower()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")
