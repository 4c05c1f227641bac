"""``certdesk new``: internal requests, as subprocesses on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certdesk_tui.domain.errors import CertdeskError
from certdesk_tui.intake import Holder
from certdesk_tui.service.internal import InternalRequest
from tests import factories
from tests.integration.test_cli import Cli, seed

HOLDER_FLAGS = ("--holder-name", "Big General Contractor Inc", "--holder-address", "9 Oak Ave",
                "--holder-city", "Miami", "--holder-state", "FL", "--holder-zip", "33101",
                "--holder-email", "certs@bgc.example")


@pytest.fixture
def cli(database_url, tmp_path) -> Cli:
    seed(database_url, factories.submission("P-1"))
    return Cli(tmp_path, db_url=database_url)


def test_new_creates_an_internal_request_in_progress_with_its_creator(cli):
    made = cli.json("new", "--customer", "C200", "--type", "COI", *HOLDER_FLAGS,
                    "--send-to-holder", login="sam")
    assert set(made) == {"id", "status", "channel", "manual", "manual_reasons"}
    assert made["status"] == "in_progress" and made["channel"] == "internal"
    assert made["manual"] is False and made["manual_reasons"] == []
    shown = cli.json("show", str(made["id"]))
    assert shown["assignee"] == "sam" and shown["type"] == "COI"
    assert shown["send_to_holder"] is True
    actions = [a["action"] for a in shown["activities"]]
    assert "submitted" in actions and "start" in actions
    assert "auto_processed" not in actions and "completed" not in actions
    listed = cli.json("list", "--channel", "internal")
    assert [r["id"] for r in listed] == [made["id"]]
    assert all(r["channel"] == "portal" for r in cli.json("list", "--channel", "portal"))
    # Human output says what was made.
    out = cli("new", "--customer", "C100", "--type", "poi", *HOLDER_FLAGS).stdout
    assert "created: internal POI, in progress with you" in out


def test_discrepancies_and_instructions_put_it_on_the_manual_list_with_reasons(cli):
    made = cli.json("new", "--customer", "C100", "--type", "COI", "--holder-name", "AB",
                    "--send-to-holder", "--instructions", "List the project: Harbor Tower")
    assert made["manual"] is True
    assert made["manual_reasons"] == [
        "certificate holder name incomplete", "certificate holder address missing",
        "send to holder requested but no holder email given", "customer instructions"]
    cornerstone = cli.json("new", "--customer", "C300", "--type", "COI", *HOLDER_FLAGS)
    assert cornerstone["manual_reasons"] == ["Cornerstone: upload the carrier's certificate"]
    no_policy = cli.json("new", "--customer", "C500", "--type", "COI", *HOLDER_FLAGS)
    assert any(r.startswith("no policy in force on ") for r in no_policy["manual_reasons"])
    # The portal request P-1 is for the same holder: a possible duplicate.
    again = cli.json("new", "--customer", "C100", "--type", "COI", *HOLDER_FLAGS)
    assert any(r.startswith("possible duplicate of #") for r in again["manual_reasons"])


def test_an_internal_wos_is_approved_with_its_payment_reference_or_held_for_payment(cli):
    paid = cli.json("new", "--customer", "C100", "--type", "WOS", *HOLDER_FLAGS,
                    "--payment-reference", "PAY-7781")
    shown = cli.json("show", str(paid["id"]))
    assert shown["payment_status"] == "approved"
    assert any(a["action"] == "payment_updated" and "PAY-7781" in a["detail"]
               for a in shown["activities"])
    assert paid["id"] in [r["id"] for r in cli.json("list", "--channel", "internal")]
    held = cli("new", "--customer", "C100", "--type", "WOS", *HOLDER_FLAGS).stdout
    assert "held for payment" in held and "out of the queue" in held
    held_id = int(held.split("#")[1].split()[0])
    assert held_id not in [r["id"] for r in cli.json("list", "--channel", "internal")]
    external = cli.json("show", str(held_id))["external_id"]
    assert external.startswith("internal-") and external in held
    # A payment update approves it, as for a portal WOS.
    cli("import", "-", stdin=json.dumps({"kind": "payment", "external_id": external,
                                         "payment_status": "approved"}) + "\n")
    assert held_id in [r["id"] for r in cli.json("list", "--channel", "internal")]


def test_refusals_are_one_line_exit_1_and_change_nothing(cli):
    base = ("new", "--customer", "C100", "--type", "COI")
    assert cli.refused(*base, *HOLDER_FLAGS, login="pat") == (
        "certdesk: pat is a payroll advisor and may not process requests (view only)")
    assert cli.refused("new", "--customer", "NOPE", "--type", "COI", *HOLDER_FLAGS) == (
        "certdesk: there is no customer 'NOPE'")
    assert cli.refused("new", "--customer", "C100", "--type", "COA", *HOLDER_FLAGS) == (
        "certdesk: unknown type 'COA' (expected COI|POI|WOS)")
    assert cli.refused(*base, "--holder-name", "X Co", "--holder-state", "Florida") == (
        "certdesk: holder state 'Florida' must be two letters, such as FL")
    assert cli.refused(*base, "--holder-name", "X Co", "--holder-zip", "3310") == (
        "certdesk: holder ZIP '3310' must be 12345 or 12345-6789")
    assert "holder email 'x@'" in cli.refused(*base, "--holder-name", "X Co",
                                                "--holder-email", "x@")
    assert cli.refused(*base, *HOLDER_FLAGS, "--payment-reference", "P1") == (
        "certdesk: a payment reference is recorded for a WOS only (this request is a COI)")
    assert "holder name is 301 characters long" in cli.refused(
        *base, "--holder-name", "N" * 301)
    # Customer text that looks like markup or a control sequence is shown literally.
    out = cli.refused(*base, "--holder-name", "X Co", "--holder-state", "\x1b[31m")
    assert "\x1b" not in out
    assert cli.json("list", "--channel", "internal") == []


def test_an_import_line_cannot_claim_the_internal_channel(cli):
    out = cli("import", "-", expect=1, stdin=json.dumps(
        factories.submission("X-1", channel="internal")) + "\n").stdout
    assert "channel internal is for requests entered in certdesk (certdesk new)" in out


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=40), state=st.text(max_size=4), zip_=st.text(max_size=12),
       email=st.text(max_size=30), instructions=st.text(max_size=60))
def test_whatever_is_typed_is_created_or_refused_in_words(specialist, name, state, zip_,
                                                          email, instructions):
    entry = InternalRequest("C100", "COI", Holder(name=name, state=state, zip=zip_,
                                                  email=email), instructions=instructions)
    try:
        made = specialist.new_request(entry)
    except CertdeskError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    detail = specialist.request(made.id)
    assert detail.row.channel == "internal" and detail.row.status == "in_progress"
    assert detail.row.manual == bool(made.manual_reasons)
