"""Where everything sits on the certificate, the words printed on it, and how values read.

This is our own layout of the usual certificate sections, not an ACORD form. Every
block has a fixed place and size on a Letter page (millimetres from the top left).
"""

from __future__ import annotations

import unicodedata
from datetime import date

# Letter portrait in millimetres; the margin gives a round 190 mm content width.
PAGE_W = 215.9
PAGE_H = 279.4
MARGIN = 12.95
CONTENT_W = PAGE_W - 2 * MARGIN
HALF_W = CONTENT_W / 2
PAD = 1.5  # inner padding of every box
LINE = 0.42  # line height in mm per point of font size: about 1.2 line spacing
MIN_SIZE = 6.0  # the smallest type a field is shrunk to before it is refused
SIZE_STEP = 0.5
DESCRIPTION_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0)
CONTINUED = "(continued on the additional remarks page)"
REMARKS_TITLE = "ADDITIONAL REMARKS"
DESCRIPTION_LABEL = "DESCRIPTION OF OPERATIONS / LOCATIONS / VEHICLES"

# How each field is named in a refusal.
FIELD_LABELS = {
    "producer_name": "producer name",
    "producer_address": "producer address",
    "insured_name": "insured name",
    "insured_address": "insured address",
    "insurer_name": "insurer name",
    "insurer_naic": "insurer NAIC number",
    "policy_number": "policy number",
    "holder_name": "holder name",
    "holder_address": "holder address",
    "holder_city": "holder city",
    "holder_state": "holder state",
    "holder_zip": "holder ZIP code",
    "description": "description of operations",
}
# The texts a certificate prints besides the form's, named for a refusal.
CONTACT_LABELS = {
    "name": "producer contact name",
    "phone": "producer contact phone",
    "email": "producer contact email",
    "representative": "authorized representative",
}

NOTICE = (
    "This certificate is issued for information only and gives the certificate holder no "
    "rights. It does not amend, extend or alter the coverage afforded by the policies listed "
    "below, and it is not a contract between the insurer(s), the producer and the holder."
)
ENDORSEMENT_NOTICE = (
    "IMPORTANT: the certificate holder is an additional insured, and a waiver of subrogation "
    "applies in its favor, only where the policy provides so by its own terms or by an "
    "endorsement. A statement on this certificate does not take the place of that "
    "endorsement."
)
COVERAGE_NOTE = (
    "The policies listed below have been issued to the insured named above for the policy "
    "period shown. Limits may have been reduced by paid claims. Coverage is subject to all "
    "terms, conditions and exclusions of the policies themselves."
)
CANCELLATION = (
    "If any policy described above is canceled before its expiration date, notice will be "
    "delivered in accordance with the provisions of that policy."
)
WAIVER = "WAIVER OF SUBROGATION APPLIES"
WORKERS_COMPENSATION = "WORKERS COMPENSATION AND EMPLOYERS' LIABILITY"
OFFICERS_EXCLUDED = "ANY PROPRIETOR / PARTNER / EXECUTIVE OFFICER / MEMBER EXCLUDED?"
OFFICERS_NOTE = "If Y, described under the description of operations."
NOT_APPLICABLE = "N/A"
VERIFICATION_LABEL = "VERIFICATION CODE"
VERIFICATION_NOTE = ("Genuine and current? Give the verification code to the producer "
                     "contact below.")

# Coverages table: (heading, width in mm); the widths add up to CONTENT_W.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("INSR\nLTR", 10),
    ("TYPE OF INSURANCE", 36),
    ("ADDL\nINSD", 11),
    ("SUBR\nWVD", 11),
    ("POLICY NUMBER", 28),
    ("POLICY EFF\n(MM/DD/YYYY)", 20),
    ("POLICY EXP\n(MM/DD/YYYY)", 20),
    ("LIMITS", 54),
)



def us_date(value: date) -> str:
    return value.strftime("%m/%d/%Y")


def money(amount: int) -> str:
    return f"${amount:,}"


def clean(text: str) -> str:
    """One spelling of every text: composed characters (NFC), ``\\n`` line ends, tabs as spaces."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    try:
        return unicodedata.normalize("NFC", text)
    except UnicodeError:  # a lone surrogate: left for the glyph check to name
        return text


def describe(char: str) -> str:
    """``U+1F600 GRINNING FACE``: a character as a person can look it up (ASCII only)."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    if name:
        return f"{code} {name}"
    category = unicodedata.category(char)
    kind = {"Cc": "a control character", "Cs": "a lone surrogate", "Co": "a private-use character",
            "Cn": "an unassigned code point"}.get(category, "an unnamed character")
    return f"{code} ({kind})"
