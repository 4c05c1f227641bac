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
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("verification_code", sa.String(16), nullable=True))
        batch.add_column(sa.Column("superseded_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("policy_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("policy_expires", sa.Date(), nullable=True))
        batch.create_unique_constraint("uq_certificates_verification_code",
                                       ["verification_code"])
        batch.create_foreign_key("fk_certificates_policy_id_policies", "policies",
                                 ["policy_id"], ["id"])
        batch.create_index("ix_certificates_policy_id", ["policy_id"])
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
    with op.batch_alter_table("certificates") as batch:
        batch.drop_index("ix_certificates_policy_id")
        batch.drop_constraint("fk_certificates_policy_id_policies", type_="foreignkey")
        batch.drop_constraint("uq_certificates_verification_code", type_="unique")
        batch.drop_column("policy_expires")
        batch.drop_column("policy_id")
        batch.drop_column("superseded_at")
        batch.drop_column("verification_code")
