"""The dialogs show what matters: the customer's instructions and the latest notes at the
top, as literal text; the reject dialog filters reasons as you type and picks by number."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certdesk_tui.domain.views import NoteView
from certdesk_tui.screens.automation_form import AutomationFormScreen
from certdesk_tui.screens.brief import brief_text
from certdesk_tui.screens.confirm import ConfirmScreen
from certdesk_tui.screens.reject import RejectScreen
from certdesk_tui.screens.upload import UploadScreen
from tests.functional.test_modals import Harness, static_text
from tests.snapshot_apps.modal_data import certificate_form, reasons, request_detail

NOTES = (
    NoteView(1, "sky", "oldest: called the broker", datetime(2026, 11, 20, 9, 0)),
    NoteView(2, "sam", "holder wants [bold]the project[/bold] named", datetime(2026, 11, 22, 9, 0)),
    NoteView(3, "dana", "newest: customer confirmed by phone\x1b[2J", datetime(2026, 11, 23, 9, 0)),
)


def detail_with_notes():
    return request_detail(instructions="List Harbor Tower [red]exactly[/red]", notes=NOTES)


@pytest.mark.parametrize("make", [
    lambda d: AutomationFormScreen(d, certificate_form()),
    lambda d: UploadScreen(d, Path.cwd()),
    lambda d: RejectScreen(d, reasons()),
], ids=["automation", "upload", "reject"])
async def test_each_dialog_shows_the_instructions_and_the_latest_notes_literally(make):
    app = Harness(make(detail_with_notes()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        brief = static_text(app.screen, "#brief")
        lines = brief.splitlines()
        assert lines[0] == "Instructions: List Harbor Tower [red]exactly[/red]"
        assert "dana: newest: customer confirmed by phone" in lines[1]
        assert "\x1b" not in brief
        assert "sam: holder wants [bold]the project[/bold] named" in lines[2]
        assert "oldest" not in brief and "1 older note(s)" in brief
        # At the top: the brief is the dialog's first child, above every field.
        assert app.screen.query_one("#dialog").children[0].id == "brief"


def test_the_brief_says_none_when_there_are_no_instructions():
    text = brief_text(request_detail(instructions="")).plain
    assert text == "Instructions: none"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000), st.text(max_size=400))
def test_the_brief_shows_any_customer_text_without_control_characters(instructions, note):
    detail = request_detail(instructions=instructions,
                            notes=(NoteView(1, "sky", note, datetime(2026, 11, 20, 9, 0)),))
    plain = brief_text(detail).plain
    # Line feeds and tabs are kept, as in the panel (text.visible); Rich lays a tab out as
    # spaces. Every other control character is shown as a visible escape.
    assert not any(ord(c) < 32 and c not in "\n\t" for c in plain)
    assert "\x1b" not in plain and "\x7f" not in plain
    assert len(plain) < 1200  # clipped: a megabyte of instructions stays a few lines


async def test_the_reject_dialog_filters_as_you_type_and_picks_by_number():
    app = Harness(RejectScreen(request_detail(), reasons()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert len(screen.shown()) == 7
        await pilot.press(*"hol")
        await pilot.pause()
        assert [r.text for r in screen.shown()] == ["Certificate holder name – incomplete"]
        assert "Filter: hol" in static_text(screen, "#filter")
        assert "holder name" in static_text(screen, "#email-text")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert app.results == [7]


async def test_the_reject_dialog_picks_by_number_among_the_filtered_reasons():
    app = Harness(RejectScreen(request_detail(), reasons()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"CARRIER")        # any case
        await pilot.pause()
        screen = app.screen
        assert [r.id for r in screen.shown()] == [3, 4]
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace",
                          "backspace", "backspace")
        await pilot.pause()
        assert len(screen.shown()) == 7 and screen.typed == ""
        await pilot.press(*"zzz")
        await pilot.pause()
        assert screen.shown() == [] and "no reason matches" in static_text(screen, "#filter")
        await pilot.press("backspace", "backspace", "backspace", *"carrier", "2")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert app.results == [4]


async def test_a_number_with_no_reason_says_so_and_picks_nothing():
    app = Harness(RejectScreen(request_detail(), reasons()[:2]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("9")
        await pilot.pause()
        assert isinstance(app.screen, RejectScreen)
        assert app.results == []


def test_reasons_keep_their_order_when_filtered():
    screen = RejectScreen(replace(request_detail()), reasons())
    screen.typed = "re"
    assert [r.id for r in screen.shown()] == sorted(r.id for r in screen.shown())
