"""The deadline of one SMTP message, and cutting it short when the deliverer must stop."""

from __future__ import annotations

import os
import socket
import threading
import time


class Watch:
    """Ends the connection of the message in hand when its deadline passes, or on abort.

    A server that answers one byte at a time never trips a socket timeout: the
    deadline covers the whole message (connecting, logging in, sending, the
    server's answer). When it passes, or when ``abort`` is called (SIGTERM), the
    connection's socket is shut down, which makes the blocked read or write return
    at once. Reentrant: ``abort`` is called from a signal handler on the thread
    that may be inside ``start`` or ``stop``.

    One watcher thread serves every message until ``reset`` (the transport is
    closed): starting and stopping a message's deadline only sets a time, so a
    message costs no thread of its own.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._connection: tuple[object, socket.socket] | None = None
        self._deadline: float | None = None  # time.monotonic() when the message is cut
        self._waiting_until: float | None = None  # what the watcher sleeps towards
        self._watcher: threading.Thread | None = None
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
            self._deadline = time.monotonic() + seconds
            if self._watcher is None:
                self._watcher = threading.Thread(target=self._watch, name="smtp-deadline",
                                                 daemon=True)
                self._watcher.start()
            elif self._waiting_until is None or self._deadline < self._waiting_until:
                self._changed.notify()  # the watcher sleeps longer than this deadline
            if self.aborted:
                self._fire("abort")

    def stop(self) -> str | None:
        """The message is done (or failed): no more shutting down. Returns why it fired."""
        with self._lock:
            self._active = False
            self._deadline = None  # the watcher finds nothing to cut when it wakes
            return self.why

    def _watch(self) -> None:
        me = threading.current_thread()
        with self._lock:
            while self._watcher is me:
                deadline = self._deadline
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    self._deadline = None
                    self._fire("deadline")
                    continue
                self._waiting_until = deadline
                self._changed.wait(None if deadline is None else deadline - now)
                self._waiting_until = None

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
        """The transport is closed: the watcher thread ends (the next message starts one)."""
        with self._lock:
            self.stop()
            self._watcher = None
            self._changed.notify_all()
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


