"""The processing actions: their state rules, their effects, stale versions, refusals."""

from __future__ import annotations

import hashlib
import io
import re

import pypdf
import pytest
from fpdf import FPDF

from certdesk_tui.domain import RequestType, Status
from certdesk_tui.domain.errors import (
    AlreadyClaimed,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PolicyNotInForce,
    StaleRequest,
    ValidationFailed,
)
from certdesk_tui.service import MAX_NOTE_LENGTH
from tests import factories


def carrier_pdf(text: str = "Carrier issued certificate") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def subr_wvd(text: str, policy_number: str) -> str:
    """The SUBR WVD mark of the workers' compensation row (ADDL INSD, SUBR WVD, policy).

    ADDL INSD reads N/A on that row: additional insureds do not apply to workers' comp.
    """
    found = re.search(r"\bN/A\s+([YN])\s+" + re.escape(policy_number), text)
    assert found, text
    return found.group(1)


def refused(desk, rid: int, error: type[Exception], call, match: str | None = None):
    """Run an action that must be refused; the request must stay exactly as it was."""
    before = desk.request(rid)
    with pytest.raises(error, match=match) as info:
        call()
    assert desk.request(rid) == before
    return info.value


@pytest.fixture
def cornerstone_request(submit) -> int:
    return submit("CS-1", "C300")


@pytest.fixture
def claimed_by_sky(desk_for, manual_request) -> int:
    desk_for("sky").start(manual_request)
    return manual_request


# -- mark in progress -----------------------------------------------------------


def test_start_claims_the_request_for_the_current_user(specialist, manual_request):
    row = specialist.start(manual_request)
    assert row.status == Status.IN_PROGRESS and row.assignee_login == "sam"
    detail = specialist.request(manual_request)
    assert detail.claimed_at is not None
    assert detail.activities[0].action == "start"
    assert detail.activities[0].actor == "sam"
    assert [r.id for r in specialist.queue(_mine()).rows] == [manual_request]


def _mine():
    from certdesk_tui.domain.views import QueueFilter

    return QueueFilter(mine=True)


def test_claiming_a_request_you_already_hold_is_refused(specialist, manual_request):
    specialist.start(manual_request)
    refused(specialist, manual_request, InvalidTransition,
            lambda: specialist.start(manual_request), "already in progress with you")


def test_claiming_a_request_held_by_someone_else_names_them_and_since_when(
    specialist, claimed_by_sky
):
    error = refused(specialist, claimed_by_sky, AlreadyClaimed,
                    lambda: specialist.start(claimed_by_sky),
                    r"in progress by Sky Specialist since \d{4}-\d\d-\d\d \d\d:\d\d")
    assert error.holder_login == "sky"
    assert "a manager may take it over" in str(error)


@pytest.mark.parametrize("action", ["automate", "upload", "relabel", "reject"])
def test_other_actions_on_a_request_held_by_someone_else_are_refused(
    specialist, claimed_by_sky, action
):
    calls = {
        "automate": lambda: specialist.automate(claimed_by_sky),
        "upload": lambda: specialist.upload(claimed_by_sky, "c.pdf", carrier_pdf()),
        "relabel": lambda: specialist.relabel(claimed_by_sky),
        "reject": lambda: specialist.reject(claimed_by_sky, 1),
    }
    refused(specialist, claimed_by_sky, AlreadyClaimed, calls[action], "Sky Specialist")


def test_a_specialist_cannot_take_over_a_request_held_by_someone_else(
    specialist, claimed_by_sky
):
    refused(specialist, claimed_by_sky, PermissionDenied,
            lambda: specialist.start(claimed_by_sky, take_over=True))


def test_a_manager_may_take_over_and_it_is_logged_as_taken_over(manager, claimed_by_sky):
    refused(manager, claimed_by_sky, AlreadyClaimed,
            lambda: manager.start(claimed_by_sky), "confirm to take it over")
    row = manager.start(claimed_by_sky, take_over=True)
    assert row.assignee_login == "morgan" and row.status == Status.IN_PROGRESS
    taken = [a for a in manager.request(claimed_by_sky).activities if a.action == "taken_over"]
    assert len(taken) == 1
    assert taken[0].actor == "morgan" and "Sky Specialist" in taken[0].detail


def test_actions_on_an_unknown_request_are_refused_as_not_found(specialist):
    for call in (lambda: specialist.start(999), lambda: specialist.request(999),
                 lambda: specialist.automate(999), lambda: specialist.relabel(999),
                 lambda: specialist.reject(999, 1), lambda: specialist.note(999, "x"),
                 lambda: specialist.upload(999, "c.pdf", carrier_pdf())):
        with pytest.raises(NotFound, match="999"):
            call()


# -- attempt automation -----------------------------------------------------------


def test_automation_prefill_comes_from_the_customer_and_the_policy(specialist, manual_request):
    form = specialist.automation_prefill(manual_request)
    policy = factories.POLICY
    assert form.producer_name == "Compeo Insurance Services"
    assert form.insured_name == "Acme Roofing LLC"
    assert form.insured_address == "100 Main St\nTampa, FL 33602"
    assert (form.insurer_name, form.insurer_naic) == (policy["carrier"], policy["naic"])
    assert form.policy_number == "WC-C100"
    assert (form.effective.isoformat(), form.expires.isoformat()) == ("2026-01-01", "2027-01-01")
    assert (form.each_accident, form.disease_each_employee, form.disease_policy_limit) == (
        1_000_000, 1_000_000, 2_000_000)
    holder = factories.HOLDER
    assert (form.holder_name, form.holder_address, form.holder_city, form.holder_state,
            form.holder_zip, form.holder_email) == (
        holder["name"], holder["address"], holder["city"], holder["state"], holder["zip"],
        holder["email"])
    assert "Acme Roofing LLC" in form.description
    assert form.wos is False


def test_automate_completes_the_request_with_a_generated_certificate(specialist, manual_request):
    done = specialist.automate(manual_request)
    assert done.emailed == ("owner@c100.example",)
    assert done.file_name.endswith(".pdf")
    detail = specialist.request(manual_request)
    assert detail.row.status == Status.COMPLETED and detail.closed_at is not None
    assert detail.row.assignee_login == "sam"
    assert [(c.number, c.source) for c in detail.certificates] == [
        (done.certificate_number, "generated")]
    name, pdf = specialist.certificate(manual_request)
    assert name == done.file_name
    text = pdf_text(pdf)
    assert "Acme Roofing LLC" in text and "WC-C100" in text and done.certificate_number in text
    assert subr_wvd(text, "WC-C100") == "N"
    assert {"certificate_issued", "completed", "email_queued"} <= {
        a.action for a in detail.activities}


def test_automate_corrections_are_applied_to_the_certificate_and_the_request(
    specialist, manual_request
):
    # The printed policy differs from the record (WC-C100, 2026-01-01 to 2027-01-01):
    # issued only with a written reason, which is logged.
    done = specialist.automate(manual_request, changes={
        "holder_name": "Big General Contractors Inc", "policy_number": "WC-C100-A",
        "effective": "2026-02-01", "each_accident": "$500,000",
    }, override_reason="carrier letter: endorsement A starts 2026-02-01")
    text = pdf_text(specialist.certificate(manual_request)[1])
    assert "Big General Contractors Inc" in text
    assert "WC-C100-A" in text and "02/01/2026" in text and "$500,000" in text
    assert specialist.row(manual_request).holder_name == "Big General Contractors Inc"
    assert "not on record" in done.overridden
    logged = [a.detail for a in specialist.request(manual_request).activities]
    assert any("carrier letter: endorsement A" in body for body in logged)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"expires": "9999-12-31"}, "as running from 2026-01-01 to 9999-12-31, but the "
                                    "policy on record runs from 2026-01-01 to 2027-01-01"),
        ({"effective": "0001-01-01"}, "as running from 0001-01-01 to 2027-01-01"),
        ({"policy_number": "WC-FAKE"}, "prints policy WC-FAKE, which is not on record"),
    ],
    ids=["expires-later", "effective-earlier", "number-not-on-record"],
)
def test_a_printed_policy_that_is_not_the_record_needs_an_override_reason(
    specialist, manual_request, db, changes, match
):
    refused(specialist, manual_request, PolicyNotInForce,
            lambda: specialist.automate(manual_request, changes=changes), re.escape(match))
    assert match in (specialist.policy_refusal(
        manual_request, specialist.automation_prefill(manual_request).with_changes(changes))
        or "")


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"effective": "2026-13-01"}, "effective must be a date"),
        ({"expires": "2025-01-01"}, "expires must be after the effective date"),
        ({"holder_email": "certs@@bgc"}, "holder_email is not a valid email"),
        ({"holder_state": "Florida"}, "holder_state"),
        ({"each_accident": "lots"}, "each_accident must be a whole dollar amount"),
        ({"carrier_rating": "A+"}, "unknown certificate field 'carrier_rating'"),
        ({"holder_name": "H" * 301}, "holder_name is longer than 300"),
    ],
    ids=["bad-date", "expires-before-effective", "bad-email", "bad-state", "bad-amount",
         "unknown-field", "too-long"],
)
def test_automate_with_an_invalid_correction_is_refused_and_changes_nothing(
    specialist, manual_request, db, changes, match
):
    refused(specialist, manual_request, ValidationFailed,
            lambda: specialist.automate(manual_request, changes=changes, wos=True), match)


def test_automate_refuses_an_incomplete_certificate_until_it_is_corrected(submit, specialist):
    rid = submit("NOHOLDER", holder=dict(factories.HOLDER, name=""))
    refused(specialist, rid, ValidationFailed, lambda: specialist.automate(rid),
            "holder_name is required")
    specialist.automate(rid, changes={"holder_name": "Big General Contractor Inc"})
    assert specialist.row(rid).status == Status.COMPLETED


def test_automate_with_wos_relabels_and_the_certificate_says_subr_wvd_y(
    specialist, manual_request
):
    specialist.automate(manual_request, wos=True)
    detail = specialist.request(manual_request)
    assert detail.row.type == RequestType.WOS and detail.submitted_type == "COI"
    assert "relabel" in [a.action for a in detail.activities]
    text = pdf_text(specialist.certificate(manual_request)[1])
    assert subr_wvd(text, "WC-C100") == "Y"
    assert "WAIVER OF SUBROGATION" in text.upper()


def test_automate_sends_to_the_holder_when_ticked(specialist, manual_request):
    done = specialist.automate(manual_request, to_holder=True)
    assert set(done.emailed) == {"owner@c100.example", factories.HOLDER["email"]}
    roles = sorted(e.recipient_role for e in specialist.request(manual_request).emails)
    assert roles == ["customer", "holder"]


def test_automate_not_to_the_holder_overrides_the_customers_choice(submit, specialist):
    rid = submit("TH-1", send_to_holder=True, instructions="Rush please")
    done = specialist.automate(rid, to_holder=False)
    assert done.emailed == ("owner@c100.example",)


def test_automate_to_a_holder_without_email_is_refused(submit, specialist):
    rid = submit("TH-2", holder=dict(factories.HOLDER, email=""), instructions="x")
    refused(specialist, rid, ValidationFailed, lambda: specialist.automate(rid, to_holder=True),
            "no holder email")


def test_automate_with_an_attached_certificate_sends_those_exact_bytes(
    specialist, manual_request
):
    data = carrier_pdf()
    done = specialist.automate(manual_request, attachment=("issued.pdf", data))
    detail = specialist.request(manual_request)
    assert detail.row.status == Status.COMPLETED
    assert detail.certificates[0].source == "uploaded"
    assert detail.certificates[0].sha256 == hashlib.sha256(data).hexdigest()
    name, stored = specialist.certificate(manual_request)
    assert stored == data and name == done.file_name


def test_automate_with_an_attachment_that_is_not_a_pdf_is_refused(specialist, manual_request):
    refused(specialist, manual_request, ValidationFailed,
            lambda: specialist.automate(manual_request, attachment=("x.pdf", b"hello")),
            "not a PDF")


def test_automation_is_refused_for_cornerstone(specialist, cornerstone_request):
    refused(specialist, cornerstone_request, InvalidTransition,
            lambda: specialist.automate(cornerstone_request), "Cornerstone")
    with pytest.raises(InvalidTransition, match="upload"):
        specialist.automation_prefill(cornerstone_request)


# -- upload certificate -----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "match"),
    [(b"", "empty"), (b"GIF89a not a pdf", "not a PDF"),
     (b"%PDF-1.4\n1 0 obj\n", "not a complete PDF")],
    ids=["empty", "not-a-pdf", "truncated"],
)
def test_upload_of_something_that_is_not_a_whole_pdf_is_refused(
    specialist, cornerstone_request, data, match
):
    refused(specialist, cornerstone_request, ValidationFailed,
            lambda: specialist.upload(cornerstone_request, "c.pdf", data), match)


def test_upload_completes_a_cornerstone_request_with_the_carriers_pdf(
    specialist, cornerstone_request
):
    data = carrier_pdf()
    done = specialist.upload(cornerstone_request, "carrier.pdf", data, to_holder=True)
    detail = specialist.request(cornerstone_request)
    assert detail.row.status == Status.COMPLETED
    assert detail.certificates[0].source == "uploaded"
    assert specialist.certificate(cornerstone_request)[1] == data
    assert sorted(e.recipient_role for e in detail.emails) == ["customer", "holder"]
    assert set(done.emailed) == {"owner@c300.example", factories.HOLDER["email"]}
    issued = [a for a in detail.activities if a.action == "certificate_issued"]
    assert issued and "carrier.pdf" in issued[0].detail


# -- relabel as WOS -------------------------------------------------------------


def test_relabel_changes_the_type_and_logs_it(specialist, manual_request):
    row = specialist.relabel(manual_request)
    assert row.type == RequestType.WOS
    detail = specialist.request(manual_request)
    assert detail.submitted_type == "COI" and detail.row.status == Status.NEW
    assert detail.activities[0].action == "relabel"
    assert "COI" in detail.activities[0].detail and "WOS" in detail.activities[0].detail


def test_relabelling_a_request_that_is_already_wos_is_refused(submit, specialist):
    rid = submit("W-1", type="WOS", payment_status="approved")
    refused(specialist, rid, InvalidTransition, lambda: specialist.relabel(rid),
            "already a waiver of subrogation")


# -- reject -----------------------------------------------------------------------


def test_reject_with_a_reason_by_id(specialist, manual_request):
    reason = specialist.reasons()[5]
    row = specialist.reject(manual_request, reason.id)
    assert row.status == Status.REJECTED
    detail = specialist.request(manual_request)
    assert detail.rejection_reason == reason.text == "Incomplete address"
    assert detail.closed_at is not None
    assert detail.activities[0].action in ("reject", "email_queued")
    assert any(a.action == "reject" and reason.text in a.detail for a in detail.activities)


def test_reject_with_a_reason_by_its_text(specialist, manual_request):
    specialist.reject(manual_request, "  duplicate REQUEST received ")
    assert specialist.request(manual_request).rejection_reason == "Duplicate request received"


def test_reject_with_an_unknown_reason_is_refused_listing_the_options(
    specialist, manual_request
):
    error = refused(specialist, manual_request, ValidationFailed,
                    lambda: specialist.reject(manual_request, "Because I said so"),
                    "unknown or retired rejection reason")
    for reason in specialist.reasons():
        assert f"{reason.id}: {reason.text}" in str(error)
    refused(specialist, manual_request, ValidationFailed,
            lambda: specialist.reject(manual_request, 999))


def test_reject_with_a_retired_reason_is_refused(manager, specialist, manual_request):
    retired = manager.retire_reason(1)
    error = refused(specialist, manual_request, ValidationFailed,
                    lambda: specialist.reject(manual_request, retired.id), "retired")
    assert retired.text not in str(error).split("choose one of", 1)[1]
    refused(specialist, manual_request, ValidationFailed,
            lambda: specialist.reject(manual_request, retired.text))


def test_rejection_email_goes_to_the_customer_only_quoting_the_reason(
    submit, specialist
):
    rid = submit("RJ-1", send_to_holder=True, instructions="please")
    specialist.reject(rid, "Incomplete address")
    emails = specialist.request(rid).emails
    assert [(e.recipient_role, e.to, e.attachment_name) for e in emails] == [
        ("customer", "owner@c100.example", None)]


def _every_action(desk, rid: int):
    return {
        "start": lambda: desk.start(rid),
        "automate": lambda: desk.automate(rid),
        "upload": lambda: desk.upload(rid, "c.pdf", carrier_pdf()),
        "relabel": lambda: desk.relabel(rid),
        "reject": lambda: desk.reject(rid, 1),
    }


@pytest.mark.parametrize("final", ["rejected", "completed"])
def test_a_closed_request_refuses_every_action(specialist, manual_request, final):
    if final == "rejected":
        specialist.reject(manual_request, 1)
    else:
        specialist.automate(manual_request)
    for call in _every_action(specialist, manual_request).values():
        refused(specialist, manual_request, InvalidTransition, call, f"is {final}")
    # An internal note can still be added to a closed request.
    specialist.note(manual_request, "customer called, told them")
    assert specialist.request(manual_request).notes[0].body == "customer called, told them"


def test_an_auto_processed_request_is_closed_too(submit, specialist):
    rid = submit("AP-1")
    refused(specialist, rid, InvalidTransition, lambda: specialist.start(rid),
            "completed")


# -- add note ---------------------------------------------------------------------


def test_note_appears_in_the_request_and_sets_has_notes(submit, specialist):
    rid = submit("N-1", holder=dict(factories.HOLDER, name=""))
    assert not specialist.row(rid).has_notes
    specialist.note(rid, "  called the customer: holder is BGC  ")
    detail = specialist.request(rid)
    assert [(n.author, n.body) for n in detail.notes] == [
        ("sam", "called the customer: holder is BGC")]
    assert detail.row.has_notes
    assert detail.activities[0].action == "note"
    assert detail.emails == ()
    assert detail.row.status == Status.NEW


@pytest.mark.parametrize(("body", "match"),
                         [("", "needs some text"), ("   \n ", "needs some text"),
                          ("x" * (MAX_NOTE_LENGTH + 1), "at most")],
                         ids=["empty", "blank", "too-long"])
def test_an_empty_or_too_long_note_is_refused(specialist, manual_request, body, match):
    refused(specialist, manual_request, ValidationFailed,
            lambda: specialist.note(manual_request, body), match)


def test_a_note_of_the_maximum_length_is_accepted(specialist, manual_request):
    specialist.note(manual_request, "y" * MAX_NOTE_LENGTH)
    assert len(specialist.request(manual_request).notes[0].body) == MAX_NOTE_LENGTH


# -- stale versions -------------------------------------------------------------


@pytest.mark.parametrize("action", ["start", "automate", "upload", "relabel",
                                    "reject"])
def test_acting_on_a_stale_version_is_refused_naming_who_changed_it(
    desk_for, specialist, manual_request, action
):
    seen = specialist.row(manual_request).version
    desk_for("sky").note(manual_request, "looked at it")
    assert specialist.row(manual_request).version != seen
    calls = {
        "start": lambda: specialist.start(manual_request, expected_version=seen),
        "automate": lambda: specialist.automate(manual_request, expected_version=seen),
        "upload": lambda: specialist.upload(manual_request, "c.pdf", carrier_pdf(),
                                                        expected_version=seen),
        "relabel": lambda: specialist.relabel(manual_request, expected_version=seen),
        "reject": lambda: specialist.reject(manual_request, 1, expected_version=seen),
    }
    before = specialist.request(manual_request)
    error = refused(specialist, manual_request, StaleRequest, calls[action],
                    "was changed by sky")
    assert not isinstance(error, AlreadyClaimed)
    after = specialist.request(manual_request)
    assert len(after.activities) == len(before.activities)
    assert after.row.status == Status.NEW and after.emails == () and after.certificates == ()


def test_the_current_version_is_accepted(specialist, manual_request):
    version = specialist.row(manual_request).version
    row = specialist.start(manual_request, expected_version=version)
    assert row.version != version
    specialist.reject(manual_request, 1, expected_version=row.version)
    assert specialist.row(manual_request).status == Status.REJECTED


def test_two_people_claiming_the_same_version_the_second_is_told_who_was_first(
    desk_for, specialist, manual_request
):
    seen = specialist.row(manual_request).version
    desk_for("sky").start(manual_request, expected_version=seen)
    refused(specialist, manual_request, StaleRequest,
            lambda: specialist.start(manual_request, expected_version=seen), "sky")
    assert specialist.row(manual_request).assignee_login == "sky"


def test_automation_relabelled_as_wos_gets_the_waiver_sentence(specialist, manual_request):
    import io

    from pypdf import PdfReader

    specialist.automate(manual_request, wos=True)
    _, pdf = specialist.certificate(manual_request)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Waiver of subrogation applies" in " ".join(text.split())


def test_the_wos_mark_cannot_be_turned_off_on_a_waiver(specialist, submit):
    from certdesk_tui.domain.errors import ValidationFailed

    request_id = submit("W-OFF", type="WOS", payment_status="approved")
    with pytest.raises(ValidationFailed, match="SUBR WVD Y"):
        specialist.automate(request_id, changes={"wos": "no"})
    assert specialist.row(request_id).status == "new"


# -- the queue in one read -------------------------------------------------------


def test_the_queue_snapshot_gives_page_badge_failing_emails_and_counter_together(
    specialist, manual_request, submit
):
    from certdesk_tui.domain.views import QueueFilter

    second = submit("M-2", instructions="call first")
    snapshot = specialist.queue_snapshot(QueueFilter(), offset=0, limit=1)
    assert [r.id for r in snapshot.page.rows] == [manual_request]
    assert snapshot.page.total == 2 and snapshot.pending == 2
    assert snapshot.failing_emails == 0
    assert snapshot.change_counter == specialist.change_counter()
    past_the_end = specialist.queue_snapshot(QueueFilter(), offset=10, limit=1)
    assert [r.id for r in past_the_end.page.rows] == [second]
    assert past_the_end.page.offset == 1
