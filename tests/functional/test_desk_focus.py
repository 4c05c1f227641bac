"""Focus and selection the user can trust: tab cycles the panes, a new result starts on
its first row (in view, the panel following it)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from certdesk_tui.widgets.activity_panel import ActivityPanel
from certdesk_tui.widgets.request_table import RequestTable
from tests.tui import app_for, dashboard, screen_text, settle, table_ids

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def long_queue(submit) -> list[int]:
    """Thirty pending requests, oldest first: Acme (C100) and Bright (C200) in turn."""
    return [submit(f"L-{i}", "C100" if i % 2 else "C200", instructions=f"Instructions {i}",
                   submitted_at=f"2026-11-{i % 28 + 1:02d}T{i // 28 + 8:02d}:00:00Z")
            for i in range(30)]


async def test_tab_and_shift_tab_cycle_table_panel_and_search(specialist, long_queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, RequestTable)
        await pilot.press("tab")
        assert isinstance(app.focused, ActivityPanel)
        await pilot.press("tab")
        assert isinstance(app.focused, Input) and app.focused.id == "search"
        await pilot.press("tab")
        assert isinstance(app.focused, RequestTable)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, Input) and app.focused.id == "search"
        await pilot.press("shift+tab")
        assert isinstance(app.focused, ActivityPanel)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, RequestTable)


async def test_help_lists_tab_and_shift_tab(specialist, long_queue):
    app = app_for(specialist)
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = screen_text(app)
        assert "Focus the next pane" in text
        assert "shift+tab" in text.lower() or "⇧+tab" in text.lower()


async def _far_down(pilot, rows: int = 12) -> None:
    for _ in range(rows):
        await pilot.press("down")
    await settle(pilot)


def _first_row_selected_in_view(app) -> None:
    table = dashboard(app).table
    assert table.cursor_row == 0
    assert table.scroll_y == 0
    assert dashboard(app).detail is not None
    assert dashboard(app).detail.id == table_ids(app)[0]


async def test_a_search_puts_the_cursor_on_the_first_match_and_the_panel_follows(
        specialist, long_queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _far_down(pilot)
        await pilot.press("slash", *"acme", "enter")
        await settle(pilot)
        ids = table_ids(app)
        assert len(ids) == 15
        _first_row_selected_in_view(app)
        first = next(i for i in long_queue if i == ids[0])
        assert f"#{first} " in screen_text(app)


async def test_a_sort_or_a_filter_puts_the_cursor_on_the_first_row(specialist, long_queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _far_down(pilot)
        await pilot.press("S")
        await settle(pilot)
        _first_row_selected_in_view(app)
        await _far_down(pilot)
        await pilot.press("s")
        await settle(pilot)
        _first_row_selected_in_view(app)
        await _far_down(pilot)
        await pilot.press("c")
        await settle(pilot)
        _first_row_selected_in_view(app)


async def test_a_page_change_puts_the_cursor_on_the_first_row(specialist, long_queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dashboard(app).table.page_size = 10
        await pilot.press("r")
        await settle(pilot)
        await _far_down(pilot, 5)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert table_ids(app) == queue_ids(app)[10:20]
        _first_row_selected_in_view(app)
        await _far_down(pilot, 5)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        _first_row_selected_in_view(app)


def queue_ids(app) -> list[int]:
    """Every request of the queue as the desk's filter orders it."""
    dash = dashboard(app)
    return [r.id for r in dash.desk.queue(dash.flt, offset=0, limit=100).rows]


def _burst(app, *keys: tuple[str, str]) -> None:
    """Keys arriving together (typed fast, queued while the desk was busy, or one packet
    over SSH): each handed to the app before any of them is handled."""
    from textual import events

    for key, character in keys:
        event = events.Key(key, character)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_what_is_typed_right_behind_slash_is_the_search(specialist, long_queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # "i" is the new-request key and "r" a key of the queue: behind "/", letters.
        _burst(app, ("slash", "/"), ("b", "b"), ("r", "r"), ("i", "i"))
        await settle(pilot)
        search = dashboard(app).queue.filter_bar.search
        assert app.screen is dashboard(app) and app.focused is search
        assert search.value == "bri"
        # In the search box, "/" is a character of the search, not the key.
        _burst(app, ("slash", "/"), ("x", "x"))
        await settle(pilot)
        assert search.value == "bri/x" and app.focused is search
        # Also within the burst that focused it.
        await pilot.press("escape")
        search.value = ""
        _burst(app, ("slash", "/"), ("d", "d"), ("slash", "/"), ("b", "b"), ("slash", "/"),
               ("a", "a"))
        await settle(pilot)
        assert search.value == "d/b/a" and app.focused is search
