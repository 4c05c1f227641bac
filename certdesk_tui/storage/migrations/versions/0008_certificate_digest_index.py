"""certificates by their file's digest: an index

An attached PDF is checked against the certificates already stored with the same
bytes (a certificate certdesk drew is not uploaded again; a carrier's certificate
uploaded for one request is not sent for another made out to someone else), and
``certdesk verify FILE`` finds a certificate by its digest. Without an index each
of those read every certificate: 0.15-0.45 s at a million requests, under the
write lock when issuing.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_certificates_sha256", "certificates", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_certificates_sha256", table_name="certificates")
