"""No irreversible surprise: relabel asks first and can be reversed; a request someone else
holds is said at once (a manager is offered the take-over); the automation form claims a New
request; escape asks before throwing edits away; a stale action says what happened."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from certdesk_tui.domain import Status
from certdesk_tui.screens.automation_form import AutomationFormScreen
from certdesk_tui.screens.confirm import ConfirmScreen
from certdesk_tui.screens.dashboard import DashboardScreen
from certdesk_tui.screens.note import NoteScreen
from certdesk_tui.screens.text_prompt import TextPromptScreen
from tests.tui import app_for, notifications, screen_text, settle

pytestmark = pytest.mark.usefixtures("db")


async def test_relabel_asks_first_saying_what_it_means_and_is_reversed_with_a_reason(
        specialist, manual_request):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        text = screen_text(app)
        assert "Relabel request" in text and "paid item" in text and "charged" in text
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert specialist.row(manual_request).type == "COI"

        await pilot.press("w", "y")
        await settle(pilot)
        assert specialist.row(manual_request).type == "WOS"

        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, TextPromptScreen)
        assert "back to COI" in screen_text(app)
        await pilot.press("enter")  # no reason: asked again, nothing changes
        await settle(pilot)
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press(*"customer wanted a COI", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        detail = specialist.request(manual_request)
        assert detail.row.type == "COI"
        assert detail.activities[0].action == "relabel"
        assert detail.activities[0].detail == "relabelled WOS → COI: customer wanted a COI"
        assert any("relabelled back to COI" in n for n in notifications(app))


async def test_a_submitted_wos_is_not_relabelled(specialist, submit):
    rid = submit("W-1", type="WOS", payment_status="approved")
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert any("already a waiver of subrogation (WOS), as submitted" in n
                   for n in notifications(app))
        assert specialist.row(rid).type == "WOS"


@pytest.mark.parametrize("key", ["a", "x", "w", "u"])
async def test_a_key_on_a_request_someone_else_holds_says_so_instead_of_opening_a_form(
        desk_for, manual_request, key):
    desk_for("sky").start(manual_request)
    app = app_for(desk_for("sam"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        said = notifications(app)
        assert any("in progress by Sky Specialist since" in n and "a manager may take it over"
                   in n for n in said), said
        assert desk_for("sam").row(manual_request).assignee_login == "sky"


async def test_a_manager_is_offered_the_take_over_then_the_form_opens(
        desk_for, manager, manual_request):
    desk_for("sky").start(manual_request)
    app = app_for(manager)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Take over request" in screen_text(app)
        assert "in progress by Sky Specialist since" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, AutomationFormScreen)
        row = manager.row(manual_request)
        assert (row.status, row.assignee_login) == (Status.IN_PROGRESS, "morgan")
        assert "taken_over" in [a.action for a in manager.request(manual_request).activities]


async def test_opening_the_automation_form_on_a_new_request_claims_it(specialist,
                                                                       manual_request):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AutomationFormScreen)
        row = specialist.row(manual_request)
        assert (row.status, row.assignee_login) == (Status.IN_PROGRESS, "sam")
        # The form submits on the version it claimed (no stale refusal of its own making).
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        assert specialist.row(manual_request).status == Status.COMPLETED


async def test_escape_on_a_form_with_changes_asks_before_discarding(specialist,
                                                                    manual_request):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)

        await pilot.press("n", *"called")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Discard your changes?" in screen_text(app)
        await pilot.press("escape")  # no: back to the note, text kept
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        assert app.screen.query_one(TextArea).text == "called"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert specialist.request(manual_request).notes == ()


async def test_escape_on_the_automation_form_with_an_edit_asks(specialist, manual_request):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        field = app.screen.query_one("#field-insured_name", Input)
        field.value = field.value + " Inc"
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, AutomationFormScreen)
        assert app.screen.query_one("#field-insured_name", Input).value.endswith(" Inc")


async def test_a_stale_action_says_what_happened_meanwhile(specialist, desk_for,
                                                           manual_request):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        desk_for("sky").reject(manual_request, 1)
        await pilot.press("m")
        await settle(pilot)
        said = notifications(app)
        assert any("was changed by sky at" in n and ": rejected by sky;" in n
                   and "it is now Rejected" in n for n in said), said
        assert specialist.row(manual_request).status == Status.REJECTED
