"""Ask for one line of text (a new or renamed rejection reason, say).

The initial text is shown with its control characters as placeholders; submitted
unchanged, it is given back exactly as it was.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from certdesk_tui.screens.confirm import AsksBeforeDiscarding
from certdesk_tui.text import escaped, literal_line
from certdesk_tui.widgets.footer import DeskFooter


class TextPromptScreen(AsksBeforeDiscarding, ModalScreen[str | None]):
    """Dismisses the text (stripped, never empty), or None."""

    CSS_PATH = "text_prompt.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, initial: str = "", placeholder: str = "",
                 body: Text | None = None) -> None:
        super().__init__()
        self.question = title
        self.initial = initial
        self.placeholder = placeholder
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = literal_line(self.question)
            if self.body is not None:
                yield Static(self.body, id="body")
            yield Input(escaped(self.initial), placeholder=self.placeholder, id="text",
                        compact=True)
            yield Static("enter saves, esc cancels", classes="hint")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = self.initial if event.value == escaped(self.initial) else event.value
        text = text.strip()
        if not text:
            self.notify("Type some text, or press esc to cancel.", severity="warning",
                        markup=False)
            return
        self.dismiss(text)
