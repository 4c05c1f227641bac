"""What the dashboard's workers tell it: one typed message per kind of answer.

A processing action's reads and service call, the preview's read and the mail
delivery run in ``@work`` thread workers and answer with one of these; a
worker that fails reaches the dashboard's one worker-error handler instead.
(The queue's own messages are nested in ``QueueTab``, which sends them.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from certdesk_tui.domain.views import RequestDetail

if TYPE_CHECKING:
    from certdesk_tui.screens.flows import Flow


class PreviewLoaded(Message):
    """A fresh detail to open in the preview."""

    def __init__(self, detail: RequestDetail) -> None:
        super().__init__()
        self.detail = detail


class MailDelivered(Message):
    """A round of background email delivery ended (``problem`` when it could not run)."""

    def __init__(self, failing_emails: int, problem: str | None) -> None:
        super().__init__()
        self.failing_emails = failing_emails
        self.problem = problem

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, MailDelivered)


class FlowPrepared(Message):
    """What a processing action's dialog needs has been read; the dialog can open."""

    def __init__(self, flow: Flow[Any, Any, Any], prepared: object) -> None:
        super().__init__()
        self.flow = flow
        self.prepared = prepared


class TakeOverOffered(Message):
    """The request is held by someone else; a manager may take it over."""

    def __init__(self, flow: Flow[Any, Any, Any], answer: object, reason: str,
                 before: bool = False) -> None:
        super().__init__()
        self.flow = flow
        self.answer = answer
        self.reason = reason
        self.before = before
        """Offered when the key was pressed, before any dialog opened."""


class ActionDone(Message):
    """A processing action's service call, given the dialog's ``answer``, returned ``result``."""

    def __init__(self, flow: Flow[Any, Any, Any], answer: object, result: object) -> None:
        super().__init__()
        self.flow = flow
        self.answer = answer
        self.result = result
