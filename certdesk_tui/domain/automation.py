"""Attempt automation: the certificate form prefilled from customer and policy data.

The specialist reviews the prefilled form, corrects typos and submits; the same
form drives the PDF layout (``pdf.certificate``) and the ``--set FIELD=VALUE``
flags of ``certdesk automate``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Any

from certdesk_tui.domain import Brand, RequestType, addresses, postal_address
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.written import deceiving_character, is_blank

# The producer (the agency issuing the certificate) of each brand.
PRODUCERS: dict[Brand, tuple[str, str]] = {
    Brand.COMPEO: ("Compeo Insurance Services", "1200 Harbor Blvd, Suite 400\nTampa, FL 33602"),
    Brand.PEOPAYGO: ("PeoPayGo Insurance Agency", "500 W Madison St, Floor 9\nChicago, IL 60661"),
    Brand.CORNERSTONE: ("Cornerstone PEO Insurance", "75 State St, Suite 1100\nBoston, MA 02109"),
}

STATE_RE = re.compile(r"^[A-Z]{2}$")
LIMITS = ("each_accident", "disease_each_employee", "disease_policy_limit")
# The largest dollar limit a certificate prints: it always fits the limits column at a
# legible size and the database's integer column.
LIMIT_MAX = 999_999_999
# The description of operations continues on additional remarks pages; past this many
# characters it is refused rather than filling page after page.
DESCRIPTION_MAX = 20_000
ZIP_RE = re.compile(r"^\d{5}(?:-\d{4})?$")


def limit_problem(value: object) -> str | None:
    """Why ``value`` cannot be a dollar limit on a certificate, or None when it can.

    The one bound for limits, used at customer import, in the automation form and by
    ``certdesk automate --set``: a whole number of dollars from $1 to $999,999,999.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole dollar amount"
    if value <= 0:
        return "must be more than zero"
    if value > LIMIT_MAX:
        return f"must be at most ${LIMIT_MAX:,}"
    return None


@dataclass(frozen=True)
class CertificateForm:
    """Every field of the certificate a specialist can review and correct."""

    producer_name: str
    producer_address: str
    insured_name: str
    insured_address: str
    insurer_name: str
    insurer_naic: str
    policy_number: str
    effective: date
    expires: date
    each_accident: int
    disease_each_employee: int
    disease_policy_limit: int
    holder_name: str
    holder_address: str
    holder_city: str
    holder_state: str
    holder_zip: str
    holder_email: str
    description: str
    wos: bool = False
    # The workers' compensation row's "any proprietor / partner / executive officer /
    # member excluded?" box: Y only when the policy excludes one (described below).
    officers_excluded: bool = False

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["effective"] = self.effective.isoformat()
        data["expires"] = self.expires.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CertificateForm:
        values = dict(data)
        values["effective"] = date.fromisoformat(values["effective"])
        values["expires"] = date.fromisoformat(values["expires"])
        return cls(**values)

    @property
    def holder_block(self) -> str:
        address = postal_address(self.holder_address, self.holder_city, self.holder_state,
                                 self.holder_zip)
        return "\n".join(line for line in (self.holder_name, address) if line)

    def with_changes(self, changes: dict[str, str]) -> CertificateForm:
        """Apply textual corrections (``FIELD=VALUE``), converting and checking each."""
        converted: dict[str, Any] = {}
        known = {f.name: f for f in fields(self)}
        for name, raw in changes.items():
            if name not in known:
                raise ValidationFailed(
                    f"unknown certificate field {name!r}; fields: {', '.join(known)}"
                )
            converted[name] = _convert(name, raw)
        return replace(self, **converted)


def _convert(name: str, raw: Any) -> Any:
    if name in ("effective", "expires"):
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValidationFailed(f"{name} must be a date YYYY-MM-DD, not {raw!r}") from None
    if name in LIMITS:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        text = str(raw).replace(",", "").replace("$", "").strip()
        # ASCII digits only ("²".isdigit() is true). The bound itself is checked by
        # validate() (limit_problem), but thousands of digits are refused here, before
        # int() is asked to convert them.
        if not re.fullmatch(r"[0-9]+", text):
            raise ValidationFailed(f"{name} must be a whole dollar amount, not {_shown(raw)}")
        if len(text.lstrip("0")) > 30:
            raise ValidationFailed(f"{name} {limit_problem(LIMIT_MAX + 1)}, not {_shown(raw)}")
        return int(text)
    if name in ("wos", "officers_excluded"):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "y", "on"):
            return True
        if text in ("0", "false", "no", "n", "off"):
            return False
        raise ValidationFailed(f"{name} must be yes or no, not {raw!r}")
    return str(raw)


def _shown(raw: Any) -> str:
    """A refused value as quoted in a message, at most about 40 characters."""
    text = repr(str(raw))
    return text if len(text) <= 40 else text[:36] + "...'"


def validate(form: CertificateForm) -> dict[str, str]:
    """Problems by field name; empty when the form can be issued."""
    problems: dict[str, str] = {}
    required = (
        "producer_name", "insured_name", "insurer_name", "policy_number", "holder_name",
        "holder_address", "holder_city", "holder_state", "holder_zip",
    )
    for name in required:
        # Spaces and invisible characters (a zero-width space, a blank braille cell)
        # would print an empty box: as required as nothing.
        if is_blank(str(getattr(form, name))):
            problems[name] = "is required"
    if not is_blank(form.holder_name) and len(form.holder_name.strip()) < 3:
        problems["holder_name"] = "is incomplete"
    if form.holder_state.strip() and not STATE_RE.match(form.holder_state.strip()):
        problems["holder_state"] = "must be a two-letter state code"
    if form.holder_zip.strip() and not ZIP_RE.match(form.holder_zip.strip()):
        problems["holder_zip"] = "must be a ZIP code (12345 or 12345-6789)"
    email_problem = addresses.problem(form.holder_email.strip()) \
        if form.holder_email.strip() else None
    if email_problem:
        problems["holder_email"] = f"is not a valid email address ({email_problem})"
    if form.expires <= form.effective:
        problems["expires"] = "must be after the effective date"
    for name in LIMITS:
        problem = limit_problem(getattr(form, name))
        if problem:
            problems[name] = problem
    if len(form.description) > DESCRIPTION_MAX:
        problems["description"] = f"is longer than {DESCRIPTION_MAX:,} characters"
    return problems


def require_valid(form: CertificateForm) -> None:
    problems = validate(form)
    if problems:
        listed = "; ".join(f"{name} {problem}" for name, problem in problems.items())
        raise ValidationFailed(f"the certificate cannot be issued: {listed}")


MAX_OVERRIDE_REASON = 500


def term_refusal(policy_number: str, effective: date, expires: date, certificate_date: date,
                 renewal_window_days: int) -> str | None:
    """Why a certificate dated ``certificate_date`` may not certify this policy term, or None.

    A policy is in force from its effective date through its expiry date. A term that
    has not started yet may still be certified when it starts within the renewal window:
    holders are sent the renewed term before it begins.
    """
    number = policy_number.strip() or "(no number)"
    if expires < certificate_date:
        return f"policy {number} expired on {expires}; the certificate is dated {certificate_date}"
    if effective > certificate_date:
        days = (effective - certificate_date).days
        if days > renewal_window_days:
            return (
                f"policy {number} takes effect on {effective}, {days} days after the "
                f"certificate's date {certificate_date}; a term that has not started may be "
                f"certified only within the renewal window of {renewal_window_days} days"
            )
    return None


def printed_policy_refusal(form: CertificateForm, number: str, effective: date,
                           expires: date) -> str | None:
    """Why the policy a certificate prints is not the policy on record, or None.

    A certificate certifies the insurer's record: its policy number and term are the
    record's, not dates typed over them (a specialist who knows better says so in an
    override reason, which is logged).
    """
    printed = form.policy_number.strip()
    if printed != number:
        return (f"the certificate prints policy {printed or '(no number)'}, which is not "
                f"on record for this customer (policy {number} is)")
    if (form.effective, form.expires) != (effective, expires):
        return (f"the certificate prints policy {number} as running from {form.effective} "
                f"to {form.expires}, but the policy on record runs from {effective} to "
                f"{expires}")
    return None


def clean_override_reason(reason: str) -> str:
    """A processor's written reason for overriding a policy-date refusal, or a refusal."""
    text = " ".join((reason or "").split())
    if is_blank(text):
        raise ValidationFailed(
            "an override needs a written reason: say why this certificate may be issued anyway"
        )
    if len(text) > MAX_OVERRIDE_REASON:
        raise ValidationFailed(
            f"an override reason is at most {MAX_OVERRIDE_REASON} characters, not {len(text)}"
        )
    if (char := deceiving_character(text, marks=True)) is not None:
        raise ValidationFailed(
            f"an override reason cannot contain the control character U+{ord(char):04X}"
        )
    return text


def default_description(insured_name: str, wos: bool) -> str:
    text = f"Evidence of workers' compensation coverage for the employees of {insured_name}."
    if wos:
        text += (
            " Waiver of subrogation applies in favor of the certificate holder where"
            " required by written contract."
        )
    return text


def with_wos(form: CertificateForm) -> CertificateForm:
    """Tick WOS; a description still at its default gets the waiver sentence too."""
    description = form.description
    if description == default_description(form.insured_name, False):
        description = default_description(form.insured_name, True)
    return replace(form, wos=True, description=description)


def prefill(request: Any, customer: Any, policy: Any | None) -> CertificateForm:
    """The form as automation fills it from the request, the customer and the policy."""
    brand = Brand(customer.brand)
    producer_name, producer_address = PRODUCERS[brand]
    wos = request.type == RequestType.WOS
    return CertificateForm(
        producer_name=producer_name,
        producer_address=producer_address,
        insured_name=customer.name,
        insured_address=postal_address(customer.address, customer.city, customer.state,
                                       customer.zip),
        insurer_name=policy.carrier if policy else "",
        insurer_naic=policy.naic if policy else "",
        policy_number=policy.number if policy else "",
        effective=policy.effective if policy else request.submitted_at.date(),
        expires=policy.expires if policy else request.submitted_at.date(),
        each_accident=policy.each_accident if policy else 0,
        disease_each_employee=policy.disease_each_employee if policy else 0,
        disease_policy_limit=policy.disease_policy_limit if policy else 0,
        holder_name=request.holder_name,
        holder_address=request.holder_address,
        holder_city=request.holder_city,
        holder_state=request.holder_state,
        holder_zip=request.holder_zip,
        holder_email=request.holder_email,
        description=default_description(customer.name, wos),
        wos=wos,
    )
