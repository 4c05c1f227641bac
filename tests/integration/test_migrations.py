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


OLD_KINDS = {"marked_in_progress": "start", "relabelled": "relabel", "rejected": "reject",
             "note_added": "note"}


def _migrate(db: Database, revision: str, down: bool = False) -> None:
    from alembic import command

    cfg = alembic_config()
    with db.engine.execution_options(certdesk_write=True).begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_stored_activity_kinds_become_the_action_ids_and_come_back_on_downgrade(database_url):
    from sqlalchemy import text

    db = Database(database_url)
    _migrate(db, "0002")
    with db.engine.begin() as conn:
        for kind in [*OLD_KINDS, "completed", "submitted"]:
            conn.execute(text("INSERT INTO activities (at, actor, action, detail) "
                              "VALUES (CURRENT_TIMESTAMP, 'sam', :kind, '')"), {"kind": kind})

    def kinds() -> list[str]:
        with db.engine.connect() as conn:
            return list(conn.execute(text("SELECT action FROM activities ORDER BY id")).scalars())

    _migrate(db, "0003")
    assert kinds() == [*OLD_KINDS.values(), "completed", "submitted"]
    _migrate(db, "0002", down=True)
    assert kinds() == [*OLD_KINDS, "completed", "submitted"]
    db.dispose()
