"""A request someone else holds, on the command line: the refusal says what to do there.

The desk offers a manager a confirmation ("confirm to take it over"); the command line
has nothing to confirm, its way is ``--take-over`` (managers). Every command that has
``--take-over`` says so, with one id and with several (subprocesses).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from certdesk_tui.cli import cli as certdesk
from tests import factories
from tests.integration.test_cli import ME, Cli, carrier_pdf, in_process, seed

TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"
REASON = "Duplicate request received"

# Each command with --take-over, acting on the held request (and, for the commands that
# take several ids, on a free one too: the free one is done, the held one refused).
COMMANDS: dict[str, Callable[[str, str, Path], tuple[str, ...]]] = {
    "start": lambda held, free, pdf: ("start", held),
    "automate": lambda held, free, pdf: ("automate", held),
    "upload": lambda held, free, pdf: ("upload", held, str(pdf)),
    "relabel": lambda held, free, pdf: ("relabel", held, "--wos"),
    "reject": lambda held, free, pdf: ("reject", held, "--reason", REASON),
    "start several": lambda held, free, pdf: ("start", held, free),
    "reject several": lambda held, free, pdf: ("reject", free, held, "--reason", REASON),
}


def _commands_with_take_over(group: click.Group, prefix: str = "") -> set[str]:
    found: set[str] = set()
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found |= _commands_with_take_over(command, f"{prefix}{name} ")
        elif command is not None and any(p.name == "take_over" for p in command.params):
            found.add(prefix + name)
    return found


def test_every_command_with_take_over_is_tried_below():
    assert _commands_with_take_over(certdesk) == {c for c in COMMANDS if " " not in c}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_held_request_is_refused_saying_how_the_command_line_takes_it_over(
        tmp_path, command):
    cli = Cli(tmp_path)
    url = f"sqlite:///{cli.default_database}"
    ids = seed(url, factories.submission("H-0", "C100", instructions="x"),
               *(factories.submission(f"H-{n}", "C100", instructions="x",
                                      holder=dict(factories.HOLDER, name=f"Holder {n}"))
                 for n in (1, 2, 3)))
    held = str(ids["H-0"])
    with in_process(url, "sky") as sky:
        sky.start(ids["H-0"])
    pdf = carrier_pdf(tmp_path / "carrier.pdf")

    def args(n: int) -> tuple[str, ...]:
        """The command on the held request (and on free request n, if it takes several)."""
        return COMMANDS[command](held, str(ids[f"H-{n}"]), pdf)

    situation = f"certdesk: request #{held} is in progress by Sky Specialist since {TIME}"

    # A specialist may not take it over: told who may, and how.
    refused = cli(*args(1), login="sam", expect=1).stderr
    assert re.fullmatch(f"{situation}: a manager may take it over with --take-over\n",
                        refused), refused
    # A manager is told the flag to add; nothing on the command line asks to confirm.
    refused = cli(*args(2), expect=1).stderr
    assert re.fullmatch(f"{situation}: add --take-over to take it over\n", refused), refused
    assert "confirm" not in refused
    with in_process(url, "sky") as sky:
        assert sky.request(ids["H-0"]).row.assignee_login == "sky"  # nothing changed

    # And the flag does what the refusal says.
    done = cli(*args(3), "--take-over")
    assert done.stderr == "" and f"#{held}" in done.stdout
    with in_process(url) as manager:
        shown = manager.request(ids["H-0"])
        assert "taken_over" in {a.action for a in shown.activities}
        assert shown.row.assignee_login == ME
