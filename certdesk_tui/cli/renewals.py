"""``certdesk renewals`` and ``certdesk renew``: certificates a renewed policy makes due."""

from __future__ import annotations

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.output import echo_json
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.clock import utcnow
from certdesk_tui.domain.renewals import DueRenewal
from certdesk_tui.text import escaped


def due_line(d: DueRenewal, window_days: int) -> str:
    """One due renewal, as ``renewals`` prints it."""
    line = (f"#{d.request_id}  {d.number} rev {d.revision}  {escaped(d.customer_code)}  "
            f"{escaped(d.holder)}  {d.old_expires} -> {d.term.expires} ({escaped(d.term.number)})")
    if not d.automatic:
        line += "  Cornerstone: cannot be renewed automatically"
    elif not d.renewable(utcnow().date(), window_days):
        line += f"  renewable from {d.renewable_from(window_days)}"
    return line


@click.command()
@click.option("--customer", "customer_code", metavar="CODE", default=None,
              help="Only this customer's certificates.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@refusals
def renewals(c: Context, customer_code: str | None, as_json: bool) -> None:
    """Certificates due for renewal: their policy has a new term."""
    due = c.desk.due_renewals(customer_code)
    if as_json:
        echo_json([d.to_json() for d in due])
        return
    window = c.desk.settings.renewal_window_days
    for d in due:
        click.echo(due_line(d, window))
    click.echo(f"{len(due)} certificate(s) due for renewal")

