"""The request table: one page of the filtered queue, never the whole table.

Filtering, sorting and paging happen in SQL (``Desk.queue``); this widget only
holds the rows of the current page, so 100,000 requests cost what 200 do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from certdesk_tui.actions import Owner, bindings_for
from certdesk_tui.clock import utcnow
from certdesk_tui.domain import BRAND_LABELS, Brand, Channel, Status
from certdesk_tui.domain.views import PAGE_ROWS, QueuePage, RequestRow
from certdesk_tui.text import literal_line

BRAND_SHORT = {"compeo": "Comp", "peopaygo": "PPG", "cornerstone": "CS"}
"""The brands in a table narrower than ``FULL_BRANDS`` columns (the help explains them)."""
FULL_BRANDS = 120
"""From this width the brands and channels are spelled out."""
NAME_CAP = 40
"""Customer and holder widths past which the room goes to the manual reasons."""
REASONS_MIN = 24
"""The manual reasons column is shown when at least this much room is left for it."""
GUTTER = 1
"""One blank column before each cell (the table has no cell padding of its own)."""


def column_layout(width: int, id_digits: int = 4) -> list[tuple[str, str, int]]:
    """The table's columns for a terminal ``width``: (key, header, width without gutter).

    Status reads in full ("In Progress") and Who stays legible at 80 columns; the flexible
    room goes to Customer and Holder alike, up to ``NAME_CAP`` each, then to a column of
    the manual reasons. Brand and channel are spelled out from ``FULL_BRANDS`` columns.
    """
    full = width >= FULL_BRANDS
    fixed: list[tuple[str, str, int | None]] = [
        ("id", "ID", max(2, id_digits + 1)),  # + the mark
        ("age", "Age", 4),
        ("customer", "Customer", None),
        ("brand", "Brand", 11 if full else 5),
        ("type", "Type", 4),
    ]
    fixed.append(("channel", "Channel", 8) if full else ("channel", "Ch", 2))
    fixed += [("holder", "Holder", None), ("status", "Status", 11),
              ("assignee", "Who", 12 if full else 8), ("flags", "Flags", 5)]
    used = 1 + sum((w or 0) + GUTTER for _, _, w in fixed)  # 1: the scrollbar
    flexible = max(16, width - used)
    reasons = flexible - 2 * NAME_CAP - GUTTER
    if reasons >= REASONS_MIN:
        customer = holder = NAME_CAP
        fixed.append(("reasons", "Manual reasons", reasons))
    else:
        holder = flexible // 2
        customer = flexible - holder
    sizes = {"customer": customer, "holder": holder}
    return [(key, label, w if w is not None else sizes[key]) for key, label, w in fixed]


def cell(value: str | Text) -> Text:
    """A cell's text after its gutter, on one line, cut with an ellipsis."""
    text = Text(" " * GUTTER, no_wrap=True, overflow="ellipsis", end="")
    text.append_text(value if isinstance(value, Text) else Text(value))
    return text
MARK = "✓"
"""Before a marked request's id (reversed too): a mark reads without colour."""
FLAG_LEGEND = "Flags: M manual · N notes/instructions · D discrepancy · P possible duplicate"


def age_text(submitted_at: datetime, now: datetime) -> str:
    seconds = max(0, int((now - submitted_at).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def flags_text(row: RequestRow) -> str:
    return row.flags


class RequestTable(DataTable[object]):
    """The queue's current page; asks for the next or previous page at its edges."""

    BINDINGS = bindings_for(Owner.TABLE)

    class RequestChosen(Message):
        """The user chose a request (``enter`` or a click): open its preview."""

        def __init__(self, request_id: int) -> None:
            super().__init__()
            self.request_id = request_id

    class PageRequested(Message):
        """The cursor ran past the edge of the page: load the page at ``offset``."""

        def __init__(self, offset: int, at_end: bool) -> None:
            super().__init__()
            self.offset = offset
            self.at_end = at_end

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, cell_padding=0)
        self.page: QueuePage | None = None
        self.page_size = PAGE_ROWS
        self.overdue = timedelta(hours=24)
        self.marked: dict[int, int] = {}
        """The marked requests (id: the version the user saw), kept across pages."""

        self.layout_keys: list[str] = []
        self._laid_out: tuple[int, int] | None = None

    def on_mount(self) -> None:
        self._add_columns(self.size.width or 80)

    def _id_digits(self, page: QueuePage | None) -> int:
        return max((len(str(r.id)) for r in page.rows), default=1) if page else 1

    def _add_columns(self, width: int, page: QueuePage | None = None) -> None:
        digits = self._id_digits(page)
        self._laid_out = (width, digits)
        layout = column_layout(width, digits)
        self.layout_keys = [key for key, _, _ in layout]
        for key, label, w in layout:
            self.add_column(cell(label), key=key, width=w + GUTTER)

    def _relayout(self, width: int, page: QueuePage | None) -> bool:
        """Lay the columns out again if the width or the ids' length changed."""
        if self._laid_out == (width, self._id_digits(page)):
            return False
        self.clear(columns=True)
        self._add_columns(width, page)
        return True

    def on_resize(self) -> None:
        if self.page is None:
            return
        current = self.cursor_row
        if not self._relayout(self.size.width, self.page):
            return
        self._fill(self.page, utcnow())
        if self.row_count:
            self.move_cursor(row=min(current, self.row_count - 1))

    @property
    def selected(self) -> RequestRow | None:
        if self.page is None or not self.page.rows or self.cursor_row < 0:
            return None
        if self.cursor_row >= len(self.page.rows):
            return None
        return self.page.rows[self.cursor_row]

    def show_page(self, page: QueuePage, now: datetime, keep_id: int | None = None,
                  at_end: bool = False, first: bool = False) -> None:
        """Replace the rows, keeping the selected request (or row index) where possible;
        ``first``: a new result (search, filter, sort, page), the cursor on its first row."""
        previous_row = self.cursor_row
        previous_scroll = self.scroll_y
        self.page = page
        if not self._relayout(self.size.width or 80, page):
            self.clear()
        self._fill(page, now)
        if not page.rows:
            return
        if first:
            self.scroll_to(y=0, animate=False, immediate=True)
            self.move_cursor(row=0, scroll=True)
            return
        target = None
        if keep_id is not None:
            target = next((i for i, r in enumerate(page.rows) if r.id == keep_id), None)
        if target is None:
            target = len(page.rows) - 1 if at_end else min(max(previous_row, 0),
                                                           len(page.rows) - 1)
        self.scroll_y = previous_scroll
        self.move_cursor(row=target, scroll=True)

    def _overdue(self, row: RequestRow, now: datetime) -> bool:
        return (now - row.submitted_at) > self.overdue and row.status in (
            Status.NEW, Status.IN_PROGRESS)

    def _id_cell(self, row: RequestRow, overdue: bool) -> Text:
        if row.id in self.marked:
            return Text(f"{MARK}{row.id}", style="bold reverse")
        return Text(str(row.id), style="bold" if overdue else "")

    # -- marks: several requests at once ----------------------------------------

    def toggle_mark(self) -> bool | None:
        """Mark or unmark the selected request (True: now marked; None: no row)."""
        row = self.selected
        if row is None:
            return None
        if self.marked.pop(row.id, None) is None:
            self.marked[row.id] = row.version
        self._show_mark(row)
        return row.id in self.marked

    def mark_rows(self, rows: list[RequestRow]) -> None:
        """Mark these requests (a whole result), at the versions read."""
        self.marked.update((row.id, row.version) for row in rows)
        self._show_marks()

    def clear_marks(self) -> None:
        self.marked.clear()
        self._show_marks()

    def _show_marks(self) -> None:
        for row in self.page.rows if self.page else ():
            self._show_mark(row)

    def _show_mark(self, row: RequestRow) -> None:
        self.update_cell(str(row.id), "id",
                         cell(self._id_cell(row, self._overdue(row, utcnow()))))

    def _cells(self, row: RequestRow, now: datetime) -> dict[str, Text]:
        overdue = self._overdue(row, now)
        full = self._laid_out is not None and self._laid_out[0] >= FULL_BRANDS
        brand = Brand(row.brand)
        return {
            "id": self._id_cell(row, overdue),
            "age": Text(("!" if overdue else "") + age_text(row.submitted_at, now),
                        style="bold reverse" if overdue else ""),
            "customer": literal_line(row.customer_name),
            "brand": Text(BRAND_LABELS[brand] if full else BRAND_SHORT[brand.value]),
            "type": Text(row.type),
            "channel": Text(Channel(row.channel).value if full
                            else Channel(row.channel).letter),
            "holder": literal_line(row.holder_name),
            "status": Text(Status(row.status).label),
            "assignee": literal_line(row.assignee_login or ""),
            "flags": Text(flags_text(row)),
            "reasons": literal_line("; ".join(row.manual_reasons)),
        }

    def _fill(self, page: QueuePage, now: datetime) -> None:
        for row in page.rows:
            cells = self._cells(row, now)
            self.add_row(*(cell(cells[key]) for key in self.layout_keys), key=str(row.id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if (row := self.selected) is not None:
            self.post_message(self.RequestChosen(row.id))

    def action_cursor_down(self) -> None:
        page = self.page
        if (page and self.row_count and self.cursor_row == self.row_count - 1
                and page.offset + len(page.rows) < page.total):
            self.post_message(self.PageRequested(page.offset + len(page.rows), at_end=False))
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        page = self.page
        if page and self.cursor_row == 0 and page.offset > 0:
            self.post_message(self.PageRequested(max(0, page.offset - self.page_size),
                                                 at_end=True))
            return
        super().action_cursor_up()
