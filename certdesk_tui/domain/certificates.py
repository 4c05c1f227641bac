"""How certificates are numbered: one number per request, a revision per issue."""

from __future__ import annotations


def certificate_number(request_id: int) -> str:
    """The request's certificate number, e.g. ``CD-000123``; every revision shares it."""
    return f"CD-{request_id:06d}"


def certificate_title(number: str, revision: int) -> str:
    """How the activity log names one issue of a certificate: ``certificate CD-000123 rev 0``."""
    return f"certificate {number} rev {revision}"
