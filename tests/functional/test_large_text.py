"""Megabytes of customer text are stored whole and shown clipped; the desk stays responsive."""

from __future__ import annotations

import json
import time

import pytest

from certdesk_tui.domain.views import PANEL_TEXT_LIMIT, PREVIEW_TEXT_LIMIT, clipped
from certdesk_tui.screens.preview import PreviewScreen, submitted_pairs
from certdesk_tui.widgets.activity_panel import panel_text
from tests import factories
from tests.integration.test_intake_properties import _run
from tests.tui import app_for, dashboard, screen_text, settle

INSTRUCTIONS = "Please list every project of the Harbor Tower job. " * 60_000  # 3.1 MB


def test_clipped_text_says_how_much_there_is_and_where_to_read_it():
    assert clipped("short", 10, 7) == "short"
    note = clipped("x" * 2_100_000, 100, 7)
    assert note == "x" * 100 + "… [clipped: 2.1 MB in all; see certdesk show 7 --full]"
    assert clipped("é" * 3_000, 10).endswith("[clipped: 6.0 kB in all]")


@pytest.fixture
def large(submit) -> int:
    return submit("BIG-1", instructions=INSTRUCTIONS, notes_from_portal="y" * 500_000)


def test_the_panel_and_the_preview_render_clipped_text(specialist, large):
    detail = specialist.request(large)
    assert detail.instructions == INSTRUCTIONS.strip()  # stored whole
    started = time.perf_counter()
    panel = panel_text(detail).plain
    pairs = dict((label, text.plain) for label, text in submitted_pairs(detail))
    assert time.perf_counter() - started < 1
    assert len(panel) < PANEL_TEXT_LIMIT + 3_000
    assert f"[clipped: 3.1 MB in all; see certdesk show {large} --full]" in panel
    assert len(pairs["Instructions"]) < PREVIEW_TEXT_LIMIT + 100
    assert "[clipped: 3.1 MB in all" in pairs["Instructions"]
    assert "[clipped: 500.0 kB in all" in pairs["notes_from_portal"]


async def test_the_desk_opens_a_request_with_3_mb_of_instructions(specialist, large):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        started = time.perf_counter()
        await settle(pilot)
        assert dashboard(app).detail.id == large
        assert "Please list every project" in screen_text(app)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        await pilot.press("end")
        await settle(pilot)
        assert "[clipped:" in screen_text(app)  # the end of the submission's extra field
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, PreviewScreen)
        await pilot.press("down", "up")
        await settle(pilot)
        assert time.perf_counter() - started < 30


def test_certdesk_show_clips_unless_full(tmp_path):
    assert _run(tmp_path, "init").returncode == 0
    customers = tmp_path / "customers.jsonl"
    customers.write_text(json.dumps(factories.CUSTOMERS[0]), "utf-8")
    assert _run(tmp_path, "customers", "import", str(customers)).returncode == 0
    line = json.dumps(factories.submission("BIG-2", instructions=INSTRUCTIONS))
    assert _run(tmp_path, "import", "-", stdin=line.encode()).returncode == 0
    shown = _run(tmp_path, "show", "1").stdout.decode()
    assert "[clipped: 3.1 MB in all; see certdesk show 1 --full]" in shown
    assert len(shown) < PREVIEW_TEXT_LIMIT + 5_000
    full = _run(tmp_path, "show", "1", "--full").stdout.decode()
    assert INSTRUCTIONS.strip() in full and "[clipped" not in full
