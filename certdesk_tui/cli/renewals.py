"""``certdesk renewals`` and ``certdesk renew``: certificates a renewed policy makes due."""

from __future__ import annotations

import sys

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.output import echo_json
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.clock import utcnow
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.renewals import DueRenewal
from certdesk_tui.service.renewals import RenewalOutcome, RenewalState
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


@click.command()
@click.option("--customer", "customer_code", metavar="CODE", default=None,
              help="Renew this customer's due certificates.")
@click.option("--all", "all_", is_flag=True, help="Renew every due certificate.")
@click.option("--no-email", is_flag=True, help="Issue the renewals without emailing them.")
@pass_ctx
@refusals
def renew(c: Context, customer_code: str | None, all_: bool, no_email: bool) -> None:
    """Issue each due renewal a new revision on the new term, emailed as the original was."""
    if (customer_code is None) == (not all_):
        raise ValidationFailed("say which certificates to renew: --customer CODE or --all")
    c.desk.current_actor().require(Permission.PROCESS)
    due = c.desk.due_renewals(customer_code)
    outcomes: list[RenewalOutcome] = []
    terminal = click.get_text_stream("stdout")
    if terminal.isatty() and due:
        # A progress bar on a terminal (rich writes to it directly: its own sequences).
        from rich.console import Console
        from rich.progress import Progress

        console = Console(file=terminal, highlight=False)
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Renewing", total=len(due))
            for renewal in due:
                outcome = c.desk.renew_one(renewal, email=not no_email)
                outcomes.append(outcome)
                progress.console.print(escaped(outcome.line()), markup=False)
                progress.advance(task)
    else:
        for renewal in due:
            outcome = c.desk.renew_one(renewal, email=not no_email)
            outcomes.append(outcome)
            click.echo(escaped(outcome.line()))
    counts = {state: sum(o.state == state for o in outcomes) for state in RenewalState}
    click.echo(f"{counts[RenewalState.RENEWED]} renewed, {counts[RenewalState.SKIPPED]} "
               f"skipped, {counts[RenewalState.REFUSED]} refused")
    if counts[RenewalState.REFUSED]:
        sys.exit(1)
