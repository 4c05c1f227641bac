"""The ``certdesk`` command group: the global options, and every command registered."""

from __future__ import annotations

import click

from certdesk_tui.cli.context import Context
from certdesk_tui.cli.database import init
from certdesk_tui.cli.demo import demo
from certdesk_tui.cli.desk import open_interface
from certdesk_tui.cli.imports import customers, import_
from certdesk_tui.cli.internal import new
from certdesk_tui.cli.mail import mail
from certdesk_tui.cli.queue import list_, show
from certdesk_tui.cli.reasons import reasons
from certdesk_tui.cli.requests import automate, certificate, note, reject, relabel, start, upload
from certdesk_tui.cli.users import users


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", metavar="URL", envvar="CERTDESK_DATABASE_URL",
              help="Database URL (sqlite:///PATH or postgresql+psycopg://...).")
@click.option("--as", "as_user", metavar="USER", help="Act as USER (managers only).")
@click.option("--config", "config_path", metavar="FILE",
              help="The TOML configuration file (instead of CERTDESK_CONFIG or the default).")
@click.version_option(package_name="certdesk")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, as_user: str | None,
        config_path: str | None) -> None:
    """certdesk: work the certificate request queue from the terminal.

    With no command, opens the desk on the configured database.
    """
    ctx.obj = Context(db_url, as_user, config_path)
    if ctx.invoked_subcommand is None:
        open_interface(ctx.obj)


for command in (init, customers, import_, list_, show, start, automate, upload, relabel, reject,
                note, certificate, reasons, users, demo, mail):
    cli.add_command(command)
# Internal requests, the holder address book and renewals.
for command in (new,):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="certdesk")
