"""How certificates are numbered and verified, and who is named on them.

One number per request and a revision per issue; every issue carries its own
verification code, printed on it, by which a holder can ask whether it is genuine and
current (``certdesk verify``).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.vocabulary import Brand

# Crockford's base32: digits and letters without I, L, O and U, so nothing reads as
# something else; a holder typing I or L means 1, O means 0.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 bits: guessing one of a million codes takes a billion tries
_READ_AS = {"I": "1", "L": "1", "O": "0"}
# What a holder may type between the characters of a code.
_SEPARATORS = frozenset(" -\t\u00a0\u2010\u2011\u2012\u2013\u2014")


def certificate_number(request_id: int) -> str:
    """The request's certificate number, e.g. ``CD-000123``; every revision shares it."""
    return f"CD-{request_id:06d}"


def certificate_title(number: str, revision: int) -> str:
    """How the activity log names one issue of a certificate: ``certificate CD-000123 rev 0``."""
    return f"certificate {number} rev {revision}"


def new_verification_code(rng: random.Random | None = None) -> str:
    """A fresh code of ``CODE_LENGTH`` characters (``rng`` for a reproducible demo)."""
    choice = rng.choice if rng is not None else secrets.choice
    return "".join(choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def printed_code(code: str) -> str:
    """The code as printed and shown: two groups of five, ``7K3QF-9XM2D``."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}" if len(code) == CODE_LENGTH else code


def parse_verification_code(typed: str) -> str:
    """The stored form of a code as a holder types it, or ``ValidationFailed`` saying why.

    Case does not matter; spaces and dashes between characters are ignored; I and L are
    read as 1 and O as 0 (Crockford's base32).
    """
    shown = typed if len(typed) <= 40 else typed[:37] + "..."
    code = ""
    for ch in typed:
        if ch in _SEPARATORS:
            continue
        # ASCII only: "ß".upper() is "SS", and no other script has look-alikes here.
        read = _READ_AS.get(ch.upper(), ch.upper()) if ch.isascii() else ch
        if read not in CODE_ALPHABET:
            what = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
            raise ValidationFailed(
                f"{shown!r} is not a verification code: {what} is not one of its characters "
                "(digits and letters except U)")
        code += read
    if not code:
        raise ValidationFailed("no verification code given: it is the 10 characters printed "
                               "on the certificate, e.g. 7K3QF-9XM2D")
    if len(code) != CODE_LENGTH:
        raise ValidationFailed(
            f"{shown!r} is not a verification code: it has {len(code)} characters, "
            f"a code has {CODE_LENGTH}")
    return code


# Bidirectional embeddings, overrides and isolates could draw a name in another order
# than it reads: refused like control characters.
@dataclass(frozen=True)
class ProducerContact:
    """Who at the producer a holder calls about a certificate, and who signs it."""

    name: str
    phone: str
    email: str
    representative: str


DEFAULT_CONTACTS: dict[Brand, ProducerContact] = {
    Brand.COMPEO: ProducerContact(
        "Compeo Certificate Desk", "(813) 555-0142", "certificates@compeo.example",
        "Dana Whitfield"),
    Brand.PEOPAYGO: ProducerContact(
        "PeoPayGo Certificate Services", "(312) 555-0187", "certificates@peopaygo.example",
        "Marcus Bell"),
    Brand.CORNERSTONE: ProducerContact(
        "Cornerstone Certificate Team", "(617) 555-0123", "certificates@cornerstone.example",
        "Priya Raman"),
}
"""Each brand's contact and authorized representative unless the settings name others."""


@dataclass(frozen=True)
class Verification:
    """What ``certdesk verify`` answers a holder: is this certificate genuine and current?"""

    status: str  # "current", "superseded" or "unknown"
    number: str | None = None
    revision: int | None = None
    request_id: int | None = None
    insured: str | None = None
    holder: str | None = None

    @property
    def is_current(self) -> bool:
        return self.status == "current"

    def to_json(self) -> dict[str, str | int | None]:
        return {"status": self.status, "number": self.number, "revision": self.revision,
                "request_id": self.request_id, "insured": self.insured, "holder": self.holder}


UNKNOWN = Verification("unknown")


HOLDER_FIELDS = ("holder_name", "holder_address", "holder_city", "holder_state", "holder_zip",
                 "holder_email")
REVISABLE_FIELDS = (*HOLDER_FIELDS, "description")
"""The certificate fields a revision may correct (``certdesk reissue --set``): the holder
and the description of operations (continued on the remarks page when long)."""
