"""One small class per processing action: what it opens, what it calls, what it says.

A flow is driven by the dashboard in three steps:

1. ``prepare`` (in a worker thread) reads what the dialog needs;
2. ``dialog`` is the modal screen that asks for the answer (``None``: no dialog);
3. ``perform`` (in a worker thread) makes the one service call, and ``after``
   says what the desk reports, or reopens the dialog (a policy refusal that
   needs an override reason).

The dashboard offers a manager the take-over of a request someone else holds,
and turns every refusal into a notification; a flow only knows its action.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Literal, TypeVar

from rich.text import Text
from textual.screen import Screen

from certdesk_tui.domain import Status, workflow
from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.errors import (
    AlreadyClaimed,
    CertdeskError,
    DatabaseUnavailable,
    PolicyNotInForce,
    StaleRequest,
)
from certdesk_tui.domain.holders import HolderView
from certdesk_tui.domain.views import ReasonView, RequestDetail, RequestRow
from certdesk_tui.screens.automation_form import AutomationFormScreen, AutomationResult
from certdesk_tui.screens.confirm import ConfirmScreen
from certdesk_tui.screens.note import NoteScreen
from certdesk_tui.screens.reissue import ReissueResult, ReissueScreen
from certdesk_tui.screens.reject import RejectScreen
from certdesk_tui.screens.resend import ResendResult, ResendScreen
from certdesk_tui.screens.text_prompt import TextPromptScreen
from certdesk_tui.screens.upload import UploadResult, UploadScreen
from certdesk_tui.service import Completion, Desk, Resent, Revision
from certdesk_tui.text import literal_line

Prepared = TypeVar("Prepared")
Answer = TypeVar("Answer")
Result = TypeVar("Result")


Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True)
class Notice:
    """What the desk says when an action is done, or when a worker failed."""

    message: str
    title: str = ""
    timeout: float | None = None
    severity: Severity = "information"


def failure_notice(error: BaseException | None) -> Notice:
    """A failed worker in words: a refusal as its kind says it, anything else named."""
    if isinstance(error, StaleRequest) and not isinstance(error, AlreadyClaimed):
        return Notice(str(error), error.title, timeout=10, severity="warning")
    if isinstance(error, AlreadyClaimed):
        return Notice(str(error), error.title, severity="warning")
    if isinstance(error, DatabaseUnavailable):
        said = str(error)
        return Notice(f"{said[:1].upper()}{said[1:]}. Try again (r refreshes).", error.title,
                      severity="error")
    if isinstance(error, CertdeskError):
        return Notice(str(error), error.title, timeout=8, severity="error")
    return Notice(f"{type(error).__name__}: {error}", "Unexpected error", severity="error")


class Flow(ABC, Generic[Prepared, Answer, Result]):
    """One processing action on one request, from its key to what the desk says."""

    action_id: ClassVar[str]
    """The domain's id of the action (``domain.workflow.REQUEST_ACTIONS``)."""
    # How the desk presents it (the action registry in ``actions.py`` reads these):
    key: ClassVar[str]
    label: ClassVar[str]
    """The action in the desk's words: the help and the command palette."""
    footer: ClassVar[str | None]
    """The footer's short label (``None``: help and palette only)."""
    help: ClassVar[str]
    take_over_allowed: ClassVar[bool] = True
    """Whether a request someone else holds may be taken over for this action."""
    dialog_free: ClassVar[bool] = False
    """Performed at once, no dialog (a take-over is then the action itself)."""
    claimed: bool = False
    """Whether opening the dialog claimed the request (the queue reloads to show it)."""

    def __init__(self, desk: Desk, row: RequestRow) -> None:
        self.desk = desk
        self.request_id = row.id
        # The version the user read: a change by someone else since is refused (StaleRequest).
        self.version = row.version

    @abstractmethod
    def prepare(self) -> Prepared:
        """Read what the dialog needs (in a worker thread)."""

    @abstractmethod
    def dialog(self, prepared: Prepared) -> Screen[Any] | None:
        """The dialog that asks for the answer; ``None`` performs the action at once."""

    def wants(self, answer: Answer | None) -> bool:
        """Whether the dialog's answer goes ahead (``None`` is a cancel)."""
        return answer is not None

    def expected_version(self, take_over: bool) -> int | None:
        # Taking over is a decision made knowing the request changed hands.
        return None if take_over else self.version

    @abstractmethod
    def perform(self, answer: Answer, take_over: bool) -> Result:
        """The service call (in a worker thread)."""

    @abstractmethod
    def after(self, result: Result, answer: Answer) -> Notice | Screen[Any]:
        """What the desk says when the call returned, or the dialog it reopens."""


class _ImmediateFlow(Flow[None, None, None]):
    """An action without a dialog: nothing to read first, performed at once."""

    dialog_free = True

    def prepare(self) -> None:
        return None

    def dialog(self, prepared: None) -> None:
        return None

    def wants(self, answer: None) -> bool:
        return True


class StartFlow(_ImmediateFlow):
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


def completed(done: Completion) -> Notice:
    # Short: the addresses were read in the confirmation; the panel lists the emails.
    sent = (f"{len(done.emailed)} email(s) queued" if done.emailed
            else "no email (no valid address)")
    return Notice(f"Request #{done.request_id} completed with certificate "
                  f"{done.certificate_number}; {sent}.", title="Completed", timeout=5)


class _CompletingFlow(Flow[Prepared, Answer, "Completion | PolicyNotInForce"]):
    """An action that issues a certificate: a policy not in force on the certificate's
    date reopens the dialog with the reason and a field for the override reason."""

    def perform(self, answer: Answer, take_over: bool) -> Completion | PolicyNotInForce:
        try:
            return self.complete(answer, take_over)
        except PolicyNotInForce as refusal:
            if self.override_reason(answer) is not None:
                raise  # the reason was given and still refused: say so
            return refusal

    @abstractmethod
    def complete(self, answer: Answer, take_over: bool) -> Completion: ...

    @abstractmethod
    def override_reason(self, answer: Answer) -> str | None: ...

    @abstractmethod
    def reopen(self, answer: Answer, refusal: str) -> Screen[Any]: ...

    def after(self, result: Completion | PolicyNotInForce,
              answer: Answer) -> Notice | Screen[Any]:
        if isinstance(result, PolicyNotInForce):
            return self.reopen(answer, str(result))
        return completed(result)


@dataclass(frozen=True)
class AutomationStart:
    detail: RequestDetail
    form: CertificateForm
    refusal: str | None
    # The customer's holder address book, suggested as the holder's name is typed.
    holders: list[HolderView] = field(default_factory=list)


class AutomateFlow(_CompletingFlow[AutomationStart, AutomationResult]):
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
        self.detail = prepared.detail
        self.version = prepared.detail.version
        self.holders = prepared.holders
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

    def reopen(self, answer: AutomationResult, refusal: str) -> Screen[Any]:
        return AutomationFormScreen(self.detail, answer.form, refusal, answer.attachment_path,
                                    self.holders, ", ".join(answer.cc))


@dataclass(frozen=True)
class UploadStart:
    detail: RequestDetail
    refusal: str | None


class UploadFlow(_CompletingFlow[UploadStart, UploadResult]):
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
        self.detail = prepared.detail
        self.version = prepared.detail.version
        return UploadScreen(prepared.detail, refusal=prepared.refusal, path="")

    def complete(self, answer: UploadResult, take_over: bool) -> Completion:
        return self.desk.upload(
            self.request_id, answer.file_name, answer.data, to_holder=answer.to_holder,
            override_reason=answer.override_reason, cc=answer.cc,
            expected_version=self.expected_version(take_over), take_over=take_over)

    def override_reason(self, answer: UploadResult) -> str | None:
        return answer.override_reason

    def reopen(self, answer: UploadResult, refusal: str) -> Screen[Any]:
        return UploadScreen(self.detail, refusal=refusal, path=answer.path,
                            cc_text=", ".join(answer.cc))


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
        return NoteScreen(prepared)

    def wants(self, answer: str | None) -> bool:
        return bool(answer)

    def perform(self, answer: str, take_over: bool) -> None:
        self.desk.note(self.request_id, answer)

    def after(self, result: None, answer: str) -> Notice:
        return Notice(f"Note added to request #{self.request_id}.")


class ResendFlow(Flow[RequestDetail, ResendResult, Resent]):
    """Resend: the current certificate again, to the customer, the holder, other addresses."""

    action_id = "resend"
    key = "e"
    label = "Resend certificate"
    footer = None
    help = "Resend (email again) the current certificate to the customer, holder or others"
    take_over_allowed = False

    def prepare(self) -> RequestDetail:
        return self.desk.request(self.request_id)

    def dialog(self, prepared: RequestDetail) -> Screen[Any]:
        self.version = prepared.version
        return ResendScreen(prepared)

    def perform(self, answer: ResendResult, take_over: bool) -> Resent:
        return self.desk.resend(self.request_id, to_customer=answer.to_customer,
                                to_holder=answer.to_holder, others=answer.others,
                                expected_version=self.expected_version(take_over))

    def after(self, result: Resent, answer: ResendResult) -> Notice:
        return Notice(f"Certificate {result.certificate_number} revision {result.revision} "
                      f"queued again to {', '.join(result.emailed)}.", title="Resent",
                      timeout=8)


@dataclass(frozen=True)
class ReissueStart:
    detail: RequestDetail
    form: CertificateForm
    # The customer's holder address book, suggested as the holder's name is typed.
    holders: list[HolderView] = field(default_factory=list)


class ReissueFlow(Flow[ReissueStart, ReissueResult, "Revision | PolicyNotInForce"]):
    """Reissue: the next revision of the certificate, with the corrections and a reason."""

    action_id = "reissue"
    key = "v"
    label = "Reissue certificate"
    footer = None
    help = "Reissue: a corrected certificate, same number, next revision (a reason required)"
    take_over_allowed = False
    detail: RequestDetail
    holders: list[HolderView]

    def prepare(self) -> ReissueStart:
        detail = self.desk.request(self.request_id)
        return ReissueStart(detail, self.desk.revision_prefill(self.request_id),
                            self.desk.holders(detail.row.customer_code))

    def dialog(self, prepared: ReissueStart) -> Screen[Any]:
        self.detail = prepared.detail
        self.form = prepared.form
        self.version = prepared.detail.version
        self.holders = prepared.holders
        return ReissueScreen(prepared.detail, prepared.form, holders=prepared.holders)

    def perform(self, answer: ReissueResult, take_over: bool) -> Revision | PolicyNotInForce:
        try:
            return self.desk.reissue(
                self.request_id, reason=answer.reason, changes=answer.changes,
                attachment=answer.attachment, to_holder=answer.to_holder, cc=answer.cc,
                override_reason=answer.override_reason,
                expected_version=self.expected_version(take_over))
        except PolicyNotInForce as refusal:
            if answer.override_reason is not None:
                raise
            return refusal

    def after(self, result: Revision | PolicyNotInForce,
              answer: ReissueResult) -> Notice | Screen[Any]:
        if isinstance(result, PolicyNotInForce):
            return ReissueScreen(self.detail, self.form, str(result), answer.typed,
                                 self.holders)
        to = ", ".join(result.emailed) if result.emailed else "nobody (no valid address)"
        return Notice(f"Certificate {result.certificate_number} revision {result.revision} "
                      f"issued (revision {result.superseded} superseded); emails queued to "
                      f"{to}.", title="Reissued", timeout=8)


PROCESSING_FLOWS: tuple[type[Flow[Any, Any, Any]], ...] = (
    StartFlow, AutomateFlow, UploadFlow, RelabelFlow, RejectFlow, NoteFlow, ResendFlow,
    ReissueFlow,
)
"""Every processing action the desk offers, in the footer's order."""
