"""The dashboard's marks: ``space`` and ``*``, and the processing keys on the marked rows.

``MarkingActions`` is mixed into the dashboard: with requests marked, claim (m),
reject (x), relabel (w) and add note (n) ask once (``screens/bulk.py``), run
``Desk.apply_to_many`` in a worker and list what became of each request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen

from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.views import QueueFilter, QueuePage
from certdesk_tui.domain.workflow import BULK_ACTIONS, MAX_BULK
from certdesk_tui.screens.bulk import (
    BulkReasonScreen,
    BulkRequest,
    BulkResultScreen,
    confirm_screen,
    plural,
)
from certdesk_tui.screens.desk_host import DeskHost

if TYPE_CHECKING:
    from certdesk_tui.service.bulk import BulkOutcome


class MarkingActions(DeskHost):
    """Marks and bulk actions, for a screen with a desk, a queue tab and its table."""

    def bulk_applies(self, action_id: str) -> bool:
        """Whether the key acts on the marked requests rather than the selected one."""
        return bool(self.table.marked) and action_id in BULK_ACTIONS

    def _show_marked(self) -> None:
        self.queue.filter_bar.show_marked(len(self.table.marked))

    def action_mark(self) -> None:
        if self.table.toggle_mark() is None:
            self.notify("Select a request first.", severity="warning")
            return
        self._show_marked()
        self.table.action_cursor_down()

    def action_mark_all(self) -> None:
        if self.table.marked:
            count = len(self.table.marked)
            self.table.clear_marks()
            self._show_marked()
            self.notify(f"Marks cleared ({plural(count)}).", timeout=3)
            return
        self.read_result(self.queue.flt)

    @work(thread=True, group="read", exit_on_error=False)
    def read_result(self, flt: QueueFilter) -> None:
        page = self.desk.queue(flt, 0, MAX_BULK)
        self.app.call_from_thread(self._mark_result, page)

    def _mark_result(self, page: QueuePage) -> None:
        self.table.mark_rows(page.rows)
        self._show_marked()
        if page.total > len(page.rows):
            self.notify(f"The first {len(page.rows):,} of {page.total:,} requests are marked "
                        f"(at most {MAX_BULK:,} at once).", severity="warning")
        elif page.rows:
            self.notify(f"{plural(len(page.rows))} marked; * again clears the marks.",
                        timeout=3)
        else:
            self.notify("No request to mark: the result is empty.", severity="warning")

    # -- the processing keys on the marked rows ----------------------------------

    def ask_bulk(self, action_id: str) -> None:
        versions = dict(self.table.marked)
        ids = list(versions)
        if action_id == "reject":
            self.read_reasons(ids, versions)
            return
        dialog: Screen[Any]
        if action_id == "note":
            from certdesk_tui.screens.text_prompt import TextPromptScreen

            dialog = TextPromptScreen(f"Internal note on {plural(len(ids))}",
                                      placeholder="The same note on each marked request")

            def noted(text: str | None) -> None:
                if text:
                    self.perform_bulk(BulkRequest(action_id, versions, text=text))

            self.app.push_screen(dialog, noted)
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.perform_bulk(BulkRequest(action_id, versions))

        self.app.push_screen(confirm_screen(action_id, ids), confirmed)

    @work(thread=True, group="flow-read", exit_on_error=False)
    def read_reasons(self, ids: list[int], versions: dict[int, int]) -> None:
        reasons = self.desk.reasons()

        def ask() -> None:
            def chosen(reason: int | None) -> None:
                if reason is not None:
                    self.perform_bulk(BulkRequest("reject", versions, reason=reason))

            self.app.push_screen(BulkReasonScreen(ids, reasons), chosen)

        self.app.call_from_thread(ask)

    @work(thread=True, group="flow", exit_on_error=False)
    def perform_bulk(self, asked: BulkRequest, take_over: bool = False) -> None:
        # Taking over is a decision made knowing the requests changed hands.
        outcomes = self.desk.apply_to_many(asked.action_id, asked.ids, reason=asked.reason,
                                           text=asked.text,
                                           versions=None if take_over else asked.versions,
                                           take_over=take_over)
        self.app.call_from_thread(self._bulk_done, asked, outcomes)

    def _bulk_done(self, asked: BulkRequest, outcomes: list[BulkOutcome]) -> None:
        self.table.clear_marks()
        self._show_marked()
        self.reload()
        may = (asked.action_id != "note" and self.desk.actor.may(Permission.TAKE_OVER))

        def answered(held: list[int] | None) -> None:
            if held:
                again = BulkRequest(asked.action_id, {i: asked.versions[i] for i in held},
                                    asked.reason, asked.text)
                self.perform_bulk(again, take_over=True)

        self.app.push_screen(BulkResultScreen(asked.action_id, outcomes, may), answered)
