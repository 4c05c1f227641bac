"""Text as long as its column holds: PostgreSQL would fail the write, SQLite keep it."""

from __future__ import annotations

from functools import cache
from typing import Any

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.storage.models import Base, CertificateRequest


def column_length(model: type[Base], column: str) -> int:
    length = getattr(model.__table__.c[column].type, "length", None)
    assert isinstance(length, int), f"{model.__name__}.{column} has no length"
    return length


# The holder fields as long as their columns hold (longer text is a discrepancy).
HOLDER_LIMITS: dict[str, int] = {
    key: column_length(CertificateRequest, f"holder_{key}")
    for key in ("name", "address", "city", "state", "zip", "email")
}


def check_fits(row: Base) -> None:
    """Refuse text longer than its column, naming the column."""
    check_values_fit(type(row), {column.key: getattr(row, column.key, None)
                                 for column in row.__table__.columns})


def check_values_fit(model: type[Base], values: dict[str, Any]) -> None:
    """Refuse text longer than its column, naming the column (a row as column → value)."""
    for key, length in _text_lengths(model):
        value = values.get(key)
        if isinstance(value, str) and len(value) > length:
            raise ValidationFailed(f"{key} is longer than {length} characters")


@cache
def _text_lengths(model: type[Base]) -> tuple[tuple[str, int], ...]:
    """(column, length) of each of the model's columns that has a length."""
    return tuple((column.key, column.type.length) for column in model.__table__.columns
                 if getattr(column.type, "length", None))
