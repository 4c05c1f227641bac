"""Reject: pick a configured reason, read the email the customer will get, confirm once."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from certdesk_tui.domain import Brand
from certdesk_tui.domain.addresses import is_valid as is_valid_email
from certdesk_tui.domain.views import ReasonView, RequestDetail
from certdesk_tui.notifications import rejection_preview
from certdesk_tui.screens.confirm import confirm_then_dismiss
from certdesk_tui.text import literal, literal_line


class RejectScreen(ModalScreen[int | None]):
    """Dismisses the chosen reason's id once confirmed, or None."""

    CSS_PATH = "reject.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reject.cancel")]

    def __init__(self, detail: RequestDetail, reasons: list[ReasonView]) -> None:
        super().__init__()
        self.detail = detail
        self.reasons = {reason.id: reason for reason in reasons if reason.active}

    def compose(self) -> ComposeResult:
        detail = self.detail
        with Vertical(id="dialog") as dialog:
            dialog.border_title = literal_line(f"Reject request #{detail.id}: pick a reason")
            if self.reasons:
                yield OptionList(
                    *(Option(literal_line(r.text), id=str(r.id)) for r in self.reasons.values()),
                    id="reasons", compact=True, markup=False,
                )
            else:
                yield Static("No active rejection reasons: a manager adds them in Configuration.",
                             id="no-reasons")
            yield Static(self.recipient_line(), id="recipient")
            with VerticalScroll(id="email"):
                yield Static("", id="email-text")
        yield Footer()

    def recipient_line(self) -> Text:
        email = self.detail.customer_email.strip()
        if is_valid_email(email):
            return literal_line(f"The email goes to the customer only: {email}")
        return literal_line("No email will be sent: no valid customer email on file.")

    def on_mount(self) -> None:
        if self.reasons:
            options = self.query_one("#reasons", OptionList)
            options.highlighted = 0
            options.focus()
            self.show_email(next(iter(self.reasons)))

    def email_text(self, reason_id: int) -> str:
        detail = self.detail
        return rejection_preview(
            self.reasons[reason_id].text, detail.id, detail.type, Brand(detail.brand),
            detail.row.customer_name, detail.row.holder_name,
        )

    def show_email(self, reason_id: int) -> None:
        self.query_one("#email-text", Static).update(literal(self.email_text(reason_id).strip()))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id is not None:
            self.show_email(int(event.option.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        assert event.option.id is not None
        reason_id = int(event.option.id)
        body = Text()
        body.append("Reason: ", style="bold")
        body.append_text(literal(self.reasons[reason_id].text))
        body.append("\n")
        body.append_text(self.recipient_line())
        body.append("\nThe request becomes Rejected; this cannot be undone.")

        confirm_then_dismiss(self, f"Reject request #{self.detail.id}?", body, "Reject",
                             reason_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
