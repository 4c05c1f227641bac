"""Several requests at once: each checked on its own, one outcome per request, in the
service (SQLite and PostgreSQL) and on the command line (subprocesses)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certdesk_tui.domain.errors import PermissionDenied, ValidationFailed
from certdesk_tui.service.bulk import MAX_BULK
from tests import factories
from tests.integration.test_cli import Cli, in_process, seed


def test_claim_reject_relabel_and_note_several_with_one_refused(submit, specialist, desk_for,
                                                                manager):
    ids = [submit(f"B-{n}", "C100" if n % 2 else "C200", instructions="x") for n in range(1, 6)]
    desk_for("sky").start(ids[2])                       # held by someone else

    claimed = specialist.apply_to_many("start", ids + [ids[0]])   # a repeated id counts once
    assert [(o.request_id, o.done) for o in claimed] == [
        (ids[0], True), (ids[1], True), (ids[2], False), (ids[3], True), (ids[4], True)]
    assert "in progress by Sky Specialist since" in claimed[2].message
    assert claimed[2].title == "Already in progress"
    assert claimed[0].message == f"request #{ids[0]} is in progress with sam"

    noted = specialist.apply_to_many("note", ids[:3], text="  Duplicate of a phone request ")
    assert all(o.done for o in noted)                   # a note needs no hold
    assert [n.body for n in manager.request(ids[2]).notes] == ["Duplicate of a phone request"]

    relabelled = specialist.apply_to_many("relabel", ids[:2])
    assert [o.done for o in relabelled] == [True, True]
    again = specialist.apply_to_many("relabel", ids[:2])
    assert [o.done for o in again] == [False, False]
    assert "already a waiver of subrogation" in again[0].message

    rejected = specialist.apply_to_many("reject", ids, reason="Duplicate request received")
    assert [o.done for o in rejected] == [True, True, False, True, True]
    for rid in (ids[0], ids[1], ids[3], ids[4]):
        detail = manager.request(rid)
        assert detail.row.status == "rejected"
        assert detail.rejection_reason == "Duplicate request received"
        assert len(detail.emails) == 1                   # its customer, in the same transaction
        assert [a.action for a in detail.activities].count("reject") == 1
    held = manager.request(ids[2])
    assert held.row.status == "in_progress" and held.row.assignee_login == "sky"
    assert not held.emails

    # A manager takes over what is held, when asked to.
    taken = manager.apply_to_many("reject", [ids[2], ids[0]], reason="1", take_over=True)
    assert [o.done for o in taken] == [True, False]
    assert "is rejected" in taken[1].message and "rejected it at" in taken[1].message


def test_refused_for_all_is_refused_once_and_changes_nothing(submit, specialist, advisor,
                                                              manager):
    ids = [submit("R-1", instructions="x"), submit("R-2", instructions="x")]
    with pytest.raises(PermissionDenied, match="pat is a payroll advisor"):
        advisor.apply_to_many("start", ids)
    with pytest.raises(ValidationFailed, match="unknown or retired rejection reason"):
        specialist.apply_to_many("reject", ids, reason="Because")
    with pytest.raises(ValidationFailed, match="a note needs some text"):
        specialist.apply_to_many("note", ids, text="   ")
    with pytest.raises(ValidationFailed, match="does not apply to several"):
        specialist.apply_to_many("automate", ids)
    with pytest.raises(ValidationFailed, match=f"at most {MAX_BULK} requests"):
        specialist.apply_to_many("start", range(1, MAX_BULK + 2))
    for rid in ids:
        detail = manager.request(rid)
        assert detail.row.status == "new" and not detail.notes and not detail.emails


def test_a_version_read_before_a_change_is_refused_for_that_request_only(submit, specialist,
                                                                          desk_for):
    ids = [submit("V-1", instructions="x"), submit("V-2", instructions="x")]
    rows = {rid: specialist.row(rid) for rid in ids}
    desk_for("sky").note(ids[0], "changed meanwhile")
    outcomes = specialist.apply_to_many("start", ids,
                                        versions={rid: r.version for rid, r in rows.items()})
    assert [o.done for o in outcomes] == [False, True]
    assert outcomes[0].title == "Changed by someone else"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=-5, max_value=10**12), min_size=1, max_size=6))
def test_any_ids_each_answered_never_raised(specialist, ids):
    """Ids from outside (missing, negative, huge, repeated): one outcome per distinct id."""
    outcomes = specialist.apply_to_many("note", ids, text="x")
    assert [o.request_id for o in outcomes] == list(dict.fromkeys(ids))
    assert all(not o.done and o.message for o in outcomes)


# -- the command line ---------------------------------------------------------------


def _three(cli: Cli) -> list[str]:
    ids = seed(cli.db_url or f"sqlite:///{cli.default_database}",
               *(factories.submission(f"D-{n}", code, instructions="x")
                 for n, code in ((1, "C100"), (2, "C200"), (3, "C100"))))
    return [str(ids[f"D-{n}"]) for n in (1, 2, 3)]


def _several_ids_on_the_command_line(cli: Cli) -> None:
    d1, d2, d3 = _three(cli)
    # One id: as before.
    assert cli("start", d1, login="sam").stdout == f"request #{d1} is in progress with sam\n"
    # Several, one held by someone else: the others done, one line for it, exit 1.
    result = cli("start", d1, d2, d3, login="sky", expect=1)
    assert result.stdout.splitlines() == [f"request #{d2} is in progress with sky",
                                          f"request #{d3} is in progress with sky"]
    assert result.stderr.startswith(f"certdesk: request #{d1} is in progress by Sam Specialist")
    # All done: exit 0, one line each.
    noted = cli("note", d1, d2, d3, "Customer sent the same request three times", login="sam")
    assert noted.stdout.splitlines() == [f"note added to request #{r}" for r in (d1, d2, d3)]
    assert noted.stderr == ""
    # Refused for every id (the reason): one line, nothing changed.
    assert "unknown or retired rejection reason" in cli.refused(
        "reject", d2, d3, "--reason", "Because", login="sky")
    assert "pat is a payroll advisor" in cli.refused("start", d2, d3, login="pat")
    assert "there is no request #999999" in cli.refused("note", "999999", d2, "x", login="sam")
    rejected = cli("reject", d2, d3, "--reason", "Duplicate request received", login="sky")
    assert rejected.stdout.splitlines() == [f"request #{d2} rejected", f"request #{d3} rejected"]
    refused = _run(cli, "reject", d2, d3, "--reason", "1", login="sky")
    assert refused.returncode == 1 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 2     # one line per refused id
    assert all(" is rejected; it cannot be rejected" in line
               for line in refused.stderr.splitlines())
    assert "ids are whole numbers" in cli.refused("start", d1, "abc", login="sam")
    cli.usage("note", d1)                                 # the text is required
    with in_process(cli.db_url or f"sqlite:///{cli.default_database}") as desk:
        for rid in (d2, d3):
            detail = desk.request(int(rid))
            assert detail.row.status == "rejected" and len(detail.emails) == 1


def _run(cli: Cli, *args: str, login: str) -> subprocess.CompletedProcess[str]:
    """A command whose refusals may be several lines (Cli's refusal check wants one)."""
    argv = [sys.executable, "-m", "certdesk_tui"]
    argv += ["--db", cli.db_url] if cli.db_url else []
    result = subprocess.run(argv + ["--as", login, *args], capture_output=True, text=True,
                            encoding="utf-8", env=cli.env(), cwd=cli.home, timeout=60)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_several_ids_on_the_command_line_sqlite(tmp_path):
    _several_ids_on_the_command_line(Cli(tmp_path))


@pytest.mark.postgres
def test_several_ids_on_the_command_line_postgresql(postgres_url, tmp_path):
    _several_ids_on_the_command_line(Cli(tmp_path, db_url=postgres_url))
