"""``certdesk new``: an internal request for a customer who phoned or emailed."""

from __future__ import annotations

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.output import echo_json
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.intake import Holder
from certdesk_tui.service.internal import InternalRequest, NewRequest
from certdesk_tui.text import escaped


def new_request_lines(done: NewRequest) -> list[str]:
    """What was created, where it went and what happens next."""
    lines = [f"request #{done.id} created: internal {done.type}, in progress with you"]
    if not done.in_queue:
        lines.append("held for payment: it stays out of the queue (as a portal WOS does) "
                     "until its payment is approved; record it with a payment update for "
                     f"external id {done.external_id} (certdesk import)")
    if done.manual:
        lines.append("manual: " + "; ".join(escaped(r) for r in done.manual_reasons))
    return lines


@click.command()
@click.option("--customer", "customer_code", required=True, metavar="CODE",
              help="The customer's code.")
@click.option("--type", "type_", required=True, metavar="COI|POI|WOS",
              help="What the customer asked for.")
@click.option("--holder-name", required=True, metavar="TEXT")
@click.option("--holder-address", default="", metavar="TEXT")
@click.option("--holder-city", default="", metavar="TEXT")
@click.option("--holder-state", default="", metavar="XX")
@click.option("--holder-zip", default="", metavar="TEXT")
@click.option("--holder-email", default="", metavar="ADDR")
@click.option("--send-to-holder", is_flag=True, help="Email the certificate to the holder too.")
@click.option("--instructions", default="", metavar="TEXT",
              help="What the customer asked for beyond the form (puts it on the manual list).")
@click.option("--payment-reference", default="", metavar="TEXT",
              help="A WOS's recorded payment: approves it and logs the reference.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@refusals
def new(c: Context, customer_code: str, type_: str, holder_name: str, holder_address: str,
        holder_city: str, holder_state: str, holder_zip: str, holder_email: str,
        send_to_holder: bool, instructions: str, payment_reference: str,
        as_json: bool) -> None:
    """Enter an internal request (created in progress with you)."""
    holder = Holder(name=holder_name, address=holder_address, city=holder_city,
                    state=holder_state, zip=holder_zip, email=holder_email)
    done = c.desk.new_request(InternalRequest(
        customer_code=customer_code, type=type_, holder=holder, send_to_holder=send_to_holder,
        instructions=instructions, payment_reference=payment_reference))
    if as_json:
        echo_json(done.to_json())
        return
    click.echo("\n".join(new_request_lines(done)))
