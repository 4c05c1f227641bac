"""Customers and their policies, loaded from JSON Lines (one transaction a line)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from certdesk_tui import intake
from certdesk_tui.clock import utcnow
from certdesk_tui.domain import ActivityKind, Brand, CustomerStatus, automation
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.written import is_blank
from certdesk_tui.service import interrupts
from certdesk_tui.service.intake_report import (
    ImportReport,
    LineOutcome,
    line_refused,
    numbered_lines,
    stopped_answering,
)
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import customers, requests
from certdesk_tui.storage.changes import bump_change_marker
from certdesk_tui.storage.columns import check_fits
from certdesk_tui.storage.models import Customer, Policy

CUSTOMER_FIELDS = ("code", "name", "brand", "status", "email", "address", "city", "state",
                   "zip")
LIMIT_FIELDS = ("each_accident", "disease_each_employee", "disease_policy_limit")


def import_customers(ds: DeskSession, lines: Iterable[str | bytes]) -> ImportReport:
    """Load or update customers and their policies (JSON Lines), one transaction a line.

    Interrupted (Ctrl-C), it stops after the line in hand (never inside its
    transaction): the lines committed stay, and the report says so (``interrupted``).
    """
    ds.require(Permission.IMPORT)
    report = ImportReport()
    try:
        with interrupts.catching():
            _take_in(ds, lines, report)
    except KeyboardInterrupt:
        report.interrupted = True
    return report


def _take_in(ds: DeskSession, lines: Iterable[str | bytes], report: ImportReport) -> None:
    for number, line in numbered_lines(lines, report):
        try:
            record = parse_customer(line)
            with interrupts.shielded():
                with ds.writing() as s:
                    message, changed = upsert_customer(ds, s, record)
                # Reported inside the shield: an interrupt held during the commit lands
                # only after the committed line is counted.
                (report.accepted if changed else report.unchanged).append(
                    LineOutcome(number, message))
        except Exception as exc:  # noqa: BLE001 - one line never stops an import
            report.refused.append(LineOutcome(number, line_refused(exc)))
            if stopped_answering(ds, exc, number, report):
                break
            continue


def upsert_customer(ds: DeskSession, s: Session, record: dict[str, Any]) -> tuple[str, bool]:
    """Create or update the customer of ``record``: its message, and whether it changed.

    A line that changes nothing (every field and every policy as on file) writes
    nothing: no activity, no change for the desks to read again; it is reported
    unchanged, as a submission received twice is.
    """
    customer = customers.customer_by_code(s, record["code"])
    if customer is not None and _as_on_file(customer, record):
        return f"customer {customer.code} unchanged", False
    now = utcnow()
    created = customer is None
    if customer is None:
        customer = Customer(code=record["code"])
        s.add(customer)
    for key in CUSTOMER_FIELDS[1:]:
        setattr(customer, key, record[key])
    customer.name_search = record["name"].lower()
    customer.updated_at = now
    check_fits(customer)
    if record["policies"] is not None:
        _replace_policies(s, customer, record["policies"])
    s.flush()
    bump_change_marker(s, now)
    what = f"customer {customer.code} {'created' if created else 'updated'}"
    ds.log(s, None, ActivityKind.CUSTOMER_IMPORTED, what)
    return what, True


def _as_on_file(customer: Customer, record: dict[str, Any]) -> bool:
    """Whether ``record`` holds exactly what is on file for ``customer``.

    Its fields, and its policies when it lists them: the same numbers (none held
    twice on file), each with the same fields; their order does not matter.
    """
    if any(getattr(customer, key) != record[key] for key in CUSTOMER_FIELDS[1:]):
        return False
    if customer.name_search != record["name"].lower():
        return False
    if record["policies"] is None:
        return True
    held = {policy.number: policy for policy in customer.policies}
    if len(held) != len(customer.policies) or len(held) != len(record["policies"]):
        return False
    return all(
        fields["number"] in held
        and all(getattr(held[fields["number"]], key) == value for key, value in fields.items())
        for fields in record["policies"])


def _replace_policies(s: Session, customer: Customer, policies: list[dict[str, Any]]) -> None:
    """Update in place, matched by number: requests refer to the policy they were under.

    A number held twice (by an older import) is healed: the first is kept.
    """
    for fields in policies:
        check_fits(Policy(**fields))
    existing: dict[str, Policy] = {}
    extra: list[Policy] = []
    for held in sorted(customer.policies, key=lambda p: p.id or 0):
        if held.number in existing:
            extra.append(held)
        else:
            existing[held.number] = held
    for fields in policies:
        policy = existing.pop(fields["number"], None)
        if policy is None:
            customer.policies.append(Policy(**fields))
        else:
            for key, value in fields.items():
                setattr(policy, key, value)
    for gone in [*existing.values(), *extra]:
        requests.forget_policy(s, gone.id)
        customer.policies.remove(gone)


def parse_customer(line: str) -> dict[str, Any]:
    """One customer line: its fields, checked, and its policies (None: keep them)."""
    data = intake.load_record(line)

    def text(key: str, required: bool = False) -> str:
        value = data.get(key)
        # A name of invisible characters (zero-width spaces) is as missing as none.
        if value is None or (isinstance(value, str) and is_blank(value)):
            if required:
                raise ValidationFailed(f"missing {key}")
            return ""
        if not isinstance(value, str):  # a number is not text: "zip": 33602 is refused
            raise ValidationFailed(f"{key} must be text")
        return value.strip()

    record: dict[str, Any] = {k: text(k, required=k in ("code", "name", "brand"))
                              for k in CUSTOMER_FIELDS}
    try:
        record["brand"] = Brand(record["brand"].lower()).value
    except ValueError:
        raise ValidationFailed(
            f"unknown brand {intake.shown(record['brand'])} "
            "(expected compeo|peopaygo|cornerstone)") from None
    status = (record["status"] or "active").lower()
    if status not in (CustomerStatus.ACTIVE, CustomerStatus.INACTIVE):
        raise ValidationFailed(f"unknown status {intake.shown(status)} (expected active|inactive)")
    record["status"] = status
    policies = data.get("policies")
    if policies is None:
        record["policies"] = None
        return record
    if not isinstance(policies, list):
        raise ValidationFailed("policies must be a list")
    record["policies"] = [parse_policy(p, i) for i, p in enumerate(policies, start=1)]
    first_with: dict[str, int] = {}
    for index, p in enumerate(record["policies"], start=1):
        if p["number"] in first_with:
            raise ValidationFailed(
                f"policies {first_with[p['number']]} and {index} have the same number "
                f"{intake.shown(p['number'])}: a policy number is listed once")
        first_with[p["number"]] = index
    return record


def parse_policy(p: object, index: int) -> dict[str, Any]:
    """One policy of a customer line, checked: the columns of a ``Policy``."""
    where = f"policy {index}"
    if not isinstance(p, dict):
        raise ValidationFailed(f"{where} must be an object")

    def text(key: str, default: str = "") -> str:
        value = p.get(key)
        if value is None:
            return default
        if not isinstance(value, str):  # a number is not text: "naic": 12345 is refused
            raise ValidationFailed(f"{where}: {key} must be text")
        return value.strip() or default

    out: dict[str, Any] = {"line": text("line", "workers_comp")}
    for key in ("carrier", "number"):
        out[key] = text(key)
        if is_blank(out[key]):
            raise ValidationFailed(f"{where}: missing {key}")
    out["naic"] = text("naic")
    for key in ("effective", "expires"):
        value = p.get(key)
        try:
            if not isinstance(value, str):
                raise ValueError
            out[key] = date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(f"{where}: {key} must be a date YYYY-MM-DD") from None
        intake.in_range(out[key], f"{where}: {key}")
    if out["expires"] <= out["effective"]:
        raise ValidationFailed(f"{where}: expires must be after effective")
    limits = p.get("limits") or {}
    if not isinstance(limits, dict):
        raise ValidationFailed(f"{where}: limits must be an object")
    for key in LIMIT_FIELDS:
        value = limits.get(key, 0)
        # 0 (or absent) means not on file: automation then asks for the limit.
        problem = None if type(value) is int and value == 0 else automation.limit_problem(value)
        if problem:
            raise ValidationFailed(f"{where}: limits.{key} must be a whole dollar amount up to "
                                   f"${automation.LIMIT_MAX:,} (0 when not on file)")
        out[key] = value
    return out
