"""Resend the current certificate: tick the customer and / or the holder, add addresses."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from certdesk_tui.domain.addresses import is_valid as is_valid_email
from certdesk_tui.domain.views import RequestDetail
from certdesk_tui.screens.automation_form import TickBox
from certdesk_tui.screens.confirm import SubmitOrCancel
from certdesk_tui.screens.recipients import address_problem, typed_addresses
from certdesk_tui.text import literal, literal_line
from certdesk_tui.widgets.footer import DeskFooter


@dataclass(frozen=True)
class ResendResult:
    to_customer: bool
    to_holder: bool
    others: tuple[str, ...]


class ResendScreen(SubmitOrCancel, ModalScreen["ResendResult | None"]):
    """Dismisses who to send the current certificate to, or None."""

    CSS_PATH = "resend.tcss"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Send", id="resend.submit"),
        Binding("escape", "cancel", "Cancel", id="resend.cancel"),
    ]

    def __init__(self, detail: RequestDetail) -> None:
        super().__init__()
        self.detail = detail

    @property
    def customer_ok(self) -> bool:
        return is_valid_email(self.detail.customer_email.strip())

    @property
    def holder_ok(self) -> bool:
        return is_valid_email(self.detail.holder_email.strip())

    def compose(self) -> ComposeResult:
        current = next((c for c in self.detail.certificates if c.current), None)
        with Vertical(id="dialog") as dialog:
            dialog.border_title = literal_line(
                f"Send the certificate of request #{self.detail.id} again")
            what = (f"Certificate {current.number} revision {current.revision}, as issued."
                    if current else "The current certificate, as issued.")
            yield Static(what, classes="hint")
            yield TickBox(literal_line(f"To the customer {self.detail.customer_email}")
                          if self.customer_ok else "To the customer (no valid email on file)",
                          id="to-customer", compact=True, value=self.customer_ok,
                          disabled=not self.customer_ok)
            yield TickBox(literal_line(f"To the holder {self.detail.holder_email}")
                          if self.holder_ok else "To the holder (no valid email on file)",
                          id="to-holder", compact=True, value=False,
                          disabled=not self.holder_ok)
            with Horizontal(id="others-row"):
                yield Label("Also to", classes="label")
                yield Input(id="others", compact=True,
                            placeholder="other addresses, separated by commas")
            yield Static("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Send (ctrl+s)", id="submit", compact=True, variant="primary")
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#error").display = False
        self.query_one("#others", Input).focus()

    @on(Input.Changed, "#others")
    def _edited(self) -> None:
        problem = address_problem(self.query_one("#others", Input).value)
        error = self.query_one("#error", Static)
        error.update(literal(problem))
        error.display = bool(problem)

    @on(Input.Submitted, "#others")
    def _entered(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        typed = self.query_one("#others", Input).value
        if problem := address_problem(typed):
            self.notify(problem, title="Cannot send yet", severity="error", markup=False)
            return
        result = ResendResult(self.query_one("#to-customer", Checkbox).value,
                              self.query_one("#to-holder", Checkbox).value,
                              typed_addresses(typed))
        if not (result.to_customer or result.to_holder or result.others):
            self.notify("Tick the customer or the holder, or type an address.",
                        title="Cannot send yet", severity="error", markup=False)
            return
        self.dismiss(result)
