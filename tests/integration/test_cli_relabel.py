"""``certdesk relabel``: as WOS, and back again with a reason (logged), as subprocesses on
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests import factories
from tests.integration.test_cli import Cli, seed


def _seeded(cli: Cli, url: str) -> dict[str, str]:
    ids = seed(url, factories.submission("R-1", instructions="call first"),
               factories.submission("R-2", "C200", type="WOS", payment_status="approved"))
    return {k: str(v) for k, v in ids.items()}


def _relabel_and_back(cli: Cli, url: str) -> None:
    ids = _seeded(cli, url)
    coi, wos = ids["R-1"], ids["R-2"]
    cli.usage("relabel", coi)                                   # one of --wos and --back
    cli.usage("relabel", coi, "--wos", "--back", "--reason", "x")
    cli.usage("relabel", coi, "--back")                         # --back needs --reason
    assert "is a COI as submitted" in cli.refused("relabel", coi, "--back", "--reason", "no",
                                                  login="sam")
    assert "is now WOS" in cli("relabel", coi, "--wos", login="sam").stdout
    refused = cli.refused("relabel", coi, "--wos", login="sam")
    assert "already a waiver of subrogation" in refused and "--back --reason" in refused
    assert "needs a written reason" in cli.refused("relabel", coi, "--back", "--reason", "  ",
                                                   login="sam")
    assert "control character U+001B" in cli.refused("relabel", coi, "--back", "--reason",
                                                     "bad \x1b[31m", login="sam")
    assert "at most 500 characters" in cli.refused("relabel", coi, "--back", "--reason",
                                                   "x" * 501, login="sam")
    assert cli.json("show", coi)["type"] == "WOS"               # the refusals changed nothing
    assert "is now COI" in cli("relabel", coi, "--back", "--reason", "customer wanted a COI",
                               login="sam").stdout
    shown = cli.json("show", coi)
    assert shown["type"] == "COI"
    assert shown["activities"][0]["action"] == "relabel"
    assert shown["activities"][0]["detail"] == "relabelled WOS → COI: customer wanted a COI"
    assert "as submitted" in cli.refused("relabel", wos, "--back", "--reason", "x", login="sam")
    assert "view only" in cli.refused("relabel", coi, "--wos", login="pat")


def test_relabel_as_wos_and_back_on_sqlite(tmp_path):
    cli = Cli(tmp_path, db_url=f"sqlite:///{tmp_path / 'team.sqlite3'}")
    _relabel_and_back(cli, cli.db_url)


@pytest.mark.postgres
def test_relabel_as_wos_and_back_on_postgresql(postgres_url, tmp_path):
    _relabel_and_back(Cli(tmp_path, db_url=postgres_url), postgres_url)
