"""``certdesk holders``: a customer's holder address book, most used first."""

from __future__ import annotations

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.output import echo_json
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.domain import postal_address
from certdesk_tui.text import escaped


@click.command("holders")
@click.argument("customer_code", metavar="CODE")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@refusals
def holders_(c: Context, customer_code: str, as_json: bool) -> None:
    """The customer's certificate holders, most used first."""
    book = c.desk.holders(customer_code)
    if as_json:
        echo_json([h.to_json() for h in book])
        return
    for h in book:
        address = postal_address(h.address, h.city, h.state, h.zip).replace("\n", ", ")
        parts = [escaped(h.name), escaped(address) or "(no address)"]
        if h.email:
            parts.append(escaped(h.email))
        click.echo(" · ".join(parts) + f" · {h.certificates} certificate(s), last "
                   f"{h.last_issued:%Y-%m-%d}")
    click.echo(f"{len(book)} holder(s)")
