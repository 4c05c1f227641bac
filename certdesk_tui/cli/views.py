"""``certdesk views``: the saved views offered to you (the desk's digits 1 to 9)."""

from __future__ import annotations

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.output import echo_json
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.text import escaped


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def views(ctx: click.Context, as_json: bool) -> None:
    """Saved views: your own, then those shared with the team, with their counts."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(views_list, as_json=as_json)


@views.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@refusals
def views_list(c: Context, as_json: bool) -> None:
    """List the saved views offered to you (numbered as the desk's digits)."""
    offered = c.desk.views()
    if as_json:
        echo_json([v.to_json(n) for n, v in enumerate(offered, start=1)])
        return
    for n, v in enumerate(offered, start=1):
        whose = ("shared" if v.shared else "yours") if v.mine else f"shared by {v.owner}"
        click.echo(f"{n}  {escaped(v.name):<{40}} {v.count:>7,}  {escaped(whose)}")
    if not offered:
        click.echo("no saved views: in the desk, V saves the current filters as a view")


@views.command("share")
@click.argument("name")
@pass_ctx
@refusals
def views_share(c: Context, name: str) -> None:
    """Share one of your views with the team (managers)."""
    c.desk.share_view(name, True)
    click.echo(f"view {escaped(name)!r} is shared with the team")


@views.command("unshare")
@click.argument("name")
@pass_ctx
@refusals
def views_unshare(c: Context, name: str) -> None:
    """Stop sharing one of your views (managers)."""
    c.desk.share_view(name, False)
    click.echo(f"view {escaped(name)!r} is yours only")


@views.command("rename")
@click.argument("name")
@click.argument("new_name")
@pass_ctx
@refusals
def views_rename(c: Context, name: str, new_name: str) -> None:
    """Rename one of your views."""
    c.desk.rename_view(name, new_name)
    click.echo(f"view {escaped(name)!r} renamed {escaped(new_name)!r}")


@views.command("delete")
@click.argument("name")
@pass_ctx
@refusals
def views_delete(c: Context, name: str) -> None:
    """Delete one of your views."""
    c.desk.delete_view(name)
    click.echo(f"view {escaped(name)!r} deleted")
