"""The state rules of a certificate request: which action applies when, and why not.

Each ``why_not_*`` answers None when the action applies to the request, or the
sentence that explains why it does not. The service raises that sentence as an
``InvalidTransition``; the interface uses the same functions to decide what to
offer, so the rule lives here only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from certdesk_tui.domain import Brand, RequestType, Status


class RequestState(Protocol):
    """What the rules read of a request (an ORM row or a snapshot)."""

    id: int
    status: str
    type: str
    brand: str
    assignee_login: str | None


def _open(req: RequestState, verb: str) -> str | None:
    status = Status(req.status)
    if status.is_final:
        return f"request #{req.id} is {status.label.lower()}; it cannot be {verb}"
    return None


def why_not_mark_in_progress(req: RequestState, login: str) -> str | None:
    if reason := _open(req, "claimed"):
        return reason
    if req.status == Status.IN_PROGRESS and req.assignee_login == login:
        return f"request #{req.id} is already in progress with you"
    return None


def why_not_automate(req: RequestState, login: str) -> str | None:
    if reason := _open(req, "completed"):
        return reason
    if not Brand(req.brand).automation_supported:
        return (
            f"automation does not work for Cornerstone (CS) customers: upload the "
            f"carrier's certificate for request #{req.id} instead"
        )
    return None


def why_not_upload(req: RequestState, login: str) -> str | None:
    return _open(req, "completed")


def why_not_relabel(req: RequestState, login: str) -> str | None:
    if reason := _open(req, "relabelled"):
        return reason
    if req.type == RequestType.WOS:
        return f"request #{req.id} is already a waiver of subrogation (WOS)"
    return None


def why_not_reject(req: RequestState, login: str) -> str | None:
    return _open(req, "rejected")


def why_not_add_note(req: RequestState, login: str) -> str | None:
    return None


@dataclass(frozen=True)
class RequestAction:
    """One processing action: its id (also the keymap id), key, label and rule."""

    id: str
    key: str
    label: str
    description: str
    why_not: Callable[[RequestState, str], str | None]
    destructive: bool = False


REQUEST_ACTIONS: tuple[RequestAction, ...] = (
    RequestAction("mark_in_progress", "m", "Claim",
                  "Mark in progress: claim the request for yourself",
                  why_not_mark_in_progress),
    RequestAction("automate", "a", "Automate", "Attempt automation: review the prefilled "
                  "certificate and issue it", why_not_automate, destructive=True),
    RequestAction("upload", "u", "Upload", "Upload a certificate PDF issued elsewhere",
                  why_not_upload, destructive=True),
    RequestAction("relabel", "w", "WOS", "Relabel as a waiver of subrogation (WOS)",
                  why_not_relabel),
    RequestAction("reject", "x", "Reject", "Reject with a reason (emailed to the customer)",
                  why_not_reject, destructive=True),
    RequestAction("add_note", "n", "Note", "Add an internal note", why_not_add_note),
)

ACTIONS_BY_ID = {action.id: action for action in REQUEST_ACTIONS}
