"""A queue row from the columns ``requests._row_select`` reads, in its order.

Made the same way whether SQLAlchemy read the columns (every read of the queue) or
``sqlite3`` (the desk's first frame, ``first_frame.py``): SQLAlchemy's types hand over a
list and datetimes, SQLite's stored values are JSON text and ISO text (``stored_row``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from certdesk_tui.domain.views import RequestRow

# The stored columns a SQLAlchemy type converts: the manual reasons (JSON) and two times.
_REASONS, _SUBMITTED_AT, _CLAIMED_AT = 11, 15, 18


def queue_row(values: Sequence[Any]) -> RequestRow:
    """The row of the columns ``requests._row_select`` reads, as SQLAlchemy returns them."""
    (rid, ext, cname, ccode, brand, rtype, channel, holder, status, login, manual, reasons,
     discrepancy, has_notes, dup, submitted_at, version, submitted_type, claimed_at) = values
    return RequestRow(
        id=rid, external_id=ext, customer_name=cname, customer_code=ccode, brand=brand,
        type=rtype, channel=channel, holder_name=holder, status=status, assignee_login=login,
        manual=bool(manual), manual_reasons=tuple(reasons or ()), discrepancy=bool(discrepancy),
        has_notes=bool(has_notes), possible_duplicate=bool(dup), submitted_at=submitted_at,
        version=version, submitted_type=submitted_type, claimed_at=claimed_at,
    )


def stored_row(values: Sequence[Any]) -> RequestRow:
    """The row of the same columns as SQLite stores them (read without SQLAlchemy)."""
    stored = list(values)
    if stored[_REASONS] is not None:
        stored[_REASONS] = json.loads(stored[_REASONS])
    for index in (_SUBMITTED_AT, _CLAIMED_AT):
        if stored[index] is not None:
            stored[index] = datetime.fromisoformat(stored[index])
    return queue_row(stored)
