"""Where a composed message goes: ``.eml`` files in the outbox folder, or an SMTP server.

A transport's ``send`` either returns (the message is handed over; it says where,
for the activity log) or raises a
``DeliveryError`` (``PermanentDeliveryError`` when retrying cannot help).
``end_batch`` forgets what held for one batch only (a server found unreachable) and
keeps a working connection for the next; ``close`` ends any connection; a transport
can be used again after it.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from certdesk_tui import locations
from certdesk_tui.config import Settings
from certdesk_tui.domain.errors import ConfigurationError, DeliveryError
from certdesk_tui.mail.message import Outgoing
from certdesk_tui.mail.smtp import DeliveryInterrupted, SmtpTransport

__all__ = ["DeliveryInterrupted", "FileTransport", "SmtpTransport", "Transport",
           "make_transport"]


class Transport(Protocol):
    name: str

    def describe(self) -> str: ...

    def send(self, outgoing: Outgoing) -> str: ...

    def abort(self) -> None: ...

    def end_batch(self) -> None: ...

    def close(self) -> None: ...


class FileTransport:
    """Each message as ``<outbox>/<timestamp>-<id>-<recipient_role>.eml``, written atomically.

    The name is derived from the message, so delivering it again rewrites the same
    file: one file per message, whatever happens.
    """

    name = "file"

    def __init__(self, outbox_dir: Path | str | None = None) -> None:
        self.outbox_dir = Path(outbox_dir) if outbox_dir is not None else locations.outbox_dir()

    def describe(self) -> str:
        return f"file ({self.outbox_dir})"

    def path_for(self, outgoing: Outgoing) -> Path:
        role = re.sub(r"[^a-z0-9]+", "_", outgoing.recipient_role.lower()) or "recipient"
        stamp = outgoing.created_at.strftime("%Y%m%dT%H%M%SZ")
        return self.outbox_dir / f"{stamp}-{outgoing.email_id}-{role}.eml"

    def _target(self, outgoing: Outgoing) -> Path:
        path = self.path_for(outgoing)
        message_id = outgoing.message_id
        if path.exists() and _message_id_of(path) not in (None, message_id):
            # Another database (the demo?) used the same id and time: keep both files.
            token = re.sub(r"[^A-Za-z0-9]+", "", message_id)[:12] or "x"
            path = path.with_name(f"{path.stem}-{token}.eml")
        return path

    def send(self, outgoing: Outgoing) -> str:
        data = outgoing.as_bytes()
        tmp_name = None
        try:
            self.outbox_dir.mkdir(parents=True, exist_ok=True)
            target = self._target(outgoing)
            fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".eml.part",
                                            dir=self.outbox_dir)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, target)
            tmp_name = None
            return f"written to {target}"
        except OSError as exc:
            raise DeliveryError(
                f"cannot write to the outbox folder {self.outbox_dir}: "
                f"{exc.strerror or exc}") from None
        finally:
            if tmp_name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)

    def abort(self) -> None:
        pass  # a file is written in an instant

    def end_batch(self) -> None:
        pass

    def close(self) -> None:
        pass


def _message_id_of(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            parsed = email.message_from_binary_file(handle, policy=email.policy.default)
    except OSError:
        return None
    value = parsed["Message-ID"]
    return str(value) if value is not None else None


def make_transport(settings: Settings, outbox_dir: Path | str | None = None) -> Transport:
    """The transport the settings choose: SMTP when configured, else ``.eml`` files."""
    kind = settings.effective_mail_transport
    if kind == "smtp":
        return SmtpTransport(settings)
    if kind == "file":
        return FileTransport(outbox_dir)
    raise ConfigurationError(f"mail_transport must be file or smtp, not {kind!r}")
