"""Argument types shared by the commands: record ids, seconds, enum choices."""

from __future__ import annotations

from enum import Enum
from typing import Any

import click

from certdesk_tui.cli.refusals import Refused


class Seconds(click.FloatRange):
    """A number of seconds in a range; ``nan`` is not in any range (click lets it through)."""

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        result = super().convert(value, param, ctx)
        if result != result:
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return result


class RecordId(click.ParamType):
    """The id of a request, a reason or an email: a whole number, ``#12`` accepted.

    Any whole number is passed on (the desk says "there is no request #0"); a number too
    long for any id is answered here the same way, and anything else is refused: never
    a usage error or a traceback. Only ASCII digits count (``int()`` would take ``٣``).
    """

    name = "ID"

    def __init__(self, noun: str) -> None:
        self.noun = noun

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        number = text.removeprefix("#")
        digits = number.removeprefix("-").removeprefix("+")
        if not (digits.isascii() and digits.isdigit()):
            shown = text if len(text) <= 40 else text[:37] + "..."
            raise Refused(f"{self.noun} ids are whole numbers, not {shown!r}")
        if len(digits.lstrip("0")) > 20:  # beyond any id (and int()'s digit limit)
            raise Refused(f"there is no {self.noun} #{number[:20]}...")
        return int(number)


class TakesIds(click.Command):
    """A command with an id argument: ``-1`` (a dash, then a digit) is an argument, not an
    option, so ``certdesk show -1`` is answered "there is no request #-1" as ``show -- -1``
    is, instead of Click's "No such option". No option of certdesk starts with a digit;
    anything else that starts with a dash (``--bogus``, ``-x``) is still an option, and an
    unknown one still a usage error. An option's value (``--to -1``) is left to its option.
    """

    def make_parser(self, ctx: click.Context) -> Any:
        parser = super().make_parser(ctx)
        process_opts = parser._process_opts

        def number_or_option(arg: str, state: Any) -> None:
            if arg[:1] == "-" and arg[1:2].isdigit() and arg not in parser._short_opt:
                state.largs.append(arg)  # a positional argument, left as typed
            else:
                process_opts(arg, state)

        parser._process_opts = number_or_option  # type: ignore[method-assign]
        return parser


def choices(enum: type[Enum]) -> click.Choice:
    """The values of ``enum``, matched without regard to case."""
    return click.Choice([m.value for m in enum], case_sensitive=False)


class Workers(click.ParamType):
    """How many processes draw certificates: a whole number from 1 to ``MOST``; anything
    else is refused in one line (exit 1), never a usage error."""

    name = "N"
    MOST = 64

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= self.MOST:
            return value
        text = str(value).strip()
        digits = text.lstrip("0")
        if text.isascii() and text.isdigit() and 1 <= len(digits) <= 2 \
                and int(digits) <= self.MOST:
            return int(digits)
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise Refused(f"--workers takes a whole number from 1 to {self.MOST}, not {shown!r}")
