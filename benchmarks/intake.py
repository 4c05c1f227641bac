"""Intake speed: manual-list lines a second on SQLite and PostgreSQL, beside raw SQLite
inserts in the same run; automatically processed lines a second with 1 and N workers.

    python benchmarks/intake.py [--lines 2000] [--auto-lines 200] [--runs 3]
                                [--workers 2] [--postgres URL]

Each run imports into a fresh database (the standard team and three customers):

- manual: LINES submissions that all go to the manual list (each has customer
  instructions), through ``Desk.import_submissions`` as ``certdesk import`` does;
- raw SQLite: the same number of request rows written by the ``sqlite3`` module with one
  ``executemany`` in one transaction into the same table (no parsing, no rules, no
  activities): as fast as SQLite takes these rows;
- auto: AUTO_LINES clean submissions, each processed automatically (a certificate
  drawn, two emails queued), with one process and with ``--workers N``.

PostgreSQL runs when ``--postgres`` (or ``CERTDESK_TEST_POSTGRES_URL``) names a server
where a fresh database may be created. Figures are medians of the runs, in lines per
second of wall time and of this process's CPU time (what one core does, whatever
else the machine runs; for workers, wall time is the figure that counts).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from certdesk_tui.service import Desk  # noqa: E402
from certdesk_tui.service.identity import initialise, resolve_actor  # noqa: E402
from certdesk_tui.storage.engine import Database, normalise_url  # noqa: E402
from tests import factories  # noqa: E402

CUSTOMERS = ("C100", "C200")


def lines(count: int, manual: bool, tag: str) -> list[str]:
    records = []
    for i in range(count):
        extra = {"instructions": f"Please call first ({i})"} if manual else {}
        records.append(factories.submission(
            f"{tag}-{i}", CUSTOMERS[i % len(CUSTOMERS)],
            holder=dict(factories.HOLDER, name=f"Benchmark Holder {tag} {i}"), **extra))
    return [json.dumps(r) for r in records]


def team(url: str) -> Desk:
    db = Database(url, create=True)
    initialise(db, "morgan")
    manager = Desk(db, resolve_actor(db, "morgan"))
    report = manager.import_customers(factories.jsonl(*factories.CUSTOMERS))
    assert report.ok, report.refused
    return manager


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as directory:
        yield f"sqlite:///{directory}/bench.sqlite3"


@contextmanager
def postgres_url(admin: str) -> Iterator[str]:
    admin = normalise_url(admin)
    name = f"certdesk_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        engine.dispose()


def timed_import(url: str, batch: list[str], workers: int = 1) -> tuple[float, float]:
    """(wall, CPU) seconds to import the lines into a fresh database at ``url``."""
    manager = team(url)
    wall, cpu = time.perf_counter(), time.process_time()
    if workers == 1:
        report = manager.import_submissions(batch)
    else:
        report = manager.import_submissions(batch, workers=workers)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert report.ok and len(report.accepted) == len(batch), report.summary("lines")
    manager.db.dispose()
    return wall, cpu


def raw_sqlite(count: int) -> tuple[float, float]:
    """(wall, CPU) seconds for ``count`` request rows in one executemany, one transaction."""
    with sqlite_url() as url:
        team(url).db.dispose()
        path = url.removeprefix("sqlite:///")
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        customer = conn.execute("SELECT id FROM customers LIMIT 1").fetchone()[0]
        rows = [(f"RAW-{i}", customer, "COI", "COI", "portal", "new", 1, f"Holder {i}",
                 "9 Oak Ave", "Miami", "FL", "33101", "certs@bgc.example", f"holder {i}", 0,
                 "Please call first", "{}", 1, '["customer instructions"]', 0,
                 "Certificates", "2026-11-20 15:00:00", "2026-11-20 15:00:00",
                 "2026-11-20 15:00:00", "system", 0, 1) for i in range(count)]
        wall, cpu = time.perf_counter(), time.process_time()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO certificate_requests (external_id, customer_id, type, submitted_type,"
            " channel, status, in_queue, holder_name, holder_address, holder_city,"
            " holder_state, holder_zip, holder_email, holder_key, send_to_holder,"
            " instructions, submission, manual, manual_reasons, discrepancy, department,"
            " submitted_at, received_at, updated_at, updated_by, has_notes, version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?)", rows)
        conn.execute("COMMIT")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        conn.close()
    return wall, cpu


def median_rate(count: int, runs: int, measure: Callable[[], tuple[float, float]]
                ) -> tuple[float, float]:
    timings = [measure() for _ in range(runs)]
    return (count / statistics.median(t[0] for t in timings),
            count / statistics.median(t[1] for t in timings))


def show(label: str, count: int, rates: tuple[float, float]) -> None:
    wall, cpu = rates
    print(f"  {label:44} {count:>6} lines {wall:10,.0f}/s wall {cpu:10,.0f}/s CPU", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000, help="manual-list lines a run")
    parser.add_argument("--auto-lines", type=int, default=200,
                        help="automatically processed lines a run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", default=os.environ.get("CERTDESK_TEST_POSTGRES_URL"),
                        help="a PostgreSQL server's URL where a database may be created")
    args = parser.parse_args()
    print(f"median of {args.runs} runs, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the start")
    manual = lines(args.lines, manual=True, tag="M")
    auto = lines(args.auto_lines, manual=False, tag="A")

    def on_sqlite(batch: list[str], workers: int = 1) -> Callable[[], tuple[float, float]]:
        def measure() -> tuple[float, float]:
            with sqlite_url() as url:
                return timed_import(url, batch, workers)
        return measure

    def on_postgres(batch: list[str], workers: int = 1) -> Callable[[], tuple[float, float]]:
        def measure() -> tuple[float, float]:
            with postgres_url(args.postgres) as url:
                return timed_import(url, batch, workers)
        return measure

    show("manual list, SQLite", args.lines, median_rate(args.lines, args.runs,
                                                        on_sqlite(manual)))
    show("reference: raw SQLite executemany", args.lines,
         median_rate(args.lines, args.runs, lambda: raw_sqlite(args.lines)))
    if args.postgres:
        show("manual list, PostgreSQL", args.lines,
             median_rate(args.lines, args.runs, on_postgres(manual)))
    for workers in sorted({1, args.workers}):
        label = f"automatic, SQLite, {workers} worker{'s' if workers > 1 else ''}"
        show(label, args.auto_lines,
             median_rate(args.auto_lines, args.runs, on_sqlite(auto, workers)))
        if args.postgres:
            label = label.replace("SQLite", "PostgreSQL")
            show(label, args.auto_lines,
                 median_rate(args.auto_lines, args.runs, on_postgres(auto, workers)))


if __name__ == "__main__":
    main()
