"""A read started ahead of the call that wants it (the desk's first page, while the
interface loads)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

FRESH_SECONDS = 5.0
"""How long an early read may be handed out: later, it is read again."""


class EarlyRead(Generic[T]):
    """``read`` run once in a daemon thread; its result handed to the one call that asks
    for the same ``key`` while it is fresh. A failed read hands out nothing: the caller
    reads again itself (and meets the problem there, where it is reported)."""

    def __init__(self, key: Hashable, read: Callable[[], T]) -> None:
        self.key = key
        self._read = read
        self._done = threading.Event()
        self._result: T | None = None
        self._finished_at = 0.0
        threading.Thread(target=self._run, name="early-read", daemon=True).start()

    @classmethod
    def done(cls, key: Hashable, result: T) -> EarlyRead[T]:
        """A read made already (the desk's first frame): fresh from now."""
        early = cls.__new__(cls)
        early.key, early._result = key, result
        early._finished_at = time.monotonic()
        early._done = threading.Event()
        early._done.set()
        return early

    def _run(self) -> None:
        try:
            self._result = self._read()
        except Exception:  # noqa: BLE001 - the caller's own read reports it
            self._result = None
        finally:
            self._finished_at = time.monotonic()
            self._done.set()

    def result_for(self, key: Hashable) -> T | None:
        """The result, waiting for it, when ``key`` is the one read and it is fresh."""
        if key != self.key:
            return None
        self._done.wait()
        if time.monotonic() - self._finished_at > FRESH_SECONDS:
            return None
        return self._result
