"""The command line: a thin front end over the same service API as the desk.

Every refusal is one line on stderr and exit code 1 (2 for usage errors).
``root`` holds the ``certdesk`` group; each command group has a module named for
what it does (``queue``, ``requests``, ``imports``, ``reasons``, ``users``,
``mail``, ``demo``, ``database``); ``context``, ``params``, ``refusals`` and
``output`` are what every command shares.
"""

from certdesk_tui.cli.root import cli, main

__all__ = ["cli", "main"]
