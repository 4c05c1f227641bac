"""One action on several requests at once: each request checked on its own.

``apply_to_many`` runs one processing action (claim, reject with one reason,
relabel, add note) on each request of a list through the same service
function a single request goes through: its permission, lock, state, version
and take-over rules, its activity and its emails, one transaction per request.
What is refused for one request is said for that request and the others go on;
what would be refused for every request (the permission, an unknown reason, an
empty note) is refused once, before any request changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from certdesk_tui.domain.errors import CertdeskError, ValidationFailed
from certdesk_tui.domain.workflow import ACTIONS_BY_ID, BULK_ACTIONS, MAX_BULK
from certdesk_tui.service.reasons import find_active_reason
from certdesk_tui.service.session import DeskSession


@dataclass(frozen=True)
class BulkOutcome:
    """What became of one request of a bulk action."""

    request_id: int
    done: bool
    message: str
    """What was done, or the refusal in the words a single action would have used."""
    title: str = ""
    """The refusal's kind (``CertdeskError.title``); empty when done."""
    error: CertdeskError | None = field(default=None, compare=False, repr=False)
    """The refusal itself (None when done), for an interface that words it its own way."""

    def to_json(self) -> dict[str, object]:
        return {"id": self.request_id, "done": self.done, "message": self.message}


def distinct(request_ids: Iterable[int]) -> list[int]:
    """The ids in the order given, each once."""
    return list(dict.fromkeys(request_ids))


def apply_to_many(ds: DeskSession, action_id: str, request_ids: Iterable[int], *,
                  reason: str | int | None = None, text: str | None = None,
                  versions: Mapping[int, int] | None = None,
                  take_over: bool = False) -> list[BulkOutcome]:
    """Run ``action_id`` on every request of ``request_ids``; one outcome per request.

    ``versions`` (request id: the version the user read) refuses a request changed by
    someone else since, as a single action from the desk does.
    """
    if action_id not in BULK_ACTIONS:
        raise ValidationFailed(
            f"{action_id} does not apply to several requests at once; "
            f"these do: {', '.join(BULK_ACTIONS)}")
    ids = distinct(request_ids)
    if not ids:
        raise ValidationFailed("no request given")
    if len(ids) > MAX_BULK:
        raise ValidationFailed(f"at most {MAX_BULK} requests at once, not {len(ids)}")
    ds.require(ACTIONS_BY_ID[action_id].permission)
    run = _runner(ds, action_id, reason, text, versions or {}, take_over)
    outcomes: list[BulkOutcome] = []
    for request_id in ids:
        try:
            message = run(request_id)
        except CertdeskError as exc:
            outcomes.append(BulkOutcome(request_id, False, str(exc), exc.title, exc))
        else:
            outcomes.append(BulkOutcome(request_id, True, message))
    return outcomes


def _runner(ds: DeskSession, action_id: str, reason: str | int | None, text: str | None,
            versions: Mapping[int, int], take_over: bool) -> Callable[[int], str]:
    """The single-request call for the action, its common input checked once here."""
    # Imported here: the desk's marks read this module's limits before any action runs.
    from certdesk_tui.service import processing

    if action_id == "start":
        def start(rid: int) -> str:
            row = processing.start(ds, rid, versions.get(rid), take_over)
            return f"request #{row.id} is in progress with {row.assignee_login}"
        return start
    if action_id == "relabel":
        def relabel(rid: int) -> str:
            row = processing.relabel(ds, rid, versions.get(rid), take_over)
            return f"request #{row.id} is now {row.type}"
        return relabel
    if action_id == "reject":
        if reason is None:
            raise ValidationFailed("a rejection needs a reason")
        with ds.db.reading() as s:
            chosen = find_active_reason(s, reason).id

        def reject(rid: int) -> str:
            processing.reject(ds, rid, chosen, versions.get(rid), take_over)
            return f"request #{rid} rejected"
        return reject
    body = processing.clean_note(text)

    def note(rid: int) -> str:
        processing.note(ds, rid, body)
        return f"note added to request #{rid}"
    return note
