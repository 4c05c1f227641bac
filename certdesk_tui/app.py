"""The Textual application: one factory used by the command line and the tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from textual.app import App
from textual.binding import Binding
from textual.theme import BUILTIN_THEMES

from certdesk_tui.actions import Owner, bindings_for
from certdesk_tui.commands import DeskCommands
from certdesk_tui.config import Settings
from certdesk_tui.domain.errors import ConfigurationError
from certdesk_tui.screens.dashboard import DashboardScreen
from certdesk_tui.text import terminal_safe

if TYPE_CHECKING:
    from certdesk_tui.service import Desk


class CertdeskApp(App[None]):
    """certdesk: the certificate request desk."""

    CSS_PATH = "app.tcss"
    TITLE = "certdesk"
    COMMANDS = App.COMMANDS | {DeskCommands}
    BINDINGS = bindings_for(Owner.APP)
    NOTIFICATION_TIMEOUT = 3
    """Seconds an information stays up (warnings and refusals set their own)."""

    def __init__(self, desk: Desk, settings: Settings | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.settings = settings or desk.settings

    @property
    def keymap(self) -> Mapping[str, str]:
        """The user's keymap (action id: keys in Textual's names, ``?`` as
        ``question_mark``), applied to every binding of the desk."""
        return self._normalize_keymap(self.settings.keymap)

    def on_mount(self) -> None:
        if self.settings.theme:
            self.theme = self.settings.theme
        if self.keymap:
            self.set_keymap(dict(self.keymap))
        self.push_screen(DashboardScreen(self.desk, self.settings))

    def key_display(self, key: str) -> str:
        """One key as the footer shows it (``question_mark``: ``?``, ``ctrl+r``: ``^r``)."""
        return self.get_key_display(Binding(key, ""))

    def notify(self, message: str, *, title: str = "",
               severity: Literal["information", "warning", "error"] = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification of the desk (screens and widgets call this one): a message
        that quotes what someone typed shows its control characters as placeholders.

        The same notice again replaces the one on screen (its time starts again) rather
        than stacking a copy over the queue: a key pressed three times says it once."""
        message, title = terminal_safe(message), terminal_safe(title)
        for shown in list(self._notifications):
            if (shown.message, shown.title, shown.severity) == (message, title, severity):
                self._unnotify(shown, refresh=False)
        super().notify(message, title=title, severity=severity,
                       timeout=timeout, markup=markup)

    @property
    def dashboard(self) -> DashboardScreen:
        return next(s for s in self.screen_stack if isinstance(s, DashboardScreen))

    def action_help(self) -> None:
        from certdesk_tui.screens.help import HelpScreen, help_sections

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(help_sections(self.keymap, self.key_display,
                                                  self.desk.actor.may)))


def make_app(desk: Desk, settings: Settings | None = None) -> CertdeskApp:
    return CertdeskApp(desk, settings)


def check_theme(name: str) -> None:
    """Refuse a theme Textual does not have before the screen is taken over."""
    if name and name not in BUILTIN_THEMES:
        raise ConfigurationError(
            f"theme (CERTDESK_THEME or the configuration file) must be one of "
            f"{', '.join(sorted(BUILTIN_THEMES))}, not {name!r}"
        )


def run_app(desk: Desk) -> None:
    check_theme(desk.settings.theme)
    make_app(desk).run()
