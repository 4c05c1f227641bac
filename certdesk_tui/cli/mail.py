"""``certdesk mail``: see the outbox, deliver it, put failed messages back in the queue.

Exit codes: ``mail send`` exits 0 when nothing is left failing (no message failed
for good, none waiting to retry after a failed attempt) and 1 otherwise;
``mail send --watch`` runs until Ctrl-C (it finishes the message in hand) or
SIGTERM (it stops at once: the message in hand stays queued) and then exits 0.
Every refusal (permission, unknown email, configuration) is one line on stderr
and exit code 1.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import click

from certdesk_tui.cli.context import Context, pass_ctx
from certdesk_tui.cli.output import echo_json
from certdesk_tui.cli.params import RecordId, Seconds, TakesIds
from certdesk_tui.cli.refusals import refusals
from certdesk_tui.domain.errors import CertdeskError
from certdesk_tui.mail.delivery import DeliveryResult
from certdesk_tui.mail.status import OutboxStatus
from certdesk_tui.service.outbox import Outbox
from certdesk_tui.storage.engine import as_database_error
from certdesk_tui.text import escaped


@click.group()
def mail() -> None:
    """Email delivery: the outbox, sending, retries."""


def _describe_transport(outbox: Outbox) -> str:
    try:
        return outbox.describe_transport()
    except CertdeskError as exc:
        return f"{outbox.settings.effective_mail_transport} (not usable: {exc})"


def _print_status(status: OutboxStatus, transport: str) -> None:
    counts = status.counts
    line = ", ".join(f"{counts.get(state, 0)} {state}"
                     for state in ("queued", "sending", "sent", "failed"))
    click.echo(f"outbox: {line}")
    click.echo(f"delivery: {transport}")
    if status.next_due is not None:
        click.echo(f"next due: {status.next_due:%Y-%m-%d %H:%M:%S} UTC")
    if status.stale_claims:
        click.echo(f"{status.stale_claims} message(s) claimed by a deliverer that stopped; "
                   "the next delivery takes them over")
    if status.failures:
        click.echo("failed (certdesk mail retry ID sends one again):")
        for p in status.failures:
            click.echo(f"  #{p.id}  request #{p.request_id or '-'}  {p.kind} to "
                       f"{p.recipient_role} {escaped(p.to)}  after {p.attempts} attempt(s): "
                       f"{escaped(p.last_error)}")
    if status.retrying:
        click.echo("waiting to retry:")
        for p in status.retrying:
            when = f"{p.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC" if p.next_attempt_at else "now"
            click.echo(f"  #{p.id}  request #{p.request_id or '-'}  {p.kind} to "
                       f"{p.recipient_role} {escaped(p.to)}  {p.attempts} attempt(s), next at "
                       f"{when}: {escaped(p.last_error)}")


@mail.command("status")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@refusals
def status_command(c: Context, as_json: bool) -> None:
    """Counts by state, and the failing messages with their last error."""
    outbox = c.desk.outbox
    status = outbox.status()
    transport = _describe_transport(outbox)
    if as_json:
        echo_json({**status.to_json(), "transport": transport})
        return
    _print_status(status, transport)


@contextmanager
def _graceful_stop(abort: Callable[[], None]) -> Iterator[threading.Event]:
    """Ctrl-C stops after the message being sent; a second Ctrl-C at once.

    SIGTERM (a service manager stopping the deliverer) stops at once: ``abort`` cuts
    the message in hand, which stays queued for the next delivery (never lost, and
    not counted as a failed attempt).
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001
        if signum == signal.SIGTERM:
            stop.set()
            abort()
            return
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        click.echo("stopping after the current message (Ctrl-C again to stop at once)",
                   err=True)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _report(result: DeliveryResult, quiet_when_idle: bool = False) -> None:
    if quiet_when_idle and result.attempted == 0:
        return
    for error in result.errors:
        click.echo(f"  {escaped(error)}", err=True)
    click.echo(result.summary())


@mail.command("send")
@click.option("--watch", is_flag=True, help="Keep delivering until Ctrl-C.")
@click.option("--interval", default=5.0, show_default=True, type=Seconds(0.1, 3600),
              metavar="SECONDS", help="With --watch: how often to look for due messages.")
@pass_ctx
@refusals
def send_command(c: Context, watch: bool, interval: float) -> None:
    """Deliver what is due (exit 1 if anything is left failing)."""
    outbox = c.desk.outbox
    outbox.transport  # noqa: B018 - a configuration problem is reported before anything else
    try:
        with _graceful_stop(outbox.abort) as stop:
            if not watch:
                _report(outbox.send(stop=stop))
            else:
                click.echo(f"delivering through {outbox.describe_transport()} every "
                           f"{interval:g}s; Ctrl-C to stop")
                while not stop.is_set():
                    try:
                        _report(outbox.send(stop=stop), quiet_when_idle=True)
                    except Exception as exc:
                        # Keep watching: the server or the database may be back next time.
                        problem = exc if isinstance(exc, CertdeskError) else as_database_error(exc)
                        if problem is None:
                            raise
                        click.echo(f"certdesk: {_first_line(problem)}", err=True)
                    stop.wait(interval)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    finally:
        outbox.close()
    failing = outbox.failing_count()
    if failing:
        click.echo(f"{failing} message(s) failing: see certdesk mail status", err=True)
    if watch:
        click.echo("stopped")
    elif failing:
        sys.exit(1)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@mail.command("retry", cls=TakesIds)
@click.argument("email_ids", nargs=-1, type=RecordId("email"), metavar="[ID]...")
@click.option("--all-failed", is_flag=True, help="Queue every failed message again.")
@pass_ctx
@refusals
def retry_command(c: Context, email_ids: tuple[int, ...], all_failed: bool) -> None:
    """Queue failed messages again (or send a waiting one now): give their ids, or
    --all-failed for every failed message (one or the other)."""
    # Usage errors (exit 2), as verify's FILE.pdf and --code: nothing is retried.
    if email_ids and all_failed:
        raise click.UsageError("give the email ids or --all-failed, not both")
    if not email_ids and not all_failed:
        raise click.UsageError("name the email(s) to retry (see certdesk mail status) "
                               "or use --all-failed")
    outbox = c.desk.outbox
    if all_failed:
        outcomes = outbox.retry_failed()
        for outcome in outcomes:
            click.echo(outcome.message)
        if not outcomes:
            click.echo("no failed messages")
    for email_id in email_ids:
        click.echo(outbox.retry(email_id).message)
