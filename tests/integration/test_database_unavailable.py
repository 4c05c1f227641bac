"""A database that does not answer is a CertdeskError with words, never a driver's traceback."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine

from certdesk_tui.domain.errors import DatabaseUnavailable
from certdesk_tui.storage.engine import Database
from tests import factories
from tests.integration.test_cli import Cli, seed


def test_a_server_that_is_not_there_is_database_unavailable(specialist, db):
    gone = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                         connect_args={"connect_timeout": 2})
    db._read.configure(bind=gone)
    try:
        with pytest.raises(DatabaseUnavailable, match="^the database did not answer: "):
            specialist.queue()
    finally:
        gone.dispose()


def test_reading_a_closed_port_is_database_unavailable():
    db = Database("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailable) as info, db.reading() as s:
        s.connection()
    assert info.value.title == "Database problem"
    assert "\n" not in str(info.value)
    db.dispose()


def test_a_damaged_database_is_one_line_and_exit_1_on_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    seed(url, factories.submission("DU-1"))
    with sqlite3.connect(tmp_path / "team.sqlite3") as conn:
        conn.execute("DROP TABLE rejection_reasons")
    refusal = Cli(tmp_path, url).refused("reasons", "list")
    assert refusal.startswith("certdesk: the database did not answer: ")
    assert "rejection_reasons" in refusal
