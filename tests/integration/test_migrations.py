"""Migrations: the schema they build is the models' schema, and start-up knows the head."""

from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from certdesk_tui.storage.engine import SCHEMA_REVISION, Database, alembic_config
from certdesk_tui.storage.models import Base


def test_the_schema_revision_constant_is_alembics_head():
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_REVISION


def test_init_builds_every_table_and_index_of_the_models(database_url):
    db = Database(database_url, create=True)
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

    db = Database(database_url, create=True)
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


def test_the_migrations_build_exactly_the_models_schema(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = Database(database_url, create=True)
    db.upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    assert diff == []


def test_certificates_issued_before_revisions_keep_their_rows_through_0004(database_url):
    from sqlalchemy import text

    db = Database(database_url, create=True)
    _migrate(db, "0003")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO customers (code, name, brand, status, email, address, city, state,"
            " zip, name_search, updated_at) VALUES ('C1', 'Acme', 'compeo', 'active', '', '',"
            " '', '', '', 'acme', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO certificate_requests (external_id, customer_id, type, submitted_type,"
            " channel, status, in_queue, holder_name, holder_address, holder_city,"
            " holder_state, holder_zip, holder_email, holder_key, send_to_holder,"
            " instructions, submission, manual, manual_reasons, discrepancy, submitted_at,"
            " received_at, has_notes, updated_at, updated_by, version) VALUES ('x1', 1,"
            " 'COI', 'COI', 'portal', 'completed', false, 'H', '', '', '', '', '', '', false,"
            " '', '{}', false, '[]', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false,"
            " CURRENT_TIMESTAMP, '', 1)"))
        conn.execute(text(
            "INSERT INTO certificates (request_id, number, revision, source, file_name,"
            " sha256, data, pdf, issued_at, issued_by) VALUES (1, 'CD-1', 0, 'generated',"
            " 'a.pdf', 'ff', '{}', :pdf, CURRENT_TIMESTAMP, 'sam')"), {"pdf": b"%PDF-1.4"})
        conn.execute(text(
            "INSERT INTO outbox (request_id, kind, recipient_role, to_addr, to_name, subject,"
            " body_text, body_html, certificate_id, attachment_name, message_id, state,"
            " attempts, next_attempt_at, last_error, created_at) VALUES (1, 'completed',"
            " 'customer', 'a@example.com', '', 's', 't', 'h', 1, 'a.pdf', '<m1@x>', 'sent', 1,"
            " CURRENT_TIMESTAMP, '', CURRENT_TIMESTAMP)"))
    _migrate(db, "0004")

    def certificates() -> list[tuple]:
        with db.engine.connect() as conn:
            return list(conn.execute(text("SELECT number, revision, pdf FROM certificates")))

    assert [tuple(r) for r in certificates()] == [("CD-1", 0, b"%PDF-1.4")]
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT verification_code, superseded_at, policy_id,"
                                 " policy_expires FROM certificates")).one() == (None,) * 4
    _migrate(db, "0003", down=True)
    assert [tuple(r) for r in certificates()] == [("CD-1", 0, b"%PDF-1.4")]
    db.dispose()
