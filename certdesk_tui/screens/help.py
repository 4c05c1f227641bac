"""The help: every key of the desk, grouped by section, from the action registry."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from certdesk_tui.actions import DESK_ACTIONS, Section, keys_of, visible_to
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.widgets.footer import DeskFooter
from certdesk_tui.widgets.request_table import FLAG_LEGEND

HelpSection = tuple[str, list[tuple[str, str]]]


def help_sections(keymap: Mapping[str, str], key_display: Callable[[str], str],
                  may: Callable[[Permission], bool]) -> list[HelpSection]:
    """Every action this user is offered, with its keys after the keymap, by section."""
    sections: list[HelpSection] = []
    for section in Section:
        # Actions that share their help (the saved views 1 to 9) are one row.
        keys_by_help: dict[str, list[str]] = {}
        for a in visible_to(DESK_ACTIONS, may):
            if a.section is section:
                keys_by_help.setdefault(a.help, []).extend(
                    key_display(k) for k in keys_of(a, keymap))
        rows = [(_keys_text(keys), text) for text, keys in keys_by_help.items()]
        if rows:
            sections.append((section.value, rows))
        if section is Section.QUEUE:
            sections.append(("Table flags", [("M N D P", FLAG_LEGEND.removeprefix("Flags: "))]))
    return sections


def _keys_text(keys: list[str]) -> str:
    if not keys:
        return "palette"
    return f"{keys[0]} … {keys[-1]}" if len(keys) > 3 else ", ".join(keys)


def keys_table(keys: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2), expand=True)
    table.add_column(style="bold", no_wrap=True, min_width=12)
    table.add_column(ratio=1)
    for key, description in keys:
        # Text, not str: a key such as "[" must not be read as markup.
        table.add_row(Text(key), Text(description))
    return table


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, sections: list[HelpSection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Keys"
            with VerticalScroll(id="sections"):
                for title, keys in self.sections:
                    yield Static(Text(title), classes="heading")
                    yield Static(keys_table(keys), classes="keys")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#sections", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
