"""What every command shares: the context (settings, the desk), refusals, JSON output.

Kept apart from ``cli.py`` so that command groups in other packages (``mail``)
can use it without importing the command line's own module.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from certdesk_tui.config import Settings, load_settings
from certdesk_tui.errors import CertdeskError
from certdesk_tui.service import Desk


class Context:
    def __init__(self, db_url: str | None, as_user: str | None) -> None:
        self.db_url = db_url
        self.as_user = as_user
        self._settings: Settings | None = None
        self._desk: Desk | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            from certdesk_tui.identity import open_desk

            self._desk = open_desk(self.settings, self.db_url, self.as_user)
        return self._desk


pass_ctx = click.make_pass_decorator(Context)


def refusals(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a refusal (or a database that does not answer) into one line on stderr, exit 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = func(*args, **kwargs)
        except CertdeskError as exc:
            message = str(exc)
        except SQLAlchemyError as exc:
            message = f"the database did not answer: {getattr(exc, 'orig', None) or exc}"
        else:
            return result
        # One line, even when a driver's message spans several.
        click.echo("certdesk: " + " ".join(message.split()), err=True)
        sys.exit(1)

    return wrapper


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))
