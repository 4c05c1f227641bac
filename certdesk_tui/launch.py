"""The ``certdesk`` command's entry point: the desk starts without the cyclic collector.

Opening the desk makes several hundred thousand objects (the modules it imports, the
interface it composes) and none of them is garbage, yet Python's cyclic collector walks
them again and again while they are made: about 40 ms of the desk's first frame. So the
collector is off from the command's first line (``main``: importing this module, as the
tests do, changes nothing) until the desk has drawn its first frame, or, for any other
command, until the command line has been read (``collect_from_now``).
Then the garbage made so far is collected once, what survives is frozen out of the
collector's sight (it lives as long as the process) and the collector is on again, so
that its later rounds, between keystrokes, walk only what was made since.
"""

import gc


def main() -> None:
    gc.disable()  # before the command line and everything it imports
    from certdesk_tui.cli import main as command_line

    command_line()


def collect_from_now() -> None:
    """Turn the collector on (once; a process that never turned it off is left alone)."""
    if gc.isenabled():
        return
    gc.enable()
    gc.collect()
    gc.freeze()
