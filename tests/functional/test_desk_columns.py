"""Columns that fit the terminal; the Configuration tab's retired state at 80 columns;
notifications out of the way; snapshots at 80x24 and 200x50 without colour."""

from __future__ import annotations

import pytest

from certdesk_tui.widgets.request_table import NAME_CAP, column_layout
from tests.functional.test_snapshots import frozen_desk  # noqa: F401 (a fixture)
from tests.tui import app_for, dashboard, screen_text, settle


@pytest.mark.parametrize("width", [60, 80, 100, 119, 120, 159, 160, 200, 250, 400])
def test_the_columns_fill_the_width_exactly_with_status_and_who_in_full(width):
    layout = dict((key, w) for key, _, w in column_layout(width, 4))
    assert sum(w + 1 for w in layout.values()) + 1 == width or width < 70
    assert layout["status"] >= len("In Progress")
    assert layout["assignee"] >= 8 and layout["flags"] >= 4 and layout["id"] >= 5
    if width >= 80:
        assert layout["customer"] >= 12 and layout["holder"] >= 12
    assert abs(layout["customer"] - layout["holder"]) <= 1


def test_wide_terminals_give_the_room_to_the_names_then_to_the_manual_reasons():
    wide = dict((key, w) for key, _, w in column_layout(200, 4))
    assert wide["customer"] == wide["holder"] == NAME_CAP
    assert wide["reasons"] >= 24
    assert wide["brand"] >= len("Cornerstone") and wide["channel"] >= len("internal")
    narrow = dict((key, w) for key, _, w in column_layout(80, 4))
    assert "reasons" not in narrow and narrow["channel"] == 2  # P, M or I


def _row_line(text: str, request_id: int) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(str(request_id))
                and "Customer" not in line)


@pytest.mark.usefixtures("db")
async def test_status_in_full_and_who_legible_at_80_columns(desk_for, submit):
    rid = submit("C-1", instructions="call", holder={
        "name": "Big General Contractor Incorporated of Florida", "address": "9 Oak Ave",
        "city": "Miami", "state": "FL", "zip": "33101", "email": "certs@bgc.example"})
    desk_for("dana").start(rid)
    app = app_for(desk_for("sam"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        line = _row_line(screen_text(app), rid)
        assert "In Progress" in line and " dana " in line and "MN--" in line
        assert "Acme Roofing" in line and "Big General" in line
        assert len(line.rstrip()) <= 80


@pytest.mark.usefixtures("db")
async def test_the_table_lays_out_again_when_the_terminal_is_resized(desk_for, submit):
    rid = submit("C-2", instructions="call")
    app = app_for(desk_for("sam"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "reasons" not in dashboard(app).table.layout_keys
        assert " P " in _row_line(screen_text(app), rid)  # the channel as a letter
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        assert "reasons" in dashboard(app).table.layout_keys
        line = _row_line(screen_text(app), rid)
        assert "Compeo" in line and "portal" in line and "customer instructions" in line


@pytest.mark.usefixtures("db")
async def test_the_configuration_tab_shows_a_retired_reason_at_80_columns(manager):
    retired = manager.add_reason("A reason with a long text that fills the whole width of an "
                                 "eighty column terminal and more")
    manager.retire_reason(retired.id)
    app = app_for(manager)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("T")  # the previous tab: Configuration, the last
        await settle(pilot)
        line = next(x for x in screen_text(app).splitlines()
                    if x.strip().startswith(str(retired.id)) and "A reason" in x)
        assert "retired" in line.split("A reason")[0]


@pytest.mark.usefixtures("db")
async def test_a_notification_sits_at_the_top_right_clear_of_the_row_and_the_panel(
        desk_for, submit):
    rid = submit("C-3", instructions="call")
    app = app_for(desk_for("sam"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        toast = [i for i, line in enumerate(lines) if "in progress with you" in line]
        assert toast and max(toast) <= 3, lines   # over the header lines
        assert _row_line("\n".join(lines), rid)      # the selected row still reads
        assert app.NOTIFICATION_TIMEOUT <= 3


# -- snapshots without colour ----------------------------------------------------------------

@pytest.fixture
def no_color(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_the_queue_without_colour(snap_compare, frozen_desk, no_color, size):  # noqa: F811
    assert snap_compare(app_for(frozen_desk("sam")), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_the_panel_focused_without_colour(snap_compare, frozen_desk, no_color,  # noqa: F811
                                          size):
    async def focus_panel(pilot) -> None:
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)

    assert snap_compare(app_for(frozen_desk("sam")), terminal_size=size,
                        run_before=focus_panel)


def test_the_search_box_focused_without_colour(snap_compare, frozen_desk,  # noqa: F811
                                               no_color):
    async def search(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"acme")
        await settle(pilot)
        pilot.app.screen.query_one("#search").cursor_blink = False
        await settle(pilot)

    assert snap_compare(app_for(frozen_desk("sam")), terminal_size=(80, 24), run_before=search)


def test_greyed_footer_keys_without_colour(snap_compare, frozen_desk, no_color):  # noqa: F811
    async def to_cornerstone(pilot) -> None:
        await settle(pilot)
        await pilot.press("down")  # a Cornerstone request: automation greyed
        await settle(pilot)

    assert snap_compare(app_for(frozen_desk("sam")), terminal_size=(80, 24),
                        run_before=to_cornerstone)


# -- an empty queue says what to do ------------------------------------------------------

@pytest.mark.usefixtures("db")
async def test_an_empty_queue_says_how_to_import_or_open_the_demo(desk_for, submit):
    app = app_for(desk_for("sam"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        assert "The queue is empty" in text
        assert "certdesk import FILE" in text and "certdesk demo" in text
        submit("E-1", instructions="call")
        await pilot.press("r", "slash", *"zzz", "enter")
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        assert "No request matches" in text and "c clears them" in text
