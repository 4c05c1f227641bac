"""``certdesk users``: who may use the desk, and with which role."""

from __future__ import annotations

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.output import echo_json
from certdesk_tui.cli.params import choices
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.domain import Role
from certdesk_tui.domain.views import UserView
from certdesk_tui.text import escaped


@click.group()
def users() -> None:
    """Users and their roles (managers)."""


def _note(user: UserView) -> None:
    """What happened to the user's PostgreSQL login role, if anything applies."""
    if user.note:
        click.echo(escaped(user.note))


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@refusals
def users_list(c: Context, as_json: bool) -> None:
    """List users."""
    rows = c.desk.users()
    if as_json:
        echo_json([{k: v for k, v in u.__dict__.items() if k != "note"} for u in rows])
        return
    for u in rows:
        click.echo(f"{escaped(u.login):<20} {u.role:<24} {escaped(u.name)} {escaped(u.email)}"
                   + ("" if u.active else "  (disabled)"))


@users.command("add")
@click.argument("login")
@click.option("--role", required=True, type=choices(Role))
@click.option("--name", default="")
@click.option("--email", default="")
@pass_ctx
@refusals
def users_add(c: Context, login: str, role: str, name: str, email: str) -> None:
    """Add a user with a role."""
    u = c.desk.add_user(login, role, name, email)
    click.echo(f"user {escaped(u.login)} added as {u.role}")
    _note(u)


@users.command("set-role")
@click.argument("login")
@click.argument("role", type=choices(Role))
@pass_ctx
@refusals
def users_set_role(c: Context, login: str, role: str) -> None:
    """Change a user's role."""
    u = c.desk.set_role(login, role)
    click.echo(f"user {escaped(u.login)} is now {u.role}")
    _note(u)


@users.command("disable")
@click.argument("login")
@pass_ctx
@refusals
def users_disable(c: Context, login: str) -> None:
    """Disable a user: from their next action they can do nothing (history stays)."""
    u = c.desk.set_active(login, False)
    click.echo(f"user {escaped(u.login)} is disabled")
    _note(u)


@users.command("enable")
@click.argument("login")
@pass_ctx
@refusals
def users_enable(c: Context, login: str) -> None:
    """Enable a disabled user again."""
    u = c.desk.set_active(login, True)
    click.echo(f"user {escaped(u.login)} is enabled")
    _note(u)
