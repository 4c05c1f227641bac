"""How long a claim or a note waits while an import processes requests automatically.

    python benchmarks/lock.py [--lines 2000] [--people 2] [--workers 1] [--postgres URL]

One process imports LINES clean submissions (each processed automatically: its
certificate drawn, then the request completed), while PEOPLE other processes each
claim requests of the manual list and note them, one call every 20 ms, until the
import ends. Every call is timed from the call to its return; the script prints the
median (p50), the 99th percentile (p99) and the longest of the claims and notes made
during the import, and the same calls with no import running (the reference), on
SQLite and, with ``--postgres`` (or ``CERTDESK_TEST_POSTGRES_URL``), on PostgreSQL.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from intake import lines, postgres_url, sqlite_url, team  # noqa: E402

from certdesk_tui.domain import Role  # noqa: E402
from certdesk_tui.service import Desk  # noqa: E402
from certdesk_tui.service.identity import resolve_actor  # noqa: E402
from certdesk_tui.storage.engine import Database  # noqa: E402

PEOPLE = ("sam", "sky", "lee", "kim", "ana", "bo")
PAUSE = 0.02  # between one person's calls


def prepare(url: str, people: int, each: int) -> list[list[int]]:
    """The team, and ``each`` requests of the manual list for every person."""
    manager = team(url)
    for login in PEOPLE[:people]:
        manager.add_user(login, Role.CERTIFICATE_SPECIALIST.value, login.title())
    report = manager.import_submissions(lines(people * each, manual=True, tag="WORK"))
    ids = [o.request_id for o in report.accepted if o.request_id is not None]
    manager.db.dispose()
    return [ids[n * each:(n + 1) * each] for n in range(people)]


def person(url: str, login: str, requests: list[int], start: Barrier, stop: Event,
           results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    db = Database(url)
    desk = Desk(db, resolve_actor(db, login))
    desk.queue(limit=10)  # connected and warm before the start
    timings: list[tuple[str, float]] = []
    start.wait()
    n = 0
    while not stop.is_set() and n < len(requests):
        request_id = requests[n]
        for name, call in (
                ("claim", lambda r=request_id: desk.start(r)),
                ("note", lambda r=request_id: desk.note(r, "checked during intake"))):
            began = time.perf_counter()
            call()
            timings.append((name, time.perf_counter() - began))
            time.sleep(PAUSE)
        n += 1
    results.put(timings)
    db.dispose()


def importer(url: str, batch: list[str], workers: int, start: Barrier, stop: Event,
             results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    db = Database(url)
    manager = Desk(db, resolve_actor(db, "morgan"))
    start.wait()
    began = time.perf_counter()
    report = manager.import_submissions(batch, workers)
    results.put(("import", time.perf_counter() - began, report.summary("lines")))
    stop.set()
    db.dispose()


def measure(url: str, people: int, batch: list[str] | None, workers: int,
            each: int, idle_seconds: float) -> tuple[list[tuple[str, float]], str]:
    groups = prepare(url, people, each)
    ctx = multiprocessing.get_context("spawn")
    # Every process connected and ready, then all start at once.
    start = ctx.Barrier(people + 1 + (batch is not None))
    stop, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=person, args=(url, PEOPLE[n], groups[n], start, stop, results))
             for n in range(people)]
    if batch is not None:
        procs.append(ctx.Process(target=importer,
                                 args=(url, batch, workers, start, stop, results)))
    for p in procs:
        p.start()
    start.wait()
    if batch is None:
        time.sleep(idle_seconds)
        stop.set()
    timings: list[tuple[str, float]] = []
    summary = "no import"
    for _ in procs:
        got = results.get()
        if isinstance(got, tuple) and got[0] == "import":
            summary = f"import of {len(batch or [])} lines in {got[1]:.1f} s ({got[2]})"
        else:
            timings.extend(got)
    for p in procs:
        p.join()
    return timings, summary


def show(label: str, timings: list[tuple[str, float]]) -> None:
    for name in ("claim", "note"):
        values = sorted(t for n, t in timings if n == name)
        if not values:
            continue
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(f"  {label:38} {name:5} {len(values):5} calls  p50 "
              f"{statistics.median(values) * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  "
              f"max {values[-1] * 1000:7.1f} ms", flush=True)


@contextmanager
def database(kind: str, admin: str | None) -> Iterator[str]:
    if kind == "SQLite":
        with sqlite_url() as url:
            yield url
    else:
        assert admin is not None
        with postgres_url(admin) as url:
            yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--people", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", default=os.environ.get("CERTDESK_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    print(f"{args.people} people claiming and noting, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the start")
    batch = lines(args.lines, manual=False, tag="AUTO")
    for kind in ("SQLite", "PostgreSQL") if args.postgres else ("SQLite",):
        with database(kind, args.postgres) as url:
            timings, summary = measure(url, args.people, batch, args.workers,
                                       each=args.lines, idle_seconds=0)
        print(f"{kind}: {summary}")
        show(f"{kind}, during the import", timings)
        with database(kind, args.postgres) as url:
            timings, _ = measure(url, args.people, None, args.workers, each=100,
                                 idle_seconds=5)
        show(f"{kind}, reference: no import", timings)


if __name__ == "__main__":
    main()
