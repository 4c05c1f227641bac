"""Saved views: named filter sets of the queue, kept per user, shared by a manager.

A view keeps what the filters, the search and the sort say (``QueueFilter``) as
JSON; reading it back takes only the values the desk knows, so a view written by
another version (or edited by hand) never stops the desk.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.views import MAX_SEARCH, SORT_KEYS, QueueFilter
from certdesk_tui.domain.vocabulary import Brand, Channel, RequestType, Status
from certdesk_tui.domain.written import is_blank

MAX_VIEW_NAME = 40
MAX_VIEWS = 9
"""The views a user is offered (own first, then shared): digits 1 to 9 switch to them."""


@dataclass(frozen=True)
class SavedView:
    """One view as a user sees it: its number is its place in their list."""

    id: int
    name: str
    owner: str
    shared: bool
    filters: QueueFilter
    count: int
    """How many requests it shows now (a live count)."""
    mine: bool

    def to_json(self, number: int) -> dict[str, object]:
        return {"number": number, "id": self.id, "name": self.name, "owner": self.owner,
                "shared": self.shared, "count": self.count,
                "filters": filters_to_json(self.filters)}


def clean_name(name: str) -> str:
    text = " ".join((name or "").split())
    if is_blank(text):
        raise ValidationFailed("a view needs a name")
    if len(text) > MAX_VIEW_NAME:
        raise ValidationFailed(f"a view's name is at most {MAX_VIEW_NAME} characters")
    if not text.isprintable():
        raise ValidationFailed("a view's name holds control characters")
    return text


def filters_to_json(flt: QueueFilter) -> dict[str, Any]:
    return {
        "statuses": sorted(s.value for s in flt.statuses),
        "types": sorted(t.value for t in flt.types),
        "brands": sorted(b.value for b in flt.brands),
        "channels": sorted(c.value for c in flt.channels),
        "manual": flt.manual_only,
        "mine": flt.mine,
        "search": flt.search,
        "sort": flt.sort,
        "descending": flt.descending,
    }


def _members(value: object, enum: type[StrEnum]) -> frozenset[Any]:
    if not isinstance(value, list):
        return frozenset()
    known = {m.value: m for m in enum}
    return frozenset(known[v] for v in value if isinstance(v, str) and v in known)


def filters_from_json(data: object) -> QueueFilter:
    """The filter a view keeps; anything unknown is left at its default."""
    if not isinstance(data, dict):
        return QueueFilter()
    flt = QueueFilter()
    statuses = _members(data.get("statuses"), Status)
    search = data.get("search")
    sort = data.get("sort")
    return replace(
        flt,
        statuses=statuses or flt.statuses,
        types=_members(data.get("types"), RequestType),
        brands=_members(data.get("brands"), Brand),
        channels=_members(data.get("channels"), Channel),
        manual_only=data.get("manual") is True,
        mine=data.get("mine") is True,
        # A view kept before the search had its limit (or edited by hand) still opens.
        search=search[:MAX_SEARCH] if isinstance(search, str) else "",
        sort=sort if sort in SORT_KEYS else flt.sort,
        descending=data.get("descending") is True,
    )
