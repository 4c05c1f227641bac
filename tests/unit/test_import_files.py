"""What ``certdesk import`` and ``certdesk customers import`` open: a regular file only.

Anything else is refused in one line naming the path and what it is, without being
opened in a way that could block (a FIFO with no writer would wait forever).
"""

from __future__ import annotations

import os
import socket
import threading

import pytest

from certdesk_tui import intake
from certdesk_tui.domain.errors import ValidationFailed


def _refusal(source: str) -> str:
    with pytest.raises(ValidationFailed) as refused:
        intake.open_regular(source)
    return str(refused.value)


def test_a_regular_file_is_opened_with_its_size(tmp_path):
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b'{"a": 1}\n')
    stream, size = intake.open_regular(str(path))
    with stream:
        assert size == 9 and stream.read() == b'{"a": 1}\n'
    link = tmp_path / "link.jsonl"
    link.symlink_to(path)
    stream, _size = intake.open_regular(str(link))
    stream.close()


def test_what_is_not_a_regular_file_is_refused_naming_it_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    link = tmp_path / "to-pipe.jsonl"
    link.symlink_to(fifo)
    sock_path = tmp_path / "s.sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    refusals: dict[str, str] = {}

    def refuse_all() -> None:  # in a thread: a blocking open would hang the test, not pass
        for source in (fifo, link, sock_path, tmp_path, "/dev/null"):
            refusals[str(source)] = _refusal(str(source))

    worker = threading.Thread(target=refuse_all, daemon=True)
    worker.start()
    worker.join(20)
    sock.close()
    assert not worker.is_alive(), "opening what is not a regular file blocked"
    assert refusals == {
        str(fifo): f"{fifo} is a FIFO (named pipe), not a JSON Lines file",
        str(link): f"{link} is a FIFO (named pipe) (through a symbolic link), not a JSON "
                   "Lines file",
        str(sock_path): f"{sock_path} is a socket, not a JSON Lines file",
        str(tmp_path): f"{tmp_path} is a directory, not a JSON Lines file",
        "/dev/null": "/dev/null is a character device, not a JSON Lines file",
    }


def test_an_empty_path_is_no_file_given():
    assert _refusal("") == ("no file given (the path is empty): name a JSON Lines file, "
                            "or - for standard input")


def test_a_missing_file_says_so(tmp_path):
    assert _refusal(str(tmp_path / "nope.jsonl")) == f"{tmp_path / 'nope.jsonl'}: no such file"
    (tmp_path / "plain").write_text("")
    assert _refusal(str(tmp_path / "plain" / "x.jsonl")).endswith(
        "no such file (a parent is not a directory)")
