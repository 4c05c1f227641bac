"""The processor's interface, driven with Textual's Pilot at 80x24."""

from __future__ import annotations

import asyncio
import os
import pwd
import sys

import pytest

from certdesk_tui.domain import Status
from certdesk_tui.domain.views import QueueFilter
from tests import factories
from tests.tui import app_for, dashboard, notifications, screen_text, settle, table_ids

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def queue(submit) -> list[int]:
    """Three manual requests, oldest first, for two customers."""
    return [
        submit("Q-1", instructions="Call before issuing", submitted_at="2026-11-01T09:00:00Z"),
        submit("Q-2", "C300", submitted_at="2026-11-02T09:00:00Z"),
        submit("Q-3", "C200", instructions="Rush please", submitted_at="2026-11-03T09:00:00Z"),
    ]


async def test_the_queue_shows_pending_requests_oldest_first_with_the_count_in_the_tab(
        specialist, queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert table_ids(app) == queue
        text = screen_text(app)
        assert "Certificates (3)" in text
        assert "sam · certificate specialist" in text
        assert "1–3 of 3" in text


async def test_the_panel_follows_the_selected_row_instructions_first(specialist, queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Call before issuing" in screen_text(app)
        await pilot.press("down")
        await settle(pilot)
        assert dashboard(app).detail.id == queue[1]
        assert "Cornerstone" in screen_text(app)


async def test_search_filters_by_customer_name_or_code_as_you_type(specialist, queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"bright")
        await settle(pilot)
        assert table_ids(app) == [queue[2]]
        assert "1–1 of 1" in screen_text(app)
        await pilot.press("escape", "c")
        await settle(pilot)
        assert table_ids(app) == queue


async def test_search_by_customer_code(specialist, queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"c300", "enter")
        await settle(pilot)
        assert table_ids(app) == [queue[1]]


async def test_a_search_longer_than_200_characters_is_refused_with_a_notification(
        specialist, queue):
    """Pasted or typed past 200 characters (the queue filter's limit, as `list --search`):
    refused, never cut silently, never handed to the database; what was typed stays."""
    from textual import events
    from textual.widgets import Input

    from certdesk_tui.domain.views import MAX_SEARCH

    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"bright")
        await settle(pilot)
        search = app.screen.query_one("#search", Input)
        assert search.max_length == MAX_SEARCH == 200
        search.post_message(events.Paste("x" * 100_000))
        await settle(pilot)
        assert search.value == "bright" and dashboard(app).flt.search == "bright"
        assert table_ids(app) == [queue[2]]
        said = notifications(app)
        assert any("A search is at most 200 characters (this one has 100,006): nothing was "
                   "added" in n for n in said)
        assert not any("database" in n for n in said)
        # Up to the limit it is taken; one character more is refused, and said so.
        search.value = ""
        search.post_message(events.Paste("b" * MAX_SEARCH))
        await settle(pilot)
        assert search.value == "b" * MAX_SEARCH and dashboard(app).flt.search == search.value
        app.clear_notifications()
        await pilot.press("z")
        await settle(pilot)
        assert search.value == "b" * MAX_SEARCH
        assert any("A search is at most 200 characters" in n for n in notifications(app))
        assert table_ids(app) == []


async def test_one_key_clears_every_filter(specialist, queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dash = dashboard(app)
        dash.flt = QueueFilter(statuses=frozenset({Status.COMPLETED}), manual_only=True,
                               search="zzz")
        await settle(pilot)
        assert table_ids(app) == []
        await pilot.press("c")
        await settle(pilot)
        assert dash.flt == QueueFilter()
        assert table_ids(app) == queue


async def test_start_claims_the_selected_request(specialist, queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        row = specialist.row(queue[0])
        assert (row.status, row.assignee_login) == (Status.IN_PROGRESS, "sam")
        assert "In Progress" in screen_text(app)


async def test_claiming_a_request_someone_else_holds_says_who(desk_for, queue):
    desk_for("sky").start(queue[0])
    app = app_for(desk_for("sam"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")  # reject is refused the same way; use claim
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert any("in progress by Sky Specialist since" in n for n in notifications(app))
        assert desk_for("sam").row(queue[0]).assignee_login == "sky"


async def test_relabel_on_a_key(specialist, queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w", "y")  # relabel asks first (a WOS is a paid item)
        await settle(pilot)
        assert specialist.row(queue[0]).type == "WOS"


async def test_automation_is_not_offered_for_cornerstone_and_its_key_says_why(specialist,
                                                                              queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        assert dashboard(app).table.selected.id == queue[1]
        assert dashboard(app).check_action("request_action", ("automate",)) is None
        await pilot.press("a")
        await settle(pilot)
        assert any("automation does not work for Cornerstone" in n for n in notifications(app))
        assert specialist.row(queue[1]).status == Status.NEW


async def test_the_payroll_advisor_sees_view_only_and_no_key_changes_anything(advisor, queue,
                                                                               specialist):
    before = [specialist.request(i) for i in queue]
    app = app_for(advisor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "VIEW ONLY" in screen_text(app)
        assert "Configuration" not in screen_text(app)
        for key in ("m", "a", "u", "w", "x", "n"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is dashboard(app), f"{key} opened a dialog"
        assert any("view only" in n for n in notifications(app))
        for key in ("t", "T"):                      # the tabs: Insights, and back
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is dashboard(app), f"{key} opened a dialog"
    assert [specialist.request(i) for i in queue] == before


async def test_customer_text_is_shown_literally(manager, specialist):
    manager.import_customers(factories.jsonl(factories.customer(
        "C900", name="[bold]Bracket[/] & [@click=app.quit]Sons[/]")))
    request_id = None
    report = manager.import_submissions(factories.jsonl(factories.submission(
        "L-1", "C900", instructions="\x1b[31mred\x1b[0m [/foo] please",
        holder=dict(factories.HOLDER, name="[@click=app.quit]Holder[/]"))))
    request_id = report.accepted[0].request_id
    app = app_for(specialist)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert table_ids(app) == [request_id]
        text = screen_text(app)
        assert "[bold]Bracket[/] & [@click=app.quit]Sons[/]" in text
        assert "\\x1b[31mred\\x1b[0m [/foo] please" in text
        assert "[@click=app.quit]Holder" in text
        await pilot.click("#requests")
        await settle(pilot)
        assert app.is_running


async def test_a_change_by_someone_else_is_seen_by_the_live_refresh(specialist, db, queue,
                                                                     desk_for, tmp_path):
    """Another person, in another process, claims a request: the open desk shows it."""
    # The other process runs as this process's login, a manager acting as sky.
    desk_for("morgan").add_user(pwd.getpwuid(os.getuid()).pw_name, "manager")
    app = app_for(specialist, refresh_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        env = {**os.environ,
               "CERTDESK_DATA_DIR": str(tmp_path), "CERTDESK_CONFIG": os.devnull}
        other = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "certdesk_tui", "--db", db.url, "--as", "sky", "start",
            str(queue[1]),
            env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _, err = await other.communicate()
        assert other.returncode == 0, err
        await pilot.pause(0.6)
        await settle(pilot)
        page = dashboard(app).table.page
        assert page.rows[1].assignee_login == "sky"
        # the selection stayed where it was
        assert dashboard(app).table.selected.id == queue[0]


async def test_a_stale_action_is_refused_reloaded_and_says_who_changed_it(specialist,
                                                                          desk_for, queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        desk_for("sky").relabel(queue[0])
        await pilot.press("m")
        await settle(pilot)
        assert any("was changed by sky" in n for n in notifications(app))
        assert specialist.row(queue[0]).status == Status.NEW
        assert dashboard(app).table.page.rows[0].type == "WOS"
