"""Snapshots of the desk at 80x24: the queue, and the payroll advisor's read-only view."""

from __future__ import annotations

from datetime import datetime

import pytest

from certdesk_tui import clock
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import resolve_actor
from tests import factories
from tests.conftest import MANAGER, team_database
from tests.tui import app_for, settle

NOW = datetime(2026, 11, 24, 12, 0)


@pytest.fixture
def frozen_desk(sqlite_url):
    """A queue of five requests of every kind, with the clock held still."""
    clock.freeze(NOW)
    try:
        db = team_database(sqlite_url)
        manager = Desk(db, resolve_actor(db, MANAGER))
        manager.import_submissions(factories.jsonl(
            factories.submission("S-1", instructions="Add [bold]Harbor Tower[/] please",
                                 submitted_at="2026-11-20T09:00:00Z"),
            factories.submission("S-2", "C300", type="POI", channel="mobile",
                                 submitted_at="2026-11-23T15:00:00Z"),
            factories.submission("S-3", "C200", holder=dict(factories.HOLDER, zip="",
                                                            email="not-an-email"),
                                 submitted_at="2026-11-24T08:00:00Z"),
            factories.submission("S-4", "C100", instructions="Second one",
                                 submitted_at="2026-11-24T11:30:00Z"),
            factories.submission("S-5", "C200", type="WOS", payment_status="approved",
                                 submitted_at="2026-11-24T11:50:00Z"),
        ))
        Desk(db, resolve_actor(db, "sky")).start(2)
        manager.note(1, "Customer called: holder wants the project name")

        def desk_for(login: str) -> Desk:
            return Desk(db, resolve_actor(db, login))

        yield desk_for
    finally:
        clock.freeze(None)


def test_the_queue(snap_compare, frozen_desk):
    assert snap_compare(app_for(frozen_desk("sam")), terminal_size=(80, 24), run_before=settle)


def test_the_read_only_view(snap_compare, frozen_desk):
    assert snap_compare(app_for(frozen_desk("pat")), terminal_size=(80, 24), run_before=settle)


def test_the_filtered_queue_after_a_search(snap_compare, frozen_desk):
    async def search(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"acme", "enter")
        await settle(pilot)

    assert snap_compare(app_for(frozen_desk("sam")), terminal_size=(80, 24), run_before=search)
