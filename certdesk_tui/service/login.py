"""The operating-system login certdesk acts as (read without opening any database)."""

from __future__ import annotations

import os
import pwd

from certdesk_tui.domain.errors import ConfigurationError


def os_login() -> str:
    """The login of the process's real user id.

    Never an environment variable (``LOGNAME``, ``USER``): anyone can set those, and
    certdesk's roles would mean nothing. Tests that need another person open a desk
    in-process with ``open_desk(..., login=...)``.
    """
    uid = os.getuid()
    try:
        login = pwd.getpwuid(uid).pw_name
    except KeyError:
        login = ""
    if not login:
        raise ConfigurationError(
            f"cannot tell who you are: user id {uid} has no account name on this system "
            "(certdesk acts as your login; ask the administrator to give the account a name)"
        )
    return login
