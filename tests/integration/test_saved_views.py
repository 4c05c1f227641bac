"""Saved views: kept per user in the database, shared by a manager, each with its live
count; on SQLite and PostgreSQL, and ``certdesk views`` as a subprocess."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certdesk_tui.domain import Brand, Status
from certdesk_tui.domain.errors import NotFound, PermissionDenied, ValidationFailed
from certdesk_tui.domain.saved_views import MAX_VIEWS, filters_from_json, filters_to_json
from certdesk_tui.domain.views import QueueFilter
from tests import factories
from tests.integration.test_cli import ME, Cli, seed

CORNERSTONE = QueueFilter(brands=frozenset({Brand.CORNERSTONE}))


@pytest.fixture
def queue(submit) -> list[int]:
    return [submit(f"V-{i}", "C300" if i % 2 else "C100", instructions="x") for i in range(5)]


def test_views_are_kept_per_user_and_shared_by_a_manager(queue, specialist, manager, advisor,
                                                         desk_for):
    saved = specialist.save_view("  Cornerstone  only ", CORNERSTONE)
    assert (saved.name, saved.count, saved.mine) == ("Cornerstone only", 2, True)
    specialist.save_view("Mine", QueueFilter(mine=True))
    specialist.start(queue[0])
    offered = specialist.views()
    assert [(v.name, v.count) for v in offered] == [("Cornerstone only", 2), ("Mine", 1)]
    # Saving again under the same name (case aside) replaces that view.
    specialist.save_view("mine", QueueFilter(mine=True, statuses=frozenset({Status.NEW})))
    assert [(v.name, v.count) for v in specialist.views()] == [
        ("Cornerstone only", 2), ("mine", 0)]
    assert desk_for("sky").views() == []                # nobody else sees them

    # A manager shares one of theirs: everyone is offered it after their own.
    manager.save_view("Team: all statuses", QueueFilter(statuses=frozenset(Status)))
    manager.save_view("Private", QueueFilter())
    manager.share_view("team: all statuses")
    seen = [(v.name, v.mine, v.owner, v.count) for v in advisor.views()]
    assert seen == [("Team: all statuses", False, "morgan", 5)]
    assert [v.name for v in specialist.views()][-1] == "Team: all statuses"
    with pytest.raises(PermissionDenied, match="share saved views"):
        specialist.share_view("Mine")
    # A view-only user uses the shared views, and keeps none of their own.
    with pytest.raises(PermissionDenied, match="may not keep saved views of their own"):
        advisor.save_view("New ones", QueueFilter(statuses=frozenset({Status.NEW})))
    manager.share_view("Team: all statuses", False)
    assert advisor.views() == []

    specialist.rename_view("Cornerstone only", "CS")
    with pytest.raises(ValidationFailed, match="already have a view named"):
        specialist.rename_view("CS", "MINE")
    specialist.delete_view("cs")
    with pytest.raises(NotFound, match="no saved view named"):
        specialist.delete_view("cs")
    with pytest.raises(NotFound):
        specialist.delete_view("Private")               # someone else's
    assert [v.name for v in specialist.views()] == ["mine"]


def test_nine_views_at_most_and_names_checked(specialist):
    for n in range(MAX_VIEWS):
        specialist.save_view(f"View {n}", QueueFilter(search=str(n)))
    with pytest.raises(ValidationFailed, match="9 saved views already"):
        specialist.save_view("Tenth", QueueFilter())
    specialist.save_view("View 3", QueueFilter())       # replacing one is fine
    for bad, why in (("", "needs a name"), ("   ", "needs a name"), ("x" * 41, "at most 40"),
                     ("a\x1b[2Jb", "control characters")):
        with pytest.raises(ValidationFailed, match=why):
            specialist.save_view(bad, QueueFilter())


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(
                        ["statuses", "types", "brands", "channels", "manual", "mine",
                         "search", "sort", "descending", "other"]), inner, max_size=6),
                    max_leaves=12))
def test_a_kept_filter_never_stops_the_desk(data):
    """Whatever a view's JSON holds (another version's, edited by hand), it reads back."""
    flt = filters_from_json(data)
    assert isinstance(flt, QueueFilter)
    assert filters_from_json(filters_to_json(flt)) == flt


def test_filters_round_trip():
    flt = replace(CORNERSTONE, search="Zoë", sort="customer", descending=True, mine=True,
                  manual_only=True)
    assert filters_from_json(filters_to_json(flt)) == flt


def _views_on_the_command_line(cli: Cli, url: str) -> None:
    seed(url, *(factories.submission(f"W-{i}", "C300", instructions="x") for i in range(3)))
    from tests.integration.test_cli import in_process
    assert "no saved views" in cli("views", login="sam").stdout
    with in_process(url) as desk:
        desk.save_view("Cornerstone", CORNERSTONE)
        desk.share_view("Cornerstone")
    listed = cli.json("views", login="sam")
    assert listed == [{"number": 1, "id": listed[0]["id"], "name": "Cornerstone", "owner": ME,
                       "shared": True, "count": 3, "filters": filters_to_json(CORNERSTONE)}]
    assert "Cornerstone" in cli("views", "list", login="pat").stdout
    assert "sam is a certificate specialist and may not share saved views" in cli.refused(
        "views", "share", "x", login="sam")
    assert "pat is a payroll advisor and may not keep saved views" in cli.refused(
        "views", "delete", "Cornerstone", login="pat")
    assert "is yours only" in cli("views", "unshare", "Cornerstone").stdout
    assert cli.json("views", login="sam") == []
    cli("views", "rename", "Cornerstone", "CS")
    assert "no saved view named 'Cornerstone'" in cli.refused("views", "delete", "Cornerstone")
    assert "deleted" in cli("views", "delete", "CS").stdout


def test_views_on_the_command_line_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    _views_on_the_command_line(Cli(tmp_path, db_url=url), url)


@pytest.mark.postgres
def test_views_on_the_command_line_postgresql(postgres_url, tmp_path):
    _views_on_the_command_line(Cli(tmp_path, db_url=postgres_url), postgres_url)


def test_every_change_to_a_view_moves_the_change_marker(manager, advisor):
    """Open desks reload their view line when the marker moves: sharing, unsharing,
    renaming, saving and deleting each move it; a refused change does not."""
    changes = [
        lambda: manager.save_view("Team", QueueFilter(statuses=frozenset(Status))),
        lambda: manager.share_view("Team"),
        lambda: manager.rename_view("Team", "Team: everything"),
        lambda: manager.save_view("Team: everything", QueueFilter()),
        lambda: manager.share_view("Team: everything", False),
        lambda: manager.delete_view("Team: everything"),
    ]
    for change in changes:
        before = advisor.change_counter()
        change()
        assert advisor.change_counter() > before
    before = advisor.change_counter()
    with pytest.raises(NotFound):
        manager.share_view("Team: everything")
    assert advisor.change_counter() == before
