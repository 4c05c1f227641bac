"""The line above the table: the search box and the filter, page and sort in words."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Static

from certdesk_tui.domain import BRAND_LABELS, PENDING_STATUSES, Status
from certdesk_tui.domain.views import MAX_SEARCH, QueueFilter, QueuePage, search_problem


def describe_filter(flt: QueueFilter) -> str:
    """The filter in words, for the line above the table."""
    if flt.statuses == frozenset(PENDING_STATUSES):
        parts = ["New + In Progress"]
    elif not flt.statuses or len(flt.statuses) == len(Status):
        parts = ["all statuses"]
    else:
        parts = [" + ".join(s.label for s in Status if s in flt.statuses)]
    if flt.types:
        parts.append("/".join(sorted(flt.types)))
    if flt.brands:
        parts.append("/".join(BRAND_LABELS[b] for b in sorted(flt.brands)))
    if flt.channels:
        parts.append("/".join(sorted(flt.channels)))
    if flt.manual_only:
        parts.append("manual only")
    if flt.mine:
        parts.append("mine")
    return " · ".join(parts)


def summary_text(flt: QueueFilter, page: QueuePage, width: int = 0) -> Text:
    """The filter, the rows shown of how many, and the sort. In ``width`` columns (0: any)
    the filter's words are shortened first (with "…"): the count and the sort stay."""
    if page.total:
        span = f"{page.offset + 1:,}–{page.offset + len(page.rows):,} of {page.total:,}"
    else:
        span = "no requests match"
    arrow = "↓" if flt.descending else "↑"
    words, rest = describe_filter(flt), f" · {span} · {flt.sort} {arrow}"
    if width and len(words) + len(rest) > width:
        words = words[:max(width - len(rest) - 1, 1)].rstrip(" ·+") + "…"
    return Text(words + rest, no_wrap=True, overflow="ellipsis")


class SearchBox(Input):
    """The search box: at most ``MAX_SEARCH`` characters, the queue filter's own limit.

    Text typed or pasted past it is refused whole, with a notification saying so (and
    the bell): the search stays as it was, never cut without a word.
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(placeholder="/ search customer name or code", max_length=MAX_SEARCH,
                         compact=True, id=id)

    def replace(self, text: str, start: int, end: int) -> None:
        value = self.value
        start, end = sorted((max(0, start), min(len(value), end)))
        problem = search_problem(f"{value[:start]}{text}{value[end:]}")
        if problem is None:
            super().replace(text, start, end)
            return
        self.app.bell()
        self.notify(f"{problem[:1].upper()}{problem[1:]}: nothing was added; the search "
                    "is as it was.", title="Search", severity="warning", markup=False)


class FilterBar(Horizontal):
    """The search box (its ``Input.Changed`` and ``Submitted`` bubble to the screen)
    and the summary of what the table shows. Styled by the dashboard's ``.tcss``."""


    def compose(self) -> ComposeResult:
        yield SearchBox(id="search")
        yield Static("", id="filter-summary")

    @property
    def search(self) -> Input:
        return self.query_one("#search", Input)

    shown: tuple[QueueFilter, QueuePage] | None = None
    marked = 0

    def show(self, flt: QueueFilter, page: QueuePage) -> None:
        self.shown = (flt, page)
        marks = f"{self.marked:,} marked · " if self.marked else ""
        width = self.query_one("#filter-summary", Static).content_size.width
        summary = summary_text(flt, page, max(width - len(marks), 1) if width else 0)
        if marks:
            # First, so that a narrow terminal cuts the filter's words, never the marks.
            summary = Text(marks, style="bold reverse", no_wrap=True,
                           overflow="ellipsis") + summary
        # One line of a fixed size: a new text needs no new layout (a keystroke's worth).
        self.query_one("#filter-summary", Static).update(summary, layout=False)

    def on_resize(self) -> None:
        if self.shown is not None:
            self.show(*self.shown)

    def show_marked(self, count: int) -> None:
        """How many requests are marked (``space``, ``*``), before the summary."""
        self.marked = count
        if self.shown is not None:
            self.show(*self.shown)
