"""Upload a certificate issued elsewhere: pick a PDF, choose who gets it, confirm once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text, TextType
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DirectoryTree, Input, Label, Static

from certdesk_tui.domain.addresses import is_valid as is_valid_email
from certdesk_tui.domain.views import RequestDetail
from certdesk_tui.pdf.upload_check import CertificatePdf
from certdesk_tui.screens.automation_form import (
    TickBox,
    read_pdf,
    recipients_sentence,
    refusal_text,
    typed_override_reason,
    wrong_file_line,
)
from certdesk_tui.screens.brief import RequestBrief
from certdesk_tui.screens.confirm import SubmitOrCancel, confirm_then_dismiss
from certdesk_tui.screens.recipients import CC_LABEL, address_problem, also_to, typed_addresses
from certdesk_tui.text import literal, literal_line, one_line
from certdesk_tui.widgets.footer import DeskFooter


@dataclass(frozen=True)
class UploadResult:
    file_name: str
    data: bytes
    to_holder: bool
    # The written reason to issue although the policy is not in force (None: no refusal).
    override_reason: str | None = None
    # The path as typed, to reopen the dialog with it (not part of what is submitted).
    path: str = field(default="", compare=False)
    # Extra recipients, each emailed the certificate in a message of their own.
    cc: tuple[str, ...] = ()


class PdfTree(DirectoryTree):
    """Directories and PDF files only (hidden entries left out)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            path for path in paths
            if not path.name.startswith(".")
            and (path.is_dir() or path.suffix.lower() == ".pdf")
        ]

    def process_label(self, label: TextType) -> Text:
        # A file name can carry control characters (a download named by its sender).
        return super().process_label(literal_line(label) if isinstance(label, str) else label)


class UploadScreen(SubmitOrCancel, ModalScreen["UploadResult | None"]):
    """Dismisses an UploadResult (the file read and checked), or None."""

    CSS_PATH = "upload.tcss"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", id="upload.submit"),
        Binding("escape", "cancel", "Cancel", id="upload.cancel"),
    ]

    def __init__(self, detail: RequestDetail, start_dir: Path | None = None,
                 refusal: str | None = None, path: str = "", cc_text: str = "",
                 problem: str = "") -> None:
        super().__init__()
        # Why the service refused the upload as submitted (reopened with what was typed).
        self.problem = problem
        self.initial_cc = cc_text
        self.detail = detail
        self.start_dir = start_dir if start_dir is not None else Path.cwd()
        # Why the policy is not in force on the certificate's date (the service's words).
        self.refusal = refusal
        self.initial_path = path
        self.pdf: CertificatePdf | None = None
        self.attachment: tuple[str, bytes] | None = None
        self.error = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = literal_line(
                f"Upload a certificate for request #{self.detail.id}")
            yield RequestBrief(self.detail)
            yield PdfTree(self.start_dir, id="tree")
            with Horizontal(id="path-row"):
                yield Label("PDF file", classes="label")
                yield Input(self.initial_path,
                            placeholder="type a path, or pick one above with enter",
                            id="path", compact=True)
            yield Static("", id="error")
            yield TickBox("Send to certificate holder", id="to-holder", compact=True,
                           value=self.holder_ok and self.detail.send_to_holder,
                           disabled=not self.holder_ok)
            if not self.holder_ok:
                yield Static("No valid holder email on the request: the customer gets it.",
                             classes="hint")
            with Horizontal(id="cc-row"):
                yield Label("Also to", classes="label")
                yield Input(self.initial_cc, placeholder=CC_LABEL, id="cc", compact=True)
            with Vertical(id="override"):
                yield Static(refusal_text(self.refusal or ""), id="policy-refusal")
                yield Input(id="override-reason", compact=True,
                            placeholder="why this certificate may be issued anyway")
            yield Static("", id="recipients")
            with Horizontal(id="buttons"):
                yield Button("Submit (ctrl+s)", id="submit", compact=True, variant="primary")
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield DeskFooter()

    @property
    def holder_ok(self) -> bool:
        return is_valid_email(self.detail.holder_email.strip())

    def on_mount(self) -> None:
        self.query_one("#override").display = self.refusal is not None
        self.refresh_checks()
        if self.refusal is not None:
            self.query_one("#override-reason", Input).focus()
        else:
            self.query_one("#tree", PdfTree).focus()
        if self.problem:
            self.notify(self.problem, title="Not issued: correct the upload", severity="error",
                        markup=False, timeout=10)

    def refresh_checks(self) -> None:
        self.pdf, self.error = read_pdf(self.query_one("#path", Input).value)
        self.attachment = self.pdf.attachment if self.pdf else None
        error = self.query_one("#error", Static)
        error.update(literal(self.error))
        error.display = bool(self.error)
        self.query_one("#recipients", Static).update(literal(self.recipients()))

    def recipients(self) -> str:
        what = ("the certificate" if self.attachment is None
                else f"the certificate {one_line(self.attachment[0])}")
        return recipients_sentence(what, self.detail.customer_email, self.detail.holder_email,
                                   self.query_one("#to-holder", Checkbox).value) + also_to(
                                       self.query_one("#cc", Input).value)

    @on(Input.Changed, "#path")
    @on(Input.Changed, "#cc")
    @on(Checkbox.Changed, "#to-holder")
    def _edited(self) -> None:
        self.refresh_checks()

    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.query_one("#path", Input).value = str(event.path)
        # The next Enter submits: the file is right there to confirm.
        self.query_one("#submit", Button).focus()

    @on(Input.Submitted, "#path")
    @on(Input.Submitted, "#override-reason")
    def _path_entered(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        self.refresh_checks()
        if self.attachment is None:
            self.query_one("#path", Input).focus()
            self.notify(self.error or "Pick a PDF file first.", title="Cannot submit yet",
                        severity="error", markup=False)
            return
        cc_text = self.query_one("#cc", Input).value
        if problem := address_problem(cc_text):
            self.query_one("#cc", Input).focus()
            self.notify(problem, title="Cannot submit yet", severity="error", markup=False)
            return
        ok, override_reason = typed_override_reason(self, self.refusal)
        if not ok:
            return
        name, data = self.attachment
        to_holder = self.query_one("#to-holder", Checkbox).value
        result = UploadResult(name, data, to_holder, override_reason,
                              self.query_one("#path", Input).value, typed_addresses(cc_text))
        body = Text()
        if self.pdf is not None:
            body.append_text(wrong_file_line(self.pdf.wrong_file_warning(
                self.detail.row.customer_name, self.detail.row.holder_name)))
        if override_reason is not None:
            body.append("Issued although the policy is not in force, with your reason: ",
                        style="bold")
            body.append_text(literal(" ".join(override_reason.split())))
            body.append("\n")
        body.append_text(literal(self.recipients()))
        body.append(f"\nRequest #{self.detail.id} becomes Completed.")

        confirm_then_dismiss(self, f"Upload {one_line(name)} for request #{self.detail.id}?",
                             body, "Submit", result)
