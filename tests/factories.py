"""Test data: customers and submissions as the portal and the mobile app send them."""

from __future__ import annotations

import json
from typing import Any

POLICY = {
    "line": "workers_comp",
    "carrier": "Summit Mutual Casualty",
    "naic": "12345",
    "number": "WC-2026-0001",
    "effective": "2026-01-01",
    "expires": "2027-01-01",
    "limits": {
        "each_accident": 1_000_000,
        "disease_each_employee": 1_000_000,
        "disease_policy_limit": 2_000_000,
    },
}


def customer(code: str, brand: str = "compeo", status: str = "active", **over: Any) -> dict:
    data = {
        "code": code,
        "name": f"Customer {code} LLC",
        "brand": brand,
        "status": status,
        "email": f"owner@{code.lower()}.example",
        "address": "100 Main St",
        "city": "Tampa",
        "state": "FL",
        "zip": "33602",
        "policies": [dict(POLICY, number=f"WC-{code}")],
    }
    data.update(over)
    return data


# The customers most tests start from.
CUSTOMERS = [
    customer("C100", "compeo", name="Acme Roofing LLC"),
    customer("C200", "peopaygo", name="Bright Payroll Dental"),
    customer("C300", "cornerstone", name="Zoë Łukasiewicz – Ñandú GmbH"),
    customer("C400", "compeo", "inactive", name="Dormant Builders Inc"),
    customer("C500", "peopaygo", name="No Policy Bakery", policies=[]),
]

HOLDER = {
    "name": "Big General Contractor Inc",
    "address": "9 Oak Ave",
    "city": "Miami",
    "state": "FL",
    "zip": "33101",
    "email": "certs@bgc.example",
}


def submission(external_id: str, customer: str = "C100", **over: Any) -> dict:
    data: dict[str, Any] = {
        "external_id": external_id,
        "channel": "portal",
        "customer": customer,
        "type": "COI",
        "holder": dict(HOLDER),
        "send_to_holder": False,
        "instructions": "",
        "submitted_at": "2026-11-20T15:00:00+00:00",
    }
    data.update(over)
    return data


def jsonl(*records: dict) -> list[str]:
    return [json.dumps(r) for r in records]
