"""Migrations: the schema they build is the models' schema, and start-up knows the head."""

from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from certdesk_tui.storage.engine import SCHEMA_REVISION, Database, alembic_config
from certdesk_tui.storage.models import Base


def test_the_schema_revision_constant_is_alembics_head():
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_REVISION


def test_init_builds_every_table_and_index_of_the_models(database_url):
    db = Database(database_url)
    assert db.current_revision() is None
    db.upgrade()
    assert db.current_revision() == SCHEMA_REVISION
    assert not db.needs_upgrade()
    inspector = inspect(db.engine)
    for table in Base.metadata.sorted_tables:
        assert inspector.has_table(table.name)
        built = {ix["name"] for ix in inspector.get_indexes(table.name)}
        assert {ix.name for ix in table.indexes} <= built, table.name
    db.dispose()
