"""``certdesk reasons``: the rejection reasons managers configure."""

from __future__ import annotations

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.output import echo_json
from certdesk_tui.cli.params import RecordId, TakesIds
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.text import escaped


@click.group()
def reasons() -> None:
    """Rejection reasons (managers configure them)."""


@reasons.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include retired reasons.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@refusals
def reasons_list(c: Context, show_all: bool, as_json: bool) -> None:
    """List rejection reasons."""
    rows = c.desk.reasons(include_retired=show_all)
    if as_json:
        echo_json([{"id": r.id, "text": r.text, "active": r.active, "used": r.used}
                    for r in rows])
        return
    for r in rows:
        click.echo(f"{r.id:>3}  {escaped(r.text)}" + ("" if r.active else "  (retired)")
                   + (f"  [used {r.used}x]" if r.used else ""))


@reasons.command("add")
@click.argument("text")
@pass_ctx
@refusals
def reasons_add(c: Context, text: str) -> None:
    """Add a rejection reason."""
    r = c.desk.add_reason(text)
    click.echo(f"reason {r.id} added: {escaped(r.text)}")


@reasons.command("rename", cls=TakesIds)
@click.argument("reason_id", type=RecordId("rejection reason"))
@click.argument("text")
@pass_ctx
@refusals
def reasons_rename(c: Context, reason_id: int, text: str) -> None:
    """Rename a rejection reason."""
    r = c.desk.rename_reason(reason_id, text)
    click.echo(f"reason {r.id} renamed: {escaped(r.text)}")


@reasons.command("retire", cls=TakesIds)
@click.argument("reason_id", type=RecordId("rejection reason"))
@pass_ctx
@refusals
def reasons_retire(c: Context, reason_id: int) -> None:
    """Retire a rejection reason (it is no longer offered)."""
    r = c.desk.retire_reason(reason_id)
    click.echo(f"reason {r.id} retired: {escaped(r.text)}")
