"""One vocabulary: the seed's words for the brands, the statuses and the request types,
the same flag letters in the desk and the command line."""

from __future__ import annotations

from datetime import datetime

import pytest

from certdesk_tui.domain import BRAND_LABELS, Brand, Status
from certdesk_tui.domain.views import RequestRow
from certdesk_tui.domain.workflow import why_not_automate
from certdesk_tui.notifications import completed_emails


def test_the_brands_are_spelled_out():
    assert [BRAND_LABELS[b] for b in Brand] == ["Compeo", "PeoPayGo", "Cornerstone"]


def test_the_statuses_read_as_the_seed_says():
    assert [s.label for s in Status] == ["New", "In Progress", "Completed", "Rejected"]


def _row(**over) -> RequestRow:
    values = dict(id=17, external_id="P-1", customer_name="Acme", customer_code="C100",
                  brand="cornerstone", type="COI", channel="portal", holder_name="BGC",
                  status="new", assignee_login=None, manual=True, manual_reasons=(),
                  discrepancy=False, has_notes=True, possible_duplicate=True,
                  submitted_at=datetime(2026, 11, 20), version=1)
    values.update(over)
    return RequestRow(**values)


@pytest.mark.parametrize(("over", "flags"), [
    ({}, "MN-P"), ({"manual": False, "has_notes": False, "possible_duplicate": False}, "----"),
    ({"discrepancy": True}, "MNDP"),
])
def test_the_flags_are_the_desk_letters_in_the_desk_order(over, flags):
    assert _row(**over).flags == flags


def test_the_cornerstone_refusal_names_the_brand_in_full():
    reason = why_not_automate(_row(), "sam")
    assert reason is not None and "Cornerstone customers" in reason and "(CS)" not in reason


@pytest.mark.parametrize(("kind", "words"), [
    ("COI", "certificate of insurance"), ("POI", "proof of insurance"),
    ("WOS", "waiver of subrogation endorsement"),
])
def test_the_emails_name_each_request_type_in_its_words(kind, words):
    drafts = completed_emails(request_id=4, request_type=kind, brand=Brand.COMPEO,
                              customer_name="Acme", customer_email="a@acme.example",
                              holder_name="BGC", holder_email="c@bgc.example", to_holder=True,
                              certificate_number="CD-000004")
    assert f"Your {words} for BGC is ready" in drafts[0].subject
    assert f"Your {words} request #4" in drafts[0].body_text
    if kind == "POI":
        assert "certificate of insurance" not in drafts[0].subject
