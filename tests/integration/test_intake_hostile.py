"""One bad line never costs a good one: a hostile corpus, on SQLite and PostgreSQL.

Every hostile line sits between two good lines; both good lines must be stored, and
the hostile one is either refused with its line number and a specific reason, or (for
a content problem) stored on the manual list as a discrepancy.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from certdesk_tui import intake
from certdesk_tui.domain.errors import IntakeRefused, ValidationFailed
from certdesk_tui.storage.models import CertificateRequest, Customer, Policy
from tests import factories

_ids = itertools.count(1)
DEEP = 100_000


def good_submission() -> dict:
    """A submission that is stored (on the manual list: no certificate is rendered)."""
    return factories.submission(f"GOOD-{next(_ids)}", instructions="Please list the project")


def stored_ids(db) -> set[str]:
    with db.reading() as s:
        return set(s.scalars(select(CertificateRequest.external_id)))


def sandwich(manager, db, hostile: str | bytes, *, as_bytes: bool = False):
    """Import good, hostile, good; both good lines must be stored. Returns the report."""
    before, after = good_submission(), good_submission()
    lines: list[str | bytes] = [json.dumps(before), hostile, json.dumps(after)]
    if as_bytes:
        lines = [x if isinstance(x, bytes) else x.encode() + b"\n" for x in lines]
    report = manager.import_submissions(lines)
    assert {o.line for o in report.accepted} >= {1, 3}, report
    assert {before["external_id"], after["external_id"]} <= stored_ids(db)
    return report


def refused(manager, db, hostile: str | bytes, *, as_bytes: bool = False) -> str:
    """The hostile line is refused as line 2, and nothing of it is stored."""
    count = len(stored_ids(db))
    report = sandwich(manager, db, hostile, as_bytes=as_bytes)
    assert [o.line for o in report.refused] == [2], report
    assert len(stored_ids(db)) == count + 2
    assert report.summary("lines") == "2 lines accepted, 0 unchanged, 1 refused"
    message = report.refused[0].message
    assert "\n" not in message and len(message) < 400
    return message


def hostile_line(**over) -> str:
    return json.dumps(dict(factories.submission(f"HOSTILE-{next(_ids)}"), **over))


def with_raw(placeholder: str, raw: str, **over) -> str:
    """A submission line with ``raw`` JSON text where the string ``placeholder`` was."""
    return hostile_line(**over).replace(json.dumps(placeholder), raw)


# -- the shape of the line ------------------------------------------------------------


@pytest.mark.parametrize("raw", ["[" * DEEP + "]" * DEEP, '{"a":' * DEEP + "1" + "}" * DEEP,
                                 "[" * DEEP], ids=["arrays", "objects", "unclosed"])
def test_very_deep_nesting_is_refused(manager, db, raw):
    assert "nested more than 16 levels" in refused(manager, db, with_raw("@", raw, extra="@"))


def test_brackets_inside_strings_are_not_nesting(manager, db):
    report = sandwich(manager, db, hostile_line(instructions="[{" * 5_000))
    assert report.ok


def test_a_5000_digit_number_is_refused(manager, db):
    message = refused(manager, db, with_raw("@", "1" + "0" * 5_000, extra="@"))
    assert "5,001 digits is too large" in message


@pytest.mark.parametrize("raw", ["9223372036854775808", "-9223372036854775808",
                                 "1e999", "-1e999", "0." + "1" * 60],
                         ids=["int64+1", "-int64-1", "float-overflow", "float-underflow",
                              "long-float"])
def test_numbers_beyond_what_a_column_holds_are_refused(manager, db, raw):
    assert "number" in refused(manager, db, with_raw("@", raw, extra="@"))


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(manager, db, constant):
    message = refused(manager, db, with_raw("@", constant, extra="@"))
    assert f"{constant} is not a number JSON allows" in message


def test_nan_in_a_payment_update_is_refused(manager, db):
    line = '{"kind": "payment", "external_id": "X", "payment_status": NaN}'
    assert "NaN" in refused(manager, db, line)


def test_a_line_longer_than_the_limit_is_refused(manager, db):
    line = hostile_line(instructions="x" * (intake.MAX_LINE_BYTES + 10))
    assert "line is longer than 4 MiB" in refused(manager, db, line)
    assert "line is longer than 4 MiB" in refused(manager, db, line.encode(), as_bytes=True)


def test_duplicate_keys_are_refused(manager, db):
    line = hostile_line()[:-1] + ', "customer": "C300"}'
    assert "key 'customer' appears twice" in refused(manager, db, line)


# -- the text in it -------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "where"), [
    ('"Big \\u0000 Contractor"', "holder.name"),
    ('"x\\u0000"', "instructions"),
], ids=["holder", "instructions"])
def test_a_nul_character_is_refused_naming_the_field(manager, db, raw, where):
    line = with_raw("@", raw, holder=dict(factories.HOLDER, name="@")) if where == "holder.name" \
        else with_raw("@", raw, instructions="@")
    assert f"{where} contains a NUL character" in refused(manager, db, line)


@pytest.mark.parametrize("raw", ['"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"'],
                         ids=["high", "low", "reversed-pair"])
def test_a_lone_surrogate_is_refused(manager, db, raw):
    line = with_raw("@", raw, holder=dict(factories.HOLDER, name="@"))
    assert "holder.name contains a lone surrogate" in refused(manager, db, line)


def test_a_lone_surrogate_in_a_key_is_refused(manager, db):
    line = hostile_line()[:-1] + ', "\\ud800": 1}'
    assert "a key contains a lone surrogate" in refused(manager, db, line)


def test_a_surrogate_pair_is_one_character_and_is_kept(manager, db, specialist):
    line = with_raw("@", '"Big \\ud83d\\ude00 Contractor Inc"',
                    holder=dict(factories.HOLDER, name="@"))
    report = sandwich(manager, db, line)
    assert report.ok
    assert specialist.request(report.accepted[1].request_id).row.holder_name == \
        "Big \U0001f600 Contractor Inc"


def test_bytes_that_are_not_utf8_are_refused(manager, db):
    line = hostile_line(instructions="@").encode().replace(b"@", b"caf\xe9")
    assert "not UTF-8 text (byte 0xe9 at byte" in refused(manager, db, line, as_bytes=True)


def test_a_line_separator_inside_a_string_is_not_a_line_break(manager, db, specialist):
    name = "Big\u2028General\x85Contractor\x1cInc"
    report = sandwich(manager, db, hostile_line(holder=dict(factories.HOLDER, name=name)))
    assert report.ok
    assert specialist.request(report.accepted[1].request_id).row.holder_name == name


# -- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+05:00", "0001-01-01",
                                  "9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59",
                                  "1899-12-31T00:00:00"],
                         ids=["year1-tz", "year1", "year9999-tz", "year9999", "1899"])
def test_dates_near_year_1_or_9999_are_refused(manager, db, when):
    assert "submitted_at" in (message := refused(manager, db, hostile_line(submitted_at=when)))
    assert "out of range (1900 to 2199)" in message


def test_a_time_zone_at_the_edge_is_fine(manager, db):
    report = sandwich(manager, db, hostile_line(submitted_at="2026-11-20T23:59:59-23:59"))
    assert report.ok


@pytest.mark.parametrize(("when", "utc"), [("2199-12-31T23:59:59-12:00", "2200-01-01"),
                                           ("1900-01-01T00:00:00+14:00", "1899-12-31")])
def test_the_range_of_submitted_at_is_checked_in_utc(manager, db, when, utc):
    """As stored (in UTC), the time would lie outside the range: refused, naming both."""
    assert refused(manager, db, hostile_line(submitted_at=when)) == (
        f"submitted_at '{when}' ({utc} in UTC) is out of range (1900 to 2199)")


@settings(max_examples=300, deadline=None)
@given(local=st.datetimes(min_value=datetime(1899, 12, 30), max_value=datetime(2200, 1, 2)),
       minutes=st.integers(-(24 * 60 - 1), 24 * 60 - 1))
def test_submitted_at_is_stored_in_range_whatever_its_offset(local, minutes):
    written = local.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    utc = written.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    line = hostile_line(submitted_at=written.isoformat())
    if date(1900, 1, 1) <= utc.date() <= date(2199, 12, 31):
        parsed = intake.parse_line(line)
        assert isinstance(parsed, intake.Submission) and parsed.submitted_at == utc
    else:
        with pytest.raises(IntakeRefused, match=r"out of range \(1900 to 2199\)"):
            intake.parse_line(line)


# -- wrong types -----------------------------------------------------------------------------


@pytest.mark.parametrize(("over", "words"), [
    ({"holder": ["Big General"]}, "holder must be an object"),
    ({"holder": dict(factories.HOLDER, name={"first": "Big"})}, "holder.name must be text"),
    ({"holder": dict(factories.HOLDER, zip=True)}, "holder.zip must be text"),
    ({"send_to_holder": "yes"}, "send_to_holder must be true or false"),
    ({"instructions": 5}, "instructions must be text"),
    ({"external_id": True}, "external_id must be text"),
    ({"customer": {"code": "C100"}}, "customer must be text"),
    ({"type": ["COI"]}, "type must be text"),
    ({"submitted_at": 1.5}, "submitted_at '1.5' is not an ISO-8601"),
    ({"kind": ["payment"]}, "unknown kind ['payment']"),
], ids=lambda x: x if isinstance(x, str) else None)
def test_wrong_types_are_refused_naming_the_field(manager, db, over, words):
    assert words in refused(manager, db, hostile_line(**over))


SUBMISSION_TEXT = ["external_id", "channel", "customer", "type", "payment_status",
                   "instructions"]
HOLDER_TEXT = ["name", "address", "city", "state", "zip", "email"]


@pytest.mark.parametrize("number", [123, 12.5, 0, -7, 1e20], ids=str)
@pytest.mark.parametrize("field", SUBMISSION_TEXT + [f"holder.{k}" for k in HOLDER_TEXT])
def test_a_number_where_text_is_expected_is_refused_naming_the_field(manager, db, field,
                                                                       number):
    """``"zip": 60601`` is not the text "60601": the line is refused, its neighbours kept."""
    if field.startswith("holder."):
        line = hostile_line(holder=dict(factories.HOLDER, **{field[7:]: number}))
    else:
        line = hostile_line(**{field: number})
    assert refused(manager, db, line) == f"{field} must be text"


@pytest.mark.parametrize(("field", "number"), [("external_id", 7), ("payment_status", 1)])
def test_a_number_in_a_payment_update_is_refused_naming_the_field(manager, db, field, number):
    line = json.dumps(dict({"kind": "payment", "external_id": "PAY-N",
                            "payment_status": "approved"}, **{field: number}))
    assert refused(manager, db, line) == f"{field} must be text"


def test_a_holder_named_by_a_number_is_never_issued_a_certificate(manager, db, specialist):
    """The audit's case: a holder of 12.5 was processed automatically and issued to."""
    before = len(stored_ids(db))
    report = manager.import_submissions([hostile_line(
        external_id="NUM-HOLDER", holder=dict(factories.HOLDER, name=12.5))])
    assert [o.message for o in report.refused] == ["holder.name must be text"]
    assert not report.accepted and len(stored_ids(db)) == before
    assert "NUM-HOLDER" not in stored_ids(db)


@pytest.mark.parametrize("raw", ["[]", '"text"', "null", "42", "true"])
def test_a_line_that_is_not_an_object_is_refused(manager, db, raw):
    assert "not a JSON object" in refused(manager, db, raw)


def test_huge_values_are_quoted_cut_in_the_reason(manager, db):
    message = refused(manager, db, hostile_line(type="X" * 1_000_000))
    assert "unknown type 'XXXX" in message and "…" in message


# -- the file around it ------------------------------------------------------------------


def test_a_byte_order_mark_crlf_and_blank_lines_are_read_as_text(manager, db, specialist):
    first, second, third = (factories.submission(f"CRLF-{i}", instructions="x")
                            for i in range(3))
    lines = [b"\xef\xbb\xbf" + json.dumps(first).encode() + b"\r\n", b"\r\n", b"   \t\r\n",
             json.dumps(second).encode() + b"\r\n", b"\n", json.dumps(third).encode()]
    report = manager.import_submissions(lines)
    assert report.ok and [o.line for o in report.accepted] == [1, 4, 6]
    assert {"CRLF-0", "CRLF-1", "CRLF-2"} <= stored_ids(db)


def test_a_byte_order_mark_as_text_is_read_too(manager, db):
    report = manager.import_submissions(["\ufeff" + json.dumps(good_submission())])
    assert report.ok


def test_a_byte_order_mark_after_line_1_is_refused(manager, db):
    assert "not valid JSON" in refused(manager, db, "\ufeff" + hostile_line())


@pytest.mark.parametrize(("raw", "reason"), [
    ('{"external_id": "P-\x01"}', "Invalid control character U+0001 at column 20"),
    ('{"external_id": "P-1', "Unterminated string starting at column 17"),
    ('{"external_id" "P-1"}', "Expecting ':' delimiter at column 16"),
    ('{"external_id": "P-\\q"}', "Invalid \\escape at column 20"),
    ('{"external_id": "P-1"} x', "Extra data at column 24"),
], ids=["control", "unterminated", "delimiter", "escape", "extra"])
def test_a_line_that_is_not_json_says_what_and_at_which_column(manager, db, raw, reason):
    """The parser's words, each followed by its column once ("... at column 19")."""
    assert refused(manager, db, raw) == f"not valid JSON ({reason})"


def test_read_lines_never_holds_more_than_the_limit(tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("wb") as fh:
        fh.write(b"first\n")
        fh.write(b"x" * (3 * intake.MAX_LINE_BYTES + 5) + b"\n")
        fh.write(b"last")
    with path.open("rb") as fh:
        lines = list(intake.read_lines(fh))
    assert lines[0] == b"first\n" and lines[2] == b"last"
    assert len(lines) == 3 and len(lines[1]) == intake.MAX_LINE_BYTES + 1


# -- content problems are stored, not refused -----------------------------------------------


@pytest.mark.parametrize(("holder", "words"), [
    ({"name": "N" * 10_000}, "holder name too long (10,000 characters"),
    ({"address": "A" * 301}, "holder address too long (301 characters"),
    ({"email": "not an email"}, "invalid holder email"),
    ({"name": ""}, "certificate holder name missing"),
    ({"city": ""}, "certificate holder address incomplete"),
], ids=["long-name", "long-address", "bad-email", "no-name", "no-city"])
def test_content_problems_are_discrepancies_on_the_manual_list(
    manager, db, specialist, holder, words
):
    line = hostile_line(holder=dict(factories.HOLDER, **holder))
    report = sandwich(manager, db, line)
    assert report.ok
    detail = specialist.request(report.accepted[1].request_id)
    assert detail.row.manual and detail.row.discrepancy
    assert any(words in r for r in detail.row.manual_reasons), detail.row.manual_reasons


def test_megabytes_of_instructions_are_stored_whole(manager, db, specialist):
    text = "Please list every project. " * 120_000  # 3.2 MB
    report = sandwich(manager, db, hostile_line(instructions=text))
    assert report.ok
    assert specialist.request(report.accepted[1].request_id).instructions == text.strip()


# -- what the database refuses ---------------------------------------------------------------


def test_a_write_the_database_refuses_costs_only_its_line(manager, db, monkeypatch):
    """With the text check off, PostgreSQL itself refuses a NUL: the line, not the import."""
    monkeypatch.setattr(intake.records, "_check_text", lambda value, where: None)
    line = hostile_line(holder=dict(factories.HOLDER, name="Big\x00Contractor"))
    if db.is_sqlite:  # SQLite stores a NUL; the line is simply accepted
        assert sandwich(manager, db, line).ok
    else:
        assert "the database refused it" in refused(manager, db, line)


def test_an_unexpected_error_costs_only_its_line(manager, db, monkeypatch):
    real = intake.parse_line

    def parse(line: str):
        if "BOOM" in line:
            raise RuntimeError("something no one foresaw")
        return real(line)

    monkeypatch.setattr(intake, "parse_line", parse)
    message = refused(manager, db, hostile_line(instructions="BOOM"))
    assert message == "could not be taken in (RuntimeError: something no one foresaw)"


def test_automation_that_stops_keeps_the_request_on_the_manual_list(
    manager, db, specialist, monkeypatch
):
    import certdesk_tui.pdf.certificate as pdf

    real = pdf.render_certificate

    def render(form, **kw):
        if "Undrawable" in form.holder_name:
            raise ValidationFailed("holder_name: character U+E000 cannot be drawn")
        return real(form, **kw)

    monkeypatch.setattr(pdf, "render_certificate", render)
    clean = factories.submission("AUTO-1", holder=dict(factories.HOLDER,
                                                       name="Undrawable Holder Inc"))
    report = manager.import_submissions(factories.jsonl(clean, factories.submission("AUTO-2")))
    assert report.ok
    stopped = specialist.request(report.accepted[0].request_id)
    assert stopped.row.status == "new" and stopped.row.manual and stopped.certificates == ()
    assert stopped.emails == ()
    assert stopped.row.manual_reasons == (
        "automatic processing stopped: holder_name: character U+E000 cannot be drawn",)
    assert "auto_processed" not in [a.action for a in stopped.activities]
    done = specialist.request(report.accepted[1].request_id)
    assert done.row.status == "completed" and len(done.certificates) == 1


# -- customers ----------------------------------------------------------------------------------


def policies_of(db, code: str) -> list[str]:
    with db.reading() as s:
        return sorted(s.scalars(select(Policy.number).join(Customer)
                                .where(Customer.code == code)))


def customer_sandwich(manager, hostile: str):
    report = manager.import_customers([json.dumps(factories.customer("CG1")), hostile,
                                       json.dumps(factories.customer("CG2"))])
    assert {o.line for o in report.accepted} >= {1, 3}, report
    return report


@pytest.mark.parametrize(("record", "words"), [
    (factories.customer("CH", policies=[factories.POLICY, factories.POLICY]),
     "policies 1 and 2 have the same number 'WC-2026-0001'"),
    (factories.customer("CH", policies=[dict(factories.POLICY, effective="0001-01-01")]),
     "policy 1: effective 0001-01-01 is out of range"),
    (factories.customer("CH", policies=[dict(factories.POLICY, expires="9999-12-31")]),
     "policy 1: expires 9999-12-31 is out of range"),
    (factories.customer("CH", policies=[dict(factories.POLICY, expires=20270101)]),
     "policy 1: expires must be a date"),
    (factories.customer("CH", policies=[dict(factories.POLICY, number=["WC"])]),
     "policy 1: number must be text"),
    (factories.customer("CH", policies=[dict(factories.POLICY, limits={
        "each_accident": 2**31})]), "limits.each_accident must be a whole dollar amount"),
    (factories.customer("CH", policies=[dict(factories.POLICY, limits={
        "each_accident": 1.5})]), "limits.each_accident must be a whole dollar amount"),
    (factories.customer("CH", name=True), "name must be text"),
    (factories.customer("CH", name="Acme\x00"), "name contains a NUL character"),
    (factories.customer("CH", name="Acme\ud800"), "name contains a lone surrogate"),
], ids=["same-number", "year1", "year9999", "date-number", "number-list", "limit-int32",
        "limit-float", "name-bool", "nul", "surrogate"])
def test_a_hostile_customer_line_is_refused_and_its_neighbours_kept(manager, db, record, words):
    line = json.dumps(record)
    report = customer_sandwich(manager, line)
    assert [o.line for o in report.refused] == [2]
    assert words in report.refused[0].message
    assert policies_of(db, "CH") == []


CUSTOMER_TEXT = ["code", "name", "brand", "status", "email", "address", "city", "state",
                 "zip"]
POLICY_TEXT = ["line", "carrier", "naic", "number"]


@pytest.mark.parametrize("number", [123, 12.5, 0], ids=str)
@pytest.mark.parametrize("field", CUSTOMER_TEXT + [f"policy 1: {k}" for k in POLICY_TEXT])
def test_a_number_in_a_customer_text_field_is_refused_naming_the_field(manager, db, field,
                                                                         number):
    """``"zip": 60601`` or ``"naic": 12345`` is refused, as the README's limits say."""
    if field.startswith("policy 1: "):
        record = factories.customer("CH", policies=[
            dict(factories.POLICY, **{field.removeprefix("policy 1: "): number})])
    else:
        record = dict(factories.customer("CH"), **{field: number})
    report = customer_sandwich(manager, json.dumps(record))
    assert [(o.line, o.message) for o in report.refused] == [(2, f"{field} must be text")]
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Customer)
                        .where(Customer.code.in_(["CH", "123", "12.5", "0"]))) == 0


@pytest.mark.parametrize("raw", ["1" + "0" * 5_000, "NaN", "[" * DEEP])
def test_hostile_json_in_a_customer_line_is_refused(manager, db, raw):
    line = json.dumps(factories.customer("CH", extra="@")).replace('"@"', raw)
    report = customer_sandwich(manager, line)
    assert [o.line for o in report.refused] == [2]


def test_a_customer_reimport_never_multiplies_policies(manager, db):
    record = factories.customer("CR", policies=[
        dict(factories.POLICY, number="WC-A"), dict(factories.POLICY, number="WC-B")])
    for _ in range(3):
        assert manager.import_customers(factories.jsonl(record, record)).ok
    assert policies_of(db, "CR") == ["WC-A", "WC-B"]


def test_a_customer_reimport_heals_a_number_held_twice(manager, db):
    with db.writing() as s:
        customer = s.scalar(select(Customer).where(Customer.code == "C100"))
        customer.policies.append(Policy(**{
            "carrier": "Old Carrier", "number": "WC-C100", "effective": customer.policies[0]
            .effective, "expires": customer.policies[0].expires}))
    assert policies_of(db, "C100") == ["WC-C100", "WC-C100"]
    assert manager.import_customers(factories.jsonl(factories.CUSTOMERS[0])).ok
    assert policies_of(db, "C100") == ["WC-C100"]
    with db.reading() as s:
        carrier = s.scalar(select(Policy.carrier).join(Customer).where(Customer.code == "C100"))
    assert carrier == factories.POLICY["carrier"]


def test_a_database_error_on_a_customer_line_costs_only_that_line(manager, db, monkeypatch):
    monkeypatch.setattr(intake.records, "_check_text", lambda value, where: None)
    report = customer_sandwich(manager, json.dumps(factories.customer("CN", name="Acme\x00")))
    with db.reading() as s:
        count = s.scalar(select(func.count()).select_from(Customer).where(Customer.code == "CN"))
    if db.is_sqlite:
        assert report.ok and count == 1
    else:
        assert "the database refused it" in report.refused[0].message and count == 0


# -- through the command line --------------------------------------------------------------


def test_certdesk_import_of_a_hostile_file_keeps_every_good_line(tmp_path):
    from tests.integration.test_intake_properties import _run

    assert _run(tmp_path, "init").returncode == 0
    customers = tmp_path / "customers.jsonl"
    customers.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(
        factories.jsonl(*factories.CUSTOMERS)).encode() + b"\r\n")
    loaded = _run(tmp_path, "customers", "import", str(customers))
    assert loaded.returncode == 0 and b"5 customers accepted" in loaded.stdout, loaded

    goods = [good_submission() for _ in range(6)]
    hostile = [
        b"caf\xe9",                                                          # line 2
        ("[" * DEEP).encode(),                                               # line 4
        with_raw("@", "1" + "0" * 5_000, extra="@").encode(),               # line 6
        hostile_line(submitted_at="9999-12-31T23:59:59-05:00").encode(),     # line 8
        b"x" * (intake.MAX_LINE_BYTES + 100),                               # line 10
    ]
    lines = [json.dumps(goods[0]).encode()]
    for bad, ok in zip(hostile, goods[1:], strict=True):
        lines += [bad, json.dumps(ok).encode()]
    path = tmp_path / "subs.jsonl"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    result = _run(tmp_path, "import", str(path))
    assert result.returncode == 1 and result.stderr == b"", result
    out = result.stdout.decode().splitlines()
    assert [line.split(":")[0] for line in out[:-1]] == [
        "line 2", "line 4", "line 6", "line 8", "line 10"]
    assert "not UTF-8" in out[0] and "nested" in out[1] and "digits" in out[2]
    assert "out of range" in out[3] and "longer than 4 MiB" in out[4]
    assert out[-1] == "6 lines accepted, 0 unchanged, 5 refused"
    listed = json.loads(_run(tmp_path, "list", "--json").stdout)
    assert {g["external_id"] for g in goods} <= {r["external_id"] for r in listed}


@pytest.mark.parametrize(("source", "words"), [
    ("/dev/zero", "/dev/zero is a character device, not a JSON Lines file"),
    (".", ". is a directory, not a JSON Lines file")])
def test_certdesk_import_refuses_what_is_not_a_file_in_one_line(tmp_path, source, words):
    from tests.integration.test_intake_properties import _run

    assert _run(tmp_path, "init").returncode == 0
    result = _run(tmp_path, "import", source)
    assert result.returncode == 1 and result.stdout == b""
    assert words in result.stderr.decode() and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", [["import"], ["customers", "import"]],
                         ids=["import", "customers-import"])
def test_a_fifo_or_an_empty_path_is_refused_at_once(tmp_path, command):
    """A FIFO with no writer is refused, not waited on; an empty path is no file."""
    from tests.integration.test_intake_properties import _env

    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    for source, expected in (
            (str(fifo), f"certdesk: {fifo} is a FIFO (named pipe), not a JSON Lines file"),
            ("", "certdesk: no file given (the path is empty): name a JSON Lines file, "
                 "or - for standard input")):
        result = subprocess.run([sys.executable, "-m", "certdesk_tui", *command, source],
                                capture_output=True, env=_env(tmp_path), cwd=tmp_path,
                                timeout=60)
        assert result.returncode == 1 and result.stdout == b"", result
        assert result.stderr.decode().splitlines() == [expected]


def test_a_database_that_stops_answering_stops_the_import_and_says_where(
        manager, db, monkeypatch):
    from sqlalchemy import create_engine

    from certdesk_tui.service import intake as service_intake

    gone = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                         connect_args={"connect_timeout": 2})
    first, second, third, fourth = (good_submission() for _ in range(4))
    # Lines are written two at a time here: the server goes away between two batches.
    monkeypatch.setattr(service_intake, "BATCH_LINES", 2)

    def lines():
        yield json.dumps(first)
        yield json.dumps(second)
        db._write.configure(bind=gone)  # the server goes away between two batches
        db._read.configure(bind=gone)
        yield json.dumps(third)
        yield json.dumps(fourth)
        raise AssertionError("no line is read after the database stopped answering")

    report = manager.import_submissions(lines())
    assert [o.line for o in report.accepted] == [1, 2]
    assert [o.line for o in report.refused] == [3]
    assert report.refused[0].message.startswith("the database refused it:")
    assert report.stopped.startswith("import stopped at line 3: the database did not answer")
    assert report.stopped.endswith("the lines after it were not read")
    assert not report.ok
    gone.dispose()
