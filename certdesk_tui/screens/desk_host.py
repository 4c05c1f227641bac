"""What the dashboard's mixins (flow running, marking, saved views) may use of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.widget import Widget

    from certdesk_tui.domain.views import QueueFilter
    from certdesk_tui.service import Desk
    from certdesk_tui.widgets.queue_tab import QueueTab
    from certdesk_tui.widgets.request_table import RequestTable


class DeskHost:
    """The screen a mixin is mixed into: its desk and app, and (for the type checker
    only) the members of the dashboard the mixins call. Nothing here exists at run time
    but the two annotations."""

    desk: Desk
    app: Any

    if TYPE_CHECKING:
        @property
        def queue(self) -> QueueTab: ...
        @property
        def table(self) -> RequestTable: ...
        @property
        def flt(self) -> QueueFilter: ...
        @flt.setter
        def flt(self, flt: QueueFilter) -> None: ...
        def reload(self) -> None: ...
        def bulk_applies(self, action_id: str) -> bool: ...
        def ask_bulk(self, action_id: str) -> None: ...
        def post_message(self, message: Any) -> bool: ...  # noqa: ANN401
        def query_one(self, selector: type[Widget]) -> Any: ...  # noqa: ANN401
        def notify(self, message: str, *, title: str = "", severity: Any = "information",
                   timeout: float | None = None, markup: bool = True) -> None: ...
