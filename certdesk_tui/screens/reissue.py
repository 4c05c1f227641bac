"""Reissue: the current certificate's holder and description to correct, a reason, send."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea

from certdesk_tui.domain.addresses import is_valid as is_valid_email
from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.certificates import REVISABLE_FIELDS
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.holders import HolderView
from certdesk_tui.domain.views import RequestDetail
from certdesk_tui.domain.vocabulary import Brand
from certdesk_tui.screens.automation_form import (
    FIELD_LABELS,
    TickBox,
    read_pdf,
    refusal_text,
    typed_override_reason,
    wrong_file_line,
)
from certdesk_tui.screens.confirm import SubmitOrCancel, confirm_then_dismiss
from certdesk_tui.screens.holder_suggestions import HolderSuggestions
from certdesk_tui.screens.recipients import address_problem, typed_addresses
from certdesk_tui.text import escaped, literal, literal_line, one_line, visible
from certdesk_tui.widgets.footer import DeskFooter


@dataclass(frozen=True)
class ReissueResult:
    """The corrections (only the fields changed), the reason and who gets it."""

    changes: dict[str, str]
    reason: str
    to_holder: bool
    attachment: tuple[str, bytes] | None
    cc: tuple[str, ...] = ()
    override_reason: str | None = None
    # What the dialog showed, to reopen it as it was (not part of what is submitted).
    typed: dict[str, str] = field(default_factory=dict, compare=False)


class ReissueScreen(SubmitOrCancel, ModalScreen["ReissueResult | None"]):
    """Dismisses a ReissueResult (a reason always given), or None."""

    CSS_PATH = "reissue.tcss"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Reissue", id="reissue.submit"),
        Binding("escape", "cancel", "Cancel", id="reissue.cancel"),
    ]

    def __init__(self, detail: RequestDetail, form: CertificateForm,
                 refusal: str | None = None, typed: dict[str, str] | None = None,
                 holders: Sequence[HolderView] = (), problem: str = "") -> None:
        super().__init__()
        # What the service refused in the last submission (a file, a field), said on mount.
        self.problem = problem
        # The customer's holder address book: the holder name's suggestions.
        self.holder_book = HolderSuggestions(holders)
        self.detail = detail
        self.prefilled = form
        self.refusal = refusal
        self.typed = typed or {}
        self.cornerstone = detail.row.brand == Brand.CORNERSTONE
        # Per field: the text the editor started with, and the stored text it shows.
        self._initial: dict[str, tuple[str, str]] = {}

    def compose(self) -> ComposeResult:
        current = next((c for c in self.detail.certificates if c.current), None)
        with Vertical(id="dialog") as dialog:
            dialog.border_title = literal_line(
                f"Reissue the certificate of request #{self.detail.id}"
                + (f" (now revision {current.revision})" if current else ""))
            with VerticalScroll(id="fields"):
                for name in REVISABLE_FIELDS:
                    yield from self._row(name, FIELD_LABELS[name],
                                         str(getattr(self.prefilled, name)))
                yield from self._row("reason", "Reason", "", "what this revision corrects")
                yield from self._row("attachment", "Attach PDF", "",
                                     "the carrier's corrected certificate (path)"
                                     if self.cornerstone else "optional: a PDF issued elsewhere")
                yield from self._row("cc", "Also to", "", "other addresses, comma separated")
                yield TickBox("Send to certificate holder", id="to-holder", compact=True)
            with Vertical(id="override"):
                yield Static(refusal_text(self.refusal or ""), id="policy-refusal")
                yield Input(self.typed.get("override", ""), id="override-reason", compact=True,
                            placeholder="why this certificate may be issued anyway")
            yield Static("", id="problem")
            with Horizontal(id="buttons"):
                yield Button("Reissue (ctrl+s)", id="submit", compact=True, variant="primary")
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield DeskFooter()

    def _row(self, name: str, label: str, stored: str, placeholder: str = "") -> ComposeResult:
        editor: Widget
        if name == "description":
            shown = visible(stored)
            self._initial[name] = (shown, stored)
            editor = TextArea(self.typed.get(name, shown), id=f"field-{name}", compact=True,
                              soft_wrap=True, tab_behavior="focus")
        else:
            shown = escaped(stored)
            self._initial[name] = (shown, stored)
            editor = Input(self.typed.get(name, shown), id=f"field-{name}", compact=True,
                           select_on_focus=False, placeholder=placeholder)
        with Horizontal(classes="row"):
            yield Label(label, classes="label")
            yield editor

    def on_mount(self) -> None:
        holder_ok = is_valid_email(self.prefilled.holder_email.strip())
        self.query_one("#to-holder", Checkbox).value = self.detail.send_to_holder and holder_ok
        self.query_one("#override").display = self.refusal is not None
        self.query_one("#problem").display = False
        self.query_one("#field-holder_name", Input).suggester = self.holder_book.suggester
        (self.query_one("#override-reason", Input) if self.refusal is not None
         else self.query_one("#field-reason", Input)).focus()
        if self.problem:
            self.notify(self.problem, title="Not reissued: correct it", severity="error",
                        markup=False, timeout=10)

    @on(Input.Changed, "#field-holder_name")
    def _holder_named(self, event: Input.Changed) -> None:
        """A holder picked from the address book fills its address and email."""
        known = self.holder_book.picked(event.value)
        if known is not None and event.value != self._initial["holder_name"][0]:
            for key, value in HolderSuggestions.filled(known).items():
                self.query_one(f"#field-holder_{key}", Input).value = value

    def _text(self, name: str) -> str:
        """The field's text: the stored text while the editor still shows it unchanged."""
        widget = self.query_one(f"#field-{name}")
        text = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
        shown, stored = self._initial.get(name, (None, ""))
        return stored if text == shown else text

    def _typed(self) -> dict[str, str]:
        typed = {name: self._text(name) for name in (*REVISABLE_FIELDS, "reason", "attachment",
                                                      "cc")}
        typed["override"] = self.query_one("#override-reason", Input).value
        return typed

    def _problem(self, message: str, focus: str | None = None) -> None:
        problem = self.query_one("#problem", Static)
        problem.update(literal(message))
        problem.display = True
        if focus:
            self.query_one(focus).focus()
        self.notify(message, title="Cannot reissue yet", severity="error", markup=False)

    @on(Input.Submitted)
    def _entered(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        typed = self._typed()
        changes = {n: typed[n] for n in REVISABLE_FIELDS
                   if typed[n] != str(getattr(self.prefilled, n))}
        try:
            self.prefilled.with_changes(changes)
        except ValidationFailed as exc:
            return self._problem(str(exc))
        if not " ".join(typed["reason"].split()):
            return self._problem("Say what this revision corrects (the reason is required).",
                                 "#field-reason")
        pdf, error = read_pdf(typed["attachment"])
        if error:
            return self._problem(error, "#field-attachment")
        if pdf is None and self.cornerstone:
            return self._problem("A Cornerstone (CS) certificate comes from the carrier: "
                                 "attach its corrected PDF.", "#field-attachment")
        if problem := address_problem(typed["cc"]):
            return self._problem(problem, "#field-cc")
        ok, override_reason = typed_override_reason(self, self.refusal)
        if not ok:
            return None
        to_holder = self.query_one("#to-holder", Checkbox).value
        result = ReissueResult(changes, typed["reason"], to_holder,
                               pdf.attachment if pdf else None, typed_addresses(typed["cc"]),
                               override_reason, typed)
        body = Text()
        if pdf is not None:
            body.append_text(wrong_file_line(pdf.wrong_file_warning(
                self.detail.row.customer_name, typed["holder_name"])))
        changed = ", ".join(FIELD_LABELS[n] for n in changes) or "nothing (same fields)"
        body.append_text(literal(f"Corrected: {changed}\nReason: {one_line(typed['reason'])}\n"))
        body.append("The current certificate is kept, marked superseded; the new revision is "
                    "emailed to the customer" + (" and the holder" if to_holder else "")
                    + (" and the other addresses" if result.cc else "") + ".")
        confirm_then_dismiss(self, f"Reissue the certificate of request #{self.detail.id}?",
                             body, "Reissue", result)
        return None
