"""``certdesk init``: create or upgrade the database."""

from __future__ import annotations

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.refusals import refusals


@click.command()
@pass_ctx
@refusals
def init(c: Context) -> None:
    """Create or upgrade the database; the first user to run it becomes its manager."""
    from certdesk_tui.service.identity import initialise, os_login
    from certdesk_tui.storage.engine import Database

    login = os_login()  # who you are first: a refused init makes no file
    db = Database(c.db_url or c.settings.effective_database_url, create=True)
    changed, manager = initialise(db, login)
    click.echo(f"database {db.display_url} is at revision {db.current_revision()}"
               + (" (created or upgraded)" if changed else " (already up to date)"))
    if manager:
        click.echo(f"{login} is its manager")
    if not db.is_sqlite:
        click.echo(db.ensure_group_roles())
