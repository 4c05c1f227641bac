"""Sending through an SMTP server: one connection for consecutive messages, a deadline per
message.

Server answers become ``DeliveryError`` (``PermanentDeliveryError`` when the server
refused this recipient or this message for good, so retrying cannot help).
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
import time
from typing import TYPE_CHECKING

from certdesk_tui.config import Settings
from certdesk_tui.domain.errors import ConfigurationError, DeliveryError
from certdesk_tui.mail.deadline import Watch
from certdesk_tui.mail.message import Outgoing, PermanentDeliveryError, sender

if TYPE_CHECKING:
    import yagmail

# The longest one network operation (connecting, one read) may wait; the whole
# message is bounded by the smtp_timeout_seconds setting.
SMTP_TIMEOUT_SECONDS = 30.0
# One connection serves consecutive messages, within bounds: servers limit the messages
# per connection, and drop a connection left idle.
MESSAGES_PER_CONNECTION = 100
IDLE_SECONDS = 30.0


class DeliveryInterrupted(DeliveryError):
    """The deliverer was told to stop while a message was on its way: it stays queued."""


class SmtpTransport:
    """Sends through an SMTP server with yagmail, never prompting and never using a keyring.

    yagmail only opens (and, with a user, logs in to) the connection; the message
    itself is the one ``message.build_message`` composed and checked, handed as bytes
    to the underlying ``smtplib`` connection, so no body string is ever taken for a
    file (yagmail's ``contents`` would attach any string naming an existing file).
    One connection serves consecutive messages, batch after batch, up to
    ``MESSAGES_PER_CONNECTION`` messages and while it was used in the last
    ``IDLE_SECONDS``; ``close`` ends it. A kept connection the server has closed
    meanwhile is opened again, once, when it fails before the message was handed
    over (before DATA): a message is never sent twice for it.

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
        self._client: yagmail.SMTP | None = None
        self._sent_on_connection = 0
        self._last_used = 0.0  # time.monotonic() of the connection's last message
        self._unreachable: DeliveryError | None = None
        self._watch = Watch()

    def describe(self) -> str:
        login = f" as {self.settings.smtp_user}" if self.settings.smtp_user else ""
        return f"smtp {self.host}:{self.port} ({self.security}){login}"

    def _connect(self) -> yagmail.SMTP:
        import yagmail

        s = self.settings
        watch = self._watch
        base = smtplib.SMTP_SSL if self.security == "ssl" else smtplib.SMTP

        class Watched(base):  # type: ignore[misc, valid-type]
            data_started = False  # whether the message in hand reached the server's DATA

            def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
                sock = super()._get_socket(host, port, timeout)
                watch.attach(self, sock)
                return sock

            def data(self, msg: bytes | str) -> tuple[int, bytes]:
                self.data_started = True
                return super().data(msg)

        class Client(yagmail.SMTP):
            @property
            def connection(self) -> type[smtplib.SMTP]:
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
        if self._client is not None and (
                self._sent_on_connection >= MESSAGES_PER_CONNECTION
                or time.monotonic() - self._last_used > IDLE_SECONDS):
            self._drop_connection()  # used enough, or idle long enough to be dropped
        kept = self._client is not None
        try:
            return self._send_once(outgoing)
        except _DroppedBeforeData as dropped:
            if not kept or self._watch.why is not None:
                raise self._translate(dropped.cause) from None
        # The server closed the connection kept from an earlier message before this one
        # was handed over: a new connection, once.
        try:
            return self._send_once(outgoing)
        except _DroppedBeforeData as dropped:
            raise self._translate(dropped.cause) from None

    def _send_once(self, outgoing: Outgoing) -> str:
        if self._client is None:
            try:
                self._client = self._connect()
            except (smtplib.SMTPException, OSError) as exc:
                self._unreachable = self._translate(exc)
                raise self._unreachable from None
            self._sent_on_connection = 0
        smtp = self._client.smtp
        smtp.data_started = False
        try:
            refused = smtp.sendmail(outgoing.envelope_from, [outgoing.envelope_to],
                                    outgoing.data)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop_connection()
            if not smtp.data_started and _is_dropped(exc):
                raise _DroppedBeforeData(exc) from None
            raise self._translate(exc) from None
        finally:
            self._sent_on_connection += 1
            self._last_used = time.monotonic()
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

    def end_batch(self) -> None:
        """The batch is over: the next one tries an unreachable server again; a working
        connection is kept for it (within the bounds)."""
        self._unreachable = None

    def close(self) -> None:
        # Saying goodbye (QUIT) is bounded too: a server may trickle that answer as well.
        self._watch.start(min(self.deadline, 10.0))
        try:
            self._drop_connection()
        finally:
            self._watch.reset()
        self._unreachable = None


class _DroppedBeforeData(Exception):
    """The connection broke before the message reached DATA: the server has not got it."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _is_dropped(exc: BaseException) -> bool:
    """Whether ``exc`` says the connection is gone (closed, reset, or 421 closing)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError):
        return True
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 421


def _close_client(client: yagmail.SMTP) -> None:
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


