"""The holder address book: the certificate holders a customer has used.

Every certificate issued teaches it the customer's holder; the same name
(compared by ``name_key``: case, spacing and punctuation ignored, any script)
with a new address updates the entry and keeps its count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_WORDS = re.compile(r"\w+")


def name_key(name: str) -> str:
    """A holder's name folded for matching: "Big General, Inc." == "big general inc"."""
    return " ".join(_WORDS.findall(name.casefold()))


@dataclass(frozen=True, slots=True)
class LearnedHolder:
    """What one issued certificate teaches its customer's address book about its holder."""

    key: str
    """``name_key`` of the name: the entry the certificate counts for."""
    name: str
    address: str
    city: str
    state: str
    zip: str
    email: str
    at: datetime

    def entry(self, certificates_before: int) -> dict[str, Any]:
        """The entry's columns once this certificate is counted: the name, address and
        email of the newest certificate, one certificate more, last issued at this one."""
        return {"name_key": self.key, "name": self.name, "address": self.address,
                "city": self.city, "state": self.state, "zip": self.zip,
                "email": self.email, "certificates": certificates_before + 1,
                "last_issued": self.at}


def learned_holder(*, name: str, address: str, city: str, state: str, zip_code: str,
                   email: str, at: datetime) -> LearnedHolder | None:
    """The holder a certificate issued at ``at`` teaches (None: a name with nothing to
    match it by, which the address book does not keep)."""
    key = name_key(name)
    if not key:
        return None
    return LearnedHolder(key, name, address, city, state, zip_code, email, at)


@dataclass(frozen=True)
class HolderView:
    """One holder of the address book, as the forms and ``certdesk holders`` show it."""

    name: str
    address: str
    city: str
    state: str
    zip: str
    email: str
    certificates: int
    last_issued: datetime

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "address": self.address, "city": self.city,
                "state": self.state, "zip": self.zip, "email": self.email,
                "certificates": self.certificates,
                "last_issued": self.last_issued.isoformat()}
