"""The command starts with Python's cyclic collector off and turns it on in time."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout.strip()


def test_importing_the_entry_point_leaves_the_collector_alone():
    assert _run("import gc, certdesk_tui.launch, certdesk_tui.cli; print(gc.isenabled())") \
        == "True"


def test_a_command_runs_with_the_collector_on():
    # main() turns it off first; the command line turns it on before any command runs.
    code = ("import gc, sys\n"
            "from certdesk_tui.cli import root\n"
            "seen = []\n"
            "real = root.collect_from_now\n"
            "def spy():\n"
            "    seen.append(gc.isenabled()); real(); seen.append(gc.isenabled())\n"
            "root.collect_from_now = spy\n"
            "sys.argv = ['certdesk', 'reasons', '--help']\n"
            "from certdesk_tui.launch import main\n"
            "try:\n"
            "    main()\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(seen, gc.isenabled())\n")
    assert _run(code).splitlines()[-1] == "[False, True] True"


def test_the_start_is_frozen_only_while_the_collector_is_off():
    code = ("import gc\n"
            "from certdesk_tui.launch import collect_from_now, freeze_start_up\n"
            "freeze_start_up()\n"
            "untouched = gc.get_freeze_count() == 0 and gc.isenabled()\n"
            "gc.disable()\n"
            "freeze_start_up()\n"
            "frozen = gc.get_freeze_count() > 0 and not gc.isenabled()\n"
            "collect_from_now()\n"
            "print(untouched, frozen, gc.isenabled())\n")
    assert _run(code) == "True True True"


async def test_the_desk_turns_the_collector_on_once_its_first_frame_is_drawn(specialist,
                                                                            manual_request):
    """`certdesk` starts with the collector off (launch.main); the dashboard turns it on
    right after its first frame, with the queue on screen."""
    import gc

    from tests.tui import app_for, settle, table_ids

    app = app_for(specialist)
    gc.disable()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert table_ids(app) == [manual_request]
            assert gc.isenabled()
    finally:
        gc.enable()


# What opening the desk does not import: the modules behind actions nobody has taken yet
# (each loads when its action, command or dialog is first used).
LOADED_ON_FIRST_USE = (
    "certdesk_tui.service.processing",
    "certdesk_tui.service.completion",
    "certdesk_tui.service.intake",
    "certdesk_tui.service.revisions",
    "certdesk_tui.service.renewals",
    "certdesk_tui.service.internal",
    "certdesk_tui.service.verification",
    "certdesk_tui.service.outbox",
    "certdesk_tui.intake",
    "certdesk_tui.pdf.certificate",
    "certdesk_tui.pdf.upload_check",
    "certdesk_tui.mail.delivery",
    "certdesk_tui.screens.automation_form",
    "certdesk_tui.screens.upload",
    "certdesk_tui.screens.reject",
    "certdesk_tui.screens.note",
    "certdesk_tui.screens.reissue",
    "certdesk_tui.screens.resend",
    "fpdf",
    "email_validator",
)


def test_opening_the_desk_imports_only_what_its_first_frame_needs():
    code = ("import sys\n"
            "import certdesk_tui.cli, certdesk_tui.cli.desk, certdesk_tui.app\n"
            f"print(sorted(m for m in {LOADED_ON_FIRST_USE!r} if m in sys.modules))\n")
    assert _run(code) == "[]"


def test_what_loads_on_first_use_is_still_there_when_asked_for():
    code = ("from certdesk_tui.service import (Completion, ImportReport, LineOutcome,\n"
            "    MAX_NOTE_LENGTH, PolicyTerm, Resent, Revision, parse_role)\n"
            "from certdesk_tui.screens.flows import PROCESSING_FLOWS\n"
            "import certdesk_tui.service as service\n"
            "print(Completion.__module__, MAX_NOTE_LENGTH > 0, len(PROCESSING_FLOWS) > 0,\n"
            "      hasattr(service, 'nothing'))\n")
    assert _run(code) == "certdesk_tui.service.completion True True False"


async def test_the_first_frame_is_drawn_before_any_other_read_starts(manager, manual_request):
    """Opening the desk reads only the queue's first page before its first frame; the
    selected request's detail and the Configuration tab's reasons are read once that
    frame is on screen (a thread reading them earlier would compete with the frame for
    Python's lock), and the reasons again when the tab is shown."""
    from tests.tui import app_for, dashboard, screen_text, settle

    reason = manager.reasons()[0].text
    app = app_for(manager)
    events: list[str] = []
    display = app._display

    def drawn(screen, renderable):
        if renderable is not None and "frame" not in events:
            events.append("frame")
        display(screen, renderable)

    app._display = drawn  # type: ignore[method-assign]
    for name in ("request", "reasons"):
        read = getattr(manager, name)

        def logged(*args, _name=name, _read=read, **kwargs):
            events.append(_name)
            return _read(*args, **kwargs)

        setattr(manager, name, logged)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert events[0] == "frame" and sorted(events[1:]) == ["reasons", "request"]
        assert dashboard(app).queue.detail.id == manual_request
        dashboard(app).action_show_tab("configuration")
        await settle(pilot)
        assert events[-1] == "reasons"
        assert reason[:30] in screen_text(app)
