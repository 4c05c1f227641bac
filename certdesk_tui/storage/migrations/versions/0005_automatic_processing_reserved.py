"""automatic processing reserved outside the write lock

A request processed automatically at intake is stored first, marked with the
time its automatic processing started; its certificate is drawn outside any
transaction and the request completed in a second short one, which clears the
mark. A mark left by an import that stopped in between tells the next import
which requests to process again.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("certificate_requests") as batch:
        batch.add_column(sa.Column("auto_started_at", sa.DateTime(), nullable=True))
        batch.create_index("ix_requests_auto_started", ["auto_started_at"])


def downgrade() -> None:
    with op.batch_alter_table("certificate_requests") as batch:
        batch.drop_index("ix_requests_auto_started")
        batch.drop_column("auto_started_at")
