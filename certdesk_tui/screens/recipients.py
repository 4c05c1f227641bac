"""Addresses typed in a dialog's "also email" field: split, checked, said what is wrong."""

from __future__ import annotations

import re

from certdesk_tui.domain.addresses import AddressRefused, normalized

CC_LABEL = "Also email (other addresses, separated by commas)"


def typed_addresses(text: str) -> tuple[str, ...]:
    """Addresses typed in one field, separated by commas, semicolons or spaces."""
    return tuple(a for a in re.split(r"[,;\s]+", text) if a)


def address_problem(text: str) -> str:
    """What is wrong with the first typed address that cannot be used ("" when none is)."""
    for address in typed_addresses(text):
        try:
            normalized(address, "extra recipient")
        except AddressRefused as exc:
            return str(exc)
    return ""


def also_to(text: str) -> str:
    """The recipients line's end for the typed addresses ("" when none)."""
    typed = typed_addresses(text)
    return f" Also to {', '.join(typed)}." if typed else ""
