"""A certificate is right or it is not issued: the policy must be in force on its date.

Automation and upload refuse an expired policy, and a term that has not started
unless it starts within the renewal window; a processor's written reason
overrides either refusal and is logged. A WOS whose payment was declined after
it was claimed cannot be completed. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime, timedelta

import pytest
from fpdf import FPDF
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from certdesk_tui import clock
from certdesk_tui.config import Settings
from certdesk_tui.domain import Status
from certdesk_tui.domain.automation import MAX_OVERRIDE_REASON, clean_override_reason, term_refusal
from certdesk_tui.domain.errors import (
    InvalidTransition,
    PermissionDenied,
    PolicyNotInForce,
    ValidationFailed,
)
from certdesk_tui.storage.models import Activity, Certificate, OutboxEmail
from tests import factories

TODAY = datetime(2026, 11, 25, 9, 30)
EXPIRED = dict(factories.POLICY, number="WC-123", effective="2025-03-31", expires="2026-03-31")
# 96 days after TODAY: outside the default 60-day renewal window.
FAR_FUTURE = dict(factories.POLICY, number="WC-FAR", effective="2027-03-01",
                  expires="2028-03-01")
# 46 days after TODAY: inside the window.
RENEWAL = dict(factories.POLICY, number="WC-NEXT", effective="2027-01-10", expires="2028-01-10")
REASON = "Carrier confirmed the renewal by phone; binder 55-1 on file"


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(TODAY)
    yield
    clock.freeze(None)


@pytest.fixture
def customer_with(manager):
    """Import customer C700 (Compeo) holding exactly these policies."""

    def make(*policies: dict, code: str = "C700", brand: str = "compeo") -> str:
        record = factories.customer(code, brand, name=f"Termed {code} LLC",
                                    policies=list(policies))
        report = manager.import_customers(factories.jsonl(record))
        assert report.ok, report.refused
        return code

    return make


@pytest.fixture
def request_on(submit, customer_with):
    """A request of a customer holding these policies, submitted 2026-03-15 (manual list)."""

    def make(*policies: dict, external_id: str = "T-1", brand: str = "compeo", **over) -> int:
        code = customer_with(*policies, brand=brand)
        over.setdefault("submitted_at", "2026-03-15T10:00:00+00:00")
        return submit(external_id, code, **over)

    return make


def carrier_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Carrier issued certificate")
    return bytes(pdf.output())


def snapshot(db, desk, rid: int) -> tuple:
    """Everything a refused completion must leave as it was."""
    detail = desk.request(rid)
    with db.reading() as s:
        counts = tuple(
            s.scalar(select(func.count()).select_from(model).where(model.request_id == rid))
            for model in (Activity, Certificate, OutboxEmail)
        )
    return detail.row.status, detail.version, detail.row.type, detail.holder_address, counts


# -- the rule itself --------------------------------------------------------------------


def test_the_rule_names_both_dates_for_an_expired_policy():
    assert term_refusal("WC-123", date(2025, 3, 31), date(2026, 3, 31), date(2026, 11, 25),
                        60) == "policy WC-123 expired on 2026-03-31; the certificate is dated " \
                               "2026-11-25"


def test_the_policy_is_in_force_on_its_first_and_last_day():
    start, end = date(2026, 1, 1), date(2027, 1, 1)
    assert term_refusal("P", start, end, start, 0) is None
    assert term_refusal("P", start, end, end, 0) is None
    assert term_refusal("P", start, end, end + timedelta(days=1), 60) is not None


@given(
    effective=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
    length=st.integers(min_value=1, max_value=800),
    offset=st.integers(min_value=-1200, max_value=1200),
    window=st.integers(min_value=0, max_value=366),
)
def test_a_term_is_certified_exactly_from_window_days_before_it_starts_until_it_ends(
    effective, length, offset, window
):
    expires = effective + timedelta(days=length)
    day = effective + timedelta(days=offset)
    refusal = term_refusal("WC-9", effective, expires, day, window)
    allowed = effective - timedelta(days=window) <= day <= expires
    assert (refusal is None) == allowed
    if day > expires:
        assert refusal == f"policy WC-9 expired on {expires}; the certificate is dated {day}"
    elif not allowed:
        assert refusal is not None
        assert f"takes effect on {effective}" in refusal and f"{window} days" in refusal


@given(st.text(max_size=700))
def test_any_override_reason_is_accepted_cleaned_or_refused_in_words(text):
    try:
        cleaned = clean_override_reason(text)
    except ValidationFailed as exc:
        assert str(exc).startswith("an override")
        return
    assert cleaned and cleaned == " ".join(cleaned.split())
    assert len(cleaned) <= MAX_OVERRIDE_REASON
    assert not any(unicodedata.category(c) in ("Cc", "Cs") or c in "\u202a\u202b\u202c\u202d\u202e"
                   "\u2066\u2067\u2068\u2069" for c in cleaned)


# -- expired ------------------------------------------------------------------------------


def test_intake_never_completes_automatically_on_a_policy_that_has_expired_since(
    db, request_on, specialist
):
    # In force on the request date (2026-03-15), expired on the certificate's date.
    rid = request_on(EXPIRED)
    detail = specialist.request(rid)
    assert detail.row.status == Status.NEW
    assert detail.row.manual and detail.row.discrepancy
    assert ("policy WC-123 expired on 2026-03-31; the certificate is dated 2026-11-25"
            in detail.row.manual_reasons)
    assert detail.emails == [] or not detail.emails
    assert "auto_processed" not in [a.action for a in detail.activities]


def test_automation_on_an_expired_policy_is_refused_with_the_dates_and_changes_nothing(
    db, request_on, specialist
):
    rid = request_on(EXPIRED)
    before = snapshot(db, specialist, rid)
    with pytest.raises(PolicyNotInForce) as refused:
        specialist.automate(rid, changes={"holder_address": "1 New St"})
    assert ("policy WC-123 expired on 2026-03-31; the certificate is dated 2026-11-25"
            in str(refused.value))
    assert snapshot(db, specialist, rid) == before


def test_upload_on_an_expired_policy_is_refused_and_changes_nothing(db, request_on, specialist):
    rid = request_on(EXPIRED, brand="cornerstone")
    before = snapshot(db, specialist, rid)
    with pytest.raises(PolicyNotInForce, match="expired on 2026-03-31; the certificate is "
                                               "dated 2026-11-25"):
        specialist.upload(rid, "carrier.pdf", carrier_pdf())
    assert snapshot(db, specialist, rid) == before


def test_automation_with_an_attached_certificate_is_held_to_the_same_rule(
    db, request_on, specialist
):
    rid = request_on(EXPIRED)
    with pytest.raises(PolicyNotInForce, match="expired on 2026-03-31"):
        specialist.automate(rid, attachment=("issued.pdf", carrier_pdf()))


def test_editing_the_printed_dates_does_not_get_round_an_expired_record(
    db, request_on, specialist
):
    rid = request_on(EXPIRED)
    before = snapshot(db, specialist, rid)
    with pytest.raises(PolicyNotInForce, match="policy WC-123 expired on 2026-03-31"):
        specialist.automate(rid, changes={"effective": "2026-03-31", "expires": "2027-03-31"})
    assert snapshot(db, specialist, rid) == before


def test_a_printed_term_edited_to_an_expired_one_is_refused_too(db, manual_request, specialist):
    before = snapshot(db, specialist, manual_request)
    with pytest.raises(PolicyNotInForce, match=r"expired on 2026-06-30; the certificate is "
                                               r"dated 2026-11-25 \(as printed"):
        specialist.automate(manual_request, changes={"expires": "2026-06-30"})
    assert snapshot(db, specialist, manual_request) == before


def test_a_renewed_term_in_force_is_prefilled_and_issued(db, request_on, specialist):
    current = dict(factories.POLICY, number="WC-124", effective="2026-03-31",
                   expires="2027-03-31")
    rid = request_on(EXPIRED, current)
    form = specialist.automation_prefill(rid)
    assert (form.policy_number, form.effective) == ("WC-124", date(2026, 3, 31))
    assert specialist.policy_refusal(rid) is None
    done = specialist.automate(rid)
    assert not done.overridden
    assert specialist.request(rid).row.status == Status.COMPLETED


def test_a_customer_without_any_policy_cannot_get_an_uploaded_certificate(
    db, submit, specialist
):
    rid = submit("NP-9", "C500")
    with pytest.raises(PolicyNotInForce, match="customer C500 has no policy on record"):
        specialist.upload(rid, "carrier.pdf", carrier_pdf())


# -- not yet effective and the renewal window -----------------------------------------------


def test_a_term_starting_after_the_renewal_window_is_refused(db, request_on, specialist):
    rid = request_on(FAR_FUTURE)
    before = snapshot(db, specialist, rid)
    with pytest.raises(PolicyNotInForce) as refused:
        specialist.automate(rid)
    message = str(refused.value)
    assert "policy WC-FAR takes effect on 2027-03-01, 96 days after" in message
    assert "2026-11-25" in message and "60 days" in message
    assert snapshot(db, specialist, rid) == before
    with pytest.raises(PolicyNotInForce, match="takes effect on 2027-03-01"):
        specialist.upload(rid, "carrier.pdf", carrier_pdf())


def test_a_term_starting_within_the_renewal_window_is_issued(db, request_on, specialist):
    rid = request_on(RENEWAL)
    assert specialist.policy_refusal(rid) is None
    done = specialist.automate(rid)
    assert not done.overridden
    detail = specialist.request(rid)
    assert detail.row.status == Status.COMPLETED
    assert "policy_override" not in [a.action for a in detail.activities]
    with db.reading() as s:
        cert = s.scalars(select(Certificate).where(Certificate.request_id == rid)).one()
        assert cert.data["policy_number"] == "WC-NEXT"


def test_the_renewal_window_is_a_setting(db, request_on, desk_for):
    rid = request_on(RENEWAL)
    strict = desk_for("sam", settings=Settings(renewal_window_days=30))
    with pytest.raises(PolicyNotInForce, match="46 days after .* renewal window of 30 days"):
        strict.automate(rid)
    wide = desk_for("sam", settings=Settings(renewal_window_days=120))
    rid_far = request_on(FAR_FUTURE, external_id="T-2")
    assert wide.policy_refusal(rid_far) is None
    assert wide.automate(rid_far).certificate_number


def test_an_upload_within_the_window_is_accepted(db, request_on, specialist):
    rid = request_on(RENEWAL, brand="cornerstone")
    done = specialist.upload(rid, "carrier.pdf", carrier_pdf())
    assert specialist.request(done.request_id).row.status == Status.COMPLETED


# -- override ---------------------------------------------------------------------------------


def test_an_override_reason_issues_and_is_logged_with_the_refusal(db, request_on, specialist):
    rid = request_on(EXPIRED)
    done = specialist.automate(rid, override_reason=f"  {REASON}\n")
    assert done.overridden.startswith("policy WC-123 expired on 2026-03-31")
    detail = specialist.request(rid)
    assert detail.row.status == Status.COMPLETED
    override = [a for a in detail.activities if a.action == "policy_override"]
    assert len(override) == 1
    assert override[0].actor == "sam"
    assert override[0].detail == (
        "policy WC-123 expired on 2026-03-31; the certificate is dated 2026-11-25; "
        f"issued anyway, reason: {REASON}"
    )
    assert [e.recipient_role for e in detail.emails] == ["customer"]


def test_an_override_on_upload_is_logged(db, request_on, specialist):
    rid = request_on(FAR_FUTURE, brand="cornerstone")
    done = specialist.upload(rid, "carrier.pdf", carrier_pdf(),
                                         override_reason=REASON)
    assert "takes effect on 2027-03-01" in done.overridden
    details = [a.detail for a in specialist.request(rid).activities
               if a.action == "policy_override"]
    assert len(details) == 1 and details[0].endswith(f"issued anyway, reason: {REASON}")


def test_an_override_reason_is_not_logged_when_nothing_needed_overriding(
    db, manual_request, specialist
):
    done = specialist.automate(manual_request, override_reason=REASON)
    assert not done.overridden
    assert "policy_override" not in [a.action for a in
                                     specialist.request(manual_request).activities]


@pytest.mark.parametrize(
    ("reason", "match"),
    [
        ("", "an override needs a written reason"),
        ("   \n\t ", "an override needs a written reason"),
        ("x" * (MAX_OVERRIDE_REASON + 1), f"at most {MAX_OVERRIDE_REASON} characters"),
        ("ok\x1b]52;c;cm0gLXJmIH4=\x07", "control character U\\+001B"),
        ("looks fine \u202egnp.exe", "control character U\\+202E"),
        ("undecodable \udcff byte", "control character U\\+DCFF"),
    ],
    ids=["empty", "blank", "too-long", "escape-sequence", "bidi-override", "lone-surrogate"],
)
def test_an_override_without_a_proper_reason_is_refused_and_changes_nothing(
    db, request_on, specialist, reason, match
):
    rid = request_on(EXPIRED)
    before = snapshot(db, specialist, rid)
    with pytest.raises(ValidationFailed, match=match):
        specialist.automate(rid, override_reason=reason)
    with pytest.raises(ValidationFailed, match=match):
        specialist.upload(rid, "carrier.pdf", carrier_pdf(), override_reason=reason)
    assert snapshot(db, specialist, rid) == before


def test_an_override_reason_of_the_maximum_length_is_accepted(db, request_on, specialist):
    rid = request_on(EXPIRED)
    assert specialist.automate(rid, override_reason="r" * MAX_OVERRIDE_REASON).overridden


def test_a_view_only_user_cannot_override(db, request_on, advisor, specialist):
    rid = request_on(EXPIRED)
    before = snapshot(db, specialist, rid)
    with pytest.raises(PermissionDenied, match="view only"):
        advisor.automate(rid, override_reason=REASON)
    with pytest.raises(PermissionDenied, match="view only"):
        advisor.upload(rid, "carrier.pdf", carrier_pdf(), override_reason=REASON)
    with pytest.raises(PermissionDenied):
        advisor.policy_refusal(rid)
    assert snapshot(db, specialist, rid) == before


def test_the_dialogs_are_told_the_refusal_before_they_open(db, request_on, specialist):
    rid = request_on(EXPIRED)
    assert specialist.policy_refusal(rid) == (
        "policy WC-123 expired on 2026-03-31; the certificate is dated 2026-11-25")
    form = specialist.automation_prefill(rid)
    assert specialist.policy_refusal(rid, form) == specialist.policy_refusal(rid)


# -- a WOS whose payment was declined after it was claimed ------------------------------------


def _pay(manager, external_id: str, status: str) -> None:
    report = manager.import_submissions([json.dumps(
        {"kind": "payment", "external_id": external_id, "payment_status": status})])
    assert report.ok, report.refused


@pytest.mark.parametrize("status", ["declined", "pending"])
def test_a_wos_whose_payment_was_reversed_after_it_was_claimed_cannot_be_completed(
    db, submit, manager, specialist, status
):
    rid = submit("WOS-9", type="WOS", payment_status="approved")
    specialist.start(rid)
    _pay(manager, "WOS-9", status)
    before = snapshot(db, specialist, rid)
    message = f"request #{rid} is a waiver of subrogation whose payment is now {status}"
    with pytest.raises(InvalidTransition, match=message):
        specialist.automate(rid)
    with pytest.raises(InvalidTransition, match=message):
        specialist.automate(rid, override_reason=REASON)
    with pytest.raises(InvalidTransition, match=message):
        specialist.upload(rid, "carrier.pdf", carrier_pdf(), override_reason=REASON)
    with pytest.raises(InvalidTransition, match=message):
        specialist.policy_refusal(rid)
    assert snapshot(db, specialist, rid) == before
    # Approved again: it can be completed.
    _pay(manager, "WOS-9", "approved")
    assert specialist.automate(rid).certificate_number


def test_a_request_relabelled_as_wos_without_a_charge_is_still_completed(
    db, manual_request, specialist
):
    done = specialist.automate(manual_request, wos=True)
    assert specialist.request(done.request_id).row.type == "WOS"
