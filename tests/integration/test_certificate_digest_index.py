"""Certificates are found by their file's digest through an index (migration 0008):
every attachment is checked against them, under the write lock when issuing."""

from __future__ import annotations

import re

from sqlalchemy import select

from certdesk_tui import demo
from certdesk_tui.storage import verification
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import Certificate
from tests.integration.test_outbox_index import _plan


def test_a_certificate_is_found_by_its_digest_through_the_index(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'demo.sqlite3'}", create=True)
    demo.build_demo(db, login="morgan", requests=200, seed=3)  # its indexes rebuilt
    with db.reading() as s:
        stored = s.scalars(select(Certificate).where(Certificate.sha256 != "")).first()
        assert stored is not None
        digest = stored.sha256
        assert [c.id for c in verification.certificates_with_sha256(s, digest)] == [stored.id]
    stmt = select(Certificate.id).where(Certificate.sha256 == digest, Certificate.sha256 != "")
    plan = _plan(db, stmt)
    assert re.search(r"SEARCH certificates USING (COVERING )?INDEX ix_certificates_sha256",
                     plan), plan
    db.dispose()
