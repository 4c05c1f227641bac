"""``certdesk demo`` says how the other commands reach its database, and the global
``--demo`` option does it (subprocesses, as a user would)."""

from __future__ import annotations

import re

from tests.integration.test_cli import Cli


def test_the_demo_option_reaches_the_demo_database(tmp_path):
    cli = Cli(tmp_path)
    refused = cli.refused("--demo", "list")
    assert "there is no demo database yet" in refused and "run certdesk demo first" in refused
    assert not (cli.home / "data" / "demo.sqlite3").exists()

    built = cli("demo", "--requests", "40", "--no-tui").stdout
    assert "certdesk --demo list" in built and "certdesk --demo show 3" in built

    listed = cli("--demo", "list").stdout.splitlines()
    assert listed[-1].endswith("request(s)") or "shown" in listed[-1]
    assert len(listed) > 1
    # The desk's flag letters, in the desk's order.
    for line in listed[:-1]:
        assert re.search(r" [M-][N-][D-][P-]  ", line), line
    first_id = listed[0].split()[0]
    shown = cli.json("--demo", "show", first_id)
    assert shown["id"] == int(first_id)

    # The configured database is another one: the demo's requests are not there.
    assert "0 request(s)" in cli("list").stdout

    assert "not both" in cli.usage("--demo", "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}",
                                   "list")
    assert "drop --demo" in cli.usage("--demo", "demo", "--no-tui")
