"""A filtered page is the same page however the database is asked for it.

With matches dense enough (``_denser_than_a_page``), a search or brand filter walks
the requests in the order shown instead of going through the customers' index;
otherwise it goes through that index and sorts the matches. Both must give the same
rows, in the same order, on every page, both databases.
"""

from __future__ import annotations

import pytest

from certdesk_tui.domain import Brand, Status
from certdesk_tui.domain.views import QueueFilter
from certdesk_tui.storage import requests as stored_requests
from tests import factories

FILTERS = [
    QueueFilter(search="a"),
    QueueFilter(search="ACME"),
    QueueFilter(search="c2"),
    QueueFilter(search="%"),
    QueueFilter(search="no such customer"),
    QueueFilter(brands=frozenset({Brand.COMPEO})),
    QueueFilter(search="r", brands=frozenset({Brand.PEOPAYGO, Brand.COMPEO})),
    QueueFilter(search="a", descending=True),
    QueueFilter(search="a", statuses=frozenset({Status.NEW})),
    QueueFilter(search="a", sort="customer"),
]


@pytest.fixture
def queue(manager, specialist):
    lines = []
    for n in range(24):
        customer = ("C100", "C200", "C300", "C500")[n % 4]
        lines.append(factories.submission(f"PLAN-{n}", customer, instructions="call first"))
    report = manager.import_submissions(factories.jsonl(*lines))
    assert report.ok, report.refused
    # A few claimed, so that a status filter has something to leave out.
    for outcome in report.accepted[::5]:
        specialist.start(outcome.request_id)
    return specialist


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: repr(f.search or f.brands))
def test_a_filtered_page_is_the_same_whichever_way_it_is_read(queue, monkeypatch, flt):
    pages = {}
    for plan, walks in (("by customer", False), ("in order", True)):
        monkeypatch.setattr(stored_requests, "_denser_than_a_page",
                            lambda _s, _matches, _reach, walks=walks: walks)
        pages[plan] = [queue.queue_snapshot(flt, 0, 7).page]
        while pages[plan][-1].offset + 7 < pages[plan][-1].total:
            pages[plan].append(queue.queue_snapshot(flt, pages[plan][-1].offset + 7, 7).page)
    assert pages["by customer"] == pages["in order"]
    rows = [row.id for page in pages["in order"] for row in page.rows]
    assert len(rows) == len(set(rows)) == pages["in order"][0].total
    # The pages nearer the end are read from the end: the same rows in the same order
    # as one page read from the start.
    whole = queue.queue_snapshot(flt, 0, 100).page
    assert rows == [row.id for row in whole.rows]
    assert [p.offset for p in pages["in order"]] == list(range(0, max(whole.total, 1), 7))


def test_a_page_read_without_its_counts_is_the_same_page(queue):
    flt = QueueFilter(search="a")
    counted = queue.queue_snapshot(flt, 0, 10)
    bare = queue.queue_snapshot(flt, 0, 10, counts=False)
    assert bare.page == counted.page
    assert (bare.pending, bare.failing_emails) == (None, None)
    assert counted.pending == queue.pending_count()


def test_the_requests_are_walked_in_order_only_when_the_page_is_found_sooner(queue, db):
    """Walking reads about reach * requests / matches rows; the index reads every match.
    The queue fixture holds 24 requests (the highest id)."""
    with db.reading() as s:
        assert stored_requests._denser_than_a_page(s, matches=24, reach=7)  # 576 > 168
        assert stored_requests._denser_than_a_page(s, matches=13, reach=7)  # 169 > 168
        assert not stored_requests._denser_than_a_page(s, matches=12, reach=7)  # 144
        assert not stored_requests._denser_than_a_page(s, matches=24, reach=28)  # last page
        assert not stored_requests._denser_than_a_page(s, matches=0, reach=7)


@pytest.mark.parametrize("search", ["a", "no such customer"])
def test_a_page_past_the_end_is_the_last_page(queue, search):
    flt = QueueFilter(search=search)
    total = queue.queue_snapshot(flt, 0, 7).page.total
    last = queue.queue_snapshot(flt, max(0, (total - 1) // 7 * 7), 7).page
    assert queue.queue_snapshot(flt, total + 50, 7).page == last
