"""Several requests at once in the desk: space marks, * marks the result, m / x / w / n act
on the marked rows, each checked on its own, with a result per request at the end."""

from __future__ import annotations

import pytest

from certdesk_tui.screens.bulk import BulkReasonScreen, BulkResultScreen
from certdesk_tui.screens.confirm import ConfirmScreen
from certdesk_tui.service import bulk
from tests.tui import app_for, dashboard, notifications, screen_text, settle, table_ids

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def duplicates(submit) -> list[int]:
    """Six pending requests from one customer, oldest first (five of them duplicates)."""
    return [submit(f"DUP-{i}", "C100", instructions="see the phone call",
                   submitted_at=f"2026-11-{i + 1:02d}T09:00:00Z") for i in range(6)]


async def test_five_duplicates_rejected_one_refused_in_under_15_keys(specialist, desk_for,
                                                                     manager, duplicates):
    desk_for("sky").start(duplicates[3])             # held by someone else
    app = app_for(specialist)
    keys = ["down",                                  # the first duplicate (row 2)
            "space", "space", "space", "space", "space",   # marks five, moving down
            "x", "1", "y",                           # reject, reason 1, confirm
            ]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(app.screen, BulkResultScreen)
        text = screen_text(app)
        assert "4 of 5 requests rejected; 1 refused." in text
        assert f"#{duplicates[3]} REFUSED: request #{duplicates[3]} is in progress by Sky" in text
        await pilot.press("escape")                  # the 10th key closes the list
        await settle(pilot)
        assert not dashboard(app).table.marked
        assert "✓" not in screen_text(app)
    assert len(keys) + 1 < 15
    for rid in duplicates[1:]:
        detail = manager.request(rid)
        if rid == duplicates[3]:
            assert detail.row.status == "in_progress" and not detail.emails
        else:
            assert detail.row.status == "rejected"
            assert detail.rejection_reason == "Duplicate request received"
            assert len(detail.emails) == 1
    assert manager.request(duplicates[0]).row.status == "new"


async def test_marks_show_without_colour_and_claim_note_relabel(specialist, manager,
                                                                duplicates):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space")
        await settle(pilot)
        assert dashboard(app).table.marked.keys() == set(duplicates[:2])
        text = screen_text(app)
        assert f"✓{duplicates[0]}" in text and f"✓{duplicates[1]}" in text
        assert "2 marked" in text
        await pilot.press("up", "space")              # unmark the second
        await settle(pilot)
        assert list(dashboard(app).table.marked) == [duplicates[0]]
        await pilot.press("up", "space")              # mark it again
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Claim 2 requests?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert "2 of 2 requests claimed." in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        # Note on two, one of them by its row and a mark.
        await pilot.press("space", "space", "n")
        await settle(pilot)
        await pilot.press(*"Same customer, same holder", "enter")
        await settle(pilot)
        assert "2 of 2 requests noted." in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        # Relabel: the question says what a WOS means, then two are relabelled.
        await pilot.press("space", "w")
        await settle(pilot)
        assert "paid item" in screen_text(app)
        await pilot.press("n")                        # no: nothing changes, marks stay
        await settle(pilot)
        assert dashboard(app).table.marked
    assert manager.request(duplicates[0]).row.assignee_login == "sam"
    assert manager.request(duplicates[1]).row.status == "in_progress"
    assert [n.body for n in manager.request(duplicates[2]).notes] == [
        "Same customer, same holder"]
    assert manager.request(duplicates[4]).row.type == "COI"


async def test_star_marks_the_result_up_to_the_limit_and_clears(specialist, duplicates,
                                                                monkeypatch):
    monkeypatch.setattr(bulk, "MAX_BULK", 4)
    from certdesk_tui.screens import marking
    monkeypatch.setattr(marking, "MAX_BULK", 4)
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("asterisk")
        await settle(pilot)
        assert list(dashboard(app).table.marked) == table_ids(app)[:4]
        assert any("The first 4 of 6 requests are marked (at most 4 at once)" in n
                   for n in notifications(app))
        await pilot.press("asterisk")
        await settle(pilot)
        assert not dashboard(app).table.marked


async def test_view_only_user_cannot_act_on_marks(advisor, duplicates):
    app = app_for(advisor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "x")
        await settle(pilot)
        assert not isinstance(app.screen, BulkReasonScreen | ConfirmScreen)
        assert dashboard(app).table.marked      # marking is looking; acting is refused


async def test_a_manager_takes_over_the_held_ones_from_the_result(manager, desk_for,
                                                                  duplicates):
    desk_for("sky").start(duplicates[1])
    app = app_for(manager)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("space", "space", "space", "m", "y"):
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(app.screen, BulkResultScreen)
        text = screen_text(app)
        assert "2 of 3 requests claimed; 1 refused." in text
        assert "o: take over the 1 request held by someone else and claim it" in text
        await pilot.press("o")
        await settle(pilot)
        assert "1 of 1 request claimed." in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
    detail = manager.request(duplicates[1])
    assert detail.row.assignee_login == "morgan"
    assert any(a.action == "taken_over" for a in detail.activities)


async def test_a_specialist_is_not_offered_the_take_over(specialist, desk_for, duplicates):
    desk_for("sky").start(duplicates[0])
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "m", "y")
        await settle(pilot)
        assert "o takes over" not in screen_text(app)
        await pilot.press("o")                       # does nothing here
        await settle(pilot)
        assert isinstance(app.screen, BulkResultScreen)
    assert specialist.request(duplicates[0]).row.assignee_login == "sky"
