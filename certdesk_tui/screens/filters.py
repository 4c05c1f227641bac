"""Queue filters: status, type, brand, channel, manual only, assigned to me.

Search and sort are kept from the current filter (the queue's search box and
column sort own them). ``r`` puts the ticks back to the default view.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.segment import Segment
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Label, SelectionList
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

from certdesk_tui.domain import Brand, Channel, RequestType, Status
from certdesk_tui.domain.views import QueueFilter
from certdesk_tui.widgets.footer import DeskFooter

MANUAL_ONLY = "manual_only"
MINE = "mine"


class TickList(SelectionList[Any]):
    """A SelectionList that reads without colour (NO_COLOR): X when ticked, blank when not."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if selection.value not in self.selected and len(segments) > 1:
            inner = segments[1]
            segments[1] = Segment(" " * len(inner.text), inner.style, inner.control)
        return Strip(segments, strip.cell_length)


class FilterScreen(ModalScreen[QueueFilter | None]):
    """Dismisses the new QueueFilter, or None."""

    CSS_PATH = "filters.tcss"
    BINDINGS = [
        # Priority: Enter applies the dialog rather than toggling the highlighted tick.
        Binding("enter,ctrl+s", "apply", "Apply", id="filters.apply", priority=True),
        Binding("r", "reset", "Default view", id="filters.reset"),
        Binding("escape", "cancel", "Cancel", id="filters.cancel"),
    ]

    def __init__(self, current: QueueFilter) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        current = self.current
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Filter the queue (space ticks, enter applies)"
            with Horizontal(id="columns"):
                with Vertical(classes="column"):
                    yield from self._group("Status", "statuses", [
                        (status.label, status, status in current.statuses) for status in Status
                    ])
                    yield from self._group("Type", "types", [
                        (kind.value, kind, kind in current.types) for kind in RequestType
                    ])
                with Vertical(classes="column"):
                    yield from self._group("Brand", "brands", [
                        (brand.label, brand, brand in current.brands) for brand in Brand
                    ])
                    yield from self._group("Channel", "channels", [
                        (channel.value.title(), channel, channel in current.channels)
                        for channel in Channel
                    ])
                    yield from self._group("Only", "only", [
                        ("Manual only", MANUAL_ONLY, current.manual_only),
                        ("Assigned to me", MINE, current.mine),
                    ])
        yield DeskFooter()

    def _group(self, title: str, name: str, items: list[tuple[str, Any, bool]]) -> ComposeResult:
        yield Label(title, classes="group-title")
        yield TickList(
            *(Selection(label, value, ticked) for label, value, ticked in items),
            id=name, compact=True,
        )

    def _ticked(self, name: str) -> frozenset[Any]:
        return frozenset(self.query_one(f"#{name}", SelectionList).selected)

    def chosen(self) -> QueueFilter:
        only = self._ticked("only")
        return replace(
            self.current,
            statuses=self._ticked("statuses"),
            types=self._ticked("types"),
            brands=self._ticked("brands"),
            channels=self._ticked("channels"),
            manual_only=MANUAL_ONLY in only,
            mine=MINE in only,
        )

    def action_apply(self) -> None:
        self.dismiss(self.chosen())

    def action_reset(self) -> None:
        default = QueueFilter()
        for name in ("statuses", "types", "brands", "channels", "only"):
            self.query_one(f"#{name}", SelectionList).deselect_all()
        statuses = self.query_one("#statuses", SelectionList)
        for status in default.statuses:
            statuses.select(status)
        self.notify("Default view ticked: New and In progress. Enter applies.", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)
