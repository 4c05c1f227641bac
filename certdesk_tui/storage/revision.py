"""The schema revision this certdesk reads and writes: its newest migration.

Kept apart from the engine so that the desk's first frame (``storage/first_frame.py``)
checks it without importing SQLAlchemy; ``tests/integration/test_migrations.py`` checks
it against Alembic's head.
"""

SCHEMA_REVISION = "0008"
