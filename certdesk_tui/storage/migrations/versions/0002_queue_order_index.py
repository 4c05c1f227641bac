"""queue indexes

The default queue (New + In Progress, oldest first) spans two statuses, so the
(in_queue, status, submitted_at) index cannot give it in order; walking
submitted_at directly finds the first page without sorting the whole queue.
A customer search counts and pages its matches from one covering index
(customer_id, in_queue, status, submitted_at) instead of reading every row.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_requests_submitted", "certificate_requests", ["submitted_at", "id"])
    op.drop_index("ix_requests_customer_submitted", table_name="certificate_requests")
    op.create_index("ix_requests_customer_queue", "certificate_requests",
                    ["customer_id", "in_queue", "status", "submitted_at"])


def downgrade() -> None:
    op.drop_index("ix_requests_customer_queue", table_name="certificate_requests")
    op.create_index("ix_requests_customer_submitted", "certificate_requests",
                    ["customer_id", "submitted_at"])
    op.drop_index("ix_requests_submitted", table_name="certificate_requests")
