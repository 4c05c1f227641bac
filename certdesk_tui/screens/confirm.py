"""Confirm once before a destructive step (reject, submit)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from certdesk_tui.text import literal, literal_line


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; dismisses True to go ahead, False otherwise."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("y,enter", "confirm", "Confirm", id="confirm.yes"),
        Binding("n,escape", "cancel", "Cancel", id="confirm.no"),
    ]

    def __init__(self, title: str, body: str | Text, confirm_label: str = "Confirm") -> None:
        super().__init__()
        self.question = title
        # A plain str is shown literally too: the caller may have quoted customer text.
        self.body = body if isinstance(body, Text) else literal(body)
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = literal_line(self.question)
            with VerticalScroll(id="body"):
                yield Static(self.body, id="body-text")
            with Horizontal(id="buttons"):
                # Keys do the work; the buttons are for the mouse, so Enter never lands on "No".
                yes = Button(Text(f"{self.confirm_label} (y)"), id="yes", compact=True)
                no = Button(Text("Cancel (n)"), id="no", compact=True)
                yes.can_focus = no.can_focus = False
                yield yes
                yield no
        yield Footer()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


def confirm_then_dismiss(screen: ModalScreen, title: str, body: Text, confirm_label: str,
                         result: object) -> None:
    """Ask once; on yes, dismiss ``screen`` with ``result`` (on no, stay on it)."""

    def confirmed(ok: bool | None) -> None:
        if ok:
            screen.dismiss(result)

    screen.app.push_screen(ConfirmScreen(title, body, confirm_label), confirmed)


class SubmitOrCancel:
    """A dialog whose Submit and Cancel buttons do what ctrl+s and escape do."""

    def action_submit(self) -> None:  # pragma: no cover - each dialog defines it
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.action_cancel()
