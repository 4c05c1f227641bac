"""Messages the desk's widgets send up to the screen."""

from __future__ import annotations

from typing import Any

from textual.message import Message
from textual.worker import Worker


class WorkerFailed(Message):
    """A widget's worker failed: the screen's one worker-error handler reports it."""

    def __init__(self, worker: Worker[Any]) -> None:
        super().__init__()
        self.worker = worker
