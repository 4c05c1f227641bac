"""Attempt automation: review the prefilled certificate, correct it, choose who gets it.

Each field starts with the prefilled text shown through ``certdesk_tui.text`` (a
control character the customer sent is a visible placeholder, never written to the
terminal); a field left as it was keeps the stored text exactly.

The form is validated live with the same rules the service applies
(``automation.validate``); with an already issued PDF attached only the holder
email must be valid, as in ``Desk.automate``. The screen returns what to
submit; the caller runs the service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea

from certdesk_tui.domain import RequestType
from certdesk_tui.domain.addresses import is_valid as is_valid_email
from certdesk_tui.domain.automation import (
    CertificateForm,
    clean_override_reason,
    default_description,
    validate,
)
from certdesk_tui.domain.errors import CertdeskError, ValidationFailed
from certdesk_tui.domain.holders import HolderView
from certdesk_tui.domain.views import RequestDetail
from certdesk_tui.pdf.upload_check import CertificatePdf, read_certificate_pdf
from certdesk_tui.screens.brief import RequestBrief
from certdesk_tui.screens.confirm import SubmitOrCancel, confirm_then_dismiss
from certdesk_tui.screens.holder_suggestions import HolderSuggestions
from certdesk_tui.screens.recipients import CC_LABEL, address_problem, also_to, typed_addresses
from certdesk_tui.text import escaped, literal, literal_line, one_line, visible
from certdesk_tui.widgets.footer import DeskFooter

# Every editable field of the certificate, in the order a specialist checks them.
FIELD_LABELS: dict[str, str] = {
    "insured_name": "Insured",
    "insured_address": "Insured address",
    "insurer_name": "Insurer",
    "insurer_naic": "Insurer NAIC",
    "policy_number": "Policy number",
    "effective": "Effective",
    "expires": "Expires",
    "each_accident": "Each accident $",
    "disease_each_employee": "Disease, each employee $",
    "disease_policy_limit": "Disease, policy limit $",
    "holder_name": "Holder name",
    "holder_address": "Holder address",
    "holder_city": "Holder city",
    "holder_state": "Holder state",
    "holder_zip": "Holder ZIP",
    "holder_email": "Holder email",
    "description": "Description of operations",
    "producer_name": "Producer",
    "producer_address": "Producer address",
}
# Fields whose value has several lines get a TextArea of this height.
MULTILINE: dict[str, int] = {"insured_address": 2, "description": 4, "producer_address": 2}
DATES = ("effective", "expires")
LIMITS = ("each_accident", "disease_each_employee", "disease_policy_limit")
ATTACH = "attachment"
ATTACH_LABEL = "Attach an already issued certificate (PDF path)"
CC = "cc"


@dataclass(frozen=True)
class AutomationResult:
    """What the specialist submitted: the corrected form and who gets the certificate."""

    form: CertificateForm
    to_holder: bool
    attachment: tuple[str, bytes] | None
    # The written reason to issue although the policy is not in force (None: no refusal).
    override_reason: str | None = None
    # The attachment path as typed, to reopen the form with it (not part of what is submitted).
    attachment_path: str = field(default="", compare=False)
    # Extra recipients, each emailed the certificate in a message of their own.
    cc: tuple[str, ...] = ()


def recipients_sentence(what: str, customer_email: str, holder_email: str,
                        to_holder: bool) -> str:
    """Exactly who the completion emails go to (the service's rule: valid addresses only)."""
    customer = customer_email.strip() if is_valid_email(customer_email.strip()) else ""
    holder = holder_email.strip() if to_holder and is_valid_email(holder_email.strip()) else ""
    if customer and holder:
        return f"Submit emails {what} to the customer {customer} and the holder {holder}."
    if customer:
        return f"Submit emails {what} to the customer {customer} only."
    if holder:
        return (f"Submit emails {what} to the holder {holder} only: "
                "no valid customer email on file.")
    return f"Submit emails {what} to nobody: no valid customer email on file."


def typed_override_reason(screen: Screen, refusal: str | None) -> tuple[bool, str | None]:
    """The override reason typed in a dialog that shows a policy refusal.

    ``(True, None)`` when there is no refusal to override; ``(False, None)`` after
    telling the user what is wrong with the reason and focusing its field.
    """
    if refusal is None:
        return True, None
    field = screen.query_one("#override-reason", Input)
    try:
        clean_override_reason(field.value)
    except ValidationFailed as exc:
        field.focus()
        screen.notify(str(exc), title="Cannot submit yet", severity="error", markup=False)
        return False, None
    return True, field.value


def refusal_text(refusal: str) -> Text:
    """The policy refusal as a dialog shows it above the override reason field."""
    text = Text()
    text.append("Policy not in force: ", style="bold")
    text.append_text(literal(refusal))
    text.append("\nIssue it anyway only with a written reason (it is logged with the request):")
    return text


class TickBox(Checkbox):
    """A checkbox that reads without colour (NO_COLOR): X when ticked, blank when not."""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # Textual's name for the mark
        return "X" if self.value else " "


def read_pdf(path_text: str) -> tuple[CertificatePdf | None, str]:
    """The named PDF read and checked (``read_certificate_pdf``), or None and what is wrong."""
    if not path_text.strip():
        return None, ""
    try:
        return read_certificate_pdf(path_text.strip()), ""
    except CertdeskError as exc:
        return None, str(exc)


def wrong_file_line(warning: str) -> Text:
    """The confirmation's first line when the PDF names neither party ("" when it does)."""
    if not warning:
        return Text()
    line = Text("WARNING: ", style="bold reverse")
    line.append_text(literal(warning + "."))
    line.append("\n")
    return line


def _field_text(form: CertificateForm, name: str) -> str:
    value = getattr(form, name)
    if name in DATES:
        return value.isoformat()
    return f"{value:,}" if name in LIMITS else str(value)


class AutomationFormScreen(SubmitOrCancel, ModalScreen["AutomationResult | None"]):
    """Every certificate field editable and checked; dismisses an AutomationResult or None."""

    CSS_PATH = "automation_form.tcss"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", id="automation.submit"),
        Binding("escape", "cancel", "Cancel", id="automation.cancel"),
    ]

    def __init__(self, detail: RequestDetail, form: CertificateForm,
                 refusal: str | None = None, attachment_path: str = "",
                 holders: Sequence[HolderView] = (), cc_text: str = "",
                 problem: str = "") -> None:
        super().__init__()
        self.detail = detail
        # Why the service refused the form as submitted (reopened with what was typed).
        self.problem = problem
        self._initial_cc = cc_text
        # The customer's holder address book: the holder name's suggestions.
        self.holder_book = HolderSuggestions(holders)
        self.prefilled = form
        # Why the policy is not in force on the certificate's date (the service's words).
        self.refusal = refusal
        self.pdf: CertificatePdf | None = None
        self.attachment: tuple[str, bytes] | None = None
        self.attachment_error = ""
        self._attachment_path = ""
        self._initial_attachment_path = attachment_path
        self.errors: dict[str, str] = {}
        # Per field: the text the editor started with, and the stored text it shows.
        self._initial: dict[str, tuple[str, str]] = {}

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        form = self.prefilled
        with Vertical(id="dialog") as dialog:
            dialog.border_title = literal_line(
                f"Attempt automation: request #{self.detail.id} ({self.detail.type})")
            yield RequestBrief(self.detail)
            with VerticalScroll(id="fields"):
                for name, label in FIELD_LABELS.items():
                    yield from self._field_row(name, label, _field_text(form, name))
                yield TickBox("WOS (waiver of subrogation)", form.wos, id="wos", compact=True)
                yield TickBox("Proprietor / partner / officer / member excluded",
                              form.officers_excluded, id="officers-excluded", compact=True)
                yield TickBox("Send to certificate holder", id="to-holder", compact=True)
                yield Static("", id="holder-hint", classes="hint")
                yield from self._field_row(ATTACH, ATTACH_LABEL, self._initial_attachment_path,
                                           wide_label=True)
                yield from self._field_row(CC, CC_LABEL, self._initial_cc, wide_label=True)
            with Vertical(id="override"):
                yield Static(refusal_text(self.refusal or ""), id="policy-refusal")
                yield Input(id="override-reason", compact=True,
                            placeholder="why this certificate may be issued anyway")
            yield Static("", id="recipients")
            with Horizontal(id="buttons"):
                yield Button("Submit (ctrl+s)", id="submit", compact=True, variant="primary")
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield DeskFooter()

    def _field_row(self, name: str, label: str, value: str,
                   wide_label: bool = False) -> ComposeResult:
        editor: Widget
        value = self._shown(name, value)
        if name in MULTILINE:
            editor = TextArea(value, id=f"field-{name}", compact=True, soft_wrap=True,
                              show_line_numbers=False, tab_behavior="focus")
            editor.styles.height = MULTILINE[name]
        else:
            editor = Input(
                value, id=f"field-{name}", compact=True, select_on_focus=False,
                placeholder="YYYY-MM-DD" if name in DATES else (
                    "/path/to/certificate.pdf" if name == ATTACH else ""),
                restrict=r"[0-9,$]*" if name in LIMITS else None,
            )
        if wide_label:
            yield Label(label, classes="wide-label")
            yield editor
        else:
            with Horizontal(classes="row"):
                yield Label(label, classes="label")
                yield editor
        yield Static("", id=f"error-{name}", classes="error")

    def on_mount(self) -> None:
        holder_ok = is_valid_email(self.prefilled.holder_email.strip())
        self.query_one("#to-holder", Checkbox).value = self.detail.send_to_holder and holder_ok
        self.query_one("#override").display = self.refusal is not None
        self.query_one("#field-holder_name", Input).suggester = self.holder_book.suggester
        self.refresh_checks()
        if self.refusal is not None:
            self.query_one("#override-reason", Input).focus()
        else:
            self.query_one(f"#field-{next(iter(FIELD_LABELS))}").focus()
        if self.problem:
            self.notify(self.problem, title="Not issued: correct the form", severity="error",
                        markup=False, timeout=10)

    # -- reading and checking ---------------------------------------------------------------

    def _shown(self, name: str, stored: str) -> str:
        """What the editor of ``name`` shows for ``stored``: every control a placeholder."""
        shown = visible(stored) if name in MULTILINE else escaped(stored)
        self._initial[name] = (shown, stored)
        return shown

    def _text(self, name: str) -> str:
        """The field's text: the stored text while the editor still shows it unchanged."""
        widget = self.query_one(f"#field-{name}")
        text = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
        shown, stored = self._initial.get(name, (None, ""))
        return stored if text == shown else text

    def read_form(self) -> tuple[CertificateForm, dict[str, str]]:
        """The form as edited, and the problems by field (conversion first, then rules)."""
        form = self.prefilled
        errors: dict[str, str] = {}
        for name, label in FIELD_LABELS.items():
            try:
                form = form.with_changes({name: self._text(name)})
            except ValidationFailed as exc:
                message = str(exc)
                errors[name] = label.rstrip(" $") + message[len(name):] if message.startswith(
                    name + " ") else message
        form = replace(form, wos=self.query_one("#wos", Checkbox).value,
                       officers_excluded=self.query_one("#officers-excluded", Checkbox).value)
        problems = validate(form)
        if self.attachment is not None:
            # An issued certificate is sent as is: only the holder email still matters.
            problems = {k: v for k, v in problems.items() if k == "holder_email"}
        for name, problem in problems.items():
            errors.setdefault(name, f"{FIELD_LABELS[name].rstrip(' $')} {problem}")
        if self.attachment_error:
            errors[ATTACH] = self.attachment_error
        if problem := address_problem(self._text(CC)):
            errors[CC] = problem
        return form, errors

    def refresh_checks(self) -> None:
        """Show each problem next to its field and the recipients line, as typed."""
        self._load_attachment()
        form, self.errors = self.read_form()
        for name in (*FIELD_LABELS, ATTACH, CC):
            error = self.query_one(f"#error-{name}", Static)
            error.update(literal(self.errors.get(name, "")))
            error.display = name in self.errors
            self.query_one(f"#field-{name}").set_class(name in self.errors, "-invalid")
        to_holder = self.query_one("#to-holder", Checkbox)
        holder_ok = is_valid_email(form.holder_email.strip())
        if not holder_ok and to_holder.value:
            to_holder.value = False
        to_holder.disabled = not holder_ok
        hint = self.query_one("#holder-hint", Static)
        hint.display = not holder_ok
        hint.update("No valid holder email: enter one above to send it to the holder too.")
        self.query_one("#recipients", Static).update(literal(self.recipients(form)))

    def _load_attachment(self) -> None:
        path = self._text(ATTACH)
        if path != self._attachment_path:
            self._attachment_path = path
            self.pdf, self.attachment_error = read_pdf(path)
            self.attachment = self.pdf.attachment if self.pdf else None

    def recipients(self, form: CertificateForm) -> str:
        what = ("the generated certificate" if self.attachment is None
                else f"the attached certificate {one_line(self.attachment[0])}")
        return recipients_sentence(what, self.detail.customer_email, form.holder_email,
                                   self.query_one("#to-holder", Checkbox).value) + also_to(
                                       self._text(CC))

    @on(Input.Submitted, "#override-reason")
    def _reason_entered(self) -> None:
        self.action_submit()

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed, "#to-holder")
    def _edited(self) -> None:
        self.refresh_checks()

    @on(Input.Changed, "#field-holder_name")
    def _holder_named(self, event: Input.Changed) -> None:
        """A holder picked from the address book fills its address and email."""
        known = self.holder_book.picked(event.value)
        if known is not None and event.value != self._initial["holder_name"][0]:
            for key, value in HolderSuggestions.filled(known).items():
                self.query_one(f"#field-holder_{key}", Input).value = value

    @on(Checkbox.Changed, "#wos")
    def _wos_toggled(self, event: Checkbox.Changed) -> None:
        # Keep the standard description in step with WOS unless the user rewrote it.
        area = self.query_one("#field-description", TextArea)
        insured = self._text("insured_name")
        if self._text("description") == default_description(insured, not event.value):
            area.text = self._shown("description", default_description(insured, event.value))
        self.refresh_checks()

    # -- actions -----------------------------------------------------------------------------

    def action_submit(self) -> None:
        self.refresh_checks()
        form, errors = self.read_form()
        if errors:
            first = next(name for name in (*FIELD_LABELS, ATTACH, CC) if name in errors)
            self.query_one(f"#field-{first}").focus()
            fields = "1 field" if len(errors) == 1 else f"{len(errors)} fields"
            self.notify(
                f"Fix {fields} before submitting: "
                + "; ".join(errors[name] for name in (*FIELD_LABELS, ATTACH, CC)
                            if name in errors),
                title="Cannot submit yet", severity="error", markup=False,
            )
            return
        ok, override_reason = typed_override_reason(self, self.refusal)
        if not ok:
            return
        to_holder = self.query_one("#to-holder", Checkbox).value
        result = AutomationResult(form, to_holder, self.attachment, override_reason,
                                  self._text(ATTACH), typed_addresses(self._text(CC)))
        body = Text()
        if self.pdf is not None:
            body.append_text(wrong_file_line(
                self.pdf.wrong_file_warning(form.insured_name, form.holder_name)))
        if override_reason is not None:
            body.append("Issued although the policy is not in force, with your reason: ",
                        style="bold")
            body.append_text(literal(" ".join(override_reason.split())))
            body.append("\n")
        body.append_text(literal(self.recipients(form)))
        body.append(f"\nRequest #{self.detail.id} becomes Completed.")
        if form.wos and self.detail.type != RequestType.WOS:
            body.append(f"\nIt is relabelled WOS (was {self.detail.type}).")

        confirm_then_dismiss(self, f"Issue the certificate for request #{self.detail.id}?",
                             body, "Submit", result)
