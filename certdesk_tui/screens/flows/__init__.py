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

from typing import Any

from certdesk_tui.screens.flows.base import Flow, Notice, Severity, completed, failure_notice
from certdesk_tui.screens.flows.queue import (
    AutomateFlow,
    AutomationStart,
    NoteFlow,
    RejectFlow,
    RejectStart,
    RelabelFlow,
    StartFlow,
    UploadFlow,
    UploadStart,
)
from certdesk_tui.screens.flows.revisions import ReissueFlow, ReissueStart, ResendFlow

PROCESSING_FLOWS: tuple[type[Flow[Any, Any, Any]], ...] = (
    StartFlow, AutomateFlow, UploadFlow, RelabelFlow, RejectFlow, NoteFlow, ResendFlow,
    ReissueFlow,
)
"""Every processing action the desk offers, in the footer's order."""

__all__ = [
    "PROCESSING_FLOWS", "AutomateFlow", "AutomationStart", "Flow", "NoteFlow", "Notice",
    "ReissueFlow", "ReissueStart", "RejectFlow", "RejectStart", "RelabelFlow", "ResendFlow",
    "Severity", "StartFlow", "UploadFlow", "UploadStart", "completed", "failure_notice",
]
