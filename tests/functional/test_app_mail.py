"""The open desk delivers emails in the background and says when some are failing."""

from __future__ import annotations

import socket

from certdesk_tui import locations
from certdesk_tui.config import Settings
from certdesk_tui.service import Desk
from tests.tui import app_for, screen_text, settle


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_the_open_desk_delivers_due_emails_in_the_background(db, specialist, submit):
    request_id = submit("B-1", send_to_holder=True)  # auto-processed: two emails queued
    app = app_for(specialist, mail_interval_seconds=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.5)
        await settle(pilot)
        emails = specialist.request(request_id).emails
        assert [e.state for e in emails] == ["sent", "sent"]
        assert len(list(locations.outbox_dir().glob("*.eml"))) == 2


async def test_failing_emails_show_in_the_header(db, desk_for, submit):
    submit("B-2")
    settings = Settings(smtp_host="127.0.0.1", smtp_port=_free_port(), mail_max_attempts=1,
                        refresh_seconds=0, mail_interval_seconds=0.1)
    desk = Desk(db, desk_for("sam").actor, settings)
    app = app_for(desk, smtp_host=settings.smtp_host, smtp_port=settings.smtp_port,
                  mail_max_attempts=1, mail_interval_seconds=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.8)
        await settle(pilot)
        assert "✉ 1 failing" in screen_text(app)
