"""Confirm once before a destructive step (reject, submit)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, RadioButton, Static, TextArea

from certdesk_tui.text import literal, literal_line
from certdesk_tui.widgets.footer import DeskFooter


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
        yield DeskFooter()

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


class AsksBeforeDiscarding:
    """A dialog whose ``escape`` asks before throwing away what was typed or ticked in it.

    Every dialog with fields (inputs, text areas, check boxes, radio buttons) takes this in:
    what its fields show once it is first drawn is remembered by itself (Textual calls the
    ``_on_mount`` of each class a screen is made of), and ``escape`` on a dialog still
    showing that closes it at once; once anything differs, it asks first.
    """

    _remembered: tuple[tuple[str, object], ...] | None = None
    reopened: bool = False
    """Reopened after a refusal with what the user had typed: that is their work, so
    ``escape`` asks before discarding it even before anything else changes."""

    def _on_mount(self) -> None:
        # After the first refresh: what the dialog's own on_mount put in its fields counts
        # as where it started, not as a change.
        self.call_after_refresh(self.remember_values)  # type: ignore[attr-defined]

    def _values(self) -> tuple[tuple[str, object], ...]:
        values: list[tuple[str, object]] = []
        for widget in self.query("Input, TextArea, Checkbox, RadioButton"):  # type: ignore[attr-defined]
            if isinstance(widget, Input | Checkbox | RadioButton):
                values.append((widget.id or "", widget.value))
            elif isinstance(widget, TextArea):
                values.append((widget.id or "", widget.text))
        return tuple(values)

    def remember_values(self) -> None:
        self._remembered = self._values()

    def edited(self) -> bool:
        return self.reopened or (self._remembered is not None
                                 and self._values() != self._remembered)

    def action_cancel(self) -> None:
        screen: ModalScreen[object] = self  # type: ignore[assignment]
        if not self.edited():
            screen.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                screen.dismiss(None)

        screen.app.push_screen(ConfirmScreen(
            "Discard your changes?",
            "What you typed in this dialog will be lost. y discards it; n or esc goes back "
            "to it.", "Discard"), answered)


class SubmitOrCancel(AsksBeforeDiscarding):
    """A dialog whose Submit and Cancel buttons do what ctrl+s and escape do."""

    def action_submit(self) -> None:  # pragma: no cover - each dialog defines it
        raise NotImplementedError

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.action_cancel()
