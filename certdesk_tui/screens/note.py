"""Add an internal note: a text area, ctrl+s saves."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from certdesk_tui.domain.views import RequestDetail
from certdesk_tui.screens.confirm import AsksBeforeDiscarding
from certdesk_tui.text import literal_line
from certdesk_tui.widgets.footer import DeskFooter


class NoteScreen(AsksBeforeDiscarding, ModalScreen[str | None]):
    """Dismisses the note's text (never empty), or None."""

    CSS_PATH = "note.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save note", id="note.save"),
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
    ]

    def __init__(self, detail: RequestDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        row = self.detail.row
        with Vertical(id="dialog") as dialog:
            dialog.border_title = literal_line(
                f"Internal note on request #{row.id} ({row.customer_name})")
            yield TextArea(id="note", soft_wrap=True, compact=True, tab_behavior="focus")
            yield Static("Internal: the customer never sees notes. ctrl+s saves, esc cancels.",
                         classes="hint")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#note", TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one("#note", TextArea).text.strip()
        if not text:
            self.notify("The note is empty: type something or press esc.", severity="warning",
                        markup=False)
            return
        self.dismiss(text)
