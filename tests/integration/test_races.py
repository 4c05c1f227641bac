"""Races between several processes on one shared database, on SQLite and on PostgreSQL.

Each person works in a process of their own (multiprocessing, "spawn"), with its
own engine and connections, as people at separate terminals do. The processes
live for the whole module (starting Python and importing the program is the slow
part) and take their orders round by round: everyone prepares (opens the desk,
reads the version the screen would show), then all act at the same instant, so
that their transactions really collide.

A step is taken either as the interface takes it (with the version of the
request read beforehand: ``expected_version``) or as the command line does (no
version: the request as it is when the transaction runs). The loser must be told
who won in both cases, and nothing of theirs may be written.
"""

from __future__ import annotations

import multiprocessing
import queue
import re
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from certdesk_tui.domain import Role, Status, errors
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import resolve_actor
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import Activity, Certificate, Note, OutboxEmail
from tests import factories

SPAWN = multiprocessing.get_context("spawn")
# Generous: a busy machine, and a process imports the program before its first step.
TIMEOUT = 90
# Intake must never make anyone wait longer than this for one action.
LONGEST_ACCEPTABLE_WAIT = 5.0
NAMES = {"morgan": "morgan", "sam": "Sam Specialist", "sky": "Sky Specialist",
         "dana": "Dana Processor", "lee": "Lee Specialist", "kim": "Kim Specialist"}
TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d"

INTERFACE = "interface"  # acts on the version it read, as the desk's screens do
COMMAND_LINE = "command line"  # acts on the request as it finds it, as `certdesk start` does


@dataclass(frozen=True)
class Step:
    """One action one person takes when the round starts."""

    action: str  # see ACTIONS, and "work" / "import" for the intake test
    request_id: int = 0
    mode: str = INTERFACE
    take_over: bool = False
    repeat: int = 1  # "note": how many notes; "work": how many requests to claim
    lines: tuple[str, ...] = ()  # "import": the submissions
    signal: str = ""  # "import" creates this file when done; "work" stops when it exists


@dataclass(frozen=True)
class Outcome:
    round: int
    login: str
    action: str
    ok: bool
    error: str  # the exception class name, "crash" for anything unexpected, "" when ok
    message: str
    started: float  # wall clock, comparable between processes
    finished: float
    # (action, seconds, wall clock at its start) of each timed call
    latencies: tuple[tuple[str, float, float], ...] = ()
    detail: str = ""


# -- in the people's processes -------------------------------------------------------


def _claim(desk: Desk, step: Step, version: int | None) -> str:
    row = desk.start(step.request_id, expected_version=version,
                                take_over=step.take_over)
    return f"in progress with {row.assignee_login}"


def _automate(desk: Desk, step: Step, version: int | None) -> str:
    done = desk.automate(step.request_id, expected_version=version, take_over=step.take_over)
    return f"completed with {done.certificate_number}"


def _reject(desk: Desk, step: Step, version: int | None) -> str:
    desk.reject(step.request_id, 1, expected_version=version, take_over=step.take_over)
    return "rejected"


def _note(desk: Desk, step: Step, version: int | None) -> str:
    for n in range(step.repeat):
        desk.note(step.request_id, f"{desk.actor.login} note {n}")
    return f"{step.repeat} notes"


def _reissue(desk: Desk, step: Step, version: int | None) -> str:
    done = desk.reissue(step.request_id, reason=f"{desk.actor.login} corrects the description",
                        changes={"description": f"Corrected by {desk.actor.login}"},
                        expected_version=version)
    return f"revision {done.revision}"


def _import(desk: Desk, step: Step, version: int | None) -> str:
    try:
        report = desk.import_submissions(step.lines)
    finally:
        Path(step.signal).touch()
    if not report.ok:
        raise AssertionError(report.summary("lines") + "".join(
            f"\nline {o.line}: {o.message}" for o in report.refused))
    return report.summary("lines")


ACTIONS: dict[str, Callable[[Desk, Step, int | None], str]] = {
    "claim": _claim, "automate": _automate, "reject": _reject, "note": _note,
    "reissue": _reissue, "import": _import,
}
THINKING = 0.05  # seconds between one person's actions during intake: people read first


def _work_during_intake(desk: Desk, step: Step) -> tuple[tuple[str, float, float], ...]:
    """Claim requests, note them and page the queue until intake ends, timing every call.

    ``step.request_id`` is the first of this person's requests, ``step.repeat`` how many
    there are; when they are all claimed, the person keeps noting the last one.
    """
    latencies: list[tuple[str, float, float]] = []
    n = 0
    while not Path(step.signal).exists() and n < 20 * step.repeat:
        request_id = step.request_id + min(n, step.repeat - 1)
        calls = [
            ("note", lambda r=request_id: desk.note(r, "checked during intake")),
            ("queue", lambda: desk.queue(limit=50)),
        ]
        if n < step.repeat:
            calls.insert(0, ("claim", lambda r=request_id: desk.start(
                r, expected_version=desk.row(r).version)))
        for name, call in calls:
            t0, wall = time.perf_counter(), time.time()
            call()  # any exception (database locked, ...) fails the step
            latencies.append((name, time.perf_counter() - t0, wall))
            time.sleep(THINKING)
        n += 1
    return tuple(latencies)


def _terminal(inbox, results) -> None:
    """One person's process: prepare, wait for the start, act, report; round after round."""
    desks: dict[tuple[str, str], Desk] = {}
    while True:
        order = inbox.get()
        if order[0] == "quit":
            break
        if order[0] == "forget":  # the test is over: let its database go
            for desk in desks.values():
                desk.db.dispose()
            desks.clear()
            results.put(("forgotten",))
            continue
        _, index, url, login, step = order
        version, problem = None, ""
        try:
            if (url, login) not in desks:
                db = Database(url)
                desks[url, login] = Desk(db, resolve_actor(db, login))
            desk = desks[url, login]
            if step.mode == INTERFACE and step.request_id:
                version = desk.row(step.request_id).version  # what the screen shows
        except Exception:
            problem = traceback.format_exc()
        results.put(("ready", login))
        _, start_at = inbox.get()
        time.sleep(max(0.0, start_at - time.time()))
        started = time.time()
        latencies: tuple[tuple[str, float, float], ...] = ()
        if problem:
            message, ok, error = problem, False, "crash"
        else:
            try:
                if step.action == "work":
                    latencies = _work_during_intake(desk, step)
                    message = f"{len([t for t in latencies if t[0] == 'claim'])}"
                else:
                    message = ACTIONS[step.action](desk, step, version)
                ok, error = True, ""
            except errors.CertdeskError as exc:
                message, ok, error = str(exc), False, type(exc).__name__
            except Exception:  # a crash (database locked, ...) is reported, never swallowed
                message, ok, error = traceback.format_exc(), False, "crash"
        results.put(Outcome(index, login, step.action, ok, error, message, started,
                            time.time(), latencies))


# -- in the test process ---------------------------------------------------------------


class Terminals:
    """The people's processes, started once for the module and given orders round by round."""

    START_MARGIN = 0.05  # seconds between "all ready" and the common start

    def __init__(self, count: int) -> None:
        self.results = SPAWN.Queue()
        self.inboxes = [SPAWN.Queue() for _ in range(count)]
        self.processes = [SPAWN.Process(target=_terminal, args=(inbox, self.results),
                                        name=f"certdesk-terminal-{n}", daemon=True)
                          for n, inbox in enumerate(self.inboxes)]
        for process in self.processes:
            process.start()

    def _receive(self, count: int) -> list:
        received = []
        for _ in range(count):
            try:
                received.append(self.results.get(timeout=TIMEOUT))
            except queue.Empty:
                dead = [p.name for p in self.processes if not p.is_alive()]
                raise AssertionError(f"no answer within {TIMEOUT} s (dead: {dead})") from None
        return received

    def round(self, url: str, steps: dict[str, Step], index: int = 0) -> list[Outcome]:
        """Everyone named takes their step at the same instant; their outcomes by login."""
        assert len(steps) <= len(self.inboxes)
        for inbox, (login, step) in zip(self.inboxes, steps.items(), strict=False):
            inbox.put(("prepare", index, url, login, step))
        self._receive(len(steps))
        start_at = time.time() + self.START_MARGIN
        for inbox in self.inboxes[:len(steps)]:
            inbox.put(("start", start_at))
        return sorted(self._receive(len(steps)), key=lambda o: o.login)

    def rounds(self, url: str, plans: dict[str, list[Step | None]]) -> list[list[Outcome]]:
        """Round after round; a ``None`` step sits that round out."""
        count = {len(steps) for steps in plans.values()}
        assert len(count) == 1
        return [self.round(url, {login: steps[i] for login, steps in plans.items()
                                 if steps[i] is not None}, i)
                for i in range(count.pop())]

    def forget(self) -> None:
        for inbox in self.inboxes:
            inbox.put(("forget",))
        self._receive(len(self.inboxes))

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(("quit",))
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.terminate()
                process.join(5)


def the_winner(outcomes: list[Outcome]) -> Outcome:
    winners = [o for o in outcomes if o.ok]
    crashes = [o.message for o in outcomes if o.error == "crash"]
    assert not crashes, crashes[0]
    assert len(winners) == 1, [(o.login, o.error, o.message) for o in outcomes]
    return winners[0]


def assert_they_collided(outcomes: list[Outcome]) -> None:
    """The attempts really overlapped: all began before the first one ended."""
    first_end = min(o.finished for o in outcomes)
    last_start = max(o.started for o in outcomes)
    assert last_start < first_end + 0.5, (
        f"the attempts did not overlap: last start {last_start - first_end:.3f} s "
        "after the first end")


def assert_told_who_won(loser: Outcome, winner: str, mode: str) -> None:
    """The loser's refusal names the person who got there first."""
    if mode == INTERFACE:
        # The version the loser read is gone: who changed it, and when.
        assert loser.error in ("StaleRequest", "AlreadyClaimed"), loser
        assert re.search(f"changed by {winner} at {TIME}", loser.message) or re.search(
            f"in progress by {NAMES[winner]} since {TIME}", loser.message), loser
    else:
        assert loser.error in ("AlreadyClaimed", "InvalidTransition"), loser
        assert winner in loser.message or NAMES[winner] in loser.message, loser


def counts(db: Database, request_id: int) -> dict[str, object]:
    """What the database holds for one request, straight from the tables."""
    with db.reading() as s:
        return {
            "certificates": s.scalar(select(func.count()).select_from(Certificate)
                                     .where(Certificate.request_id == request_id)),
            "emails": sorted(s.scalars(select(OutboxEmail.kind)
                                       .where(OutboxEmail.request_id == request_id))),
            "activities": list(s.execute(select(Activity.actor, Activity.action)
                                         .where(Activity.request_id == request_id)
                                         .order_by(Activity.id))),
            "notes": list(s.scalars(select(Note.body).where(Note.request_id == request_id))),
        }


# -- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _terminals() -> Iterator[Terminals]:
    terminals = Terminals(6)
    try:
        yield terminals
    finally:
        terminals.close()


@pytest.fixture
def terminals(_terminals, db) -> Iterator[Terminals]:
    """Six people's processes; at the end of the test they close their connections."""
    yield _terminals
    _terminals.forget()


@pytest.fixture
def team(db, manager) -> Database:
    """The standard team and two more specialists, so that six different people can race."""
    manager.add_user("lee", Role.CERTIFICATE_SPECIALIST.value, "Lee Specialist")
    manager.add_user("kim", Role.CERTIFICATE_SPECIALIST.value, "Kim Specialist")
    return db


@pytest.fixture
def manual_requests(manager) -> Callable[[int, str], list[int]]:
    """``manual_requests(n, "X")``: n Compeo COIs on the manual list, ready to automate."""

    def make(n: int, prefix: str) -> list[int]:
        lines = factories.jsonl(*(
            factories.submission(f"{prefix}-{i}", instructions="Please call first",
                                 holder=dict(factories.HOLDER, name=f"{prefix} Holder {i}"))
            for i in range(n)))
        report = manager.import_submissions(lines)
        assert report.ok and len(report.accepted) == n, report.refused
        return [o.request_id for o in report.accepted]

    return make


def report(record_property, name: str, value: str) -> None:
    record_property(name, value)
    print(f"\n{name}: {value}")


# -- (a) claims ------------------------------------------------------------------------


CLAIMANTS = ["morgan", "sam", "sky", "dana", "lee", "kim"]


def test_six_people_claiming_the_same_request_at_once_one_wins_the_others_are_told_who(
        team, terminals, manual_requests, record_property):
    modes = [INTERFACE, COMMAND_LINE, INTERFACE, COMMAND_LINE]
    requests = manual_requests(len(modes), "CLAIM")
    plans = {login: [Step("claim", rid, mode) for rid, mode in zip(requests, modes, strict=True)]
             for login in CLAIMANTS}
    desk = Desk(team, resolve_actor(team, "pat"))
    spreads = []
    for rid, mode, outcomes in zip(requests, modes, terminals.rounds(team.url, plans), strict=True):
        winner = the_winner(outcomes)
        assert_they_collided(outcomes)
        spreads.append(max(o.started for o in outcomes) - min(o.started for o in outcomes))
        for loser in outcomes:
            if loser is not winner:
                assert_told_who_won(loser, winner.login, mode)
                if mode == COMMAND_LINE:  # the refusal of the issue, word for word
                    assert loser.error == "AlreadyClaimed", loser
                    assert f"in progress by {NAMES[winner.login]} since " in loser.message
        row = desk.row(rid)
        assert (row.status, row.assignee_login) == (Status.IN_PROGRESS, winner.login)
        claims = [a for a in counts(team, rid)["activities"] if a.action == "start"]
        assert claims == [(winner.login, "start")]
    report(record_property, f"claim start spread on {team.engine.dialect.name}",
           ", ".join(f"{s * 1000:.0f} ms" for s in spreads))


# -- (b) completions and rejections -------------------------------------------------------


PAIRS = [("automate", "reject"), ("automate", "automate"), ("reject", "reject"),
         ("reject", "automate")]


def test_completing_and_rejecting_the_same_request_at_once_exactly_one_succeeds(
        db, terminals, manual_requests):
    cases = [(pair, mode) for mode in (INTERFACE, COMMAND_LINE) for pair in PAIRS]
    requests = manual_requests(len(cases), "DONE")
    plans = {login: [Step(pair[side], rid, mode)
                     for rid, (pair, mode) in zip(requests, cases, strict=True)]
             for side, login in enumerate(["sam", "sky"])}
    desk = Desk(db, resolve_actor(db, "pat"))
    for rid, (_pair, mode), outcomes in zip(requests, cases, terminals.rounds(db.url, plans),
                                               strict=True):
        winner = the_winner(outcomes)
        assert_they_collided(outcomes)
        loser = next(o for o in outcomes if o is not winner)
        assert_told_who_won(loser, winner.login, mode)
        held = counts(db, rid)
        row = desk.row(rid)
        # Only the winner's work is in the database: status, certificate, emails, log.
        after_intake = [a for a in held["activities"] if a.actor != "system"]
        assert {a.actor for a in after_intake} == {winner.login}, held["activities"]
        actions = {a.action for a in after_intake}
        assert row.assignee_login == winner.login
        if winner.action == "automate":
            assert row.status == Status.COMPLETED
            assert held["certificates"] == 1 and held["emails"] == ["completed"]
            assert "reject" not in actions and "certificate_issued" in actions
            assert desk.request(rid).rejection_reason is None
        else:
            assert row.status == Status.REJECTED
            assert held["certificates"] == 0 and held["emails"] == ["rejected"]
            assert "certificate_issued" not in actions and "reject" in actions


def test_two_reissues_of_the_same_certificate_at_once_one_wins_the_other_is_stale(
        db, terminals, manual_requests, manager):
    requests = manual_requests(2, "REV")
    for rid in requests:
        manager.automate(rid)
    # The desk and the command line both act on the version they read first.
    plans = {login: [Step("reissue", rid, INTERFACE) for rid in requests]
             for login in ("sam", "sky")}
    for rid, outcomes in zip(requests, terminals.rounds(db.url, plans), strict=True):
        winner = the_winner(outcomes)
        assert_they_collided(outcomes)
        loser = next(o for o in outcomes if o is not winner)
        assert_told_who_won(loser, winner.login, INTERFACE)
        assert winner.message == "revision 1"
        held = counts(db, rid)
        assert held["certificates"] == 2
        reissues = [a for a in held["activities"] if a.action == "reissue"]
        assert reissues == [(winner.login, "reissue")]
        assert held["emails"] == ["completed", "reissued"]
        detail = Desk(db, resolve_actor(db, "pat")).request(rid)
        assert [c.current for c in detail.certificates] == [False, True]


# -- (c) notes ------------------------------------------------------------------------------


def test_many_people_noting_the_same_request_at_once_every_note_lands(
        db, terminals, manual_request, specialist, record_property):
    writers, rounds, per_round = ["morgan", "sam", "sky", "dana"], 10, 3
    before = specialist.row(manual_request).version
    plans = {login: [Step("note", manual_request, COMMAND_LINE, repeat=per_round)] * rounds
             for login in writers}
    started = time.perf_counter()
    outcomes = [o for r in terminals.rounds(db.url, plans) for o in r]
    elapsed = time.perf_counter() - started
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
    held = counts(db, manual_request)
    total = len(writers) * rounds * per_round
    assert len(held["notes"]) == total
    assert Counter(held["notes"]) == Counter(
        f"{login} note {n}" for login in writers for _ in range(rounds) for n in range(per_round))
    noted = [a for a in held["activities"] if a.action == "note"]
    assert Counter(a.actor for a in noted) == {login: rounds * per_round for login in writers}
    assert specialist.row(manual_request).version > before
    report(record_property, f"{total} concurrent notes on {db.engine.dialect.name}",
           f"{elapsed:.1f} s in {rounds} rounds")


# -- (d) intake while people work ---------------------------------------------------------


INTAKE_LINES = 300
AUTOMATIC = 12  # clean Compeo / PeoPayGo COIs: a certificate PDF is rendered for each


def intake_lines() -> list[str]:
    records = []
    for i in range(INTAKE_LINES):
        holder = dict(factories.HOLDER, name=f"Intake Holder {i}")
        if i < AUTOMATIC:
            records.append(factories.submission(f"IN-{i}", "C200" if i % 2 else "C100",
                                                holder=holder))
        else:
            customer = ("C100", "C200", "C300")[i % 3]
            extra = {} if customer == "C300" else {"instructions": f"Note {i}: call first"}
            records.append(factories.submission(f"IN-{i}", customer, holder=holder, **extra))
    records.sort(key=lambda r: int(r["external_id"][3:]) % 7)  # spread the slow lines out
    return factories.jsonl(*records)


def test_intake_while_people_claim_and_note_makes_nobody_fail_or_wait_long(
        db, terminals, manual_requests, specialist, tmp_path, record_property):
    workers, each = ["sam", "sky", "dana"], 25
    requests = manual_requests(len(workers) * each, "WORK")
    signal = str(tmp_path / "intake-done")
    steps = {"morgan": Step("import", mode=COMMAND_LINE, lines=tuple(intake_lines()),
                            signal=signal)}
    for n, login in enumerate(workers):
        steps[login] = Step("work", requests[n * each], COMMAND_LINE, repeat=each,
                            signal=signal)
    outcomes = {o.login: o for o in terminals.round(db.url, steps)}
    intake = outcomes.pop("morgan")
    assert intake.ok, intake.message
    assert intake.message.startswith(f"{INTAKE_LINES} lines accepted"), intake.message
    assert all(o.ok for o in outcomes.values()), [o.message for o in outcomes.values()]
    timings: dict[str, list[float]] = {}
    for o in outcomes.values():
        during = [t for t in o.latencies if t[2] < intake.finished]
        # Everyone worked all through the intake: claims and notes while it ran.
        assert {"claim", "note"} <= {name for name, _, _ in during}, o.login
        for name, seconds, _ in during:
            timings.setdefault(name, []).append(seconds)
    figures = ", ".join(
        f"{name} max {max(v) * 1000:.0f} ms / median {sorted(v)[len(v) // 2] * 1000:.0f} ms "
        f"({len(v)} calls)" for name, v in sorted(timings.items()))
    report(record_property, f"latency during intake on {db.engine.dialect.name}",
           f"intake {intake.finished - intake.started:.1f} s for {INTAKE_LINES} lines; "
           f"{figures}")
    longest = max(max(v) for v in timings.values())
    assert longest < LONGEST_ACCEPTABLE_WAIT, figures
    for n, login in enumerate(workers):
        claimed = requests[n * each:n * each + int(outcomes[login].message)]
        assert all(specialist.row(rid).assignee_login == login for rid in claimed)
    assert specialist.pending_count() == len(requests) + INTAKE_LINES - AUTOMATIC


# -- (e) a manager takes over -------------------------------------------------------------


def test_a_manager_takes_over_a_request_held_by_someone_else_and_it_is_logged(
        db, terminals, manual_requests, specialist):
    held, contested = manual_requests(2, "TAKE")
    plans: dict[str, list[Step | None]] = {
        "sam": [Step("claim", held), Step("claim", contested), None, None,
                Step("reject", held, COMMAND_LINE), Step("automate", contested)],
        "morgan": [None, None, Step("claim", held, COMMAND_LINE),
                   Step("claim", held, COMMAND_LINE, take_over=True), None,
                   Step("claim", contested, COMMAND_LINE, take_over=True)],
    }
    rounds = terminals.rounds(db.url, plans)
    by = [{o.login: o for o in r} for r in rounds]
    assert by[0]["sam"].ok and by[1]["sam"].ok
    refused = by[2]["morgan"]
    assert refused.error == "AlreadyClaimed"
    assert "in progress by Sam Specialist since " in refused.message
    assert "confirm to take it over" in refused.message
    assert by[3]["morgan"].ok, by[3]["morgan"].message
    # Sam, who no longer holds it, is told who does.
    assert by[4]["sam"].error == "AlreadyClaimed"
    assert "in progress by morgan since" in by[4]["sam"].message
    row = specialist.row(held)
    assert (row.status, row.assignee_login) == (Status.IN_PROGRESS, "morgan")
    log = [(a.actor, a.action, a.detail) for a in specialist.request(held).activities]
    assert ("morgan", "taken_over", "taken over from Sam Specialist") in log
    assert [a for a in log if a[1] == "start"][0][0] == "morgan"
    # Sam completes while the manager takes over at the same moment: one of them wins.
    winner = the_winner(rounds[5])
    loser = next(o for o in rounds[5] if o is not winner)
    contested_row = specialist.row(contested)
    if winner.login == "sam":
        assert contested_row.status == Status.COMPLETED
        assert loser.error == "InvalidTransition"
        assert re.search(f"is completed; .* [(]sam completed it at {TIME} UTC[)]", loser.message)
        assert "taken_over" not in {a.action for a in specialist.request(contested).activities}
    else:
        assert (contested_row.status, contested_row.assignee_login) == (
            Status.IN_PROGRESS, "morgan")
        assert loser.error == "StaleRequest" and "changed by morgan" in loser.message
        assert counts(db, contested)["certificates"] == 0
