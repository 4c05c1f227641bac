"""Text as long as its column holds: PostgreSQL would fail the write, SQLite keep it."""

from __future__ import annotations

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
    for column in row.__table__.columns:
        value = getattr(row, column.key, None)
        length = getattr(column.type, "length", None)
        if isinstance(value, str) and length and len(value) > length:
            raise ValidationFailed(f"{column.key} is longer than {length} characters")
