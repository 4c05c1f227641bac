"""What every command is given: the settings and the desk, opened when first needed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from certdesk_tui.config import Settings, load_settings

if TYPE_CHECKING:
    from certdesk_tui.service import Desk


class Context:
    """The global options (``--db``, ``--as``, ``--config``) and what they open."""

    def __init__(self, db_url: str | None, as_user: str | None,
                 config_path: str | None = None) -> None:
        self.db_url = db_url
        self.as_user = as_user
        self.config_path = config_path
        self._settings: Settings | None = None
        self._desk: Desk | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            if self.config_path:  # named on the command line: it must exist
                self._settings = load_settings(Path(self.config_path).expanduser(),
                                               required=True)
            else:
                self._settings = load_settings()
        return self._settings

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            from certdesk_tui.service.identity import open_desk

            self._desk = open_desk(self.settings, self.db_url, self.as_user)
        return self._desk


pass_ctx = click.make_pass_decorator(Context)
