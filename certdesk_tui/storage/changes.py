"""The change marker: one counter every write bumps, so open desks know to reload."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from certdesk_tui.storage.models import ChangeMarker


def bump_change_marker(session: Session, now: datetime) -> None:
    session.execute(
        update(ChangeMarker).where(ChangeMarker.id == 1)
        .values(counter=ChangeMarker.counter + 1, changed_at=now)
    )


def counter_statement() -> Select:
    return select(ChangeMarker.counter).where(ChangeMarker.id == 1)


def change_counter(session: Session) -> int:
    return session.scalar(counter_statement()) or 0
