"""``build_demo``: wipe, plan, write the history in chunks, index, analyse; timed by phase."""

from __future__ import annotations

import gc
import time
from datetime import timedelta

from sqlalchemy import (
    func,
    select,
    update,
)

from certdesk_tui.clock import utcnow
from certdesk_tui.demo.catalogue import DEMO_MARKER, EXTRA_REASONS, TEAM_DOMAIN
from certdesk_tui.demo.history import HistoryWriter
from certdesk_tui.demo.loading import (
    CHUNK,
    Loader,
    bulk_transaction,
    drop_indexes,
    finish,
    wipe,
)
from certdesk_tui.demo.planner import Planner
from certdesk_tui.demo.records import DemoRandom
from certdesk_tui.domain import (
    ActivityKind,
    Role,
)
from certdesk_tui.service.identity import initialise
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import (
    Activity,
    Certificate,
    ChangeMarker,
    Customer,
    Holder,
    OutboxEmail,
    Policy,
    RejectionReason,
    User,
)

LAST_TIMINGS: dict[str, tuple[float, float]] = {}
"""(wall, CPU) seconds of each phase of the last ``build_demo`` (``benchmarks/build_demo.py``)."""


def build_demo(db: Database, *, login: str, requests: int, seed: int) -> str:
    """Wipe ``db`` (a demo or empty database) and fill it with a demo; returns a summary."""
    # Millions of small objects that all live to the end: the cyclic collector would
    # walk them again and again for nothing (it made a big build twice as slow).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(db, login=login, requests=requests, seed=seed)
    finally:
        if collecting:
            gc.enable()


def _build(db: Database, *, login: str, requests: int, seed: int) -> str:
    started = time.perf_counter()
    LAST_TIMINGS.clear()
    mark = (started, time.process_time())

    def lap(phase: str) -> None:
        nonlocal mark
        now_ = (time.perf_counter(), time.process_time())
        wall, cpu = LAST_TIMINGS.get(phase, (0.0, 0.0))
        LAST_TIMINGS[phase] = (wall + now_[0] - mark[0], cpu + now_[1] - mark[1])
        mark = now_

    now = utcnow().replace(minute=0, second=0, microsecond=0)
    wipe(db)
    initialise(db, login)
    lap("wipe and migrate")

    rng = DemoRandom(seed)
    plan = Planner(rng, now, max(0, requests), login)
    plan.plan_team()
    plan.plan_customers()
    plan.plan_requests()
    plan.plan_renewals(DemoRandom(f"renewals {seed}"))
    lap("plan")

    with db.reading() as s:
        manager_id = s.scalar(select(User.id).where(User.login == login))
        reason_rows = list(s.execute(select(RejectionReason.id, RejectionReason.text)
                                     .order_by(RejectionReason.position, RejectionReason.id)))
        next_reason = (s.scalar(select(func.max(RejectionReason.id))) or 0) + 1
        next_position = (s.scalar(select(func.max(RejectionReason.position))) or 0) + 1
    team_since = now - timedelta(days=30)
    reasons_added = now - timedelta(days=25)
    retired_at = now - timedelta(days=9)
    extra = [(next_reason + i, reason) for i, reason in enumerate(EXTRA_REASONS)]
    reasons = [(r.id, r.text) for r in reason_rows] + extra

    writer = HistoryWriter(plan, reasons, retired_at)
    writer.user_ids[login] = manager_id
    user_rows = []
    for offset, (user_login, name, role) in enumerate(plan.team, start=1):
        writer.user_ids[user_login] = manager_id + offset
        user_rows.append({"id": manager_id + offset, "login": user_login, "name": name,
                          "email": f"{user_login}@{TEAM_DOMAIN}", "role": role, "active": True,
                          "created_at": team_since})
    lap("plan")

    with bulk_transaction(db) as conn:
        # Core inserts: executemany, no ORM bookkeeping.
        indexes: list[str] = []
        if db.is_sqlite:
            # Loading into bare tables and indexing once is faster than keeping every
            # index up to date row by row; the indexes come back exactly as they were.
            conn.exec_driver_sql("PRAGMA cache_size = -65536")
            indexes = drop_indexes(conn)
        load = Loader(conn, db.is_sqlite)
        load(User.__table__, user_rows)
        load(RejectionReason.__table__, [
            {"id": rid, "text": reason, "position": next_position + i, "active": True,
             "created_at": reasons_added, "retired_at": None}
            for i, (rid, reason) in enumerate(extra)
        ])
        conn.execute(update(RejectionReason.__table__)
                     .where(RejectionReason.id == extra[-1][0])
                     .values(active=False, retired_at=retired_at))
        admin = [{"request_id": None, "at": team_since, "actor": login,
                  "action": ActivityKind.USER_ADDED, "detail": f"user {u['login']} added as "
                  f"{Role(u['role']).label}"} for u in user_rows]
        admin += [{"request_id": None, "at": reasons_added, "actor": login,
                   "action": ActivityKind.REASON_ADDED,
                   "detail": f"rejection reason {rid} added: {t}"}
                  for rid, t in extra]
        admin.append({"request_id": None, "at": retired_at, "actor": login,
                      "action": ActivityKind.REASON_RETIRED,
                      "detail": f"rejection reason {extra[-1][0]} retired: {extra[-1][1]}"})
        load(Activity.__table__, admin)
        load(Customer.__table__, [
            {"id": c.id, "code": c.code, "name": c.name, "brand": c.brand,
             "status": c.status, "email": c.email, "address": c.address, "city": c.city,
             "state": c.state, "zip": c.zip, "name_search": c.name.lower(),
             "updated_at": team_since} for c in plan.customers
        ])
        load(Policy.__table__, [
            {"id": p.id, "customer_id": p.customer_id, "line": "workers_comp",
             "carrier": p.carrier, "naic": p.naic, "number": p.number,
             "effective": p.effective, "expires": p.expires,
             "each_accident": p.each_accident,
             "disease_each_employee": p.disease_each_employee,
             "disease_policy_limit": p.disease_policy_limit} for p in plan.policies
        ])
        lap("insert")
        # The history, a chunk of requests at a time (memory stays flat); the last
        # chunk waits until a few of its emails have had their delivery trouble.
        todo = plan.requests
        for index, req in enumerate(todo):
            writer.request(req)
            if len(writer.request_rows) >= CHUNK and len(todo) - index > CHUNK:
                lap("history")
                writer.flush(load)
                lap("insert")
        writer.trouble_with_mail()
        lap("history")
        writer.flush(load)
        for sql in indexes:
            conn.exec_driver_sql(sql)
        lap("insert")
        cert_rows = writer.certificate_rows()
        lap("certificates for emails still to be delivered")
        load(Certificate.__table__, cert_rows)
        load(Holder.__table__, writer.holder_rows())
        load(OutboxEmail.__table__, writer.emails)
        load(Activity.__table__, [{
            "request_id": None, "at": now, "actor": login, "action": DEMO_MARKER,
            "detail": f"demo database built with seed {seed}: {len(plan.requests):,} "
                      f"requests, {len(plan.customers):,} customers",
        }])
        conn.execute(update(ChangeMarker.__table__).where(ChangeMarker.id == 1)
                     .values(counter=ChangeMarker.counter + 1, changed_at=utcnow()))
        if db.is_sqlite:
            conn.exec_driver_sql("PRAGMA cache_size = -2000")
        lap("insert")
    lap("commit")
    finish(db)
    lap("analyze")
    users = len(user_rows) + 1
    elapsed = time.perf_counter() - started
    return (f"demo database built: {len(plan.requests):,} requests "
            f"({writer.pending:,} pending), {len(plan.customers):,} customers, {users} users, "
            f"in {elapsed:.1f} s")

