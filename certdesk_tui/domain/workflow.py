"""The state rules of a certificate request: which action applies when, and why not.

Each processing action is declared once, in ``REQUEST_ACTIONS``: its id (the one
name of the service method, the command, the binding and its activity kind),
the permission it needs and its rule. Each ``why_not_*`` answers None when the
action applies to the request, or the sentence that explains why it does not.
The service raises that sentence as an ``InvalidTransition``; the interface uses
the same functions to decide what to offer, so the rule lives here only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.vocabulary import Brand, RequestType, Status


class RequestState(Protocol):
    """What the rules read of a request (an ORM row or a snapshot)."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def brand(self) -> str: ...
    @property
    def assignee_login(self) -> str | None: ...


def _open(req: RequestState, verb: str) -> str | None:
    status = Status(req.status)
    if status.is_final:
        return f"request #{req.id} is {status.label.lower()}; it cannot be {verb}"
    return None


def why_not_start(req: RequestState, login: str) -> str | None:
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


def why_not_note(req: RequestState, login: str) -> str | None:
    return None


@dataclass(frozen=True)
class RequestAction:
    """One processing action: its id, who may run it and when it applies.

    How the interface shows it (key, label, help) is the interface's own business.
    """

    id: str
    permission: Permission
    why_not: Callable[[RequestState, str], str | None]
    # Works on the request as its holder: only in the queue, on the version the user
    # read, and not while someone else holds it (a manager may take it over).
    # A note is added to any request, whoever holds it.
    holds_the_request: bool = True


REQUEST_ACTIONS: tuple[RequestAction, ...] = (
    RequestAction("start", Permission.PROCESS, why_not_start),
    RequestAction("automate", Permission.PROCESS, why_not_automate),
    RequestAction("upload", Permission.PROCESS, why_not_upload),
    RequestAction("relabel", Permission.PROCESS, why_not_relabel),
    RequestAction("reject", Permission.PROCESS, why_not_reject),
    RequestAction("note", Permission.PROCESS, why_not_note, holds_the_request=False),
)

ACTIONS_BY_ID: dict[str, RequestAction] = {action.id: action for action in REQUEST_ACTIONS}
