"""The ``certdesk`` command group: the global options, and every command registered."""

from __future__ import annotations

import importlib
import sys
import warnings

import click

from certdesk_tui.cli.context import Context
from certdesk_tui.cli.desk import open_interface
from certdesk_tui.launch import collect_from_now

COMMANDS: dict[str, tuple[str, str]] = {
    # command name: (module of certdesk_tui.cli, the Click command's name in it)
    "init": ("database", "init"),
    "customers": ("imports", "customers"),
    "import": ("imports", "import_"),
    "list": ("queue", "list_"),
    "show": ("queue", "show"),
    "start": ("requests", "start"),
    "automate": ("requests", "automate"),
    "upload": ("requests", "upload"),
    "relabel": ("requests", "relabel"),
    "reject": ("requests", "reject"),
    "note": ("requests", "note"),
    "resend": ("revisions", "resend"),
    "reissue": ("revisions", "reissue"),
    "certificate": ("requests", "certificate"),
    "reasons": ("reasons", "reasons"),
    "users": ("users", "users"),
    "demo": ("demo", "demo"),
    "mail": ("mail", "mail"),
    "new": ("internal", "new"),
    "holders": ("holders", "holders_"),
    "renewals": ("renewals", "renewals"),
    "report": ("report", "report"),
    "verify": ("verify", "verify"),
    "views": ("views", "views"),
    "renew": ("renewals", "renew"),
}
"""Every command, imported only when it is run or listed (opening the desk needs none)."""


class CommandGroup(click.Group):
    """The ``certdesk`` group: its commands are loaded when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"certdesk_tui.cli.{module}"), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=CommandGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", metavar="URL", envvar="CERTDESK_DATABASE_URL",
              help="Database URL (sqlite:///PATH or postgresql+psycopg://...).")
@click.option("--demo", "use_demo", is_flag=True,
              help="Use the demo database that `certdesk demo` built (instead of --db).")
@click.option("--as", "as_user", metavar="USER", help="Act as USER (managers only).")
@click.option("--config", "config_path", metavar="FILE",
              help="The TOML configuration file (instead of CERTDESK_CONFIG or the default).")
@click.version_option(package_name="certdesk")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, use_demo: bool, as_user: str | None,
        config_path: str | None) -> None:
    """certdesk: work the certificate request queue from the terminal.

    With no command, opens the desk on the configured database (--demo: on the demo's).
    """
    if ctx.invoked_subcommand is not None:
        collect_from_now()  # the desk turns it on after its first frame
    if db_url == "":
        # Given as --db "" (Click takes an empty CERTDESK_DATABASE_URL for no value, as the
        # settings do): no URL at all, not the default database.
        from certdesk_tui.cli.refusals import Refused

        raise Refused("not a database URL: ''")
    if use_demo:
        db_url = demo_url(ctx, db_url)
    ctx.obj = Context(db_url, as_user, config_path)
    if ctx.invoked_subcommand is None:
        open_interface(ctx.obj)


def demo_url(ctx: click.Context, db_url: str | None) -> str:
    """The demo database's URL for ``--demo`` (it must have been built)."""
    from click.core import ParameterSource

    from certdesk_tui import locations
    from certdesk_tui.cli.refusals import Refused

    if db_url and ctx.get_parameter_source("db_url") is ParameterSource.COMMANDLINE:
        raise click.UsageError("give --db URL or --demo, not both")
    if ctx.invoked_subcommand == "demo":
        raise click.UsageError("certdesk demo builds and opens the demo database itself: "
                               "drop --demo")
    path = locations.demo_database_path()
    if not path.is_file():
        raise Refused(f"there is no demo database yet ({path}): run certdesk demo first")
    return locations.sqlite_url(path)


def main() -> None:
    # A library's warning (SQLAlchemy's about a URL, say) is for developers: printed as
    # Python prints it, it is two lines of source on the user's stderr next to the one
    # line a refusal promises. What the user must know is refused or said by certdesk
    # itself. -W or PYTHONWARNINGS still shows them.
    if not sys.warnoptions:
        warnings.simplefilter("ignore")
    cli(prog_name="certdesk")
