"""The messages not sent are found through their own index, whatever the statistics.

Nearly every message in an outbox is sent. Statistics gathered when all of them were
(ANALYZE after a quiet spell; the demo ends with one) made SQLite judge the
(state, next_attempt_at) index useless and read every message for the failing count
the desk shows on each refresh and for the deliverer's claim on each round.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import event, func, select, text

from certdesk_tui import demo
from certdesk_tui.mail.claims import due
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import OutboxEmail
from certdesk_tui.storage.outbox import UNSENT, failing_email_count


def _plan(db: Database, stmt) -> str:
    """SQLite's plan for the statement as the desk sends it: its SQL and bound values,
    caught on their way to the driver."""
    sent: list[tuple[str, object]] = []

    def catch(_conn, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, parameters))

    with db.engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", catch)
        conn.execute(stmt).all()
        event.remove(conn, "before_cursor_execute", catch)
        statement, parameters = sent[-1]
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return " ".join(str(row[-1]) for row in plan)


def _reads_every_message(plan: str) -> bool:
    return re.search(r"SCAN outbox(?! USING (COVERING )?INDEX ix_outbox_unsent)", plan) is not None


def test_failing_and_due_messages_are_read_through_the_unsent_index(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'demo.sqlite3'}", create=True)
    demo.build_demo(db, login="morgan", requests=200, seed=3)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE outbox SET state = 'sent', attempts = 1"))
        conn.execute(text("ANALYZE"))
        # The statistics of a million messages, every one sent (as SQLite's own ANALYZE
        # writes them for such an outbox: one state for all).
        conn.execute(text("UPDATE sqlite_stat1 SET stat = '1000000 1000000 2' "
                          "WHERE idx = 'ix_outbox_due'"))
        conn.execute(text("UPDATE sqlite_stat1 SET stat = '1000000 2' "
                          "WHERE idx = 'ix_outbox_request_id'"))
    db.dispose()  # new connections read the statistics
    failing = select(func.count()).select_from(OutboxEmail).where(
        UNSENT, OutboxEmail.state.in_(["failed", "queued"]))
    claimable = select(OutboxEmail.id).where(due(datetime(2030, 1, 1)))
    # Without naming the index's condition, these statistics make SQLite read them all.
    unnamed = select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.state.in_(["failed", "queued"]))
    assert _reads_every_message(_plan(db, unnamed))
    assert not _reads_every_message(_plan(db, failing))
    assert not _reads_every_message(_plan(db, claimable))
    with db.reading() as s:
        assert failing_email_count(s) == 0
    # A message failing again is counted, through the same index.
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE outbox SET state = 'failed' WHERE id = "
                          "(SELECT min(id) FROM outbox)"))
    with db.reading() as s:
        assert failing_email_count(s) == 1
    db.dispose()
