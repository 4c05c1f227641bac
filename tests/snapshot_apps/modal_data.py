"""Fixed data for the modal screens: a request, its prefilled form, the reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from certdesk_tui.domain.automation import CertificateForm, default_description
from certdesk_tui.domain.views import DuplicateView, ReasonView, RequestDetail, RequestRow

SUBMITTED = datetime(2026, 11, 20, 15, 0)


def request_row(**over: Any) -> RequestRow:
    values: dict[str, Any] = dict(
        id=42, external_id="P-1042", customer_name="Acme Roofing LLC", customer_code="C100",
        brand="compeo", type="COI", channel="portal", holder_name="Big General Contractor Inc",
        status="in_progress", assignee_login="sam", manual=True,
        manual_reasons=("customer instructions",), discrepancy=False, has_notes=True,
        possible_duplicate=True, submitted_at=SUBMITTED, version=3,
    )
    values.update(over)
    return RequestRow(**values)


def request_detail(row: RequestRow | None = None, **over: Any) -> RequestDetail:
    values: dict[str, Any] = dict(
        row=row or request_row(), submitted_type="COI",
        customer_email="owner@c100.example", customer_status="active",
        customer_address="100 Main St\nTampa, FL 33602", holder_address="9 Oak Ave",
        holder_city="Miami", holder_state="FL", holder_zip="33101",
        holder_email="certs@bgc.example", send_to_holder=False,
        instructions="Please list the project: Harbor Tower", payment_status=None,
        in_queue=True, department="Certificates",
        policy="Summit Mutual Casualty WC-C100 (2026-01-01 to 2027-01-01)",
        submission={
            "external_id": "P-1042", "channel": "portal", "customer": "C100", "type": "COI",
            "holder": {"name": "Big General Contractor Inc", "address": "9 Oak Ave",
                       "city": "Miami", "state": "FL", "zip": "33101",
                       "email": "certs@bgc.example"},
            "send_to_holder": False, "instructions": "Please list the project: Harbor Tower",
            "submitted_at": "2026-11-20T15:00:00+00:00", "project": "Harbor Tower",
        },
        claimed_at=datetime(2026, 11, 21, 9, 30), closed_at=None, rejection_reason=None,
        updated_by="sam", updated_at=datetime(2026, 11, 21, 9, 30),
        duplicates=(
            DuplicateView(17, "completed", "COI", datetime(2026, 11, 2, 10, 0)),
            DuplicateView(40, "new", "COI", datetime(2026, 11, 19, 8, 45)),
        ),
    )
    values.update(over)
    return RequestDetail(**values)


def certificate_form(**over: Any) -> CertificateForm:
    form = CertificateForm(
        producer_name="Compeo Insurance Services",
        producer_address="1200 Harbor Blvd, Suite 400\nTampa, FL 33602",
        insured_name="Acme Roofing LLC", insured_address="100 Main St\nTampa, FL 33602",
        insurer_name="Summit Mutual Casualty", insurer_naic="12345", policy_number="WC-C100",
        effective=date(2026, 1, 1), expires=date(2027, 1, 1), each_accident=1_000_000,
        disease_each_employee=1_000_000, disease_policy_limit=2_000_000,
        holder_name="Big General Contractor Inc", holder_address="9 Oak Ave",
        holder_city="Miami", holder_state="FL", holder_zip="33101",
        holder_email="certs@bgc.example",
        description=default_description("Acme Roofing LLC", False), wos=False,
    )
    return replace(form, **over)


REASON_TEXTS = (
    "Duplicate request received",
    "Standard certificate request received, needs a waiver of subrogation endorsement",
    "License edit – carrier approval required",
    "Special edit – verbiage not acceptable – carrier approval required",
    "Test (IT/PMS) – used for internal testing",
    "Incomplete address",
    "Certificate holder name – incomplete",
)


def reasons() -> list[ReasonView]:
    views = [ReasonView(i, text, True, 0) for i, text in enumerate(REASON_TEXTS, start=1)]
    views.append(ReasonView(99, "Retired reason", False, 4))
    return views
