"""The deadline of one SMTP message, and cutting it short when the deliverer must stop."""

from __future__ import annotations

import os
import socket
import threading


class Watch:
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
                shut_down(smtp, sock)

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
                shut_down(*self._connection)

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


def shut_down(smtp: object, sock: socket.socket) -> None:
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


