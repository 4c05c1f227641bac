"""revisions, verification, the holder address book and saved views

A certificate carries a verification code, the date a later revision
superseded it, and the policy term it certified (so a renewed policy shows
which certificates are due). Holders a customer has used are kept per
customer; saved views keep a user's named queue filters.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Columns are added in place, never by rebuilding the table: the outbox refers to
    # certificates, and SQLite cannot drop a referenced table inside a transaction.
    op.add_column("certificates", sa.Column("verification_code", sa.String(16), nullable=True))
    op.add_column("certificates", sa.Column("superseded_at", sa.DateTime(), nullable=True))
    op.add_column("certificates", sa.Column("policy_id", sa.Integer(), nullable=True))
    op.add_column("certificates", sa.Column("policy_expires", sa.Date(), nullable=True))
    op.create_index("ix_certificates_verification_code", "certificates",
                    ["verification_code"], unique=True)
    op.create_index("ix_certificates_policy_id", "certificates", ["policy_id"])
    op.create_table(
        "holders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("city", sa.String(120), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("zip", sa.String(16), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("certificates", sa.Integer(), nullable=False),
        sa.Column("last_issued", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_id", "name_key"),
    )
    op.create_index("ix_holders_customer_id", "holders", ["customer_id"])
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner_id", "name"),
    )
    op.create_index("ix_saved_views_owner_id", "saved_views", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_saved_views_owner_id", table_name="saved_views")
    op.drop_table("saved_views")
    op.drop_index("ix_holders_customer_id", table_name="holders")
    op.drop_table("holders")
    op.drop_index("ix_certificates_policy_id", table_name="certificates")
    op.drop_index("ix_certificates_verification_code", table_name="certificates")
    for column in ("policy_expires", "policy_id", "superseded_at", "verification_code"):
        op.drop_column("certificates", column)
