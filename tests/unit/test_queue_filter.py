"""The queue filter's search: one rule for the desk's search box and ``list --search``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from certdesk_tui.domain import views
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.saved_views import filters_from_json
from certdesk_tui.domain.views import QueueFilter


def test_a_search_is_at_most_200_characters():
    assert views.MAX_SEARCH == 200
    assert QueueFilter(search="x" * views.MAX_SEARCH).search == "x" * 200


@pytest.mark.parametrize("length", [201, 100_000])
def test_a_longer_search_is_refused_saying_the_limit(length):
    with pytest.raises(ValidationFailed) as refused:
        QueueFilter(search="x" * length)
    assert str(refused.value) == (
        f"a search is at most 200 characters (this one has {length:,})")
    with pytest.raises(ValidationFailed):
        replace(QueueFilter(), search="é" * length)


def test_a_saved_view_holds_a_search_the_queue_takes():
    """A view kept before the rule (or edited by hand) still opens: its search is cut."""
    flt = filters_from_json({"search": "y" * 5_000})
    assert flt.search == "y" * views.MAX_SEARCH
