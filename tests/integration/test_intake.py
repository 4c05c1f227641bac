"""Intake: SPEC rules 1-6 and every refusal of "Refused outright"."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from certdesk_tui.domain import CERTIFICATES_DEPARTMENT, Status
from certdesk_tui.storage.models import Activity, Certificate, CertificateRequest, OutboxEmail
from tests import factories


def _count(db, model) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _stored(db) -> int:
    return _count(db, CertificateRequest)


def _take_in(manager, *records: dict):
    return manager.import_submissions(factories.jsonl(*records))


def _refused_alone(manager, db, line: str) -> str:
    """Import one line that must be refused; nothing may be stored. Returns the reason."""
    before = _stored(db), _count(db, Activity)
    report = manager.import_submissions([line])
    assert not report.ok
    assert report.accepted == [] and report.unchanged == []
    assert [o.line for o in report.refused] == [1]
    assert (_stored(db), _count(db, Activity)) == before
    return report.refused[0].message


def _manual(specialist, request_id: int):
    detail = specialist.request(request_id)
    assert detail.row.status == Status.NEW
    assert detail.row.manual
    assert detail.department == CERTIFICATES_DEPARTMENT
    assert detail.certificates == ()
    assert detail.emails == ()
    return detail


# -- refused outright -----------------------------------------------------------


def test_mobile_request_from_inactive_customer_is_refused_and_nothing_is_stored(manager, db):
    line = json.dumps(factories.submission("MOB-1", "C400", channel="mobile"))
    reason = _refused_alone(manager, db, line)
    assert "C400" in reason and "inactive" in reason and "mobile" in reason


def test_unknown_customer_is_refused_and_nothing_is_stored(manager, db):
    reason = _refused_alone(manager, db, json.dumps(factories.submission("U-1", "C999")))
    assert "unknown customer" in reason and "C999" in reason


@pytest.mark.parametrize("line", ['{"external_id": "X-1", "customer": ', "not json at all",
                                  "[1, 2, 3]"], ids=["truncated", "text", "array"])
def test_malformed_json_line_is_refused_and_nothing_is_stored(manager, db, line):
    reason = _refused_alone(manager, db, line)
    assert "JSON" in reason


@pytest.mark.parametrize("key", ["external_id", "customer", "type", "channel"])
def test_line_missing_what_identifies_it_is_refused_naming_the_field(manager, db, key):
    record = factories.submission("ID-1")
    del record[key]
    reason = _refused_alone(manager, db, json.dumps(record))
    assert "missing" in reason and key in reason


@pytest.mark.parametrize("key", ["external_id", "customer"])
def test_blank_identifying_field_is_refused_like_a_missing_one(manager, db, key):
    record = dict(factories.submission("ID-2"), **{key: "  "})
    reason = _refused_alone(manager, db, json.dumps(record))
    assert "missing" in reason and key in reason


def test_unknown_type_is_refused_listing_the_types(manager, db):
    reason = _refused_alone(manager, db, json.dumps(factories.submission("T-1", type="ABC")))
    assert "unknown type" in reason and "COI" in reason and "WOS" in reason


def test_unknown_channel_is_refused_listing_the_channels(manager, db):
    reason = _refused_alone(manager, db, json.dumps(factories.submission("CH-1", channel="fax")))
    assert "unknown channel" in reason and "portal" in reason and "mobile" in reason


def test_payment_update_for_an_unknown_external_id_is_refused(manager, db):
    line = json.dumps({"kind": "payment", "external_id": "NOPE", "payment_status": "approved"})
    assert "NOPE" in _refused_alone(manager, db, line)


# -- rule 5: discrepancies and instructions go to the manual list -----------------


def test_portal_request_from_inactive_customer_is_stored_as_a_discrepancy(submit, specialist):
    rid = submit("P-1", "C400")
    detail = _manual(specialist, rid)
    assert detail.row.discrepancy
    assert any("inactive" in r for r in detail.row.manual_reasons)


@pytest.mark.parametrize(
    ("holder", "expected"),
    [
        ({"name": ""}, "certificate holder name missing"),
        ({"name": "Bo"}, "certificate holder name incomplete"),
        ({"address": "", "city": "", "state": "", "zip": ""}, "certificate holder address missing"),
        ({"city": ""}, "certificate holder address incomplete"),
        ({"zip": "3310"}, "certificate holder address incomplete"),
        ({"state": "Florida"}, "certificate holder address incomplete"),
        ({"email": "certs@@bgc"}, "invalid holder email"),
    ],
    ids=["name-missing", "name-incomplete", "address-missing", "no-city", "bad-zip",
         "bad-state", "bad-email"],
)
def test_holder_discrepancy_puts_the_request_on_the_manual_list_with_the_reason(
    submit, specialist, holder, expected
):
    rid = submit("H-1", holder=dict(factories.HOLDER, **holder))
    detail = _manual(specialist, rid)
    assert detail.row.discrepancy
    assert any(expected in r for r in detail.row.manual_reasons), detail.row.manual_reasons


def test_no_policy_at_all_is_a_discrepancy(submit, specialist):
    rid = submit("NP-1", "C500")
    detail = _manual(specialist, rid)
    assert detail.row.discrepancy
    assert "no policy in force on 2026-11-20" in detail.row.manual_reasons


def test_request_dated_outside_the_policy_is_a_discrepancy(submit, specialist):
    rid = submit("NP-2", "C100", submitted_at="2025-06-01T10:00:00+00:00")
    detail = _manual(specialist, rid)
    assert "no policy in force on 2025-06-01" in detail.row.manual_reasons


def test_customer_instructions_go_to_the_certificates_department_with_the_reason(
    specialist, manual_request
):
    detail = _manual(specialist, manual_request)
    assert "customer instructions" in detail.row.manual_reasons
    assert not detail.row.discrepancy
    assert detail.instructions == "Please list the project: Harbor Tower"
    assert detail.row.has_notes  # instructions show in the notes panel
    manual_log = [a for a in detail.activities if a.action == "manual"]
    assert manual_log and CERTIFICATES_DEPARTMENT in manual_log[0].detail


def test_send_to_holder_without_a_holder_email_is_a_discrepancy(submit, specialist):
    rid = submit("SH-1", holder=dict(factories.HOLDER, email=""), send_to_holder=True)
    detail = _manual(specialist, rid)
    assert any("no holder email" in r for r in detail.row.manual_reasons)


# -- rules 3 and 4 ----------------------------------------------------------------


@pytest.mark.parametrize("request_type", ["COI", "POI"])
def test_cornerstone_request_is_never_automatic(submit, specialist, request_type):
    rid = submit("CS-1", "C300", type=request_type)
    detail = _manual(specialist, rid)
    assert any("Cornerstone" in r for r in detail.row.manual_reasons)
    assert not detail.row.discrepancy


@pytest.mark.parametrize(("customer", "request_type"),
                         [("C100", "COI"), ("C200", "POI"), ("C100", "POI")])
def test_clean_compeo_or_peopaygo_request_is_processed_automatically(
    submit, specialist, db, customer, request_type
):
    rid = submit("AUTO-1", customer, type=request_type, send_to_holder=True)
    detail = specialist.request(rid)
    assert detail.row.status == Status.COMPLETED
    assert not detail.row.manual and detail.row.manual_reasons == ()
    assert len(detail.certificates) == 1 and detail.certificates[0].source == "generated"
    name, pdf = specialist.certificate(rid)
    assert pdf.startswith(b"%PDF-") and name.endswith(".pdf")
    assert {(e.recipient_role, e.to, e.state) for e in detail.emails} == {
        ("customer", f"owner@{customer.lower()}.example", "queued"),
        ("holder", factories.HOLDER["email"], "queued"),
    }
    actions = [a.action for a in reversed(detail.activities)]
    for expected in ("submitted", "auto_processed", "certificate_issued", "email_queued"):
        assert expected in actions
    assert actions.index("submitted") < actions.index("auto_processed") < \
        actions.index("certificate_issued") < actions.index("email_queued")
    # Completed: out of the default queue and the pending count.
    assert rid not in [r.id for r in specialist.queue().rows]
    assert specialist.pending_count() == 0


def test_automatic_processing_emails_only_the_customer_unless_holder_asked(submit, specialist):
    rid = submit("AUTO-2", send_to_holder=False)
    detail = specialist.request(rid)
    assert detail.row.status == Status.COMPLETED
    assert [e.recipient_role for e in detail.emails] == ["customer"]


# -- rule 2: WOS waits for its payment ----------------------------------------------


def _visible(desk, rid: int) -> bool:
    from certdesk_tui.domain.views import QueueFilter

    everything = QueueFilter(statuses=frozenset(Status))
    return rid in [r.id for r in desk.queue(everything).rows]


def test_unpaid_wos_is_hidden_from_the_queue_until_its_payment_is_approved(
    manager, submit, specialist
):
    rid = submit("WOS-1", type="WOS", payment_status="pending")
    assert not _visible(specialist, rid)
    assert specialist.pending_count() == 0
    detail = specialist.request(rid)
    assert detail.row.status == Status.NEW and not detail.in_queue

    report = manager.import_submissions(factories.jsonl(
        {"kind": "payment", "external_id": "WOS-1", "payment_status": "approved"}))
    assert report.ok and [o.request_id for o in report.accepted] == [rid]
    assert _visible(specialist, rid)
    assert specialist.pending_count() == 1
    detail = specialist.request(rid)
    assert detail.in_queue and detail.payment_status == "approved"
    assert detail.row.manual and detail.row.status == Status.NEW  # a WOS is never automatic
    assert "payment_updated" in [a.action for a in detail.activities]


def test_declined_wos_stays_hidden(manager, submit, specialist):
    rid = submit("WOS-2", type="WOS", payment_status="pending")
    report = manager.import_submissions(factories.jsonl(
        {"kind": "payment", "external_id": "WOS-2", "payment_status": "declined"}))
    assert report.ok
    assert not _visible(specialist, rid)
    assert specialist.pending_count() == 0
    assert specialist.request(rid).payment_status == "declined"


def test_wos_submitted_already_paid_is_in_the_queue(submit, specialist):
    rid = submit("WOS-3", type="WOS", payment_status="approved")
    assert _visible(specialist, rid)
    assert specialist.pending_count() == 1


def test_unpaid_wos_cannot_be_processed_before_payment(submit, specialist):
    from certdesk_tui.domain.errors import InvalidTransition

    rid = submit("WOS-4", type="WOS", payment_status="pending")
    with pytest.raises(InvalidTransition, match="not in the queue"):
        specialist.start(rid)


# -- rule 6: duplicates ------------------------------------------------------------


def test_duplicate_external_id_never_creates_a_second_request(manager, submit, db):
    rid = submit("DUP-1")
    before = _stored(db), _count(db, Certificate), _count(db, OutboxEmail)
    report = _take_in(manager, factories.submission("DUP-1"),
                      factories.submission("DUP-1", customer="C200", type="POI"))
    assert report.ok and report.accepted == []
    assert [(o.line, o.request_id) for o in report.unchanged] == [(1, rid), (2, rid)]
    assert (_stored(db), _count(db, Certificate), _count(db, OutboxEmail)) == before


def test_possible_duplicate_is_flagged_on_both_requests_and_goes_to_the_manual_list(
    submit, specialist
):
    first = submit("PD-1")
    second = submit("PD-2", submitted_at="2026-12-10T09:00:00+00:00")
    first_detail, second_detail = specialist.request(first), specialist.request(second)
    assert [d.id for d in first_detail.duplicates] == [second]
    assert [d.id for d in second_detail.duplicates] == [first]
    assert first_detail.row.possible_duplicate and second_detail.row.possible_duplicate
    assert second_detail.row.manual and second_detail.row.status == Status.NEW
    assert any(f"#{first}" in r for r in second_detail.row.manual_reasons)


def test_same_holder_more_than_30_days_apart_is_not_a_duplicate(submit, specialist):
    first = submit("PD-3", submitted_at="2026-02-01T09:00:00+00:00")
    second = submit("PD-4", submitted_at="2026-04-15T09:00:00+00:00")
    assert specialist.request(second).row.status == Status.COMPLETED
    assert specialist.request(first).duplicates == ()
    assert not specialist.row(second).possible_duplicate


def test_other_customer_same_holder_is_not_a_duplicate(submit, specialist):
    submit("PD-5", "C100")
    second = submit("PD-6", "C200")
    assert not specialist.row(second).possible_duplicate


# -- mixed files --------------------------------------------------------------------


def test_every_good_line_of_a_mixed_file_is_kept_and_bad_lines_reported_by_number(
    manager, db, specialist
):
    lines = [
        json.dumps(factories.submission("MIX-1")),                       # 1 auto
        "{broken",                                                         # 2 refused
        "",                                                                # 3 blank, skipped
        json.dumps(factories.submission("MIX-2", "C999")),                # 4 refused
        json.dumps(factories.submission("MIX-3", "C300")),                # 5 manual
        json.dumps(factories.submission("MIX-4", "C400", channel="mobile")),  # 6 refused
        json.dumps(factories.submission("MIX-5", "C200", type="WOS",
                                        payment_status="pending")),        # 7 hidden
        json.dumps(factories.submission("MIX-1")),                       # 8 unchanged
    ]
    report = manager.import_submissions(lines)
    assert not report.ok
    assert [o.line for o in report.refused] == [2, 4, 6]
    assert "JSON" in report.refused[0].message
    assert "C999" in report.refused[1].message
    assert "inactive" in report.refused[2].message
    assert [o.line for o in report.accepted] == [1, 5, 7]
    assert [o.line for o in report.unchanged] == [8]
    assert report.summary("lines") == "3 lines accepted, 1 unchanged, 3 refused"
    assert _stored(db) == 3
    assert {r.external_id for r in specialist.queue().rows} == {"MIX-3"}


# -- customers ---------------------------------------------------------------------------


def test_reimporting_a_customer_with_requests_updates_it_in_place(manager, submit, specialist):
    rid = submit("RC-1", instructions="x")
    policy = dict(factories.POLICY, number="WC-C100",
                  limits=dict(factories.POLICY["limits"], each_accident=500_000))
    report = manager.import_customers(factories.jsonl(
        factories.customer("C100", name="Acme Roofing & Sons LLC", policies=[policy])))
    assert report.ok and [o.message for o in report.accepted] == ["customer C100 updated"]
    detail = specialist.request(rid)
    assert detail.row.customer_name == "Acme Roofing & Sons LLC"
    assert detail.policy is not None and "WC-C100" in detail.policy
    assert specialist.automation_prefill(rid).each_accident == 500_000


def test_reimporting_a_customer_without_the_policy_a_request_was_under_keeps_the_request(
    manager, submit, specialist
):
    rid = submit("RC-2", instructions="x")
    version = specialist.row(rid).version
    renewed = dict(factories.POLICY, number="WC-C100-2027", effective="2026-06-01",
                   expires="2027-06-01")
    assert manager.import_customers(factories.jsonl(
        factories.customer("C100", policies=[renewed]))).ok
    detail = specialist.request(rid)
    assert detail.policy is None and detail.row.version != version
    assert specialist.automation_prefill(rid).policy_number == "WC-C100-2027"
    specialist.automate(rid)
    assert specialist.row(rid).status == Status.COMPLETED


def _customer_state(db) -> tuple:
    """What a customer import writes: customers, policies, their activities, the counter."""
    from certdesk_tui.domain import ActivityKind
    from certdesk_tui.storage.changes import change_counter
    from certdesk_tui.storage.models import Customer, Policy

    with db.reading() as s:
        customers = s.execute(select(Customer.code, Customer.name, Customer.email,
                                     Customer.updated_at).order_by(Customer.code)).all()
        policies = s.execute(select(Policy.id, Policy.number, Policy.carrier, Policy.expires)
                             .order_by(Policy.id)).all()
        logged = s.scalar(select(func.count()).select_from(Activity).where(
            Activity.action == ActivityKind.CUSTOMER_IMPORTED))
        return customers, policies, logged, change_counter(s)


def test_a_second_identical_customer_import_is_all_unchanged_and_writes_nothing(
    manager, db
):
    """As a submission received twice: no write, no activity, no change for the desks."""
    records = [*factories.CUSTOMERS, factories.customer("C600", policies=[
        dict(factories.POLICY, number="WC-A"), dict(factories.POLICY, number="WC-B",
                                                   line="employers_liability")]),
        factories.customer("C700", policies=[])]
    first = manager.import_customers(factories.jsonl(*records))
    assert first.ok and [o.line for o in first.accepted] == [6, 7]
    assert [o.line for o in first.unchanged] == [1, 2, 3, 4, 5]
    before = _customer_state(db)
    again = manager.import_customers(factories.jsonl(*records))
    assert again.ok and again.accepted == []
    assert [o.line for o in again.unchanged] == [1, 2, 3, 4, 5, 6, 7]
    assert again.summary("customers") == "0 customers accepted, 7 unchanged, 0 refused"
    assert all(o.message == f"customer {r['code']} unchanged"
               for o, r in zip(again.unchanged, records, strict=True))
    assert _customer_state(db) == before
    assert manager.change_counter() == before[3]
    # Without "policies" the policies on file are kept: nothing changes either.
    without = {k: v for k, v in records[5].items() if k != "policies"}
    assert [o.line for o in manager.import_customers(factories.jsonl(without)).unchanged] == [1]
    assert _customer_state(db) == before


@pytest.mark.parametrize("change", [
    {"email": "new@c200.example"}, {"name": "Bright Payroll Dental Group"},
    {"status": "inactive"}, {"zip": "33603"},
    {"policies": [dict(factories.POLICY, number="WC-C200", expires="2027-06-01")]},
    {"policies": [dict(factories.POLICY, number="WC-C200", limits=dict(
        factories.POLICY["limits"], each_accident=500_000))]},
    {"policies": [dict(factories.POLICY, number="WC-C200"),
                  dict(factories.POLICY, number="WC-C200-B")]},
    {"policies": []},
], ids=["email", "name", "status", "zip", "policy-expires", "policy-limit", "policy-added",
        "policies-removed"])
def test_one_changed_field_on_one_customer_line_is_exactly_one_accepted(manager, db, change):
    records = [*factories.CUSTOMERS]
    records[1] = dict(records[1], **change)
    _, _, logged, counter = _customer_state(db)
    report = manager.import_customers(factories.jsonl(*records))
    assert report.ok and [(o.line, o.message) for o in report.accepted] == [
        (2, "customer C200 updated")]
    assert [o.line for o in report.unchanged] == [1, 3, 4, 5]
    after = _customer_state(db)
    assert after[2] == logged + 1 and after[3] > counter
    # The change is kept: importing the same file once more changes nothing.
    assert [o.line for o in manager.import_customers(
        factories.jsonl(*records)).unchanged] == [1, 2, 3, 4, 5]
    assert _customer_state(db) == after


@pytest.mark.parametrize(
    ("record", "match"),
    [({"name": "No Code", "brand": "compeo"}, "missing code"),
     ({"code": "C9", "name": "X", "brand": "acme"}, "unknown brand 'acme'"),
     ({"code": "C9", "name": "X", "brand": "compeo", "status": "asleep"}, "unknown status"),
     ({"code": "C9", "name": "X", "brand": "compeo",
       "policies": [dict(factories.POLICY, expires="someday")]}, "expires must be a date"),
     ({"code": "C9", "name": "X", "brand": "compeo",
       "policies": [dict(factories.POLICY, expires="2025-01-01")]}, "after effective")],
    ids=["no-code", "bad-brand", "bad-status", "bad-date", "expires-first"],
)
def test_a_bad_customer_line_is_refused_and_the_rest_kept(manager, specialist, record, match):
    report = manager.import_customers(factories.jsonl(record, factories.customer("C9B")))
    assert [o.line for o in report.refused] == [1] and match in report.refused[0].message
    assert [o.line for o in report.accepted] == [2]


def test_an_external_id_too_long_to_store_is_refused_on_every_database(manager, db):
    record = factories.submission("E" * 129)
    assert "external_id is longer than 128" in _refused_alone(manager, db, json.dumps(record))


@pytest.mark.parametrize(
    ("field", "length", "limit", "words"),
    [("name", 301, 300, "holder name too long (301 characters, at most 300)"),
     ("address", 5_000, 300, "holder address too long (5,000 characters, at most 300)"),
     ("zip", 17, 16, "holder ZIP too long (17 characters, at most 16)")],
    ids=["holder-name", "holder-address", "holder-zip"],
)
def test_holder_text_too_long_to_store_is_a_discrepancy_kept_cut_on_every_database(
    manager, specialist, field, length, limit, words
):
    value = ("3" if field == "zip" else "H") * length
    record = dict(factories.submission("LONG-1"), holder=dict(factories.HOLDER, **{field: value}))
    report = _take_in(manager, record)
    assert report.ok, report.refused
    detail = _manual(specialist, report.accepted[0].request_id)
    assert detail.row.discrepancy
    assert any(words in reason for reason in detail.row.manual_reasons)
    stored = {"name": detail.row.holder_name, "address": detail.holder_address,
              "zip": detail.holder_zip}[field]
    assert stored == value[:limit]
    assert detail.submission["holder"][field] == value  # the full text, as submitted


def test_a_customer_too_long_to_store_is_refused_and_the_old_one_kept(manager, specialist):
    policy = dict(factories.POLICY, carrier="C" * 201)
    report = manager.import_customers(factories.jsonl(
        factories.customer("C100", name="N" * 301),
        factories.customer("C200", policies=[policy]),
        factories.customer("C9", policies=[dict(factories.POLICY, limits={
            "each_accident": 10**12})])))
    assert [o.line for o in report.refused] == [1, 2, 3]
    assert "name is longer than 300" in report.refused[0].message
    assert "carrier is longer than 200" in report.refused[1].message
    assert "each_accident" in report.refused[2].message
    assert report.accepted == []


def test_a_wos_whose_payment_is_reversed_before_work_starts_leaves_the_queue(manager, submit):
    request_id = submit("W-REV", type="WOS", payment_status="approved")
    assert request_id in [r.id for r in manager.queue().rows]
    report = manager.import_submissions(factories.jsonl(
        {"kind": "payment", "external_id": "W-REV", "payment_status": "declined"}))
    assert report.ok
    assert request_id not in [r.id for r in manager.queue().rows]
    assert not manager.request(request_id).in_queue
