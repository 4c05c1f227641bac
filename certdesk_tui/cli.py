"""The command line: a thin front end over the same service API as the interface.

Every refusal is one line on stderr and exit code 1 (2 for usage errors).
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from certdesk_tui import intake, locations
from certdesk_tui.cli_support import Context, RecordId, echo_json, pass_ctx, refusals
from certdesk_tui.domain import Brand, Channel, RequestType, Role, Status
from certdesk_tui.errors import (
    CertdeskError,
    InvalidTransition,
    PolicyNotInForce,
    ValidationFailed,
)
from certdesk_tui.pdf_check import read_certificate_pdf
from certdesk_tui.service import Desk
from certdesk_tui.text import escaped
from certdesk_tui.views import PREVIEW_TEXT_LIMIT, QueueFilter, clipped

REQUEST_ID = RecordId("request")


@contextmanager
def _lines_of(source: str) -> Iterator[Iterator[bytes]]:
    """The lines of a JSON Lines file (or stdin for ``-``), read one at a time as bytes.

    Opening is checked here (one refusal for the whole command); each line is decoded
    and checked on its own by the import, so one unreadable line costs only itself.
    """
    if source == "-":
        yield intake.read_lines(sys.stdin.buffer)
        return
    path = Path(source)
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise ValidationFailed(f"{source}: not a file (a device or a socket)")
        stream = path.open("rb")
    except FileNotFoundError:
        raise ValidationFailed(f"{source}: no such file") from None
    except IsADirectoryError:
        raise ValidationFailed(f"{source}: is a directory, not a JSON Lines file") from None
    except OSError as exc:
        raise ValidationFailed(f"{source}: {exc.strerror}") from None
    with stream:
        yield _reading(stream, source)


def _reading(stream, source: str) -> Iterator[bytes]:
    try:
        yield from intake.read_lines(stream)
    except OSError as exc:
        raise ValidationFailed(f"{source}: {exc.strerror}") from None


def _wrong_file(warning: str, yes: bool) -> None:
    """A PDF that names neither party is refused unless --yes; with it, the warning is printed."""
    if not warning:
        return
    if not yes:
        raise ValidationFailed(f"{warning}; check it, then add --yes to send it anyway")
    click.echo(f"certdesk: warning: {warning}", err=True)


def _report(report, noun: str) -> None:
    for outcome in report.refused:
        # One line each, whatever the reason quotes.
        click.echo(f"line {outcome.line}: {escaped(' '.join(outcome.message.split()))}")
    if report.stopped:
        click.echo(escaped(" ".join(report.stopped.split())))
    click.echo(report.summary(noun))
    if not report.ok:
        sys.exit(1)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", metavar="URL", envvar="CERTDESK_DATABASE_URL",
              help="Database URL (sqlite:///PATH or postgresql+psycopg://...).")
@click.option("--as", "as_user", metavar="USER", help="Act as USER (managers only).")
@click.option("--config", "config_path", metavar="FILE",
              help="The TOML configuration file (instead of CERTDESK_CONFIG or the default).")
@click.version_option(package_name="certdesk")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, as_user: str | None,
        config_path: str | None) -> None:
    """certdesk: work the certificate request queue from the terminal.

    With no command, opens the desk on the configured database.
    """
    ctx.obj = Context(db_url, as_user, config_path)
    if ctx.invoked_subcommand is None:
        _open_interface(ctx.obj)


def _require_terminal() -> None:
    """The desk draws on a terminal and reads keys from one; without, it would hang."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CertdeskError("the desk needs a terminal; use the commands (certdesk --help) "
                            "in scripts")


@refusals
def _open_interface(c: Context, desk: Desk | None = None) -> None:
    _require_terminal()
    from certdesk_tui.app import run_app

    run_app(desk or c.desk)


@cli.command()
@pass_ctx
@refusals
def init(c: Context) -> None:
    """Create or upgrade the database; the first user to run it becomes its manager."""
    from certdesk_tui.identity import initialise, os_login
    from certdesk_tui.storage.engine import Database

    db = Database(c.db_url or c.settings.effective_database_url)
    login = os_login()
    changed, manager = initialise(db, login)
    click.echo(f"database {db.display_url} is at revision {db.current_revision()}"
               + (" (created or upgraded)" if changed else " (already up to date)"))
    if manager:
        click.echo(f"{login} is its manager")
    if not db.is_sqlite:
        click.echo(db.ensure_group_roles())


@cli.group()
def customers() -> None:
    """Customers and their policies."""


@customers.command("import")
@click.argument("source", metavar="FILE|-")
@pass_ctx
@refusals
def customers_import(c: Context, source: str) -> None:
    """Load or update customers from JSON Lines (one customer a line)."""
    with _lines_of(source) as lines:
        _report(c.desk.import_customers(lines), "customers")


@cli.command("import")
@click.argument("source", metavar="FILE|-")
@pass_ctx
@refusals
def import_(c: Context, source: str) -> None:
    """Take in portal / mobile submissions and payment updates (JSON Lines)."""
    with _lines_of(source) as lines:
        _report(c.desk.import_submissions(lines), "lines")


def _choices(enum: type) -> click.Choice:
    return click.Choice([m.value for m in enum], case_sensitive=False)


@cli.command("list")
@click.option("--status", "statuses", multiple=True, type=_choices(Status),
              help="Show these statuses (repeatable); default new and in_progress.")
@click.option("--type", "type_", type=_choices(RequestType))
@click.option("--brand", type=_choices(Brand))
@click.option("--channel", type=_choices(Channel))
@click.option("--manual", is_flag=True, help="Only requests on the manual list.")
@click.option("--mine", is_flag=True, help="Only requests assigned to me.")
@click.option("--search", default="", help="Customer name or code contains TEXT.")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@refusals
def list_(c: Context, statuses, type_, brand, channel, manual, mine, search, limit, as_json):
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
        flags = ("M" if r.manual else "-") + ("D" if r.discrepancy else "-") + \
                ("N" if r.has_notes else "-") + ("2" if r.possible_duplicate else "-")
        click.echo(f"{r.id:>7}  {r.submitted_at:%Y-%m-%d %H:%M}  {r.status:<11} {r.type:<3} "
                   f"{r.brand:<11} {r.channel:<6} {flags}  {escaped(r.customer_code):<10} "
                   f"{escaped(r.customer_name)[:30]:<30}  {escaped(r.assignee_login)}")
    click.echo(f"{page.total} request(s)" + (f", {len(page.rows)} shown" if page.total >
                                             len(page.rows) else ""))


@cli.command()
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


@cli.command()
@click.argument("request_id", type=REQUEST_ID)
@click.option("--take-over", is_flag=True, help="Take over from another user (managers).")
@pass_ctx
@refusals
def start(c: Context, request_id: int, take_over: bool) -> None:
    """Mark a request in progress (claim it)."""
    row = c.desk.mark_in_progress(request_id, take_over=take_over)
    click.echo(f"request #{row.id} is in progress with {escaped(row.assignee_login)}")


def _parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    changes: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValidationFailed(f"--set takes FIELD=VALUE, not {item!r}")
        changes[name.strip()] = value
    return changes


OVERRIDE_HELP = ("Issue even though the policy is not in force on the certificate's date "
                 "(expired, or starting after the renewal window): the written reason is "
                 "logged with the request.")


def _completing(action):
    """Run a completion; a policy-date refusal says how to override it."""
    try:
        return action()
    except PolicyNotInForce as exc:
        raise PolicyNotInForce(f"{exc}; to issue it anyway give --override-reason TEXT") from None


def _report_completion(done) -> None:
    if done.overridden:
        click.echo(f"request #{done.request_id} issued despite: {escaped(done.overridden)} "
                   "(your override reason is logged)")
    to = ", ".join(map(escaped, done.emailed)) if done.emailed else "nobody (no valid address)"
    click.echo(f"request #{done.request_id} completed: certificate {done.certificate_number} "
               f"({escaped(done.file_name)}); emails queued to {to}")


@cli.command()
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
@pass_ctx
@refusals
def automate(c: Context, request_id, sets, wos, to_holder, attach, yes, take_over, show_form,
             override_reason):
    """Attempt automation (Compeo and PeoPayGo): issue and email the certificate."""
    if show_form:
        form = c.desk.automation_prefill(request_id).with_changes(_parse_sets(sets))
        echo_json(form.to_json())
        return
    attachment = None
    if attach:
        pdf = read_certificate_pdf(attach)
        form = c.desk.automation_prefill(request_id).with_changes(_parse_sets(sets))
        _wrong_file(pdf.wrong_file_warning(form.insured_name, form.holder_name), yes)
        attachment = pdf.attachment
    done = _completing(lambda: c.desk.automate(
        request_id, changes=_parse_sets(sets), wos=wos, to_holder=to_holder,
        attachment=attachment, take_over=take_over, override_reason=override_reason))
    _report_completion(done)


@cli.command()
@click.argument("request_id", type=REQUEST_ID)
@click.argument("pdf", type=click.Path(), metavar="FILE.pdf")
@click.option("--to-holder/--no-to-holder", default=None,
              help="Email the certificate holder too (default: as the customer asked).")
@click.option("--yes", is_flag=True,
              help="Upload the PDF even if it names neither the insured nor the holder.")
@click.option("--take-over", is_flag=True, help="Take over from another user (managers).")
@click.option("--override-reason", metavar="TEXT", default=None, help=OVERRIDE_HELP)
@pass_ctx
@refusals
def upload(c: Context, request_id: int, pdf: str, to_holder: bool | None, yes: bool,
           take_over: bool, override_reason: str | None):
    """Complete a request with a certificate PDF issued elsewhere."""
    checked = read_certificate_pdf(pdf)
    detail = c.desk.request(request_id)
    if why := c.desk.why_not("upload", detail):
        raise InvalidTransition(why)
    _wrong_file(checked.wrong_file_warning(detail.row.customer_name, detail.row.holder_name), yes)
    done = _completing(lambda: c.desk.upload_certificate(
        request_id, checked.name, checked.data, to_holder=to_holder, take_over=take_over,
        override_reason=override_reason))
    _report_completion(done)


@cli.command()
@click.argument("request_id", type=REQUEST_ID)
@click.option("--wos", is_flag=True, required=True, help="Relabel as a waiver of subrogation.")
@pass_ctx
@refusals
def relabel(c: Context, request_id: int, wos: bool) -> None:
    """Relabel a mislabelled request as WOS."""
    row = c.desk.relabel_as_wos(request_id)
    click.echo(f"request #{row.id} is now {row.type}")


@cli.command()
@click.argument("request_id", type=REQUEST_ID)
@click.option("--reason", required=True, metavar="TEXT_OR_ID",
              help="A configured rejection reason (its id or its exact text).")
@click.option("--take-over", is_flag=True, help="Take over from another user (managers).")
@pass_ctx
@refusals
def reject(c: Context, request_id: int, reason: str, take_over: bool) -> None:
    """Reject a request; the customer is emailed the reason."""
    c.desk.reject(request_id, reason, take_over=take_over)
    click.echo(f"request #{request_id} rejected")


@cli.command()
@click.argument("request_id", type=REQUEST_ID)
@click.argument("text")
@pass_ctx
@refusals
def note(c: Context, request_id: int, text: str) -> None:
    """Add an internal note to a request."""
    c.desk.add_note(request_id, text)
    click.echo(f"note added to request #{request_id}")


@cli.command()
@click.argument("request_id", type=REQUEST_ID)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), metavar="FILE.pdf")
@pass_ctx
@refusals
def certificate(c: Context, request_id: int, output: str) -> None:
    """Save a request's newest certificate PDF."""
    name, data = c.desk.certificate(request_id)
    try:
        Path(output).write_bytes(data)
    except OSError as exc:
        raise ValidationFailed(f"{output}: {exc.strerror}") from None
    click.echo(f"{name} saved to {output}")


@cli.group()
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


@reasons.command("rename")
@click.argument("reason_id", type=RecordId("rejection reason"))
@click.argument("text")
@pass_ctx
@refusals
def reasons_rename(c: Context, reason_id: int, text: str) -> None:
    """Rename a rejection reason."""
    r = c.desk.rename_reason(reason_id, text)
    click.echo(f"reason {r.id} renamed: {escaped(r.text)}")


@reasons.command("retire")
@click.argument("reason_id", type=RecordId("rejection reason"))
@pass_ctx
@refusals
def reasons_retire(c: Context, reason_id: int) -> None:
    """Retire a rejection reason (it is no longer offered)."""
    r = c.desk.retire_reason(reason_id)
    click.echo(f"reason {r.id} retired: {escaped(r.text)}")


@cli.group()
def users() -> None:
    """Users and their roles (managers)."""


def _note(user) -> None:
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
@click.option("--role", required=True, type=_choices(Role))
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
@click.argument("role", type=_choices(Role))
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


@cli.command()
@click.option("--requests", "count", default=2_000, show_default=True,
              type=click.IntRange(0, 2_000_000), help="How many requests to create.")
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Rebuild the demo database from scratch.")
@click.option("--no-tui", is_flag=True, help="Build it and print a summary; do not open the desk.")
@pass_ctx
@refusals
def demo(c: Context, count: int, seed: int, reset: bool, no_tui: bool) -> None:
    """Open the desk on a demo database of fictional customers and requests."""
    from certdesk_tui.demo import build_demo
    from certdesk_tui.identity import os_login, require_right_to_replace, resolve_actor
    from certdesk_tui.storage.engine import Database

    if not no_tui:
        _require_terminal()  # before building anything
    path = locations.demo_database_path()
    url = c.db_url or locations.sqlite_url(path)
    login = os_login()
    db = Database(url)
    initialised = db.is_initialised()  # refuses a database written by a newer certdesk
    if reset or not initialised:
        require_right_to_replace(db, login, own_demo=_is_file(db, path))
        summary = build_demo(db, login=login, requests=count, seed=seed)
        click.echo(summary)
    desk = Desk(db, resolve_actor(db, login, c.as_user), c.settings)
    if no_tui:
        click.echo(f"demo database {db.display_url}: {desk.pending_count()} pending requests")
        return
    _open_interface(c, desk)


def _is_file(db, path: Path) -> bool:
    """Whether ``db`` is the SQLite file at ``path``."""
    from sqlalchemy import make_url

    database = make_url(db.url).database if db.is_sqlite else None
    if not database or database == ":memory:":
        return False
    return Path(database).expanduser().resolve() == path.expanduser().resolve()


def main() -> None:
    cli(prog_name="certdesk")


# Registered last so that `certdesk mail` lives in its own module.
from certdesk_tui.mail.commands import mail  # noqa: E402

cli.add_command(mail)
