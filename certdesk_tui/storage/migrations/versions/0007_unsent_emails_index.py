"""the emails not sent: a partial index

Nearly every message in the outbox is sent; the desk counts the failing ones on
every refresh and the deliverer looks for the due ones on every round. With
statistics that saw only sent messages (ANALYZE after a busy day, or the demo),
SQLite judged the (state, next_attempt_at) index useless and read every
message: 0.1-0.2 s each time at a million. This index holds only the messages
not sent, and those queries name its condition.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSENT = sa.text("state != 'sent'")


def upgrade() -> None:
    op.create_index("ix_outbox_unsent", "outbox", ["state", "next_attempt_at"],
                    sqlite_where=UNSENT, postgresql_where=UNSENT)


def downgrade() -> None:
    op.drop_index("ix_outbox_unsent", table_name="outbox")
