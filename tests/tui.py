"""Helpers for Pilot tests of the interface."""

from __future__ import annotations

from textual.worker import WorkerCancelled, WorkerFailed

from certdesk_tui.app import CertdeskApp, make_app
from certdesk_tui.config import Settings
from certdesk_tui.screens.dashboard import DashboardScreen
from certdesk_tui.service import Desk

SIZE = (80, 24)


def app_for(desk: Desk, **settings) -> CertdeskApp:
    """The real app, live refresh off unless asked for, so tests decide when to look."""
    settings.setdefault("refresh_seconds", 0)
    settings.setdefault("mail_interval_seconds", 0)
    return make_app(desk, Settings(**settings))


async def settle(pilot, rounds: int = 4) -> None:
    """Wait until the workers (and the workers they start) are done."""
    for _ in range(rounds):
        # DirectoryTree's loader runs as long as the tree is mounted: do not wait for it.
        workers = [w for w in pilot.app.workers if w.group != "_loader"]
        try:
            if workers:  # an empty list would mean "all of them"
                await pilot.app.workers.wait_for_complete(workers)
        except (WorkerCancelled, WorkerFailed):
            pass  # an exclusive worker replaced by a newer one, or a reported failure
        await pilot.pause()


def dashboard(app: CertdeskApp) -> DashboardScreen:
    return app.dashboard


def table_ids(app: CertdeskApp) -> list[int]:
    page = dashboard(app).table.page
    return [r.id for r in page.rows] if page else []


def screen_text(app: CertdeskApp) -> str:
    """What the terminal shows, as plain text (from the exported screenshot)."""
    import re
    from html import unescape

    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return unescape("".join(lines)).replace("\xa0", " ")


def notifications(app: CertdeskApp) -> list[str]:
    return [n.message for n in app._notifications]
