"""The holder address book: every certificate issued teaches it; ``certdesk holders``."""

from __future__ import annotations

import pytest

from certdesk_tui.domain.holders import name_key
from tests import factories
from tests.integration.test_cli import Cli, in_process, seed

OTHER = {"name": "Harbor Tower Owners LLC", "address": "1 Pier Rd", "city": "Tampa",
         "state": "FL", "zip": "33602", "email": ""}


def test_names_match_whatever_their_case_spacing_and_punctuation():
    assert name_key("Big General, Contractor  INC.") == name_key("big general contractor inc")
    assert name_key("Zoë Łukasiewicz – Ñandú") == name_key("ZOË ŁUKASIEWICZ ÑANDÚ")
    assert name_key(" ..  ") == ""


@pytest.fixture
def book(database_url, tmp_path) -> Cli:
    """C100 issued three certificates to one holder (the last at a new address), one to
    another; C200 one of its own."""
    moved = dict(factories.HOLDER, name="BIG GENERAL CONTRACTOR, INC", address="77 New St",
                 city="Orlando", zip="32801", email="new@bgc.example")
    seed(database_url,
         factories.submission("H-1"),
         factories.submission("H-2", holder=dict(OTHER), submitted_at="2026-11-21T09:00:00Z"),
         factories.submission("H-3", holder=dict(factories.HOLDER, address="9 Oak Avenue"),
                              submitted_at="2026-11-22T09:00:00Z"),
         factories.submission("H-4", holder=moved, submitted_at="2026-11-23T09:00:00Z"),
         factories.submission("H-5", "C200", holder=dict(OTHER, name="Dental Landlord Co")))
    return Cli(tmp_path, db_url=database_url)


def test_every_certificate_teaches_the_customers_holder_most_used_first(book):
    holders = book.json("holders", "C100")
    assert [h["name"] for h in holders] == ["BIG GENERAL CONTRACTOR, INC",
                                            "Harbor Tower Owners LLC"]
    first = holders[0]
    assert set(first) == {"name", "address", "city", "state", "zip", "email",
                          "certificates", "last_issued"}
    # The same name at a new address: the entry is updated and keeps its count.
    assert (first["address"], first["city"], first["zip"], first["email"]) == (
        "77 New St", "Orlando", "32801", "new@bgc.example")
    assert first["certificates"] == 3 and holders[1]["certificates"] == 1
    assert first["last_issued"] >= holders[1]["last_issued"]
    assert [h["name"] for h in book.json("holders", "C200")] == ["Dental Landlord Co"]
    assert book.json("holders", "C400") == []
    # Human output, for a view-only user too (reading is not processing).
    out = book("holders", "C100", login="pat").stdout
    assert "BIG GENERAL CONTRACTOR, INC · 77 New St, Orlando, FL 32801 · new@bgc.example · " \
           "3 certificate(s), last " in out
    assert out.rstrip().endswith("2 holder(s)")
    assert book.refused("holders", "NOPE") == "certdesk: there is no customer 'NOPE'"


def test_an_issue_from_the_desk_teaches_the_holder_as_corrected(book, database_url):
    with in_process(database_url) as desk:
        report = desk.import_submissions(factories.jsonl(factories.submission(
            "H-9", instructions="call first", holder=dict(OTHER, name="Newcomer Co"))))
        request_id = report.accepted[0].request_id
        desk.automate(request_id, changes={"holder_name": "Newcomer Holdings Co",
                                           "holder_city": "Miami"})
    names = {h["name"]: h for h in book.json("holders", "C100")}
    assert "Newcomer Co" not in names
    assert names["Newcomer Holdings Co"]["city"] == "Miami"
    assert names["Newcomer Holdings Co"]["certificates"] == 1
