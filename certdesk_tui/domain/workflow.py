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

from certdesk_tui.domain.permissions import Actor, Permission
from certdesk_tui.domain.vocabulary import Brand, RequestType, Status
from certdesk_tui.domain.written import deceiving_character, is_blank


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
    @property
    def submitted_type(self) -> str: ...


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
            f"automation does not work for Cornerstone customers: upload the "
            f"carrier's certificate for request #{req.id} instead"
        )
    return None


def why_not_upload(req: RequestState, login: str) -> str | None:
    return _open(req, "completed")


WOS_CHARGE = ("a waiver of subrogation (WOS) is a paid item: the customer is charged for it, "
              "and its certificate shows SUBR WVD Y")
"""What relabelling as WOS means, said before it is done."""


def relabelled_back(req: RequestState) -> bool:
    """Whether relabelling takes the request back to its submitted type: a COI or POI
    relabelled as WOS at the desk is relabelled back (with a reason, logged)."""
    return req.type == RequestType.WOS and req.submitted_type not in ("", RequestType.WOS)


def relabel_target(req: RequestState) -> RequestType:
    """The type relabelling gives the request: WOS, or back to the type submitted."""
    return RequestType(req.submitted_type) if relabelled_back(req) else RequestType.WOS


MAX_RELABEL_REASON = 500


def clean_relabel_reason(req: RequestState, reason: str) -> str:
    """The written reason for relabelling a request back, one line, or the refusal
    (a ``ValueError`` whose text says what is wrong)."""
    text = " ".join((reason or "").split())
    if is_blank(text):
        raise ValueError(f"relabelling request #{req.id} back to {req.submitted_type} needs "
                         "a written reason: say why it is not a waiver of subrogation")
    if len(text) > MAX_RELABEL_REASON:
        raise ValueError(f"a relabelling reason is at most {MAX_RELABEL_REASON} characters, "
                         f"not {len(text)}")
    if (char := deceiving_character(text, marks=True)) is not None:
        raise ValueError(f"a relabelling reason cannot contain the control character "
                         f"U+{ord(char):04X}")
    return text


def why_not_relabel(req: RequestState, login: str) -> str | None:
    if reason := _open(req, "relabelled"):
        return reason
    if req.type == RequestType.WOS and not relabelled_back(req):
        return f"request #{req.id} is already a waiver of subrogation (WOS), as submitted"
    return None


def why_not_reject(req: RequestState, login: str) -> str | None:
    return _open(req, "rejected")


def why_not_note(req: RequestState, login: str) -> str | None:
    return None


def why_not_resend(req: RequestState, login: str) -> str | None:
    if req.status != Status.COMPLETED:
        return (f"request #{req.id} has no certificate to resend: it is "
                f"{Status(req.status).label.lower()}")
    return None


def why_not_reissue(req: RequestState, login: str) -> str | None:
    if req.status != Status.COMPLETED:
        return (f"request #{req.id} is {Status(req.status).label.lower()}: only a completed "
                "request's certificate can be reissued")
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
    RequestAction("resend", Permission.PROCESS, why_not_resend),
    RequestAction("reissue", Permission.PROCESS, why_not_reissue),
)

ACTIONS_BY_ID: dict[str, RequestAction] = {action.id: action for action in REQUEST_ACTIONS}


def why_not_offered(actor: Actor, action_id: str, req: RequestState) -> str | None:
    """Why ``actor`` is not offered an action on this request now (None: it is): their
    role first, then the action's own rule."""
    action = ACTIONS_BY_ID[action_id]
    if not actor.may(action.permission):
        return (f"{actor.login} is a {actor.role.label} and may not {action.permission.value}"
                + (" (view only)" if actor.view_only else ""))
    return action.why_not(req, actor.login)


MAX_BULK = 500
"""The most requests one bulk action takes (the desk's ``*`` marks at most this many)."""

BULK_ACTIONS: tuple[str, ...] = ("start", "reject", "relabel", "note")
"""The processing actions that apply to several requests at once."""
