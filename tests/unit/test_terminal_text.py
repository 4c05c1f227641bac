"""Nothing a customer or a colleague typed is ever a control sequence.

The one sanitizer (``certdesk_tui.text.sanitize``) by its properties, then every
path to a terminal: the command line and the desk in a real pseudo-terminal
(the raw bytes are read and searched for the data's escape sequences), form
inputs and notifications with Pilot, and outgoing emails.
"""

from __future__ import annotations

import email
import email.policy
import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update

from certdesk_tui.cli.output import json_text
from certdesk_tui.mail.message import build_message, safe_file_name
from certdesk_tui.screens.automation_form import AutomationFormScreen
from certdesk_tui.screens.text_prompt import TextPromptScreen
from certdesk_tui.screens.upload import PdfTree
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import resolve_actor
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import RejectionReason, User
from certdesk_tui.text import (
    escaped,
    is_control,
    one_line,
    reveal,
    sanitize,
    terminal_safe,
    visible,
)
from tests import factories
from tests.tui import app_for, notifications, settle

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"          # "echo pwned" onto the clipboard
CSI = "\x1b[31;1;4mINJECT"                          # a colour no part of the desk uses
C1 = "\x9b33mC1"                                    # a one-byte CSI
BIDI = "\u202etxt.exe\u202c"                         # right-to-left override
MIXED = "\x07bell\x08\x7fDEL\u2066iso\u2069\u200f\u061c\ufeff"

FORBIDDEN = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))] + [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
    "\u2069", "\u200e", "\u200f", "\u061c", "\u2028", "\u2029", "\ufeff", "\u200b",
    "\ud800", "\udfff", "\ue000", "\U000e0041", "\U0010ffff",
]


# -- the sanitizer -------------------------------------------------------------------------


@pytest.mark.parametrize("ch", FORBIDDEN)
def test_every_forbidden_character_becomes_a_placeholder(ch):
    assert is_control(ch)
    shown = escaped(f"a{ch}b")
    assert ch not in shown and shown.startswith("a\\") and shown.endswith("b")
    assert reveal(shown) == f"a{ch}b"


def test_placeholders_read_as_the_character_codes():
    assert escaped(OSC52) == "\\x1b]52;c;ZWNobyBwd25lZA==\\x07"
    assert escaped(C1) == "\\x9b33mC1"
    assert escaped(BIDI) == "\\u202etxt.exe\\u202c"
    assert escaped("\ud83d") == "\\ud83d"               # a lone surrogate
    assert escaped("\U000e0041") == "\\U000e0041"       # a tag character
    assert escaped("a\tb\nc") == "a\\x09b\\x0ac"


def test_text_of_every_script_stays_as_it_is():
    text = ("Zoë Łukasiewicz – Ñandú GmbH · Ωμέγα · Привет · שלום · مرحبا · 日本語 · 한국어 "
            "\u00a0no-break\u3000ideographic · می\u200cخواهم · 👩\u200d💻 · é (e\u0301)")
    assert escaped(text) == text == visible(text)


def test_a_typed_backslash_is_doubled_only_where_it_would_read_as_a_placeholder():
    assert escaped("C:\\Users\\new\\file") == "C:\\Users\\new\\file"
    assert escaped("\\x1b") == "\\\\x1b"                 # typed, not an escape character
    assert escaped("\\u202e") == "\\\\u202e"
    assert escaped("\\\x1b") == "\\\\\\x1b"              # a backslash, then ESC
    assert escaped("end\\") == "end\\"
    assert escaped("\x1b") != escaped("\\x1b")


def test_multi_line_fields_keep_line_feeds_and_tabs_and_read_crlf_as_one_line_feed():
    assert visible("one\r\ntwo\tcols\rthree") == "one\ntwo\tcols\\x0dthree"
    assert one_line("a\n\n b\t c") == "a b c"
    assert terminal_safe("quoted '\\x1b' \x1b[2J\n") == "quoted '\\x1b' \\x1b[2J\n"


_any_text = st.text(st.characters(exclude_categories=()), max_size=60)
_tricky = st.text(st.sampled_from(["\\", "x", "u", "U", "1", "b", "e", "0", "a", "\n", "\t",
                                   "\r", "\x1b", "\x9b", "\u202e", "\ud800", " ", "é"]),
                  max_size=30)


@given(st.one_of(_any_text, _tricky))
def test_property_no_control_character_survives_and_the_original_can_be_read_back(text):
    shown = escaped(text)
    assert not any(is_control(ch) for ch in shown)
    shown.encode("utf-8")  # no lone surrogate left: it can be written anywhere
    assert reveal(shown) == text
    multi = visible(text)
    assert not any(is_control(ch) and ch not in "\n\t" for ch in multi)
    cell = one_line(text)
    assert "\n" not in cell and not any(is_control(ch) for ch in cell)
    assert not any(is_control(ch) and ch not in "\n\t" for ch in terminal_safe(text))


@given(st.one_of(_any_text, _tricky), st.one_of(_any_text, _tricky))
def test_property_different_texts_never_look_the_same(a, b):
    if a != b:
        assert escaped(a) != escaped(b)


@given(st.recursive(st.none() | st.booleans() | st.integers() | _any_text,
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(_any_text, inner, max_size=4), max_leaves=12))
def test_property_json_output_escapes_every_control_and_reads_back_the_same(value):
    text = json_text(value)
    assert not any(is_control(ch) for ch in text if ch != "\n")
    assert json.loads(text) == value


def test_sanitize_is_fast_on_large_clean_text():
    big = ("Please list the project: Harbor Tower, 9 Oak Ave.\n" * 20_000)
    started = time.perf_counter()
    assert sanitize(big, newlines=True) == big
    assert time.perf_counter() - started < 1.0


# -- emails --------------------------------------------------------------------------------


def test_an_email_carries_placeholders_not_control_characters():
    out = build_message(
        email_id=1, recipient_role="customer", mail_from="certs@certdesk.example",
        to_addr="owner@c100.example", to_name="Acme" + OSC52 + BIDI,
        subject="Your certificate for Holder" + CSI + BIDI,
        body_text="Reason: " + OSC52 + C1 + MIXED + "\n",
        body_html="<p>Reason: " + OSC52 + BIDI + "</p>",
        message_id="<1@certdesk.example>", created_at=datetime(2026, 11, 20, 15, 0),
        attachment=("cert" + BIDI + ".pdf", b"%PDF-1.4 x"),
    )
    msg = email.message_from_bytes(out.data, policy=email.policy.default)
    parts = [str(msg["Subject"]), str(msg["To"])] + [
        part.get_content().replace("\r\n", "\n") for part in msg.walk()
        if part.get_content_maintype() == "text"]
    parts.append(msg.get_payload()[-1].get_filename())
    for part in parts:
        assert not any(is_control(ch) and ch not in "\n\t" for ch in part), part
    assert "\\x1b[31;1;4mINJECT\\u202etxt.exe" in str(msg["Subject"])
    assert "\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\x9b33mC1" in parts[2]
    assert "\u202e" not in safe_file_name("cert" + BIDI + ".pdf")


# -- the desk: form inputs, prompts, notifications ----------------------------------------


async def test_form_inputs_start_with_placeholders_and_an_untouched_field_keeps_its_text(
        manager, specialist):
    manager.import_customers(factories.jsonl(factories.customer(
        "C901", name="Acme" + OSC52 + "Roofing",
        policies=[dict(factories.POLICY, number="WC" + C1)])))
    report = manager.import_submissions(factories.jsonl(factories.submission(
        "T-1", "C901", instructions="on the manual list",
        holder=dict(factories.HOLDER, name="Holder" + CSI + BIDI))))
    rid = report.accepted[0].request_id
    detail, form = specialist.request(rid), specialist.automation_prefill(rid)
    app = app_for(specialist)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = AutomationFormScreen(detail, form)
        await app.push_screen(screen)
        await settle(pilot)
        shown = {name: screen.query_one(f"#field-{name}").value
                 for name in ("insured_name", "policy_number", "holder_name")}
        assert shown == {"insured_name": "Acme\\x1b]52;c;ZWNobyBwd25lZA==\\x07Roofing",
                         "policy_number": "WC\\x9b33mC1",
                         "holder_name": "Holder\\x1b[31;1;4mINJECT\\u202etxt.exe\\u202c"}
        description = screen.query_one("#field-description").text
        assert "\x1b" not in description and "\\x1b]52" in description
        read, _errors = screen.read_form()
        assert (read.insured_name, read.holder_name) == (form.insured_name, form.holder_name)
        holder = screen.query_one("#field-holder_name")
        holder.value = "Holder Inc"
        await settle(pilot)
        assert screen.read_form()[0].holder_name == "Holder Inc"


async def test_a_prompt_starts_with_placeholders_and_gives_back_the_stored_text(specialist):
    app = app_for(specialist)
    results: list[str | None] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await app.push_screen(TextPromptScreen("Rename reason 9", "Reason" + OSC52),
                              results.append)
        await settle(pilot)
        assert app.screen.query_one("#text").value == "Reason\\x1b]52;c;ZWNobyBwd25lZA==\\x07"
        await pilot.press("enter")
        await settle(pilot)
    assert results == ["Reason" + OSC52]


async def test_notifications_show_placeholders(specialist):
    app = app_for(specialist)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.notify("there is no user x" + OSC52 + BIDI, title="Not" + CSI,
                          markup=False)
        await settle(pilot)
        assert "there is no user x\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\u202etxt.exe\\u202c" \
            in notifications(app)
        assert [n.title for n in app._notifications] == ["Not\\x1b[31;1;4mINJECT"]


def test_the_upload_tree_shows_file_names_with_placeholders(tmp_path):
    tree = PdfTree(tmp_path)
    label = tree.process_label("cert" + OSC52 + BIDI + ".pdf")
    assert label.plain == "cert\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\u202etxt.exe\\u202c.pdf"


# -- a real terminal -------------------------------------------------------------------------


class Terminal:
    """A command in a pseudo-terminal of 80x24 (TERM=xterm-256color); every byte it writes."""

    def __init__(self, *args: str, rows: int = 24, cols: int = 80) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols),
               "LINES": str(rows)}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "certdesk_tui", *args],
                                     stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True)
        os.close(slave)
        self.master = master
        self.output = bytearray()

    def read(self, seconds: float, until: bytes | None = None) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if until is not None and until in self.output:
                return
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the other side closed
                    return
                if not chunk:
                    return
                self.output.extend(chunk)

    def press(self, keys: str, wait: float = 1.0, until: bytes | None = None) -> None:
        os.write(self.master, keys.encode())
        self.read(wait, until)

    def finish(self, timeout: float = 60) -> bytes:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.read(0.2)
        self.read(0.2)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            pytest.fail("the command did not finish: " + bytes(self.output[-2000:]).decode(
                "utf-8", "replace"))
        os.close(self.master)
        return bytes(self.output)


def assert_no_control_from_data(raw: bytes) -> None:
    """None of the data's escape sequences reached the terminal (the desk's own drawing
    sequences are Textual's: the data's are recognised by their payload)."""
    assert b"Traceback" not in raw
    assert b"\x1b]52" not in raw                    # no clipboard write at all
    for match in re.finditer(rb"\]52;c;ZWNobyBwd25lZA==", raw):  # shown, or folded to a space
        assert raw[match.start() - 1] != 0x1B, raw[match.start() - 40:]
    assert b"\x1b[31;1;4mINJECT" not in raw
    assert "\x9b".encode() not in raw and b"\x9b33mC1" not in raw
    for ch in "\u202e\u202c\u2066\u2069\u200f\u061c\ufeff":
        assert ch.encode() not in raw
    assert b"\x08\x7fDEL" not in raw and b"\x07bell" not in raw


@pytest.fixture
def hostile_database(database_url):
    """A team database whose customers, requests, notes, reasons and users carry
    OSC 52, CSI, C1, BEL, backspace, DEL and bidirectional overrides."""
    init = subprocess.run([sys.executable, "-m", "certdesk_tui", "--db", database_url, "init"],
                          capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    login = re.search(r"^(\S+) is its manager$", init.stdout, re.M)[1]
    db = Database(database_url)
    desk = Desk(db, resolve_actor(db, login))
    desk.add_user("sky", "manager", "Sky", "sky@certdesk.example")
    with db.writing() as s:
        # users add refuses such a login and name now; a database may hold them from
        # before, and they are still shown as placeholders.
        s.execute(update(User).where(User.login == "sky").values(login="sky" + CSI,
                                                                  name="Sky" + OSC52))
        s.execute(update(User).where(User.login == login).values(name="Boss" + C1 + BIDI))
    report = desk.import_customers(factories.jsonl(factories.customer(
        "C100", name="Acme" + OSC52 + "Roofing" + BIDI,
        policies=[dict(factories.POLICY, number="WC" + C1 + "\x7fDEL")])))
    assert report.ok, report.refused
    report = desk.import_submissions(factories.jsonl(factories.submission(
        "EXT" + CSI, "C100", instructions="Hi " + OSC52 + C1 + MIXED + BIDI,
        holder=dict(factories.HOLDER, name="Holder" + CSI + BIDI, address="9 Oak" + C1))))
    assert report.ok, report.refused
    rid = report.accepted[0].request_id
    desk.note(rid, "note " + OSC52 + MIXED)
    # The desk refuses such a reason now; one stored before that rule is still shown.
    added = desk.add_reason("Reason")
    with db.writing() as s:
        s.execute(update(RejectionReason).where(RejectionReason.id == added.id)
                  .values(text="Reason " + OSC52 + BIDI))
    db.dispose()
    return database_url, rid


def test_the_command_line_writes_no_control_sequence_from_data(hostile_database):
    url, rid = hostile_database
    outputs = {}
    for args in (("list",), ("show", str(rid)), ("show", str(rid), "--json"),
                 ("list", "--json"), ("reasons", "list"), ("reasons", "list", "--json"),
                 ("users", "list"), ("users", "list", "--json"), ("mail", "status")):
        term = Terminal("--db", url, *args)
        raw = term.finish()
        assert term.proc.returncode == 0, raw
        assert_no_control_from_data(raw)
        outputs[args] = raw.decode()
    shown = outputs[("show", str(rid))]
    assert "Acme\\x1b]52;c;ZWNobyBwd25lZA==\\x07Roofing\\u202etxt.exe\\u202c" in shown
    assert "(EXT\\x1b[31;1;4mINJECT)" in shown
    assert "WC\\x9b33mC1\\x7fDEL" in shown
    assert "Hi \\x1b]52;c;ZWNobyBwd25lZA==\\x07\\x9b33mC1\\x07bell\\x08\\x7fDEL\\u2066" \
           in shown
    assert "Acme\\x1b]52;c;" in outputs[("list",)]
    assert "Reason \\x1b]52;c;ZWNobyBwd25lZA==\\x07\\u202etxt.exe" in outputs[("reasons", "list")]
    assert "sky\\x1b[31;1;4mINJECT" in outputs[("users", "list")]
    assert "Boss\\x9b33mC1\\u202e" in outputs[("users", "list")]
    detail = json.loads(outputs[("show", str(rid), "--json")].replace("\r\n", "\n"))
    assert detail["instructions"] == "Hi " + OSC52 + C1 + MIXED + BIDI

    # A refusal quoting what was typed: one line on stderr, placeholders only.
    term = Terminal("--db", url, "users", "set-role", "nobody" + OSC52 + BIDI, "manager")
    raw = term.finish()
    assert term.proc.returncode == 1
    assert_no_control_from_data(raw)
    assert b"nobody\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\u202etxt.exe" in raw
    assert len(raw.decode().strip().splitlines()) == 1


def test_the_desk_writes_no_control_sequence_from_data(hostile_database):
    url, _rid = hostile_database
    # A manager acting as a colleague whose login carries a CSI: the header names them.
    term = Terminal("--db", url, "--as", "sky" + CSI)
    term.read(60, until=b"Acme")
    assert b"Acme" in term.output, bytes(term.output[-2000:])
    term.read(1.5)
    term.press("\r", 2.0, until=b"Holder address")        # the preview
    term.press("\x1b", 1.0)
    term.press("a", 3.0, until=b"Policy number")          # the automation form
    term.read(1.0)
    term.press("\x1b", 1.0)
    term.press("x", 2.0, until=b"Reason ")                 # the reject dialog
    term.press("\x1b", 1.0)
    term.press("T", 1.5)                                   # the last tab
    term.press("q", 0.5)
    raw = term.finish()
    assert_no_control_from_data(raw)
    for placeholder in (b"\\x1b[31;1;4mINJECT",            # header, holder field
                        b"Acme\\x1b]52;c;ZWNob",            # table, panel, preview, form
                        b"WC\\x9b33mC1\\x7fDEL",            # the policy number field
                        b"Reason \\x1b]52;c;ZWNob",         # reject dialog, reasons
                        b"\\u202e"):
        assert placeholder in raw, placeholder
