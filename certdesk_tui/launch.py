"""The ``certdesk`` command's entry point: the desk starts without the cyclic collector.

Opening the desk makes several hundred thousand objects (the modules it imports, the
settings, the desk) and none of them is garbage, yet Python's cyclic collector walks
them again and again while they are made: about 40 ms of the desk's first frame. So
``main`` turns the collector off before importing anything (importing this module, as
the tests do, changes nothing), and it stays off until the desk has drawn its first
frame, or, for any other command, until the command line has been read
(``collect_from_now``). Just before the interface starts, what the start has loaded is
frozen out of the collector's sight (``freeze_start_up``): it lives as long as the
process, so the collector's later rounds, between keystrokes, walk only what came after.
"""

import gc


def main() -> None:
    gc.disable()  # before the command line and everything it imports
    from certdesk_tui.cli import main as command_line

    command_line()


def freeze_start_up() -> None:
    """Keep what is loaded so far out of the collector's rounds (while it is still off).

    Only the modules, the settings and the opened desk exist yet; a cycle of garbage made
    while importing them stays with them (a one-off, made once per process).
    """
    if not gc.isenabled():
        gc.freeze()


def freeze_late_load() -> None:
    """Keep what loaded behind the first frame (SQLAlchemy, its ORM, the service: the
    desk opened once its first frame was on screen) out of the collector's rounds too:
    it also lives as long as the process."""
    gc.freeze()


def collect_from_now() -> None:
    """Turn the collector on (a process that never turned it off is left alone)."""
    if not gc.isenabled():
        gc.enable()
