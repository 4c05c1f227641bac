"""``certdesk demo``: the desk on a database of fictional customers and requests."""

from __future__ import annotations

import click

from certdesk_tui import locations
from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.desk import open_interface, require_terminal
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.service import Desk
from certdesk_tui.storage.engine import Database


def reach_it(c: Context) -> str:
    """How the other commands reach the demo database."""
    if c.db_url:
        return "the other commands reach it with the same --db URL (or CERTDESK_DATABASE_URL)"
    return ("the other commands reach it with --demo, e.g. certdesk --demo list, "
            "certdesk --demo show 3 (without it they use the configured database)")


@click.command()
@click.option("--requests", "count", default=2_000, show_default=True,
              type=click.IntRange(0, 2_000_000), help="How many requests to create.")
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Rebuild the demo database from scratch.")
@click.option("--no-tui", is_flag=True, help="Build it and print a summary; do not open the desk.")
@pass_ctx
@refusals
def demo(c: Context, count: int, seed: int, reset: bool, no_tui: bool) -> None:
    """Open the desk on a demo database of fictional customers and requests."""
    from certdesk_tui.demo import build_demo, require_demo_or_empty
    from certdesk_tui.service.identity import os_login, require_right_to_replace, resolve_actor

    if not no_tui:
        require_terminal()  # before building anything
    path = locations.demo_database_path()
    url = c.db_url or locations.sqlite_url(path)
    login = os_login()
    db = Database(url, create=True)  # the demo builds its own database
    initialised = db.is_initialised()  # refuses a database written by a newer certdesk
    if reset or not initialised:
        require_right_to_replace(db, login, own_demo=db.is_file(path))
        summary = build_demo(db, login=login, requests=count, seed=seed)
        click.echo(summary)
    else:
        # The rule a rebuild applies: a team's database is not opened as the demo either.
        require_demo_or_empty(db)
    desk = Desk(db, resolve_actor(db, login, c.as_user), c.settings)
    if no_tui:
        click.echo(f"demo database {db.display_url}: {desk.pending_count()} pending requests")
        click.echo(reach_it(c))
        return
    open_interface(c, desk)
    click.echo(reach_it(c))
