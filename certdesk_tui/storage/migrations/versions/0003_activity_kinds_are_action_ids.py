"""activity kinds are action ids

A processing action records its own id as its activity kind, so one action
has one name everywhere: marked_in_progress becomes start, relabelled
relabel, rejected reject, note_added note. The downgrade gives the old
names back.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMED = {
    "marked_in_progress": "start",
    "relabelled": "relabel",
    "rejected": "reject",
    "note_added": "note",
}

activities = sa.table("activities", sa.column("action", sa.String(40)))


def _rename(names: dict[str, str]) -> None:
    for before, after in names.items():
        op.execute(activities.update().where(activities.c.action == before)
                   .values(action=after))


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename({after: before for before, after in RENAMED.items()})
