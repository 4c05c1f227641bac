"""One rule for blank text: nothing a reader can see is as good as nothing."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from certdesk_tui.domain.written import (
    BIDI_CONTROLS,
    BIDI_MARKS,
    deceiving_character,
    is_blank,
    visible,
)

INVISIBLE = ["", " ", "\u3000", "\u200b\u200b", "\u200d\u200d\u200d", "\u2060", "\ufeff",
             "\u2800\u2800", "\u3164", "\u115f\u1160", "\u0301\u0301", "\u00a0\u202f",
             "\u180e", "\t\n\r", "\u200b \u2800 \u3000"]


def test_invisible_texts_are_blank():
    for text in INVISIBLE:
        assert is_blank(text), repr(text)


def test_a_visible_character_anywhere_is_enough():
    for text in INVISIBLE:
        for letter in ("A", "é", "ß", "名", "أ", "7", "&", "\u2801"):
            assert not is_blank(text + letter + text)


@given(st.text(alphabet=st.characters(categories=("Zs", "Zl", "Zp", "Cf", "Mn", "Me"))))
def test_spaces_format_characters_and_lone_marks_are_blank(text):
    assert is_blank(text)


@given(st.text(), st.characters(categories=("Lu", "Ll", "Lo", "Nd", "Po", "Sm")))
def test_text_with_a_letter_digit_or_symbol_is_not_blank(text, char):
    if char in "\u3164\uffa0\u115f\u1160\u17b4\u17b5\u2800":
        return
    assert visible(char)
    assert not is_blank(text + char)


def test_deceiving_characters_are_found_first_come():
    assert deceiving_character("plain text, no tricks") is None
    assert deceiving_character("a\x1b[31mred") == "\x1b"
    assert deceiving_character("abc\u202eexe.pdf") == "\u202e"
    assert deceiving_character("name\u200fmark") is None  # a mark: allowed in names
    assert deceiving_character("name\u200fmark", marks=True) == "\u200f"
    assert deceiving_character("\ud800") == "\ud800"
    for char in BIDI_CONTROLS | BIDI_MARKS:
        assert unicodedata.category(char) == "Cf"
