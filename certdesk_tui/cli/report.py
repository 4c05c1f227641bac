"""``certdesk report``: the queue's health, the figures of the desk's Insights tab."""

from __future__ import annotations

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.output import echo_json
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.domain.insights import DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS, report_lines
from certdesk_tui.text import escaped


@click.command()
@click.option("--days", default=DEFAULT_REPORT_DAYS, show_default=True,
              type=click.IntRange(1, MAX_REPORT_DAYS),
              help="The period of the closed figures, today (UTC) included.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@refusals
def report(c: Context, days: int, as_json: bool) -> None:
    """The queue's health: pending by age, closed per day and per person, overdue."""
    figures = c.desk.report(days)
    if as_json:
        echo_json(figures.to_json())
        return
    click.echo("\n".join(escaped(line) for line in report_lines(figures)))
