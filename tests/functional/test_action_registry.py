"""One action registry: bindings, footer, help, palette and check_action all come from it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.binding import Binding
from textual.widgets import Footer

from certdesk_tui.actions import (
    ACTIONS_BY_ID,
    DESK_ACTIONS,
    PROCESSING_ACTIONS,
    Owner,
    keys_of,
)
from certdesk_tui.app import CertdeskApp
from certdesk_tui.commands import DeskCommands
from certdesk_tui.domain import Status
from certdesk_tui.domain.errors import (
    AlreadyClaimed,
    CertdeskError,
    DatabaseUnavailable,
    StaleRequest,
)
from certdesk_tui.domain.workflow import REQUEST_ACTIONS
from certdesk_tui.screens.dashboard import DashboardScreen
from certdesk_tui.screens.help import HelpScreen
from certdesk_tui.widgets.reasons_pane import ReasonsPane
from certdesk_tui.widgets.renewals_pane import RenewalsPane
from certdesk_tui.widgets.request_table import RequestTable
from tests.tui import app_for, dashboard, notifications, screen_text, settle

pytestmark = pytest.mark.usefixtures("db")


async def palette_hits(app: CertdeskApp, query: str) -> list[str]:
    """What the command palette offers for ``query``, best first (names, then help)."""
    provider = DeskCommands(app.screen)
    hits = [hit async for hit in provider.search(query)]
    hits.sort(key=lambda hit: -hit.score)
    return [f"{hit.text} | {hit.help}" for hit in hits]


async def run_from_palette(pilot, words: str) -> None:
    """Open the command palette, type ``words`` and run the best match."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*words)
    await settle(pilot)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(pilot)


def test_every_processing_action_of_the_domain_has_one_presentation_and_flow():
    assert [a.id for a in PROCESSING_ACTIONS] == [a.id for a in REQUEST_ACTIONS]
    assert all(a.flow is not None and a.flow.action_id == a.id for a in PROCESSING_ACTIONS)
    assert len(ACTIONS_BY_ID) == len(DESK_ACTIONS), "one id per action"


def test_a_keymap_entry_for_closing_dialogs_does_not_change_what_help_says():
    close = ACTIONS_BY_ID["close_dialog"]
    assert keys_of(close, {"close_dialog": "ctrl+g"}) == ["escape"]
    assert keys_of(ACTIONS_BY_ID["reject"], {"reject": "ctrl+r"}) == ["ctrl+r"]


def test_the_labels_are_the_seeds_words():
    labels = {a.id: a.label for a in PROCESSING_ACTIONS}
    assert labels == {
        "start": "Mark in progress", "automate": "Attempt automation",
        "upload": "Upload certificate", "relabel": "Relabel as WOS", "reject": "Reject",
        "note": "Add note", "resend": "Resend certificate", "reissue": "Reissue certificate",
    }


def test_every_binding_the_desk_declares_is_a_registry_action_by_its_id():
    declared = [binding for node in (CertdeskApp, DashboardScreen, RequestTable, ReasonsPane,
                                     RenewalsPane)
                for binding in node.BINDINGS]
    assert all(isinstance(b, Binding) and b.id in ACTIONS_BY_ID for b in declared)
    bound = {b.id for b in declared}
    assert bound == {a.id for a in DESK_ACTIONS if a.owner is not Owner.DIALOGS and a.keys}
    # Without a key of its own, an action is in the palette (a tab by its name).
    assert all(a.palette for a in DESK_ACTIONS if not a.keys)
    for binding in declared:
        action = ACTIONS_BY_ID[binding.id]
        assert (binding.key, binding.action) == (action.keys, action.textual_action)
        assert binding.show == (action.footer is not None)


async def test_help_lists_every_action_with_the_keys_after_the_keymap(manager):
    app = app_for(manager, keymap={"start": "k", "help": "f1", "quit": "ctrl+q"})
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = {description: key for _title, keys in app.screen.sections
                for key, description in keys}
        for action in DESK_ACTIONS:
            assert action.help in rows, action.id
        assert rows["Mark in progress: claim the request for yourself"] == "k"
        assert rows["Help: every key"] == "f1"
        assert rows["Quit certdesk"] == "^q"
        assert rows["Command palette: every action by its name or its key"] == "^p"
        await pilot.press("end")                  # the help scrolls to its last section
        await settle(pilot)
        assert "Everywhere" in screen_text(app)


async def test_a_remapped_key_shows_in_the_footer_and_the_palette_and_runs_the_action(
        specialist, manual_request):
    app = app_for(specialist, keymap={"start": "k"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = str(app.screen.query_one(Footer).render()) + screen_text(app)
        assert "k Claim" in footer
        assert "m Claim" not in footer
        hits = await palette_hits(app, "k")
        assert hits[0].startswith("Mark in progress | k ·")
        await pilot.press("m")
        await settle(pilot)
        assert specialist.row(manual_request).assignee_login is None
        await pilot.press("k")
        await settle(pilot)
        assert specialist.row(manual_request).assignee_login == "sam"


@pytest.mark.parametrize(("query", "found"), [
    ("mark in progress", "Mark in progress"), ("attempt automation", "Attempt automation"),
    ("relabel as wos", "Relabel as WOS"), ("upload certificate", "Upload certificate"),
    ("add note", "Add note"), ("m", "Mark in progress"), ("a", "Attempt automation"),
    ("w", "Relabel as WOS"), ("x", "Reject"), ("]", "Next page"), ("?", "Help"),
])
async def test_the_palette_finds_every_action_by_its_words_and_by_its_key(specialist, query,
                                                                           found):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        hits = await palette_hits(app, query)
        assert hits and hits[0].startswith(f"{found} |"), hits[:3]


async def test_the_palette_runs_mark_in_progress(specialist, manual_request):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await run_from_palette(pilot, "mark in progress")
        assert specialist.row(manual_request).assignee_login == "sam"


async def test_a_processing_action_from_the_palette_that_does_not_apply_says_why(
        specialist, manual_request):
    specialist.reject(manual_request, 1)
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dash = dashboard(app)
        dash.flt = replace(dash.flt, statuses=frozenset({Status.REJECTED}))
        await settle(pilot)
        assert dash.table.selected is not None
        await run_from_palette(pilot, "mark in progress")
        assert any("rejected" in n and "cannot be claimed" in n for n in notifications(app))
        assert specialist.row(manual_request).status == "rejected"


async def test_the_palette_offers_a_view_only_user_no_processing_action(advisor,
                                                                       manual_request):
    app = app_for(advisor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for words in ("mark in progress", "attempt automation", "reject", "mark"):
            assert not [h for h in await palette_hits(app, words)
                        if h.startswith(("Mark in progress", "Attempt automation", "Reject",
                                         "Mark or unmark", "Mark every"))]
        # Marks serve the processing keys only: space and * mark nothing for them.
        await pilot.press("space", "asterisk")
        await settle(pilot)
        assert not dashboard(app).table.marked


async def test_a_view_only_user_is_offered_no_processing_action(advisor, manual_request):
    app = app_for(advisor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = dashboard(app)
        assert screen.table.selected is not None
        for action in PROCESSING_ACTIONS:
            assert screen.check_action("request_action", (action.id,)) is False, action.id


async def test_the_configuration_actions_are_only_for_managers(specialist):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not [h for h in await palette_hits(app, "reason") if "rejection reason" in h]
        await pilot.press("question_mark")
        await settle(pilot)
        assert "Configuration tab" not in screen_text(app)


@pytest.mark.parametrize(("error", "said"), [
    (CertdeskError("the desk refused this"), "the desk refused this"),
    (StaleRequest("request #1 was changed by sky"), "request #1 was changed by sky"),
    (AlreadyClaimed("request #1 is in progress by Sky Specialist", "sky"),
     "request #1 is in progress by Sky Specialist"),
    (DatabaseUnavailable("database is locked"),
     "The database did not answer: database is locked. Try again (r refreshes)."),
])
async def test_the_worker_error_handler_turns_a_refusal_into_a_notification(
        specialist, manual_request, monkeypatch, error, said):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def refuse(request_id: int) -> None:
            raise error

        monkeypatch.setattr(specialist, "request", refuse)
        await pilot.press("p")  # the preview reads the request in a worker
        await settle(pilot)
        assert any(said in n for n in notifications(app))
        assert app.is_running


async def test_an_unexpected_error_in_a_worker_is_a_notification_too(specialist, manual_request,
                                                                      monkeypatch):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("something broke")

        monkeypatch.setattr(specialist, "queue_snapshot", broken)
        await pilot.press("r")
        await settle(pilot)
        assert any("RuntimeError: something broke" in n for n in notifications(app))
        assert app.is_running


async def test_a_remapped_key_a_view_only_user_presses_says_why(advisor, manual_request):
    app = app_for(advisor, keymap={"start": "k"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert not any("view only" in n for n in notifications(app))
        await pilot.press("k")
        await settle(pilot)
        assert any("view only" in n for n in notifications(app))
        assert advisor.row(manual_request).assignee_login is None


async def test_no_palette_entry_starts_with_an_empty_key(manager):
    app = app_for(manager)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        provider = DeskCommands(app.screen)
        helps = [hit.help async for hit in provider.discover()]
        assert helps and all(h and not h.startswith((" ", "·")) for h in helps), helps
        assert any("Renewals" in h for h in helps)
