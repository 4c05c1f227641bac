"""The processing commands: start, automate, upload, relabel, reject, note, and
``certdesk certificate`` to save what was issued. ``start``, ``reject`` and ``note``
take several request ids: each is checked on its own (``Desk.apply_to_many``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.output import binary_stdout, echo_json
from certdesk_tui.cli.params import TakesIds
from certdesk_tui.cli.queue import REQUEST_ID
from certdesk_tui.cli.refusals import refusal_message, refusals
from certdesk_tui.domain.errors import InvalidTransition, PolicyNotInForce, ValidationFailed
from certdesk_tui.pdf.upload_check import CertificatePdf, read_certificate_pdf
from certdesk_tui.service.bulk import BulkOutcome, distinct
from certdesk_tui.text import escaped

if TYPE_CHECKING:
    from certdesk_tui.service import Completion


def _attachment(c: Context, request_id: int, pdf: CertificatePdf, insured: str, holder: str,
                yes: bool) -> tuple[str, bytes]:
    """The checked PDF to send as request ``request_id``'s certificate issued elsewhere: one
    certdesk drew, or another request's made out to someone else, is refused first (in one
    line), then one naming neither party needs --yes."""
    c.desk.refuse_issued_attachment(pdf.name, pdf.data, request_id)
    _wrong_file(pdf.wrong_file_warning(insured, holder), yes)
    return pdf.attachment


def _wrong_file(warning: str, yes: bool) -> None:
    """A PDF that names neither party is refused unless --yes; with it, the warning is printed."""
    if not warning:
        return
    if not yes:
        raise ValidationFailed(f"{warning}; check it, then add --yes to send it anyway")
    # Escaped here: off a terminal, click.echo would drop an escape sequence from a file
    # name rather than show it.
    click.echo(f"certdesk: warning: {escaped(warning)}", err=True)


@click.command(cls=TakesIds)
@click.argument("request_ids", type=REQUEST_ID, nargs=-1, required=True, metavar="ID...")
@click.option("--take-over", is_flag=True, help="Take over from another user (managers).")
@pass_ctx
@refusals
def start(c: Context, request_ids: tuple[int, ...], take_over: bool) -> None:
    """Mark requests in progress (claim them)."""
    if len(distinct(request_ids)) > 1:
        _each(c.desk.apply_to_many("start", request_ids, take_over=take_over))
        return
    row = c.desk.start(request_ids[0], take_over=take_over)
    click.echo(f"request #{row.id} is in progress with {escaped(row.assignee_login)}")


def _each(outcomes: list[BulkOutcome]) -> None:
    """Several requests: one line per request done (stdout), one per refusal (stderr);
    exit 1 when any was refused."""
    for outcome in outcomes:
        if outcome.done:
            click.echo(escaped(outcome.message))
    refused = [o for o in outcomes if not o.done]
    for outcome in refused:
        message = refusal_message(outcome.error) if outcome.error else outcome.message
        said = " ".join(message.split())
        if f"#{outcome.request_id}" not in said:
            said = f"request #{outcome.request_id}: {said}"
        click.echo(f"certdesk: {escaped(said)}", err=True)
    if refused:
        sys.exit(1)


def _parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    changes: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValidationFailed(f"--set takes FIELD=VALUE, not {item!r}")
        changes[name.strip()] = value
    return changes


CC_HELP = "Email the certificate to this address too, in a message of its own (repeatable)."
OVERRIDE_HELP = ("Issue even though the policy is not in force on the certificate's date "
                 "(expired, or starting after the renewal window): the written reason is "
                 "logged with the request.")


def _completing(action: Callable[[], Completion]) -> Completion:
    """Run a completion; a policy-date refusal says how to override it."""
    try:
        return action()
    except PolicyNotInForce as exc:
        raise PolicyNotInForce(f"{exc}; to issue it anyway give --override-reason TEXT") from None


def _report_completion(done: Completion) -> None:
    if done.overridden:
        click.echo(f"request #{done.request_id} issued despite: {escaped(done.overridden)} "
                   "(your override reason is logged)")
    to = ", ".join(map(escaped, done.emailed)) if done.emailed else "nobody (no valid address)"
    click.echo(f"request #{done.request_id} completed: certificate {done.certificate_number} "
               f"({escaped(done.file_name)}); emails queued to {to}")


@click.command(cls=TakesIds)
@click.argument("request_id", type=REQUEST_ID)
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE",
              help="Correct a prefilled certificate field (repeatable).")
@click.option("--wos", is_flag=True, help="Relabel as a waiver of subrogation (SUBR WVD Y).")
@click.option("--to-holder/--no-to-holder", default=None,
              help="Email the certificate holder too (default: as the customer asked).")
@click.option("--attach", type=click.Path(), metavar="FILE.pdf",
              help="Send this already issued certificate instead of generating one.")
@click.option("--yes", is_flag=True,
              help="Send the attached PDF even if it names neither the insured nor the holder.")
@click.option("--take-over", is_flag=True, help="Take over from another user (managers).")
@click.option("--show-form", is_flag=True, help="Print the prefilled form and change nothing.")
@click.option("--override-reason", metavar="TEXT", default=None, help=OVERRIDE_HELP)
@click.option("--cc", multiple=True, metavar="ADDR", help=CC_HELP)
@pass_ctx
@refusals
def automate(c: Context, request_id: int, sets: tuple[str, ...], wos: bool,
             to_holder: bool | None, attach: str | None, yes: bool, take_over: bool,
             show_form: bool, override_reason: str | None, cc: tuple[str, ...]) -> None:
    """Attempt automation (Compeo and PeoPayGo): issue and email the certificate."""
    if show_form:
        form = c.desk.automation_prefill(request_id).with_changes(_parse_sets(sets))
        echo_json(form.to_json())
        return
    attachment = None
    if attach:
        pdf = read_certificate_pdf(attach)
        form = c.desk.automation_prefill(request_id).with_changes(_parse_sets(sets))
        attachment = _attachment(c, request_id, pdf, form.insured_name, form.holder_name, yes)
    done = _completing(lambda: c.desk.automate(
        request_id, changes=_parse_sets(sets), wos=wos, to_holder=to_holder,
        attachment=attachment, take_over=take_over, override_reason=override_reason, cc=cc))
    _report_completion(done)


@click.command(cls=TakesIds)
@click.argument("request_id", type=REQUEST_ID)
@click.argument("pdf", type=click.Path(), metavar="FILE.pdf")
@click.option("--to-holder/--no-to-holder", default=None,
              help="Email the certificate holder too (default: as the customer asked).")
@click.option("--yes", is_flag=True,
              help="Upload the PDF even if it names neither the insured nor the holder.")
@click.option("--take-over", is_flag=True, help="Take over from another user (managers).")
@click.option("--override-reason", metavar="TEXT", default=None, help=OVERRIDE_HELP)
@click.option("--cc", multiple=True, metavar="ADDR", help=CC_HELP)
@pass_ctx
@refusals
def upload(c: Context, request_id: int, pdf: str, to_holder: bool | None, yes: bool,
           take_over: bool, override_reason: str | None, cc: tuple[str, ...]) -> None:
    """Complete a request with a certificate PDF issued elsewhere."""
    checked = read_certificate_pdf(pdf)
    detail = c.desk.request(request_id)
    if why := c.desk.why_not("upload", detail):
        raise InvalidTransition(why)
    name, data = _attachment(c, request_id, checked, detail.row.customer_name,
                             detail.row.holder_name, yes)
    done = _completing(lambda: c.desk.upload(
        request_id, name, data, to_holder=to_holder, take_over=take_over,
        override_reason=override_reason, cc=cc))
    _report_completion(done)


@click.command(cls=TakesIds)
@click.argument("request_id", type=REQUEST_ID)
@click.option("--wos", is_flag=True,
              help="Relabel as a waiver of subrogation (a paid item: the customer is charged).")
@click.option("--back", is_flag=True,
              help="Relabel a request relabelled as WOS back to the type it was submitted as.")
@click.option("--reason", metavar="TEXT", help="Why it is relabelled back (logged); with --back.")
@click.option("--take-over", is_flag=True, help="Take over from another user (managers).")
@pass_ctx
@refusals
def relabel(c: Context, request_id: int, wos: bool, back: bool, reason: str | None,
            take_over: bool) -> None:
    """Relabel a mislabelled request as WOS, or (--back --reason) back again."""
    if wos == back:
        raise click.UsageError("give one of --wos and --back")
    if back and reason is None:
        raise click.UsageError("--back needs --reason TEXT (why it is not a WOS; logged)")
    if wos and reason is not None:
        raise click.UsageError("--reason goes with --back")
    row = c.desk.relabel(request_id, take_over=take_over, back_reason=reason if back else None)
    click.echo(f"request #{row.id} is now {row.type}")


@click.command(cls=TakesIds)
@click.argument("request_ids", type=REQUEST_ID, nargs=-1, required=True, metavar="ID...")
@click.option("--reason", required=True, metavar="TEXT_OR_ID",
              help="A configured rejection reason (its id or its exact text).")
@click.option("--take-over", is_flag=True, help="Take over from another user (managers).")
@pass_ctx
@refusals
def reject(c: Context, request_ids: tuple[int, ...], reason: str, take_over: bool) -> None:
    """Reject requests with one reason; each customer is emailed the reason."""
    if len(distinct(request_ids)) > 1:
        _each(c.desk.apply_to_many("reject", request_ids, reason=reason, take_over=take_over))
        return
    c.desk.reject(request_ids[0], reason, take_over=take_over)
    click.echo(f"request #{request_ids[0]} rejected")


@click.command(cls=TakesIds)
@click.argument("request_ids", type=REQUEST_ID, nargs=-1, required=True, metavar="ID...")
@click.argument("text")
@pass_ctx
@refusals
def note(c: Context, request_ids: tuple[int, ...], text: str) -> None:
    """Add an internal note to requests (the same note on each)."""
    if len(distinct(request_ids)) > 1:
        _each(c.desk.apply_to_many("note", request_ids, text=text))
        return
    c.desk.note(request_ids[0], text)
    click.echo(f"note added to request #{request_ids[0]}")


@click.command(cls=TakesIds)
@click.argument("request_id", type=REQUEST_ID)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              metavar="FILE.pdf", help="Where to save it; - writes it to standard output.")
@click.option("--revision", type=click.IntRange(min=0), default=None, metavar="N",
              help="Save this revision (default: the current one).")
@pass_ctx
@refusals
def certificate(c: Context, request_id: int, output: str, revision: int | None) -> None:
    """Save a request's current certificate PDF, or an earlier revision of it."""
    if output == "-":
        _certificate_to_stdout(c, request_id, revision)
        return
    name, data = c.desk.certificate(request_id, revision)
    try:
        Path(output).write_bytes(data)
    except OSError as exc:
        raise ValidationFailed(f"{output}: {exc.strerror}") from None
    click.echo(f"{name} saved to {output}")


def _certificate_to_stdout(c: Context, request_id: int, revision: int | None) -> None:
    """``--output -``: the PDF's bytes, and nothing else, on standard output (what is said
    goes to stderr); refused when standard output is a terminal."""
    out = binary_stdout()
    if out.isatty():
        raise ValidationFailed(
            "standard output is a terminal, and a PDF's bytes are not written to one: "
            f"redirect it (certdesk certificate {request_id} --output - > FILE.pdf) "
            "or give --output FILE.pdf")
    name, data = c.desk.certificate(request_id, revision)
    try:
        out.write(data)
        out.flush()
    except OSError as exc:
        # The reader went away (| head): said once, not again when Python exits.
        with suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())
            os.close(devnull)
        raise ValidationFailed(f"standard output: {exc.strerror}") from None
    click.echo(f"{escaped(name)} written to standard output", err=True)
