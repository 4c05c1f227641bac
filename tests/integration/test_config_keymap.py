"""The keymap names binding ids: one certdesk does not know is refused when the settings
are read (in one line, with the closest id), for every command and the desk alike."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from certdesk_tui.actions import DESK_ACTIONS, Owner
from certdesk_tui.config import KEYMAP_ALIASES, KEYMAP_IDS, Settings, load_settings
from certdesk_tui.domain.errors import ConfigurationError

AUDITED = 'keymap = { reject = "ctrl+r", note = "N", rejectx = "z", start = "M" }\n'


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, environ={})
    return str(caught.value)


def test_the_keymap_ids_are_the_desks_remappable_actions():
    """Settings are read below the interface: their list of ids is the registry's."""
    assert set(KEYMAP_IDS) == {a.id for a in DESK_ACTIONS if a.owner is not Owner.DIALOGS}
    assert len(set(KEYMAP_IDS)) == len(KEYMAP_IDS)
    assert set(KEYMAP_ALIASES.values()) <= set(KEYMAP_IDS)
    assert not set(KEYMAP_ALIASES) & set(KEYMAP_IDS)


def test_an_unknown_binding_id_is_refused_naming_it_and_the_closest_id(tmp_path):
    path = _config(tmp_path, AUDITED)
    assert _refusal(path) == f"{path}: keymap: 'rejectx' is not a binding id; did you mean reject?"


@pytest.mark.parametrize(("entry", "said"), [
    ('[keymap]\nstrat = "k"\n', "'strat' is not a binding id; did you mean start?"),
    ('[keymap]\nrenew_al = "k"\n', "'renew_al' is not a binding id; did you mean renew_all?"),
    ('[keymap]\nReject = "k"\n', "'Reject' is not a binding id; did you mean reject?"),
    ('[keymap]\nmark_in_progres = "k"\n',
     "'mark_in_progres' is not a binding id; did you mean start?"),
    ('[keymap]\nclose_dialog = "ctrl+g"\n', "'close_dialog' is not a binding id"),
    ('[keymap]\nzzzzzzzz = "k"\n',
     "'zzzzzzzz' is not a binding id (the README's Keys section lists them)"),
    ('[certdesk.keymap]\n"\\u001b[2J" = "k"\n', "'\\x1b[2J' is not a binding id"),
])
def test_each_unknown_binding_id_is_refused_in_one_line(tmp_path, entry, said):
    path = _config(tmp_path, entry)
    refusal = _refusal(path)
    assert refusal.startswith(f"{path}: keymap: ") and said in refusal, refusal
    assert "\n" not in refusal and "\x1b" not in refusal


def test_every_current_and_old_binding_id_is_accepted(tmp_path):
    ids = [*KEYMAP_IDS, *KEYMAP_ALIASES]
    path = _config(tmp_path, "[keymap]\n" + "".join(f'{i} = "f{n % 12 + 1}"\n'
                                                   for n, i in enumerate(ids)))
    loaded = load_settings(path, environ={}).keymap
    assert set(loaded) == set(KEYMAP_IDS)  # the old ids under their current names
    assert Settings(keymap={"mark_in_progress": "M", "add_note": "N"}).keymap == {
        "start": "M", "note": "N"}
    with pytest.raises(ValueError, match="'rejectx' is not a binding id"):
        Settings(keymap={"rejectx": "z"})


def _env(tmp_path: Path, config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTDESK_")}
    env.update(CERTDESK_DATA_DIR=str(tmp_path / "data"), CERTDESK_CONFIG=str(config),
               TERM="xterm-256color")
    return env


@pytest.mark.parametrize("args", [("list",), ("show", "1"), ("mail", "status"), ("init",)],
                         ids=" ".join)
def test_every_command_refuses_the_keymap_in_one_line(tmp_path, args):
    config = _config(tmp_path, AUDITED)
    result = subprocess.run([sys.executable, "-m", "certdesk_tui", *args],
                            env=_env(tmp_path, config), stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr == (f"certdesk: {config}: keymap: 'rejectx' is not a binding id; "
                             "did you mean reject?\n")
    assert result.stdout == ""
    assert not (tmp_path / "data" / "certdesk.sqlite3").exists()  # nothing made


def test_the_desk_refuses_the_keymap_in_one_line_before_it_starts(tmp_path):
    config = _config(tmp_path, AUDITED)
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "certdesk_tui"],
                                env=_env(tmp_path, config), stdin=terminal, stdout=terminal,
                                stderr=subprocess.PIPE, text=True)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail("the desk started with a keymap naming an unknown binding id")
    finally:
        os.close(terminal)
        os.close(controller)
    assert proc.returncode == 1, err
    assert err == (f"certdesk: {config}: keymap: 'rejectx' is not a binding id; "
                   "did you mean reject?\n")
