"""Snapshots of the preview, the automation form and the reject dialog at 80x24.

Update after an intended change with
``pytest --snapshot-update tests/functional/test_snapshots_modals.py``
and look at the report before committing the new SVGs.
"""

from __future__ import annotations

from tests.snapshot_apps.modal_app import ModalApp

SIZE = (80, 24)


def test_preview_snapshot(snap_compare):
    assert snap_compare(ModalApp("preview", steady_cursor=True), terminal_size=SIZE)


def test_preview_scrolled_to_what_the_system_found_snapshot(snap_compare):
    assert snap_compare(ModalApp("preview", steady_cursor=True), terminal_size=SIZE,
                        press=["pagedown"])


def test_automation_form_snapshot(snap_compare):
    assert snap_compare(ModalApp("automation", steady_cursor=True), terminal_size=SIZE)


def test_automation_form_end_snapshot(snap_compare):
    """The bottom of the form: WOS, officers excluded, send to holder, attachment, and the
    recipients line."""
    assert snap_compare(ModalApp("automation", steady_cursor=True), terminal_size=SIZE,
                        press=["tab"] * 22)


def test_reject_dialog_snapshot(snap_compare):
    assert snap_compare(ModalApp("reject", steady_cursor=True), terminal_size=SIZE,
                        press=["down"])
