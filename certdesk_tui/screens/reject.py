"""Reject: pick a configured reason, read the email the customer will get, confirm once.

Typing letters filters the reasons (by any part of their words); a digit 1-9 picks the
reason of that number at once; backspace takes a letter back.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from certdesk_tui.domain import Brand
from certdesk_tui.domain.addresses import is_valid as is_valid_email
from certdesk_tui.domain.views import ReasonView, RequestDetail
from certdesk_tui.notifications import rejection_preview
from certdesk_tui.screens.brief import RequestBrief
from certdesk_tui.screens.confirm import confirm_then_dismiss
from certdesk_tui.text import literal, literal_line
from certdesk_tui.widgets.footer import DeskFooter


class RejectScreen(ModalScreen[int | None]):
    """Dismisses the chosen reason's id once confirmed, or None."""

    CSS_PATH = "reject.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reject.cancel")]

    def __init__(self, detail: RequestDetail, reasons: list[ReasonView]) -> None:
        super().__init__()
        self.detail = detail
        self.reasons = {reason.id: reason for reason in reasons if reason.active}
        self.typed = ""
        """What the user typed to filter the reasons."""

    def compose(self) -> ComposeResult:
        detail = self.detail
        with Vertical(id="dialog") as dialog:
            dialog.border_title = literal_line(f"Reject request #{detail.id}: pick a reason")
            yield RequestBrief(detail)
            if self.reasons:
                yield Static(self.filter_line(), id="filter")
                yield OptionList(*self.options(), id="reasons", compact=True, markup=False)
            else:
                yield Static("No active rejection reasons: a manager adds them in Configuration.",
                             id="no-reasons")
            yield Static(self.recipient_line(), id="recipient")
            with VerticalScroll(id="email"):
                yield Static("", id="email-text")
        yield DeskFooter()

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

    # -- type-ahead and pick by number ------------------------------------------------

    def shown(self) -> list[ReasonView]:
        """The reasons whose text holds what was typed (any case), in their order."""
        typed = self.typed.casefold()
        return [r for r in self.reasons.values() if typed in r.text.casefold()]

    def options(self) -> list[Option]:
        options = []
        for number, reason in enumerate(self.shown(), 1):
            label = Text(f"{number} " if number <= 9 else "  ", style="bold")
            label.append_text(literal_line(reason.text))
            options.append(Option(label, id=str(reason.id)))
        return options

    def filter_line(self) -> Text:
        if not self.typed:
            return Text("Type to filter, 1-9 picks by number, enter picks the highlighted one.",
                        style="italic")
        line = Text("Filter: ", style="bold")
        line.append_text(literal_line(self.typed))
        count = len(self.shown())
        line.append(f"  ({count} of {len(self.reasons)}; backspace erases)" if count else
                    "  (no reason matches; backspace erases)")
        return line

    def refilter(self) -> None:
        options = self.query_one("#reasons", OptionList)
        options.clear_options()
        options.add_options(self.options())
        self.query_one("#filter", Static).update(self.filter_line())
        shown = self.shown()
        if shown:
            options.highlighted = 0
            self.show_email(shown[0].id)
        else:
            self.query_one("#email-text", Static).update("")

    def on_key(self, event: Key) -> None:
        if not self.reasons:
            return
        char = event.character or ""
        if event.key == "backspace":
            if self.typed:
                self.typed = self.typed[:-1]
                self.refilter()
            event.stop()
        elif char in "123456789" and char:
            event.stop()
            shown = self.shown()
            number = int(char)
            if number <= len(shown):
                self.choose(shown[number - 1].id)
            else:
                self.notify(f"There is no reason {number} here.", severity="warning")
        elif event.is_printable and char and (char != " " or self.typed):
            event.stop()
            self.typed += char
            self.refilter()

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
        self.choose(int(event.option.id))

    def choose(self, reason_id: int) -> None:
        """Ask once before rejecting with this reason."""
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
