"""The flows of the queue's first round: claim, relabel, complete, reject, note.

Each flow imports its dialog when it opens it: the desk's first frame does not wait for
the forms of actions nobody has taken yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.screen import Screen

from certdesk_tui.domain import Status, workflow
from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.holders import HolderView
from certdesk_tui.domain.views import ReasonView, RequestDetail, RequestRow
from certdesk_tui.screens.flows.base import (
    CompletingFlow,
    Flow,
    ImmediateFlow,
    Notice,
)
from certdesk_tui.text import literal_line

if TYPE_CHECKING:
    from certdesk_tui.screens.automation_form import AutomationResult
    from certdesk_tui.screens.upload import UploadResult
    from certdesk_tui.service import Desk
    from certdesk_tui.service.completion import Completion


class StartFlow(ImmediateFlow):
    """Mark in progress: no dialog, claim the request for yourself."""

    action_id = "start"
    key = "m"
    label = "Mark in progress"
    footer = "Claim"
    help = "Mark in progress: claim the request for yourself"

    def perform(self, answer: None, take_over: bool) -> None:
        self.desk.start(self.request_id, expected_version=self.expected_version(take_over),
                        take_over=take_over)

    def after(self, result: None, answer: None) -> Notice:
        return Notice(f"Request #{self.request_id} is in progress with you.")


class RelabelFlow(Flow[None, "bool | str", RequestRow]):
    """Relabel as WOS after a confirmation that says what it means (the charge); on a
    request relabelled as WOS, relabel it back to its submitted type with a reason."""

    action_id = "relabel"
    key = "w"
    label = "Relabel as WOS"
    footer = "WOS"
    help = ("Relabel as a waiver of subrogation (WOS), a paid item: asks first; on a "
            "request relabelled as WOS, relabel it back with a reason")

    def __init__(self, desk: Desk, row: RequestRow) -> None:
        super().__init__(desk, row)
        self.row = row
        self.back = workflow.relabelled_back(row)

    def prepare(self) -> None:
        return None

    def dialog(self, prepared: None) -> Screen[Any]:
        from certdesk_tui.screens.confirm import ConfirmScreen
        from certdesk_tui.screens.text_prompt import TextPromptScreen

        row = self.row
        if self.back:
            body = Text(f"Request #{row.id} was submitted as a {row.submitted_type} and "
                        f"relabelled as WOS. Relabelled back it is a {row.submitted_type} again "
                        "(no waiver, no WOS charge); your reason is logged.")
            return TextPromptScreen(f"Relabel request #{row.id} back to {row.submitted_type}?",
                                    placeholder="Reason (logged), e.g. customer asked for a COI",
                                    body=body)
        body = Text()
        body.append("Request #")
        body.append(str(row.id))
        body.append(" (")
        body.append_text(literal_line(row.customer_name))
        body.append(f") becomes a WOS instead of a {row.type}.\n")
        body.append(workflow.WOS_CHARGE[:1].upper() + workflow.WOS_CHARGE[1:] + ".",
                    style="bold")
        body.append("\nLogged; w again relabels it back (with a reason).")
        return ConfirmScreen(f"Relabel request #{row.id} as WOS?", body, "Relabel as WOS")

    def wants(self, answer: bool | str | None) -> bool:
        return bool(answer)

    def perform(self, answer: bool | str, take_over: bool) -> RequestRow:
        return self.desk.relabel(
            self.request_id, expected_version=self.expected_version(take_over),
            take_over=take_over, back_reason=answer if isinstance(answer, str) else None)

    def after(self, result: RequestRow, answer: bool | str) -> Notice:
        if isinstance(answer, str):
            return Notice(f"Request #{self.request_id} relabelled back to {result.type}.")
        return Notice(f"Request #{self.request_id} relabelled as WOS.")


@dataclass(frozen=True)
class AutomationStart:
    detail: RequestDetail
    form: CertificateForm
    refusal: str | None
    # The customer's holder address book, suggested as the holder's name is typed.
    holders: list[HolderView] = field(default_factory=list)


class AutomateFlow(CompletingFlow[AutomationStart, "AutomationResult"]):
    """Attempt automation: the prefilled certificate form, then issue it."""

    action_id = "automate"
    key = "a"
    label = "Attempt automation"
    footer = "Automate"
    help = "Attempt automation: review the prefilled certificate and issue it"
    detail: RequestDetail
    holders: list[HolderView]

    def __init__(self, desk: Desk, row: RequestRow) -> None:
        super().__init__(desk, row)
        self.status = row.status

    def prepare(self) -> AutomationStart:
        if self.status == Status.NEW:
            # Opening the form on a New request claims it: nobody else starts it meanwhile.
            self.version = self.desk.start(self.request_id,
                                           expected_version=self.version).version
            self.claimed = True
        form = self.desk.automation_prefill(self.request_id)
        detail = self.desk.request(self.request_id)
        return AutomationStart(detail, form, self.desk.policy_refusal(self.request_id, form),
                               self.desk.holders(detail.row.customer_code))

    def dialog(self, prepared: AutomationStart) -> Screen[Any]:
        from certdesk_tui.screens.automation_form import AutomationFormScreen

        self.detail = prepared.detail
        self.version = prepared.detail.version
        self.holders = prepared.holders
        self.refusal = prepared.refusal
        return AutomationFormScreen(prepared.detail, prepared.form, prepared.refusal, "",
                                    prepared.holders)

    def complete(self, answer: AutomationResult, take_over: bool) -> Completion:
        return self.desk.automate(
            self.request_id, form=answer.form, to_holder=answer.to_holder,
            attachment=answer.attachment, override_reason=answer.override_reason,
            cc=answer.cc, expected_version=self.expected_version(take_over),
            take_over=take_over)

    def override_reason(self, answer: AutomationResult) -> str | None:
        return answer.override_reason

    def reopen(self, answer: AutomationResult, refusal: str | None,
               problem: str = "") -> Screen[Any]:
        from certdesk_tui.screens.automation_form import AutomationFormScreen

        screen = AutomationFormScreen(self.detail, answer.form, refusal,
                                      answer.attachment_path, self.holders,
                                      ", ".join(answer.cc), problem=problem)
        screen.reopened = True
        return screen


@dataclass(frozen=True)
class UploadStart:
    detail: RequestDetail
    refusal: str | None


class UploadFlow(CompletingFlow[UploadStart, "UploadResult"]):
    """Upload certificate: pick a PDF issued elsewhere, then send it."""

    action_id = "upload"
    key = "u"
    label = "Upload certificate"
    footer = "Upload"
    help = "Upload a certificate PDF issued elsewhere"
    detail: RequestDetail

    def prepare(self) -> UploadStart:
        return UploadStart(self.desk.request(self.request_id),
                           self.desk.policy_refusal(self.request_id))

    def dialog(self, prepared: UploadStart) -> Screen[Any]:
        from certdesk_tui.screens.upload import UploadScreen

        self.detail = prepared.detail
        self.version = prepared.detail.version
        self.refusal = prepared.refusal
        return UploadScreen(prepared.detail, refusal=prepared.refusal, path="")

    def complete(self, answer: UploadResult, take_over: bool) -> Completion:
        return self.desk.upload(
            self.request_id, answer.file_name, answer.data, to_holder=answer.to_holder,
            override_reason=answer.override_reason, cc=answer.cc,
            expected_version=self.expected_version(take_over), take_over=take_over)

    def override_reason(self, answer: UploadResult) -> str | None:
        return answer.override_reason

    def reopen(self, answer: UploadResult, refusal: str | None,
               problem: str = "") -> Screen[Any]:
        from certdesk_tui.screens.upload import UploadScreen

        screen = UploadScreen(self.detail, refusal=refusal, path=answer.path,
                              cc_text=", ".join(answer.cc), problem=problem)
        screen.reopened = True
        return screen


@dataclass(frozen=True)
class RejectStart:
    detail: RequestDetail
    reasons: list[ReasonView]


class RejectFlow(Flow[RejectStart, int, None]):
    """Reject: pick a configured reason, see the customer's email, confirm."""

    action_id = "reject"
    key = "x"
    label = "Reject"
    footer = "Reject"
    help = "Reject with a reason (emailed to the customer)"

    def prepare(self) -> RejectStart:
        return RejectStart(self.desk.request(self.request_id), self.desk.reasons())

    def dialog(self, prepared: RejectStart) -> Screen[Any]:
        from certdesk_tui.screens.reject import RejectScreen

        self.version = prepared.detail.version
        return RejectScreen(prepared.detail, prepared.reasons)

    def perform(self, answer: int, take_over: bool) -> None:
        self.desk.reject(self.request_id, answer,
                         expected_version=self.expected_version(take_over), take_over=take_over)

    def after(self, result: None, answer: int) -> Notice:
        return Notice(f"Request #{self.request_id} rejected; the customer is emailed the reason.")


class NoteFlow(Flow[RequestDetail, str, None]):
    """Add note: an internal note on the request, whoever holds it."""

    action_id = "note"
    key = "n"
    label = "Add note"
    footer = "Note"
    help = "Add an internal note"
    take_over_allowed = False

    def prepare(self) -> RequestDetail:
        return self.desk.request(self.request_id)

    def dialog(self, prepared: RequestDetail) -> Screen[Any]:
        from certdesk_tui.screens.note import NoteScreen

        return NoteScreen(prepared)

    def wants(self, answer: str | None) -> bool:
        return bool(answer)

    def perform(self, answer: str, take_over: bool) -> None:
        self.desk.note(self.request_id, answer)

    def after(self, result: None, answer: str) -> Notice:
        return Notice(f"Note added to request #{self.request_id}.")
