"""Refusals: one line on stderr and exit code 1, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import IO, ParamSpec, TypeVar

import click

from certdesk_tui.cli.output import terminal_safe_output
from certdesk_tui.domain.errors import AlreadyClaimed, CertdeskError
from certdesk_tui.text import terminal_safe


class Refused(click.ClickException):
    """A refusal found while reading the arguments: one line on stderr, exit 1."""

    exit_code = 1

    def show(self, file: IO[str] | None = None) -> None:
        click.echo("certdesk: " + " ".join(terminal_safe(self.message).split()), err=True)


def refusal_message(error: CertdeskError) -> str:
    """A refusal in the command line's words.

    A request someone else holds: the desk offers a manager to confirm a take-over; here
    the way is the ``--take-over`` flag of the command (managers), so the refusal names it.
    Who may take over is the service's answer (``AlreadyClaimed.may_take_over``)."""
    if isinstance(error, AlreadyClaimed):
        if error.may_take_over:
            return f"{error.held}: add --take-over to take it over"
        return f"{error.held}: a manager may take it over with --take-over"
    return str(error)


P = ParamSpec("P")
R = TypeVar("R")


def refusals(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a refusal (or a database that does not answer) into one line on stderr, exit 1."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with terminal_safe_output():
            try:
                result = func(*args, **kwargs)
            except CertdeskError as exc:
                message = refusal_message(exc)
            except Exception as exc:
                # The last guard: a database error raised outside a transaction (where
                # storage has not named it yet) is one line too; anything else is a bug.
                database = None
                if "sqlalchemy" in sys.modules:  # only then can it be the database's
                    from certdesk_tui.storage.engine import as_database_error

                    database = as_database_error(exc)
                if database is None:
                    raise
                message = str(database)
            else:
                return result
            # One line, even when a driver's message spans several; a message quoting
            # what was typed shows its control characters as placeholders.
            click.echo("certdesk: " + " ".join(terminal_safe(message).split()), err=True)
        sys.exit(1)

    return wrapper
