"""The dashboard's saved views: digits 1 to 9 switch to one, ``V`` saves the filters.

``SavedViewActions`` is mixed into the dashboard. The views (own, then shared) and
their live counts are read in a worker: when the desk opens, after a save and with
each full reload of the queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.saved_views import SavedView
from certdesk_tui.domain.views import QueueFilter
from certdesk_tui.screens.desk_host import DeskHost
from certdesk_tui.widgets.view_bar import ViewBar

if TYPE_CHECKING:
    pass


class SavedViewActions(DeskHost):
    """Saved views for a screen with a desk and a queue tab."""

    @work(thread=True, exclusive=True, group="views", exit_on_error=False)
    def load_views(self) -> None:
        offered = self.desk.views()
        self.app.call_from_thread(self.query_one(ViewBar).show_views, offered)

    def action_switch_view(self, number: int) -> None:
        offered = self.query_one(ViewBar).views
        if not 1 <= number <= len(offered):
            self.notify(f"No saved view {number}: V saves the current filters as a view.",
                        severity="warning", timeout=4)
            return
        view = offered[number - 1]
        self.queue.filter_bar.search.value = view.filters.search
        self.flt = view.filters
        self.notify(f"View {number}: {view.name}", timeout=2, markup=False)

    def action_save_view(self) -> None:
        from certdesk_tui.screens.text_prompt import TextPromptScreen

        if not self.desk.actor.may(Permission.SAVE_VIEWS):
            self.notify("View only: you use the views a manager shares; saving your own "
                        "is for processors.", severity="warning", timeout=4)
            return
        flt = self.flt
        current = next((v.name for v in self.query_one(ViewBar).views
                        if v.mine and v.filters == flt), "")

        def named(name: str | None) -> None:
            if name:
                self.store_view(name, flt)

        self.app.push_screen(TextPromptScreen(
            "Save the current filters as a view", current,
            placeholder="Its name (a view of yours with this name is replaced)"), named)

    @work(thread=True, group="flow", exit_on_error=False)
    def store_view(self, name: str, flt: QueueFilter) -> None:
        saved = self.desk.save_view(name, flt)
        offered = self.desk.views()
        self.app.call_from_thread(self._view_saved, saved, offered)

    def _view_saved(self, saved: SavedView, offered: list[SavedView]) -> None:
        self.query_one(ViewBar).show_views(offered)
        number = next((n for n, v in enumerate(offered, start=1) if v.id == saved.id), None)
        key = f" (key {number})" if number else ""
        self.notify(f"View saved: {saved.name}{key}, {saved.count:,} requests now.",
                    timeout=4, markup=False)
