"""Time ``build_demo``: wall and CPU seconds of each phase, the row counts and the file size.

    python benchmarks/build_demo.py [REQUESTS] [--seed S] [--dir DIRECTORY]

The demo file is written to DIRECTORY/demo.sqlite3 (default: a temporary directory,
removed afterwards).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from certdesk_tui import demo
from certdesk_tui.storage import models
from certdesk_tui.storage.engine import Database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requests", nargs="?", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.dir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "demo.sqlite3"
        db = Database(f"sqlite:///{path}", create=True)
        cpu = time.process_time()
        print(demo.build_demo(db, login="bench", requests=args.requests, seed=args.seed))
        print(f"CPU of this process: {time.process_time() - cpu:.1f} s")
        for phase, (wall, cpu_s) in demo.LAST_TIMINGS.items():
            print(f"  {phase:32} {wall:6.2f} s wall {cpu_s:6.2f} s CPU")
        with db.reading() as s:
            for model in (models.Customer, models.Policy, models.CertificateRequest,
                          models.Activity, models.Note, models.DuplicateLink,
                          models.Certificate, models.OutboxEmail):
                count = s.scalar(select(func.count()).select_from(model))
                print(f"  {model.__tablename__:22} {count:>9,}")
        db.dispose()
        print(f"file size: {path.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
