"""Where a composed message goes: ``.eml`` files in the outbox folder, or an SMTP server.

A transport's ``send`` either returns (the message is handed over; it says where,
for the activity log) or raises a
``DeliveryError`` (``PermanentDeliveryError`` when retrying cannot help).
``close`` ends any connection; a transport can be used again after it.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import re
import smtplib
import socket
import ssl
import tempfile
import threading
from pathlib import Path
from typing import Protocol

from certdesk_tui import locations
from certdesk_tui.config import Settings
from certdesk_tui.errors import ConfigurationError, DeliveryError
from certdesk_tui.mail.message import Outgoing, PermanentDeliveryError, sender

# The longest one network operation (connecting, one read) may wait; the whole
# message is bounded by the smtp_timeout_seconds setting.
SMTP_TIMEOUT_SECONDS = 30.0


class DeliveryInterrupted(DeliveryError):
    """The deliverer was told to stop while a message was on its way: it stays queued."""


class Transport(Protocol):
    name: str

    def describe(self) -> str: ...

    def send(self, outgoing: Outgoing) -> str: ...

    def abort(self) -> None: ...

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


class _Watch:
    """Ends the connection of the message in hand when its deadline passes, or on abort.

    A server that answers one byte at a time never trips a socket timeout: the
    deadline covers the whole message (connecting, logging in, sending, the
    server's answer). When it passes, or when ``abort`` is called (SIGTERM), the
    connection's socket is shut down, which makes the blocked read or write return
    at once. Reentrant: ``abort`` is called from a signal handler on the thread
    that may be inside ``start`` or ``stop``.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._connection: tuple[object, socket.socket] | None = None
        self._timer: threading.Timer | None = None
        self._active = False
        self.why: str | None = None  # "deadline" or "abort", once fired for this message
        self.aborted = False  # sticky until the transport is closed

    def attach(self, smtp: object, sock: socket.socket) -> None:
        with self._lock:
            self._connection = (smtp, sock)
            if self._active and self.why is not None:
                _shut_down(smtp, sock)

    def start(self, seconds: float) -> None:
        with self._lock:
            self.why = None
            self._active = True
            self._timer = threading.Timer(seconds, self._fire, args=("deadline",))
            self._timer.daemon = True
            self._timer.start()
            if self.aborted:
                self._fire("abort")

    def stop(self) -> str | None:
        """The message is done (or failed): no more shutting down. Returns why it fired."""
        with self._lock:
            self._active = False
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            return self.why

    def _fire(self, why: str) -> None:
        with self._lock:
            if not self._active or self.why is not None:
                return
            self.why = why
            if self._connection is not None:
                _shut_down(*self._connection)

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            self._fire("abort")

    def reset(self) -> None:
        with self._lock:
            self.stop()
            self._connection = None
            self.aborted = False
            self.why = None


def _shut_down(smtp: object, sock: socket.socket) -> None:
    """Shut the connection down under whatever reads or writes it (TLS included).

    The shutdown goes through a duplicate of the descriptor, so a TLS layer that is
    in the middle of a read on another thread is never touched; the blocked call
    returns with an error at once.
    """
    current = getattr(smtp, "sock", None) or sock
    try:
        fd = current.fileno()
        if fd < 0:
            return
        duplicate = socket.socket(fileno=os.dup(fd))
    except (OSError, ValueError, AttributeError):
        return
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        duplicate.close()


class SmtpTransport:
    """Sends through an SMTP server with yagmail, never prompting and never using a keyring.

    yagmail only opens (and, with a user, logs in to) the connection; the message
    itself is the one ``message.build_message`` composed and checked, handed as bytes
    to the underlying ``smtplib`` connection, so no body string is ever taken for a
    file (yagmail's ``contents`` would attach any string naming an existing file).
    One connection serves a batch; ``close`` ends it.

    Each message has an overall deadline (``smtp_timeout_seconds``): past it the
    connection is cut and the attempt counts as failed (retried later, as for any
    server problem). ``abort`` (called when the deliverer is told to stop) cuts the
    message in hand at once; it raises ``DeliveryInterrupted`` and stays queued.
    """

    name = "smtp"

    def __init__(self, settings: Settings, timeout: float | None = None) -> None:
        if not settings.smtp_host:
            raise ConfigurationError("SMTP delivery needs a server: set CERTDESK_SMTP_HOST "
                                     "(or smtp_host in the configuration)")
        if settings.smtp_security not in ("none", "starttls", "ssl"):
            raise ConfigurationError(f"smtp_security must be none, starttls or ssl, not "
                                     f"{settings.smtp_security!r}")
        if settings.smtp_user and not settings.smtp_password:
            raise ConfigurationError(
                f"CERTDESK_SMTP_USER is {settings.smtp_user!r} but no CERTDESK_SMTP_PASSWORD is "
                "set; set it, or unset the user for a server that needs no login")
        self.settings = settings
        self.deadline = float(timeout if timeout is not None else settings.smtp_timeout_seconds)
        if not self.deadline > 0:
            raise ConfigurationError("smtp_timeout_seconds must be more than 0, not "
                                     f"{self.deadline!r}")
        self.timeout = min(SMTP_TIMEOUT_SECONDS, self.deadline)
        self.host = settings.smtp_host
        self.security = settings.smtp_security
        default_port = {"ssl": 465, "starttls": 587}.get(self.security, 25)
        self.port = settings.smtp_port or default_port
        self._client = None
        self._unreachable: DeliveryError | None = None
        self._watch = _Watch()

    def describe(self) -> str:
        login = f" as {self.settings.smtp_user}" if self.settings.smtp_user else ""
        return f"smtp {self.host}:{self.port} ({self.security}){login}"

    def _connect(self):
        import yagmail

        s = self.settings
        watch = self._watch
        base = smtplib.SMTP_SSL if self.security == "ssl" else smtplib.SMTP

        class Watched(base):  # type: ignore[misc, valid-type]
            def _get_socket(self, host, port, timeout):
                sock = super()._get_socket(host, port, timeout)
                watch.attach(self, sock)
                return sock

        class Client(yagmail.SMTP):
            @property
            def connection(self):
                return Watched

        extra: dict = {"timeout": self.timeout}
        if self.security == "ssl":
            extra["context"] = ssl.create_default_context()
        # A one-entry dict keeps yagmail from appending "@gmail.com" to a plain login name.
        user = s.smtp_user or sender(s.mail_from)[1]
        client = Client(
            user={user: user},
            # Always a string: yagmail asks the keyring, then the terminal, only for None.
            password=s.smtp_password if s.smtp_user else "",
            host=self.host,
            port=self.port,
            smtp_starttls=({"context": ssl.create_default_context()}
                           if self.security == "starttls" else False),
            smtp_ssl=self.security == "ssl",
            smtp_skip_login=not s.smtp_user,
            oauth2_file=None,
            soft_email_validation=False,
            **extra,
        )
        client.set_logging(None)
        try:
            client.login()
        except BaseException:
            _close_client(client)
            raise
        return client

    def send(self, outgoing: Outgoing) -> str:
        if self._watch.aborted:
            raise DeliveryInterrupted("delivery was stopped before this message was sent")
        if self._unreachable is not None:
            # The server could not be reached for an earlier message of this batch: the
            # same answer, without waiting for another timeout. close() clears it.
            raise DeliveryError(str(self._unreachable))
        self._watch.start(self.deadline)
        try:
            return self._send(outgoing)
        except Exception as exc:
            why = self._watch.stop()
            if why is None:
                raise
            self._drop_connection()
            if why == "abort":
                raise DeliveryInterrupted(
                    "delivery was stopped while this message was being sent") from None
            late = DeliveryError(
                f"the mail server {self.host}:{self.port} did not take the message within "
                f"{self.deadline:g} seconds (smtp_timeout_seconds)")
            if self._unreachable is not None:
                self._unreachable = late
            if isinstance(exc, DeliveryError | smtplib.SMTPException | OSError | ValueError
                          | AttributeError):
                raise late from None
            raise
        finally:
            self._watch.stop()

    def _send(self, outgoing: Outgoing) -> str:
        if self._client is None:
            try:
                self._client = self._connect()
            except (smtplib.SMTPException, OSError) as exc:
                self._unreachable = self._translate(exc)
                raise self._unreachable from None
        try:
            refused = self._client.smtp.sendmail(
                outgoing.envelope_from, [outgoing.envelope_to], outgoing.data)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop_connection()
            raise self._translate(exc) from None
        if refused:
            raise _classify(_refusal_text(refused), [code for code, _ in refused.values()], True)
        return f"sent through {self.host}:{self.port}"

    def abort(self) -> None:
        """Cut the message in hand now (safe from a signal handler or another thread)."""
        self._watch.abort()

    def _translate(self, exc: BaseException) -> DeliveryError:
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return DeliveryError(
                f"the mail server {self.host}:{self.port} refused the login of "
                f"{self.settings.smtp_user!r} ({exc.smtp_code}); check CERTDESK_SMTP_USER and "
                "CERTDESK_SMTP_PASSWORD")
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            return _classify(_refusal_text(exc.recipients),
                             [code for code, _ in exc.recipients.values()], True)
        if isinstance(exc, smtplib.SMTPResponseException):
            error = exc.smtp_error
            text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
            return _classify(f"the mail server {self.host}:{self.port} answered "
                             f"{exc.smtp_code} {' '.join(text.split())}", [exc.smtp_code],
                             isinstance(exc, smtplib.SMTPDataError))
        return DeliveryError(_connection_text(exc, self.host, self.port))

    def _drop_connection(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            _close_client(client)

    def close(self) -> None:
        # Saying goodbye (QUIT) is bounded too: a server may trickle that answer as well.
        self._watch.start(min(self.deadline, 10.0))
        try:
            self._drop_connection()
        finally:
            self._watch.reset()
        self._unreachable = None


def _close_client(client) -> None:
    with contextlib.suppress(smtplib.SMTPException, OSError):
        client.close()
    smtp = getattr(client, "smtp", None)
    if smtp is not None:
        with contextlib.suppress(OSError, AttributeError):
            smtp.close()
    client.is_closed = True


def _refusal_text(recipients: dict) -> str:
    parts = []
    for addr, (code, text) in recipients.items():
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        parts.append(f"{addr}: {code} {' '.join(text.split())}")
    return "the server refused the recipient (" + "; ".join(parts) + ")"


def _classify(text: str, codes: list[int], about_this_message: bool) -> DeliveryError:
    """A 5xx refusal of this recipient or of this message's data is permanent.

    Anything else (a 4xx, a refused sender, a login the server wants) is about the
    server or the configuration, affects every message alike, and may pass later.
    """
    permanent = about_this_message and bool(codes) and all(500 <= c < 600 for c in codes)
    return PermanentDeliveryError(text) if permanent else DeliveryError(text)


def _connection_text(exc: BaseException, host: str, port: int) -> str:
    where = f"{host}:{port}"
    if isinstance(exc, ConnectionRefusedError):
        return f"cannot connect to the mail server {where}: connection refused"
    if isinstance(exc, socket.timeout | TimeoutError):
        return f"the mail server {where} did not answer in time"
    if isinstance(exc, socket.gaierror):
        return f"cannot find the mail server {host}: {exc.strerror or exc}"
    if isinstance(exc, ssl.SSLError):
        return f"secure connection to {where} failed: {exc.reason or exc}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"the mail server {where} closed the connection: {exc}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"the mail server {where} does not support {exc} (check smtp_security)"
    if isinstance(exc, OSError):
        return f"cannot reach the mail server {where}: {exc.strerror or exc}"
    return f"mail server {where}: {exc}"


def make_transport(settings: Settings, outbox_dir: Path | str | None = None) -> Transport:
    """The transport the settings choose: SMTP when configured, else ``.eml`` files."""
    kind = settings.effective_mail_transport
    if kind == "smtp":
        return SmtpTransport(settings)
    if kind == "file":
        return FileTransport(outbox_dir)
    raise ConfigurationError(f"mail_transport must be file or smtp, not {kind!r}")
