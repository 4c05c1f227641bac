"""The demo's certificates: the form each keeps, drawn by the real renderer.

A certificate of the demo is stored with the form it was issued from and no file
yet (``UNDRAWN``): the desk draws it when it is first opened, with the renderer
every certificate goes through (``pdf.certificate.render_stored``), so a demo of a
million requests does not draw a hundred thousand certificates nobody looks at.
The few attached to an email still to be delivered are drawn while the demo is
built (``draw_now``): the mail worker sends the stored file. A request completed
by uploading a carrier's certificate keeps the form under ``"form"``, and our
layout of it stands in for the carrier's file.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from certdesk_tui import intake
from certdesk_tui.domain import Brand
from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.certificates import DEFAULT_CONTACTS, new_verification_code

UNDRAWN: dict[str, Any] = {"pdf": b"", "sha256": ""}
"""A certificate row's file and digest before it is drawn."""


def demo_code(number: str, revision: int) -> str:
    """A demo certificate's verification code: the same for every build, without drawing
    on the plan's random numbers (the rest of the demo stays as it was)."""
    return new_verification_code(random.Random(f"demo certificate {number} {revision}"))


def draw_now(cert: dict[str, Any]) -> None:
    """Draw a certificate row's file from its form, as the desk would when opening it
    (with the brand's default producer contact: the demo's configuration)."""
    from certdesk_tui.pdf.certificate import render_stored  # fpdf2: only when needed

    pdf = render_stored(cert["data"], number=cert["number"], revision=cert["revision"],
                        issued_on=cert["issued_at"].date(),
                        verification_code=cert["verification_code"],
                        contact=DEFAULT_CONTACTS[Brand(cert["brand"])])
    cert.update(pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest())


FORM_FIELDS = tuple(CertificateForm.field_names())


def form_json(form: CertificateForm) -> dict[str, Any]:
    """``form.to_json()`` without ``asdict``'s deep copies (the fields are all flat)."""
    data = {name: getattr(form, name) for name in FORM_FIELDS}
    data["effective"] = form.effective.isoformat()
    data["expires"] = form.expires.isoformat()
    return data


@dataclass(frozen=True)
class FormRequest:
    """What ``automation.prefill`` reads of a request."""

    type: str
    submitted_at: datetime
    holder: intake.Holder

    @property
    def holder_name(self) -> str:
        return self.holder.name

    @property
    def holder_address(self) -> str:
        return self.holder.address

    @property
    def holder_city(self) -> str:
        return self.holder.city

    @property
    def holder_state(self) -> str:
        return self.holder.state

    @property
    def holder_zip(self) -> str:
        return self.holder.zip

    @property
    def holder_email(self) -> str:
        return self.holder.email
