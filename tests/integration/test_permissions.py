"""The permission matrix of SPEC.md, enforced by the service (not by the interface)."""

from __future__ import annotations

import pytest

from certdesk_tui.domain import Status
from certdesk_tui.domain.errors import PermissionDenied, UnknownUser
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import resolve_actor
from tests import factories
from tests.hostile_pdfs import certificate_pdf

PDF = certificate_pdf()


def _processing(desk: Desk, rid: int) -> dict:
    return {
        "start": lambda: desk.start(rid),
        "automation_prefill": lambda: desk.automation_prefill(rid),
        "automate": lambda: desk.automate(rid),
        "upload": lambda: desk.upload(rid, "c.pdf", PDF),
        "relabel": lambda: desk.relabel(rid),
        "reject": lambda: desk.reject(rid, 1),
        "note": lambda: desk.note(rid, "hello"),
    }


def _administration(desk: Desk) -> dict:
    return {
        "import_submissions": lambda: desk.import_submissions(
            factories.jsonl(factories.submission("ADV-1"))),
        "import_customers": lambda: desk.import_customers(
            factories.jsonl(factories.customer("C900"))),
        "add_reason": lambda: desk.add_reason("Advisor reason"),
        "rename_reason": lambda: desk.rename_reason(1, "Renamed"),
        "retire_reason": lambda: desk.retire_reason(1),
        "add_user": lambda: desk.add_user("newbie", "manager"),
        "set_role": lambda: desk.set_role("pat", "manager"),
    }


def _refused_everywhere(desk: Desk, manager: Desk, calls: dict, rid: int | None = None) -> None:
    before = manager.request(rid) if rid else None
    reasons, users = manager.reasons(include_retired=True), manager.users()
    for name, call in calls.items():
        with pytest.raises(PermissionDenied) as info:
            call()
        assert desk.actor.login in str(info.value), name
    if rid:
        assert manager.request(rid) == before
    assert manager.reasons(include_retired=True) == reasons
    assert manager.users() == users


def test_payroll_advisor_is_refused_every_processing_action(advisor, manager, manual_request):
    _refused_everywhere(advisor, manager, _processing(advisor, manual_request), manual_request)
    with pytest.raises(PermissionDenied, match="view only"):
        advisor.start(manual_request)


def test_payroll_advisor_is_refused_import_reasons_and_users_administration(
    advisor, manager, db
):
    _refused_everywhere(advisor, manager, _administration(advisor))
    assert manager.queue().total == 0


def test_payroll_advisor_is_told_why_an_action_is_not_offered(advisor, manual_request):
    detail = advisor.request(manual_request)
    for action in ("start", "automate", "upload", "relabel", "reject", "note"):
        assert "view only" in advisor.why_not(action, detail)


def test_payroll_advisor_can_view_the_queue_requests_and_certificates(advisor, submit,
                                                                      manual_request):
    done = submit("VIEW-1", "C200")
    assert [r.id for r in advisor.queue().rows] == [manual_request]
    assert advisor.pending_count() == 1
    assert advisor.request(manual_request).row.id == manual_request
    assert advisor.row(done).status == Status.COMPLETED
    name, pdf = advisor.certificate(done)
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF-")
    assert len(advisor.reasons()) == 7
    assert "pat" in [u.login for u in advisor.users()]


def test_specialist_cannot_configure_reasons_or_manage_users(specialist, manager):
    calls = _administration(specialist)
    _refused_everywhere(specialist, manager, {k: v for k, v in calls.items()
                                              if k.endswith(("reason", "user", "role"))})


def test_specialist_cannot_import(specialist, manager):
    calls = _administration(specialist)
    _refused_everywhere(specialist, manager, {k: calls[k] for k in ("import_submissions",
                                                                     "import_customers")})


def test_data_processor_can_import_and_process(desk_for):
    dana = desk_for("dana")
    report = dana.import_submissions(
        factories.jsonl(factories.submission("DP-1", instructions="x")))
    assert report.ok
    rid = report.accepted[0].request_id
    assert dana.import_customers(factories.jsonl(factories.customer("C900"))).ok
    assert dana.start(rid).assignee_login == "dana"
    with pytest.raises(PermissionDenied):
        dana.add_reason("Not mine to add")
    with pytest.raises(PermissionDenied):
        dana.add_user("newbie", "data_processor")


def test_specialist_can_process(specialist, manual_request):
    specialist.note(manual_request, "ok")
    specialist.start(manual_request)
    specialist.automate(manual_request)
    assert specialist.row(manual_request).status == Status.COMPLETED


def test_as_is_honoured_for_a_manager_and_logged_as_manager_acting_as_user(
    desk_for, manual_request
):
    desk = desk_for("morgan", as_user="sam")
    assert desk.actor.login == "sam" and desk.actor.label == "morgan acting as sam"
    row = desk.start(manual_request)
    assert row.assignee_login == "sam"
    desk.note(manual_request, "on sam's behalf")
    detail = desk.request(manual_request)
    assert detail.activities[0].actor == "morgan acting as sam"
    assert any(a.action == "start" and a.actor == "morgan acting as sam"
               for a in detail.activities)
    assert detail.notes[0].author == "morgan acting as sam"


def test_as_takes_the_role_of_the_user_acted_as(desk_for, manual_request):
    desk = desk_for("morgan", as_user="pat")
    with pytest.raises(PermissionDenied):
        desk.start(manual_request)


@pytest.mark.parametrize("login", ["sam", "dana", "pat"])
def test_as_is_refused_for_anyone_but_a_manager(db, login):
    with pytest.raises(PermissionDenied, match="--as is for managers only"):
        resolve_actor(db, login, "morgan")


def test_as_an_unknown_user_is_refused(db):
    with pytest.raises(UnknownUser, match="no user ghost"):
        resolve_actor(db, "morgan", "ghost")


def test_unknown_login_is_refused_with_the_command_to_add_them(db):
    with pytest.raises(UnknownUser) as info:
        resolve_actor(db, "newbie")
    assert "certdesk users add newbie --role " in str(info.value)
