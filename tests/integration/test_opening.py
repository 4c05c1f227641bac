"""The common opening of every processing action (service.opening), refusal by refusal.

Each check of the opening is read from the action's registry entry; each
refusal says what happened and leaves the request exactly as it was.
"""

from __future__ import annotations

import pytest

from certdesk_tui.domain import ActivityKind, Status
from certdesk_tui.domain.errors import (
    AlreadyClaimed,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleRequest,
)
from certdesk_tui.domain.workflow import ACTIONS_BY_ID
from certdesk_tui.service.opening import opening


def _open(desk, action_id: str, rid: int, **kwargs):
    """Open the action on the request and leave without changing anything."""
    with opening(desk._session, action_id, rid, **kwargs) as (_s, req):
        return req.id


def _unchanged(desk, rid: int, error: type[Exception], action_id: str,
               match: str | None = None, **kwargs) -> Exception:
    before = desk.request(rid)
    with pytest.raises(error, match=match) as info:
        _open(desk, action_id, rid, **kwargs)
    assert desk.request(rid) == before
    return info.value


@pytest.mark.parametrize("action_id", sorted(ACTIONS_BY_ID))
def test_the_opening_asks_the_permission_of_the_actions_registry_entry(
        advisor, manual_request, action_id):
    _unchanged(advisor, manual_request, PermissionDenied, action_id,
               f"may not {ACTIONS_BY_ID[action_id].permission.value}")


def test_the_opening_refuses_a_request_that_does_not_exist(specialist):
    with pytest.raises(NotFound, match="there is no request #999"):
        _open(specialist, "start", 999)


def test_the_opening_refuses_an_action_the_state_does_not_allow_saying_who_closed_it(
        desk_for, specialist, manual_request):
    desk_for("sky").reject(manual_request, 1)
    error = _unchanged(specialist, manual_request, InvalidTransition, "relabel",
                       "is rejected; it cannot be relabelled")
    assert "(sky rejected it at " in str(error)


def test_the_opening_refuses_a_stale_version_naming_who_changed_it_and_when(
        desk_for, specialist, manual_request):
    seen = specialist.row(manual_request).version
    desk_for("sky").note(manual_request, "called the customer")
    error = _unchanged(specialist, manual_request, StaleRequest, "start",
                       expected_version=seen)
    assert f"request #{manual_request} was changed by sky at " in str(error)
    assert "after you opened it" in str(error)
    assert not isinstance(error, AlreadyClaimed)


def test_the_opening_refuses_a_request_held_by_someone_else_saying_who(
        desk_for, specialist, manual_request):
    desk_for("sky").start(manual_request)
    error = _unchanged(specialist, manual_request, AlreadyClaimed, "reject",
                       r"is in progress by Sky Specialist since .* \(a manager may take it over\)")
    assert error.holder_login == "sky"


def test_only_a_manager_takes_a_held_request_over(desk_for, specialist, manager,
                                                  manual_request):
    desk_for("sky").start(manual_request)
    _unchanged(specialist, manual_request, PermissionDenied, "start", take_over=True)
    _unchanged(manager, manual_request, AlreadyClaimed, "start", "confirm to take it over")
    assert _open(manager, "start", manual_request, take_over=True) == manual_request
    detail = manager.request(manual_request)
    assert detail.row.assignee_login == "morgan"
    taken = [a for a in detail.activities if a.action == ActivityKind.TAKEN_OVER]
    assert [(a.actor, a.detail) for a in taken] == [("morgan", "taken over from Sky Specialist")]


def test_a_note_opens_on_a_request_someone_else_holds(desk_for, specialist, manual_request):
    desk_for("sky").start(manual_request)
    assert not ACTIONS_BY_ID["note"].holds_the_request
    assert _open(specialist, "note", manual_request) == manual_request


def test_a_refusal_inside_the_opening_writes_nothing(specialist, manual_request):
    before = specialist.request(manual_request)
    with pytest.raises(RuntimeError), opening(specialist._session, "start",
                                              manual_request) as (s, req):
        req.status = Status.IN_PROGRESS
        raise RuntimeError("stopped half-way")
    assert specialist.request(manual_request) == before
