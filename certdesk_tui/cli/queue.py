"""``certdesk list`` and ``certdesk show``: reading the queue and one request."""

from __future__ import annotations

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.output import echo_json
from certdesk_tui.cli.params import RecordId, TakesIds, choices
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.domain import Brand, Channel, RequestType, Status
from certdesk_tui.domain.views import PREVIEW_TEXT_LIMIT, QueueFilter, clipped
from certdesk_tui.text import escaped

REQUEST_ID = RecordId("request")


@click.command("list")
@click.option("--status", "statuses", multiple=True, type=choices(Status),
              help="Show these statuses (repeatable); default new and in_progress.")
@click.option("--type", "type_", type=choices(RequestType))
@click.option("--brand", type=choices(Brand))
@click.option("--channel", type=choices(Channel))
@click.option("--manual", is_flag=True, help="Only requests on the manual list.")
@click.option("--mine", is_flag=True, help="Only requests assigned to me.")
@click.option("--search", default="", help="Customer name or code contains TEXT.")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@refusals
def list_(c: Context, statuses: tuple[str, ...], type_: str | None, brand: str | None,
          channel: str | None, manual: bool, mine: bool, search: str, limit: int,
          as_json: bool) -> None:
    """List the queue (oldest first), filtered as in the interface."""
    flt = QueueFilter(
        statuses=frozenset(Status(s) for s in statuses) or QueueFilter().statuses,
        types=frozenset({RequestType(type_.upper())}) if type_ else frozenset(),
        brands=frozenset({Brand(brand.lower())}) if brand else frozenset(),
        channels=frozenset({Channel(channel.lower())}) if channel else frozenset(),
        manual_only=manual, mine=mine, search=search,
    )
    page = c.desk.queue(flt, limit=limit)
    if as_json:
        echo_json([row.to_json() for row in page.rows])
        return
    for r in page.rows:
        flags = r.flags  # the desk's letters: M manual, N notes, D discrepancy, P duplicate
        click.echo(f"{r.id:>7}  {r.submitted_at:%Y-%m-%d %H:%M}  {r.status:<11} {r.type:<3} "
                   f"{r.brand:<11} {r.channel:<6} {flags}  {escaped(r.customer_code):<10} "
                   f"{escaped(r.customer_name)[:30]:<30}  {escaped(r.assignee_login)}")
    click.echo(f"{page.total} request(s)" + (f", {len(page.rows)} shown" if page.total >
                                             len(page.rows) else ""))


@click.command(cls=TakesIds)
@click.argument("request_id", type=REQUEST_ID)
@click.option("--json", "as_json", is_flag=True)
@click.option("--full", is_flag=True, help="Print long customer instructions whole.")
@pass_ctx
@refusals
def show(c: Context, request_id: int, as_json: bool, full: bool) -> None:
    """Show a request with its notes, activities and emails."""
    d = c.desk.request(request_id)
    if as_json:
        echo_json(d.to_json())
        return
    r = d.row
    p = escaped
    lines = [
        f"Request #{r.id} ({p(r.external_id)})  {r.type} via {r.channel}  status {r.status}",
        f"Customer: {p(r.customer_name)} [{p(r.customer_code)}] {r.brand}, {d.customer_status}, "
        f"{p(d.customer_email)}",
        f"Holder:   {p(r.holder_name)}, {p(d.holder_address)}, {p(d.holder_city)} "
        f"{p(d.holder_state)} {p(d.holder_zip)} {p(d.holder_email)}"
        + ("  (send to holder)" if d.send_to_holder else ""),
        f"Submitted {r.submitted_at:%Y-%m-%d %H:%M} UTC; assignee {p(r.assignee_login or '-')}",
    ]
    if d.payment_status:
        lines.append(f"Payment: {d.payment_status}")
    if d.policy:
        lines.append(f"Policy: {p(d.policy)}")
    if r.manual_reasons:
        lines.append("Manual: " + "; ".join(p(x) for x in r.manual_reasons))
    if d.duplicates:
        lines.append("Possible duplicates: " + ", ".join(f"#{x.id} ({x.status})"
                                                         for x in d.duplicates))
    if d.rejection_reason:
        lines.append(f"Rejected: {p(d.rejection_reason)}")
    if d.instructions:
        instructions = d.instructions if full else clipped(d.instructions,
                                                           PREVIEW_TEXT_LIMIT, r.id)
        lines.append(f"Customer instructions: {p(instructions)}")
    for n in d.notes:
        lines.append(f"Note {n.created_at:%Y-%m-%d %H:%M} {p(n.author)}: {p(n.body)}")
    for cert in d.certificates:
        lines.append(f"Certificate {p(cert.number)} rev {cert.revision} ({cert.source}) "
                     f"{p(cert.file_name)}")
    for e in d.emails:
        lines.append(f"Email to {p(e.to)} ({e.recipient_role}): {e.state}"
                     + (f" after {e.attempts} attempt(s): {p(e.last_error)}" if e.last_error
                        else ""))
    lines.append("Activities:")
    for a in d.activities:
        lines.append(f"  {a.at:%Y-%m-%d %H:%M} {p(a.actor)}: {a.action} {p(a.detail)}")
    click.echo("\n".join(lines))
