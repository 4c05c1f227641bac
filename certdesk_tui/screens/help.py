"""The keys, grouped by section; the caller builds the sections from the bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

Section = tuple[str, list[tuple[str, str]]]


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

    def __init__(self, sections: list[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Keys"
            with VerticalScroll(id="sections"):
                for title, keys in self.sections:
                    yield Static(Text(title), classes="heading")
                    yield Static(keys_table(keys), classes="keys")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sections", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
