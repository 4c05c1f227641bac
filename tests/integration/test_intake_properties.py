"""Property tests over the JSON Lines formats: any line is accepted or refused by number.

Whatever a line holds (any JSON value, any text, any bytes, a submission, payment
update or customer with any field replaced by anything), the import never raises,
refuses it with its line number and a one-line reason or takes it in, and the good
lines around it are stored. A few run through ``certdesk import`` as a subprocess.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from certdesk_tui.storage.models import CertificateRequest, Customer
from tests import factories
from tests.integration.test_cli import ROOT

_ids = itertools.count(1)
PROPERTY = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-10**30,
                                                                   max_value=10**30)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30))
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def dumps(value) -> str:
    """JSON as a sloppy producer writes it: NaN and Infinity, non-ASCII left as is."""
    return json.dumps(value, ensure_ascii=False, allow_nan=True)


def mutated(record: dict, keys: list[str]) -> st.SearchStrategy[dict]:
    """``record`` with some of ``keys`` replaced by any JSON value, or dropped."""
    change = st.dictionaries(st.sampled_from(keys), json_values | st.just(...), max_size=4)

    def apply(changes: dict) -> dict:
        out = dict(record)
        for key, value in changes.items():
            if value is ...:
                out.pop(key, None)
            else:
                out[key] = value
        return out

    return change.map(apply)


SUBMISSION_KEYS = ["external_id", "channel", "customer", "type", "holder", "send_to_holder",
                   "instructions", "submitted_at", "payment_status", "kind"]
HOLDER_KEYS = ["name", "address", "city", "state", "zip", "email"]


@st.composite
def submissions(draw) -> str:
    record = factories.submission(f"PROP-{next(_ids)}", draw(st.sampled_from(
        ["C100", "C200", "C300", "C400", "C500"])))
    record["holder"] = draw(mutated(factories.HOLDER, HOLDER_KEYS))
    return dumps(draw(mutated(record, SUBMISSION_KEYS)))


@st.composite
def payment_updates(draw) -> str:
    record = {"kind": "payment", "external_id": draw(st.sampled_from(["PAY-1", "NONE"])),
              "payment_status": draw(st.sampled_from(["approved", "declined", "pending"]))}
    return dumps(draw(mutated(record, ["external_id", "payment_status", "kind"])))


POLICY_KEYS = ["line", "carrier", "naic", "number", "effective", "expires", "limits"]


@st.composite
def customers(draw) -> str:
    policies = draw(st.lists(mutated(factories.POLICY, POLICY_KEYS), max_size=3))
    record = factories.customer(f"PC{next(_ids)}", policies=policies)
    keys = ["code", "name", "brand", "status", "email", "address", "city", "state", "zip",
            "policies"]
    return dumps(draw(mutated(record, keys)))


any_line = (st.text(max_size=200) | st.binary(max_size=200) | json_values.map(dumps)
            | submissions() | payment_updates())


def good() -> dict:
    return factories.submission(f"GOOD-{next(_ids)}", instructions="Please list the project")


def check_sandwich(manager, db, hostile) -> None:
    before, after = good(), good()
    report = manager.import_submissions([json.dumps(before), hostile, json.dumps(after)])
    buckets = [o.line for o in report.accepted + report.unchanged + report.refused]
    assert sorted(buckets) in ([1, 2, 3], [1, 3])
    assert {o.line for o in report.accepted} >= {1, 3}
    for outcome in report.refused:
        assert outcome.line == 2 and outcome.message.strip()
        assert "\n" not in outcome.message
    with db.reading() as s:
        stored = set(s.scalars(select(CertificateRequest.external_id).where(
            CertificateRequest.external_id.in_([before["external_id"], after["external_id"]]))))
    assert stored == {before["external_id"], after["external_id"]}


@PROPERTY
@given(hostile=any_line)
def test_any_line_between_two_good_ones_is_taken_in_or_refused(manager, db, hostile):
    check_sandwich(manager, db, hostile)


@PROPERTY
@given(hostile=submissions())
def test_any_submission_field_replaced_by_anything(manager, db, hostile):
    check_sandwich(manager, db, hostile)


@PROPERTY
@given(hostile=payment_updates())
def test_any_payment_update_field_replaced_by_anything(manager, submit, db, hostile):
    with db.reading() as s:
        seeded = s.scalar(select(CertificateRequest.id).where(
            CertificateRequest.external_id == "PAY-1"))
    if seeded is None:
        submit("PAY-1", type="WOS", payment_status="pending")
    check_sandwich(manager, db, hostile)


@PROPERTY
@given(hostile=customers() | st.text(max_size=100) | json_values.map(dumps))
def test_any_customer_line_between_two_good_ones(manager, db, hostile):
    first, last = (factories.customer(f"GC{next(_ids)}") for _ in range(2))
    report = manager.import_customers([json.dumps(first), hostile, json.dumps(last)])
    assert {o.line for o in report.accepted} >= {1, 3}
    assert all(o.line == 2 and "\n" not in o.message for o in report.refused)
    with db.reading() as s:
        codes = set(s.scalars(select(Customer.code).where(
            Customer.code.in_([first["code"], last["code"]]))))
    assert codes == {first["code"], last["code"]}
    # Re-importing the same line changes nothing it did not change the first time.
    again = manager.import_customers([hostile])
    assert [o.line for o in again.refused] == [o.line - 1 for o in report.refused]


# -- text fields take text only ----------------------------------------------------------

# Text that passes every other check (no NUL, no lone surrogate), so that a refusal can
# only be about the type; numbers that fit the line's limits for the same reason.
plain_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                     max_size=8)
not_text = st.recursive(
    st.booleans() | st.integers(min_value=-(2**63 - 1), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children | plain_text, max_size=3)
    | st.dictionaries(plain_text, children | plain_text, max_size=3),
    max_leaves=6,
)
SUBMISSION_TEXT = ["external_id", "channel", "customer", "type", "payment_status",
                   "instructions", *(f"holder.{k}" for k in HOLDER_KEYS)]
CUSTOMER_TEXT = ["code", "name", "brand", "status", "email", "address", "city", "state", "zip",
                 *(f"policy 1: {k}" for k in ("line", "carrier", "naic", "number"))]


@PROPERTY
@given(field=st.sampled_from(SUBMISSION_TEXT), value=not_text)
def test_anything_but_text_in_a_submission_text_field_is_refused_naming_it(
        manager, db, field, value):
    record = factories.submission(f"TYPED-{next(_ids)}")
    if field.startswith("holder."):
        record["holder"] = dict(factories.HOLDER, **{field.removeprefix("holder."): value})
    else:
        record[field] = value
    before, after = good(), good()
    report = manager.import_submissions([json.dumps(before), dumps(record), json.dumps(after)])
    assert [(o.line, o.message) for o in report.refused] == [(2, f"{field} must be text")]
    assert [o.line for o in report.accepted] == [1, 3]
    with db.reading() as s:
        stored = set(s.scalars(select(CertificateRequest.external_id).where(
            CertificateRequest.external_id.in_(
                [before["external_id"], record["external_id"], after["external_id"]]
                if isinstance(record["external_id"], str) else
                [before["external_id"], after["external_id"]]))))
    assert stored == {before["external_id"], after["external_id"]}


@PROPERTY
@given(field=st.sampled_from(CUSTOMER_TEXT), value=not_text)
def test_anything_but_text_in_a_customer_text_field_is_refused_naming_it(
        manager, db, field, value):
    code = f"TC{next(_ids)}"
    record = factories.customer(code)
    if field.startswith("policy 1: "):
        record["policies"] = [dict(factories.POLICY, **{field.removeprefix("policy 1: "): value})]
    else:
        record[field] = value
    first, last = (factories.customer(f"GC{next(_ids)}") for _ in range(2))
    report = manager.import_customers([json.dumps(first), dumps(record), json.dumps(last)])
    assert [(o.line, o.message) for o in report.refused] == [(2, f"{field} must be text")]
    assert [o.line for o in report.accepted] == [1, 3]
    with db.reading() as s:
        codes = set(s.scalars(select(Customer.code).where(
            Customer.code.in_([first["code"], code, last["code"]]))))
    assert codes == {first["code"], last["code"]}


# -- through the command line ------------------------------------------------------------


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CERTDESK_") and k not in ("LOGNAME", "USER")}
    env.update(CERTDESK_DATA_DIR=str(home / "data"), CERTDESK_CONFIG=os.devnull,
               LOGNAME="morgan", USER="morgan", NO_COLOR="1", PYTHONIOENCODING="utf-8",
               PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def _run(home: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "certdesk_tui", *args], input=stdin,
                          capture_output=True, env=_env(home), cwd=home, timeout=120)


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(hostile=st.lists(any_line, min_size=1, max_size=4))
def test_certdesk_import_prints_one_line_per_refusal_and_never_a_traceback(tmp_path, hostile):
    home = tmp_path  # one database for all examples: every line has its own ids
    if not (home / "data").exists():
        (home / "data").mkdir(parents=True)
        assert _run(home, "init").returncode == 0
        customers_file = home / "customers.jsonl"
        customers_file.write_text("\n".join(factories.jsonl(*factories.CUSTOMERS)), "utf-8")
        assert _run(home, "customers", "import", str(customers_file)).returncode == 0

    goods = [good() for _ in range(len(hostile) + 1)]
    chunks: list[bytes] = [json.dumps(goods[0]).encode()]
    for bad, ok in zip(hostile, goods[1:], strict=True):
        raw = bad if isinstance(bad, bytes) else bad.encode("utf-8", "surrogatepass")
        chunks += [raw.replace(b"\n", b" ").replace(b"\r", b" "), json.dumps(ok).encode()]
    result = _run(home, "import", "-", stdin=b"\n".join(chunks) + b"\n")

    assert result.returncode in (0, 1), result
    assert b"Traceback" not in result.stderr + result.stdout
    out = result.stdout.decode("utf-8").splitlines()
    *refusals, summary = out
    assert summary.endswith("refused")
    refused = int(summary.rsplit(", ", 1)[1].split()[0])
    assert len(refusals) == refused and (result.returncode == 1) == (refused > 0)
    numbers = [int(line.split(":", 1)[0].removeprefix("line ")) for line in refusals]
    assert all(n % 2 == 0 for n in numbers) and len(set(numbers)) == len(numbers)
    listed = json.loads(_run(home, "list", "--json", "--status", "new").stdout)
    assert {g["external_id"] for g in goods} <= {r["external_id"] for r in listed}
