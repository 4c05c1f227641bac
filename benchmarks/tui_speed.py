"""Speed of the desk with 100,000 requests, against the naive stock-DataTable approach.

    python benchmarks/tui_speed.py [--requests 100000] [--rebuild]

Builds (once) a demo database with that many requests, then measures, each in
a fresh process so memory figures do not mix:

- first paint: from process start until the queue with its count is on screen
  in a real 80x24 terminal (tmux; the time tmux and the shell take to show the
  output of a plain `echo` is measured and subtracted);
- search keystroke: from a key press in the search box until the table holds
  the filtered rows (median and worst of typing a customer name one key at a
  time; the next key is pressed once everything has settled);
- memory: the process's peak resident set size.

The same figures are taken for the naive approach: every pending request put
in a stock Textual DataTable, and the whole table rebuilt on each keystroke.
First paint has two more references measured in the same run: a bare Textual
app (one line of text: what Textual itself costs) and visidata opening the
pending queue exported to a CSV file (``pip install visidata``; skipped when it
is not installed). Each first paint is the median of ``--rounds`` starts.

At a million requests (``--requests 1000000``) the naive table would hold
700,000 rows: ``--skip-naive`` leaves it out.

The desk runs as the operating-system user (as ``certdesk`` does); a database
built by someone else gets that user added as a manager.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DB = Path(os.environ.get("CERTDESK_BENCH_DIR", "/tmp/certdesk-bench")) / "demo.sqlite3"
SEARCH = "brig"  # typed one key at a time


def login() -> str:
    from certdesk_tui.service.identity import os_login

    return os_login()


def ensure_user(db_path: Path) -> None:
    """The operating-system user may open the desk (a database built by another login)."""
    from certdesk_tui.service import Desk
    from certdesk_tui.service.identity import resolve_actor
    from certdesk_tui.storage.engine import Database

    db = Database(f"sqlite:///{db_path}")
    with db.reading() as s:
        from sqlalchemy import select

        from certdesk_tui.storage.models import User

        known = s.scalar(select(User.login).where(User.login == login()))
        manager = s.scalar(select(User.login).where(User.role == "manager").limit(1))
    if known is None and manager is not None:
        Desk(db, resolve_actor(db, manager)).add_user(login(), "manager")
    db.dispose()


def build(db_path: Path, requests: int, rebuild: bool) -> None:
    from certdesk_tui.demo import build_demo
    from certdesk_tui.storage.engine import Database

    if db_path.exists() and not rebuild:
        return
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    print(build_demo(Database(f"sqlite:///{db_path}", create=True), login=login(),
                     requests=requests, seed=1))
    print(f"(built in {time.perf_counter() - started:.1f} s)")


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM; ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive_app(desk):
    """Every pending request in one stock DataTable; the whole table rebuilt per keystroke."""
    from textual.app import App
    from textual.widgets import DataTable, Input, Static

    from certdesk_tui.domain.views import QueueFilter

    class NaiveApp(App):
        ready = False

        def compose(self):
            yield Static("loading", id="count")
            yield Input(id="search")
            yield DataTable(id="table")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("ID", "Submitted", "Customer", "Brand", "Type", "Channel",
                              "Holder", "Status", "Assignee", "Flags")
            self.fill("")
            self.ready = True

        def fill(self, text: str) -> None:
            page = desk.queue(QueueFilter(search=text), limit=10_000_000)
            table = self.query_one(DataTable)
            table.clear()
            for r in page.rows:
                table.add_row(str(r.id), r.submitted_at.isoformat(), r.customer_name,
                              r.brand, r.type, r.channel, r.holder_name, r.status,
                              r.assignee_login or "", "M" if r.manual else "")
            self.query_one("#count", Static).update(f"Naive ({page.total:,})")

        def on_input_changed(self, event: Input.Changed) -> None:
            self.fill(event.value)

    return NaiveApp()


def run_naive(db_path: str) -> None:
    """The naive app in a real terminal (for the first-paint measurement)."""
    from certdesk_tui.config import Settings
    from certdesk_tui.service.identity import open_desk

    desk = open_desk(Settings(), f"sqlite:///{db_path}", login=login())
    naive_app(desk).run()


def first_paint_in_terminal(command: str, marker: str, timeout: float = 120) -> float:
    """Seconds from starting ``command`` in an 80x24 tmux pane until ``marker`` shows."""
    session = f"certdesk-bench-{os.getpid()}"
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24"],
                   check=True)
    try:
        started = time.perf_counter()
        subprocess.run(["tmux", "send-keys", "-t", session, command, "Enter"], check=True)
        while time.perf_counter() - started < timeout:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                    capture_output=True, text=True).stdout
            if marker in screen:
                return time.perf_counter() - started
            time.sleep(0.005)
        raise RuntimeError(f"{marker!r} did not appear within {timeout} s")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


# -- one measurement, run in a child process ---------------------------------

def measure(mode: str, db_path: Path, started: float) -> dict:
    import asyncio

    from textual.widgets import DataTable

    from certdesk_tui.config import Settings
    from certdesk_tui.service.identity import open_desk

    # As `certdesk --db ...` opens it (schema check included); background mail off so
    # that only the queue is measured.
    settings = Settings(refresh_seconds=0, mail_interval_seconds=0)
    desk = open_desk(settings, f"sqlite:///{db_path}", login=login())
    desk.read_queue_early()  # as `certdesk` does before loading the interface

    if mode == "desk":
        from certdesk_tui.app import make_app
        from certdesk_tui.launch import freeze_start_up

        app = make_app(desk, settings)
        freeze_start_up()  # as `certdesk` does before the interface starts

        def shown(app) -> bool:
            dash = app.dashboard if app.screen_stack[1:] else None
            return bool(dash and dash.table.page is not None and dash.pending)

        def rows(app) -> int:
            return len(app.dashboard.table.page.rows)

        async def type_key(pilot, key) -> None:
            await pilot.press(key)

        focus_search = ["slash"]
    else:
        app = naive_app(desk)

        def shown(app) -> bool:
            return bool(getattr(app, "ready", False))

        def rows(app) -> int:
            return app.query_one(DataTable).row_count

        async def type_key(pilot, key) -> None:
            await pilot.press(key)

        focus_search = []

    result: dict = {"mode": mode}
    updated: list[float] = []  # when the table last received rows

    if mode == "desk":
        from certdesk_tui.widgets.request_table import RequestTable

        show_page = RequestTable.show_page

        def timed_show_page(self, *args, **kwargs):
            show_page(self, *args, **kwargs)
            updated.append(time.perf_counter())

        RequestTable.show_page = timed_show_page
    else:
        fill = app.fill

        def timed_fill(text: str) -> None:
            fill(text)
            updated.append(time.perf_counter())

        app.fill = timed_fill

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            while not shown(app):
                await asyncio.sleep(0.005)
            await pilot.pause()
            result["headless_start_s"] = time.perf_counter() - started
            result["rows_in_widget"] = rows(app)
            # Typed once the start has settled (the reads that follow the first frame),
            # as each next key is pressed once everything has settled.
            await app.workers.wait_for_complete()
            await pilot.pause()
            for key in focus_search:
                await pilot.press(key)
            latencies = []
            for key in SEARCH:
                updated.clear()
                before = time.perf_counter()
                await type_key(pilot, key)
                while not updated:
                    await asyncio.sleep(0.001)
                latencies.append((updated[0] - before) * 1000)
                await app.workers.wait_for_complete()
                await pilot.pause()
            result["keystroke_ms_median"] = statistics.median(latencies)
            result["keystroke_ms_worst"] = max(latencies)
            result["keystrokes_ms"] = [round(ms) for ms in latencies]
            result["rows_after_search"] = rows(app)

    asyncio.run(run())
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def child(mode: str, db_path: Path) -> dict:
    """Run one measurement in a fresh interpreter; process start counts in first paint."""
    # As the certdesk command starts (launch.py): the cyclic collector off from the
    # first line, the start-up frozen before the interface, the collector on after
    # the desk's first frame.
    script = (
        ("import gc; gc.disable(); " if mode == "desk" else "")
        + "import json, sys, time; started = time.perf_counter(); "
        f"sys.path.insert(0, {str(HERE)!r}); import tui_speed; "
        f"print(json.dumps(tui_speed.measure({mode!r}, tui_speed.Path({str(db_path)!r}), started)))"
    )
    begin = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, env={**os.environ, "TEXTUAL": ""})
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["wall_s"] = time.perf_counter() - begin
    return data


def run_bare() -> None:
    """The reference: a bare Textual app showing one line."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("Bare ready")

    Bare().run()


def export_csv(db_path: Path) -> Path:
    """The pending queue as a CSV file (what visidata opens), written once."""
    import sqlite3

    path = db_path.with_suffix(".pending.csv")
    if path.exists() and path.stat().st_mtime >= db_path.stat().st_mtime:
        return path
    conn = sqlite3.connect(db_path)
    rows = conn.execute(
        "SELECT r.id, r.submitted_at, c.name, c.brand, r.type, r.channel, r.holder_name, "
        "r.status FROM certificate_requests r JOIN customers c ON c.id = r.customer_id "
        "WHERE r.in_queue AND r.status IN ('new', 'in_progress') ORDER BY r.submitted_at, r.id")
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "submitted", "customer", "brand", "type", "channel", "holder",
                      "status"])
        out.writerows(rows)
    conn.close()
    return path


def terminal_first_paint(mode: str, db_path: Path, pending: int) -> float:
    config = db_path.parent / "empty.toml"
    config.touch()
    env = (f"NO_COLOR=1 CERTDESK_MAIL_INTERVAL_SECONDS=0 "
           f"CERTDESK_DATA_DIR={db_path.parent / 'data'} CERTDESK_CONFIG={config}")
    if mode == "bare":
        command = (f"{sys.executable} -c 'import sys; sys.path.insert(0, "
                   f"{json.dumps(str(HERE))}); import tui_speed; tui_speed.run_bare()'")
        return first_paint_in_terminal(command, "Bare ready")
    if mode == "visidata":
        vd = shutil.which("vd") or str(Path(sys.executable).with_name("vd"))
        return first_paint_in_terminal(f"{vd} -N {export_csv(db_path)}", f"{pending} rows")
    if mode == "desk":
        command = f"{env} {sys.executable} -m certdesk_tui --db sqlite:///{db_path}"
        marker = f"Certificates ({pending:,})"
    else:
        command = (f"{env} {sys.executable} -c 'import sys; sys.path.insert(0, "
                   f"{json.dumps(str(HERE))}); import tui_speed; "
                   f"tui_speed.run_naive({json.dumps(str(db_path))})'")
        marker = f"Naive ({pending:,})"
    return first_paint_in_terminal(command, marker)


def request_counts(db_path: Path) -> tuple[int, int]:
    """(requests, pending requests) in the database."""
    import sqlite3

    from certdesk_tui.service import Desk
    from certdesk_tui.service.identity import resolve_actor
    from certdesk_tui.storage.engine import Database

    db = Database(f"sqlite:///{db_path}")
    pending = Desk(db, resolve_actor(db, login())).pending_count()
    db.dispose()
    with sqlite3.connect(db_path) as conn:
        (total,) = conn.execute("SELECT count(*) FROM certificate_requests").fetchone()
    return total, pending


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-visidata", action="store_true")
    parser.add_argument("--rounds", type=int, default=5, help="first paints per program")
    args = parser.parse_args()
    build(args.db, args.requests, args.rebuild)
    ensure_user(args.db)
    total, pending = request_counts(args.db)
    # What tmux and the shell add to any command: the time an `echo` takes to show.
    baseline = min(first_paint_in_terminal("echo READY''-MARK", "READY-MARK") for _ in range(3))
    modes = ["desk"] if args.skip_naive else ["desk", "naive"]
    results = {}
    for mode in modes:
        results[mode] = child(mode, args.db)
        # The median of several starts: the first paint a person sees in an 80x24 terminal.
        results[mode]["first_paint_s"] = statistics.median(
            terminal_first_paint(mode, args.db, pending) for _ in range(args.rounds)) - baseline
    references = {"bare": "bare Textual app"}
    vd = shutil.which("vd") or Path(sys.executable).with_name("vd")
    if Path(vd).exists() and not args.skip_visidata:
        references["visidata"] = "visidata, the queue as CSV"
    reference_paint = {
        mode: statistics.median(terminal_first_paint(mode, args.db, pending)
                                for _ in range(args.rounds)) - baseline
        for mode in references}
    desk, naive = results["desk"], results.get("naive")
    print(f"\n{total:,} requests ({pending:,} pending) in {args.db}")
    print(f"(terminal baseline subtracted from first paint: {baseline:.2f} s)")
    header = f"{'':30}{'certdesk':>12}" + (f"{'naive DataTable':>18}{'ratio':>9}" if naive else "")
    print(header)
    for key, label, fmt in (
        ("first_paint_s", "first paint (s)", "{:.2f}"),
        ("keystroke_ms_median", "search keystroke median (ms)", "{:.0f}"),
        ("keystroke_ms_worst", "search keystroke worst (ms)", "{:.0f}"),
        ("peak_rss_mb", "peak memory (MB)", "{:.0f}"),
        ("rows_in_widget", "rows held by the widget", "{:,}"),
    ):
        line = f"{label:<30}{fmt.format(desk[key]):>12}"
        if key == "keystroke_ms_worst":
            line += f"   (each key of {SEARCH!r}: {desk['keystrokes_ms']} ms)"
        if naive:
            ratio = naive[key] / desk[key] if desk[key] else float("nan")
            line += f"{fmt.format(naive[key]):>18}{ratio:>8.1f}x"
        print(line)
    print("\nfirst paint (s), median of the same run's starts:")
    print(f"  {'certdesk':<30}{desk['first_paint_s']:>8.2f}")
    for mode, label in references.items():
        print(f"  {label:<30}{reference_paint[mode]:>8.2f}")
    print("\ntargets: 100,000 requests: first paint <= 0.5 s and below visidata's;"
          "\n         1,000,000 requests: first paint <= 0.8 s, keystroke <= 50 ms, "
          "memory < 150 MB")


if __name__ == "__main__":
    main()
