"""One source of 'now' (naive UTC), so tests can hold the clock still."""

from __future__ import annotations

from datetime import UTC, datetime

_frozen: datetime | None = None


def utcnow() -> datetime:
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def freeze(at: datetime | None) -> None:
    """Hold the clock at ``at`` (naive UTC), or let it run again with None (tests)."""
    global _frozen
    _frozen = at


def to_naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)
