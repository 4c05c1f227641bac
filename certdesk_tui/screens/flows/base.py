"""What every flow is: the three steps, and the notice it ends with."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

from textual.screen import Screen

from certdesk_tui.domain.errors import (
    AlreadyClaimed,
    CertdeskError,
    DatabaseUnavailable,
    PolicyNotInForce,
    StaleRequest,
    ValidationFailed,
)
from certdesk_tui.domain.views import RequestRow

if TYPE_CHECKING:
    from certdesk_tui.service import Desk
    from certdesk_tui.service.completion import Completion

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


class ImmediateFlow(Flow[None, None, None]):
    """An action without a dialog: nothing to read first, performed at once."""

    dialog_free = True

    def prepare(self) -> None:
        return None

    def dialog(self, prepared: None) -> None:
        return None

    def wants(self, answer: None) -> bool:
        return True


def completed(done: Completion) -> Notice:
    # Short: the addresses were read in the confirmation; the panel lists the emails.
    sent = (f"{len(done.emailed)} email(s) queued" if done.emailed
            else "no email (no valid address)")
    return Notice(f"Request #{done.request_id} completed with certificate "
                  f"{done.certificate_number}; {sent}.", title="Completed", timeout=5)


class CompletingFlow(Flow[Prepared, Answer,
                          "Completion | PolicyNotInForce | ValidationFailed"]):
    """An action that issues a certificate: a policy not in force on the certificate's
    date reopens the dialog with the reason and a field for the override reason; a
    field the service refuses (a character no certificate can print, say) reopens it
    with what was typed and the refusal, to be corrected."""

    refusal: str | None = None
    """The policy refusal the dialog shows (None: the policy is in force)."""

    def perform(self, answer: Answer,
                take_over: bool) -> Completion | PolicyNotInForce | ValidationFailed:
        try:
            return self.complete(answer, take_over)
        except PolicyNotInForce as refusal:
            if self.override_reason(answer) is not None:
                raise  # the reason was given and still refused: say so
            return refusal
        except ValidationFailed as problem:
            return problem

    @abstractmethod
    def complete(self, answer: Answer, take_over: bool) -> Completion: ...

    @abstractmethod
    def override_reason(self, answer: Answer) -> str | None: ...

    @abstractmethod
    def reopen(self, answer: Answer, refusal: str | None, problem: str = "") -> Screen[Any]:
        """The dialog again with what was typed: with a policy ``refusal`` (and its
        override field), and the service's ``problem`` with the input, if any."""

    def after(self, result: Completion | PolicyNotInForce | ValidationFailed,
              answer: Answer) -> Notice | Screen[Any]:
        if isinstance(result, PolicyNotInForce):
            self.refusal = str(result)
            return self.reopen(answer, self.refusal)
        if isinstance(result, ValidationFailed):
            return self.reopen(answer, self.refusal, str(result))
        return completed(result)
