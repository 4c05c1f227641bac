"""The desk's first page: read early while the interface loads, and counted once."""

from __future__ import annotations

from dataclasses import replace

from certdesk_tui.domain import Status
from certdesk_tui.domain.views import QueueFilter
from certdesk_tui.service import early


def test_the_early_read_is_the_page_a_direct_read_gives(specialist, submit, manual_request):
    submit("EXT-2")
    direct = specialist.queue_snapshot(QueueFilter(), 0, 100)
    specialist.read_queue_early(limit=100)
    assert specialist.queue_snapshot(QueueFilter(), 0, 100) == direct
    # Handed out once: the next call reads again (and sees a change made meanwhile).
    specialist.note(manual_request, "seen")
    again = specialist.queue_snapshot(QueueFilter(), 0, 100)
    assert again.change_counter > direct.change_counter


def test_another_page_or_filter_is_read_directly(specialist, submit):
    submit("EXT-2")
    specialist.read_queue_early(limit=100)
    narrow = QueueFilter(search="no such customer")
    assert specialist.queue_snapshot(narrow, 0, 100).page.total == 0
    specialist.read_queue_early(limit=100)
    assert specialist.queue_snapshot(QueueFilter(), 0, 10).page.offset == 0


def test_a_stale_early_read_is_read_again(specialist, submit, monkeypatch, manual_request):
    specialist.read_queue_early(limit=100)
    specialist.note(manual_request, "after the early read")
    monkeypatch.setattr(early, "FRESH_SECONDS", -1.0)
    fresh = specialist.queue_snapshot(QueueFilter(), 0, 100)
    assert fresh.change_counter == specialist.change_counter()


def test_a_failed_early_read_leaves_the_direct_read_to_report(specialist, manual_request,
                                                              monkeypatch):
    from certdesk_tui.service import reads

    real = reads.queue_snapshot
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(reads, "queue_snapshot", failing_once)
    specialist.read_queue_early(limit=100)
    rows = specialist.queue_snapshot(QueueFilter(), 0, 100).page.rows
    assert [r.id for r in rows] == [manual_request]
    assert len(calls) == 2


def test_the_badge_is_the_pending_count_whatever_the_filter(specialist, submit,
                                                           manual_request):
    for n in range(3):
        submit(f"EXT-{n + 10}")
    specialist.start(manual_request)
    pending = specialist.pending_count()
    for flt in (QueueFilter(), QueueFilter(sort="customer", descending=True),
                QueueFilter(statuses=frozenset({Status.NEW})), QueueFilter(search="zz"),
                replace(QueueFilter(), manual_only=True), QueueFilter(statuses=frozenset())):
        assert specialist.queue_snapshot(flt, 0, 100).pending == pending


def test_preparing_the_search_changes_nothing_and_searches_alike(specialist, advisor, submit,
                                                                manual_request):
    submit("EXT-2", "C200", instructions="call first")
    search = QueueFilter(search="acme")
    before = specialist.queue_snapshot(search)
    assert before.page.total >= 1
    counter = specialist.change_counter()
    specialist.prepare_search()
    advisor.prepare_search()  # anyone who may see the queue
    assert specialist.queue_snapshot(search) == before
    assert specialist.change_counter() == counter
