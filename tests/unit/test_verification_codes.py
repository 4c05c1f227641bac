"""Verification codes: made of unambiguous characters, read back however a holder types them."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certdesk_tui.domain.certificates import (
    CODE_ALPHABET,
    CODE_LENGTH,
    new_verification_code,
    parse_verification_code,
    printed_code,
)
from certdesk_tui.domain.errors import ValidationFailed

codes = st.text(st.sampled_from(CODE_ALPHABET), min_size=CODE_LENGTH, max_size=CODE_LENGTH)
separators = st.lists(st.sampled_from([" ", "-", "  ", "\t", "\u2013", "\u00a0", ""]),
                      min_size=CODE_LENGTH + 1, max_size=CODE_LENGTH + 1)


def test_a_new_code_is_ten_crockford_characters_without_look_alikes() -> None:
    made = {new_verification_code() for _ in range(2000)}
    assert len(made) == 2000
    for code in made:
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert not set("ILOU") & set(CODE_ALPHABET)


def test_a_seeded_generator_gives_the_same_code() -> None:
    assert new_verification_code(random.Random(7)) == new_verification_code(random.Random(7))


def test_the_printed_form_is_two_groups_of_five() -> None:
    assert printed_code("7K3QF9XM2D") == "7K3QF-9XM2D"
    assert parse_verification_code(printed_code("7K3QF9XM2D")) == "7K3QF9XM2D"


@given(code=codes, gaps=separators, lower=st.lists(st.booleans(), min_size=CODE_LENGTH,
                                                   max_size=CODE_LENGTH))
def test_any_case_and_any_spaces_or_dashes_read_as_the_code(code: str, gaps: list[str],
                                                            lower: list[bool]) -> None:
    typed = gaps[0] + "".join(
        (ch.lower() if low else ch) + gap for ch, low, gap in zip(code, lower, gaps[1:],
                                                                   strict=True))
    assert parse_verification_code(typed) == code


@given(code=codes)
def test_o_reads_as_zero_and_i_or_l_as_one(code: str) -> None:
    typed = code.replace("0", "O").replace("1", "I")
    assert parse_verification_code(typed) == code
    assert parse_verification_code(code.replace("1", "l")) == code


@given(st.text(max_size=60))
def test_anything_typed_is_a_code_or_one_line_saying_why_not(typed: str) -> None:
    try:
        code = parse_verification_code(typed)
    except ValidationFailed as refused:
        message = str(refused)
        assert message and "\n" not in message.replace("\\n", "")
        assert "verification code" in message
        return
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)


@pytest.mark.parametrize(("typed", "reason"), [
    ("", "no verification code given"),
    (" - ", "no verification code given"),
    ("ABC", "it has 3 characters, a code has 10"),
    ("7K3QF9XM2D7", "it has 11 characters"),
    ("7K3QF-9XM2U", "'U' is not one of its characters"),
    ("7K3QF_9XM2D", "'_' is not one of its characters"),
    ("7K3QF9XM2ß", "'ß' is not one of its characters"),
    ("７K3QF9XM2D", "'７' is not one of its characters"),
    ("7K3QF\x009XM2D", "U+0000 is not one of its characters"),
])
def test_malformed_codes_are_refused_saying_why(typed: str, reason: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_verification_code(typed)
    assert reason in str(refused.value)


def test_a_huge_input_is_refused_quickly_and_quoted_short() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_verification_code("A" * 1_000_000)
    assert len(str(refused.value)) < 200
