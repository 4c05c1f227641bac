"""New internal request: a customer who phoned or emailed, entered by a specialist.

The customer is typed by its code (suggested as you type, its name shown under
it); the holder's name is suggested from the customer's address book, and
picking a known holder fills its address. The screen returns what to create;
the caller runs the service, and reopens the form with the refusal if there is one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static

from certdesk_tui.domain import BRAND_LABELS, Brand, RequestType
from certdesk_tui.domain.holders import HolderView
from certdesk_tui.intake import Holder
from certdesk_tui.screens.automation_form import TickBox
from certdesk_tui.screens.confirm import SubmitOrCancel
from certdesk_tui.screens.holder_suggestions import HolderSuggestions
from certdesk_tui.service.internal import CustomerChoice, InternalRequest
from certdesk_tui.text import literal, literal_line
from certdesk_tui.widgets.footer import DeskFooter

HOLDER_FIELDS: dict[str, str] = {
    "name": "Holder name",
    "address": "Holder address",
    "city": "Holder city",
    "state": "Holder state",
    "zip": "Holder ZIP",
    "email": "Holder email",
}


class InternalRequestScreen(SubmitOrCancel, ModalScreen["InternalRequest | None"]):
    """Dismisses the InternalRequest to create, or None."""

    CSS_PATH = "internal_request.tcss"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Create", id="internal.submit"),
        Binding("escape", "cancel", "Cancel", id="internal.cancel"),
    ]

    def __init__(self, customers: Sequence[CustomerChoice],
                 entry: InternalRequest | None = None, refusal: str = "",
                 holders_of: Callable[[str], list[HolderView]] | None = None) -> None:
        super().__init__()
        self.customers = {c.code.casefold(): c for c in customers}
        self.entry = entry
        self.refusal = refusal
        # Reads a customer's holder address book (in a worker) for the name's suggestions.
        self.holders_of = holders_of
        self.holder_book = HolderSuggestions()
        self._book_for = ""

    def compose(self) -> ComposeResult:
        entry = self.entry
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "New internal request (a customer who phoned or emailed)"
            yield Static(literal(self.refusal), id="refusal")
            with VerticalScroll(id="fields"):
                with Horizontal(classes="row"):
                    yield Label("Customer code", classes="label")
                    yield Input(entry.customer_code if entry else "", id="customer",
                                compact=True, placeholder="code, e.g. C100",
                                suggester=SuggestFromList(
                                    [c.code for c in self.customers.values()],
                                    case_sensitive=False))
                yield Static("", id="customer-name", classes="hint")
                with Horizontal(classes="row"):
                    yield Label("Type", classes="label")
                    with RadioSet(id="type", compact=True):
                        for kind in RequestType:
                            yield RadioButton(kind.value, value=(entry.type if entry else
                                                                 RequestType.COI) == kind,
                                              id=f"type-{kind.value}", compact=True)
                for key, label in HOLDER_FIELDS.items():
                    with Horizontal(classes="row"):
                        yield Label(label, classes="label")
                        yield Input(getattr(entry.holder, key) if entry else "",
                                    id=f"holder-{key}", compact=True,
                                    placeholder="XX" if key == "state" else "")
                yield TickBox("Send to certificate holder",
                              entry.send_to_holder if entry else False, id="to-holder",
                              compact=True)
                with Horizontal(classes="row"):
                    yield Label("Instructions", classes="label")
                    yield Input(entry.instructions if entry else "", id="instructions",
                                compact=True, placeholder="what the customer asked for")
                with Horizontal(classes="row"):
                    yield Label("Payment reference", classes="label")
                    yield Input(entry.payment_reference if entry else "", id="payment",
                                compact=True, placeholder="WOS: the payment recorded")
                yield Static("", id="payment-hint", classes="hint")
            with Horizontal(id="buttons"):
                yield Button("Create (ctrl+s)", id="submit", compact=True, variant="primary")
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#refusal").display = bool(self.refusal)
        self._customer_changed()
        self._type_changed()
        self.query_one("#customer", Input).focus()

    # -- reading -------------------------------------------------------------------------

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def chosen_type(self) -> RequestType:
        pressed = self.query_one("#type", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return RequestType.COI
        return RequestType(pressed.id.removeprefix("type-"))

    def read(self) -> InternalRequest:
        holder = Holder(**{key: self._value(f"holder-{key}") for key in HOLDER_FIELDS})
        return InternalRequest(
            customer_code=self._value("customer").strip(), type=self.chosen_type(),
            holder=holder, send_to_holder=self.query_one("#to-holder", Checkbox).value,
            instructions=self._value("instructions"), payment_reference=self._value("payment"),
        )

    def customer(self) -> CustomerChoice | None:
        return self.customers.get(self._value("customer").strip().casefold())

    # -- as typed -------------------------------------------------------------------------

    @on(Input.Changed, "#customer")
    def _customer_changed(self) -> None:
        hint = self.query_one("#customer-name", Static)
        customer = self.customer()
        typed = self._value("customer").strip()
        if customer is not None:
            line = Text()
            line.append_text(literal_line(customer.name))
            line.append(f" · {BRAND_LABELS[Brand(customer.brand)]}")
            hint.update(line)
            if self.holders_of is not None and customer.code != self._book_for:
                self._book_for = customer.code
                self.load_holders(customer.code)
        else:
            hint.update(literal_line(f"no customer {typed}") if typed else
                        "type the customer's code (suggested as you type)")

    @on(RadioSet.Changed, "#type")
    def _type_changed(self) -> None:
        wos = self.chosen_type() == RequestType.WOS
        self.query_one("#payment-hint", Static).update(
            "A WOS with its payment reference is approved at once; without one it is held "
            "for payment, out of the queue." if wos else "Payment references are for a WOS.")

    @work(thread=True, exclusive=True, group="holder-book", exit_on_error=False)
    def load_holders(self, code: str) -> None:
        assert self.holders_of is not None
        book = HolderSuggestions(self.holders_of(code))
        self.app.call_from_thread(self._holders_loaded, code, book)

    def _holders_loaded(self, code: str, book: HolderSuggestions) -> None:
        if code == self._book_for:
            self.holder_book = book
            self.query_one("#holder-name", Input).suggester = book.suggester

    @on(Input.Changed, "#holder-name")
    def _holder_named(self, event: Input.Changed) -> None:
        known = self.holder_book.picked(event.value)
        if known is not None:
            for key, value in HolderSuggestions.filled(known).items():
                self.query_one(f"#holder-{key}", Input).value = value

    # -- actions --------------------------------------------------------------------------

    def action_submit(self) -> None:
        entry = self.read()
        if self.customer() is None:
            self.query_one("#customer", Input).focus()
            self.notify("Type the code of a known customer.", title="Cannot create yet",
                        severity="error", markup=False)
            return
        if not entry.holder.name.strip():
            self.query_one("#holder-name", Input).focus()
            self.notify("Type the certificate holder's name.", title="Cannot create yet",
                        severity="error", markup=False)
            return
        self.dismiss(entry)
