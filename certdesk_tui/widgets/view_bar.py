"""The line of saved views above the queue: each with its digit and its live count, the
one the queue shows now reversed (it reads without colour). Hidden while there are none."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from certdesk_tui.domain.saved_views import SavedView
from certdesk_tui.domain.views import QueueFilter
from certdesk_tui.text import one_line


def views_text(views: list[SavedView], current: QueueFilter) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for number, view in enumerate(views, start=1):
        if number > 1:
            text.append(" · ")
        label = f"{number} {one_line(view.name)}{'' if view.mine else ' (team)'} {view.count:,}"
        text.append(label, style="bold reverse" if view.filters == current else "")
    return text


class ViewBar(Static):
    """The saved views (digits 1 to 9 switch to them; V saves the current filters)."""

    DEFAULT_CSS = """
    ViewBar { height: 1; display: none; }
    ViewBar.-has-views { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.views: list[SavedView] = []

        self.current = QueueFilter()

    def show_views(self, views: list[SavedView]) -> None:
        self.views = views
        self.set_class(bool(views), "-has-views")
        self.update(views_text(views, self.current))

    def show_current(self, current: QueueFilter) -> None:
        """The queue's filter changed: the view it matches (if any) is the one reversed."""
        self.current = current
        self.update(views_text(self.views, current), layout=False)  # one line, fixed size
