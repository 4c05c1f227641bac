"""After the first certificate: ``certdesk resend`` and ``certdesk reissue``."""

from __future__ import annotations

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.params import TakesIds
from certdesk_tui.cli.queue import REQUEST_ID
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.cli.requests import CC_HELP, OVERRIDE_HELP, _attachment, _parse_sets
from certdesk_tui.domain.errors import InvalidTransition, PolicyNotInForce
from certdesk_tui.pdf.upload_check import read_certificate_pdf
from certdesk_tui.text import escaped


@click.command(cls=TakesIds)
@click.argument("request_id", type=REQUEST_ID)
@click.option("--to-customer", is_flag=True, help="Send it to the customer.")
@click.option("--to-holder", is_flag=True, help="Send it to the certificate holder.")
@click.option("--to", "others", multiple=True, metavar="ADDR",
              help="Send it to this address, in a message of its own (repeatable).")
@pass_ctx
@refusals
def resend(c: Context, request_id: int, to_customer: bool, to_holder: bool,
           others: tuple[str, ...]) -> None:
    """Email the current certificate again, byte for byte (at least one recipient)."""
    version = c.desk.row(request_id).version
    done = c.desk.resend(request_id, to_customer=to_customer, to_holder=to_holder,
                         others=others, expected_version=version)
    click.echo(f"request #{done.request_id}: certificate {done.certificate_number} revision "
               f"{done.revision} queued to {', '.join(map(escaped, done.emailed))}")


@click.command(cls=TakesIds)
@click.argument("request_id", type=REQUEST_ID)
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE",
              help="Correct a field: holder_name, holder_address, holder_city, holder_state, "
                   "holder_zip, holder_email, description (repeatable).")
@click.option("--attach", type=click.Path(), metavar="FILE.pdf",
              help="Send this corrected certificate instead of generating one (Cornerstone).")
@click.option("--yes", is_flag=True,
              help="Send the attached PDF even if it names neither the insured nor the holder.")
@click.option("--to-holder/--no-to-holder", default=None,
              help="Email the certificate holder too (default: as the customer asked).")
@click.option("--reason", required=True, metavar="TEXT",
              help="What the new revision corrects (logged).")
@click.option("--override-reason", metavar="TEXT", default=None, help=OVERRIDE_HELP)
@click.option("--cc", multiple=True, metavar="ADDR", help=CC_HELP)
@pass_ctx
@refusals
def reissue(c: Context, request_id: int, sets: tuple[str, ...], attach: str | None, yes: bool,
            to_holder: bool | None, reason: str, override_reason: str | None,
            cc: tuple[str, ...]) -> None:
    """Issue the next revision of a completed request's certificate (same number)."""
    changes = _parse_sets(sets)
    detail = c.desk.request(request_id)
    if why := c.desk.why_not("reissue", detail):
        raise InvalidTransition(why)
    attachment = None
    if attach:
        pdf = read_certificate_pdf(attach)
        holder = changes.get("holder_name", detail.row.holder_name)
        attachment = _attachment(c, request_id, pdf, detail.row.customer_name, holder, yes)
    try:
        done = c.desk.reissue(request_id, reason=reason, changes=changes,
                              attachment=attachment, to_holder=to_holder,
                              override_reason=override_reason, cc=cc,
                              expected_version=detail.version)
    except PolicyNotInForce as exc:
        raise PolicyNotInForce(f"{exc}; to issue it anyway give --override-reason TEXT") from None
    if done.overridden:
        click.echo(f"request #{done.request_id} issued despite: {escaped(done.overridden)} "
                   "(your override reason is logged)")
    to = ", ".join(map(escaped, done.emailed)) if done.emailed else "nobody (no valid address)"
    click.echo(f"request #{done.request_id}: certificate {done.certificate_number} revision "
               f"{done.revision} ({escaped(done.file_name)}) supersedes revision "
               f"{done.superseded}; emails queued to {to}")
