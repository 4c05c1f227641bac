"""What can be configured: a TOML file, overridden by ``CERTDESK_*`` environment variables.

Every setting has one name; its environment variable is ``CERTDESK_`` + the name in
capitals (``smtp_host`` -> ``CERTDESK_SMTP_HOST``). Each setting has one rule (a
function of the value given: the value kept, or :class:`Invalid`), so a value of the
wrong kind, out of range, ``nan`` or ``inf``, or a setting nobody knows is refused as
one :class:`ConfigurationError` line naming the setting (or its environment variable)
and what is expected.

The rules are plain functions rather than a validation library: every command, and the
desk before its first frame, reads the settings first, and a model library's import
(pydantic with pydantic-settings: about 0.1 s) would be paid by each of them.

``Settings(...)`` is exactly what it is given; :func:`load_settings` adds the file and
the environment.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from certdesk_tui import locations
from certdesk_tui.domain import Brand, addresses
from certdesk_tui.domain.certificates import DEFAULT_CONTACTS, ProducerContact
from certdesk_tui.domain.errors import ConfigurationError, ValidationFailed
from certdesk_tui.domain.workflow import REQUEST_ACTIONS
from certdesk_tui.domain.written import unprintable

ENV_PREFIX = "CERTDESK_"
MAX_FILE_BYTES = 1_000_000


class Invalid(ValueError):
    """A value its setting does not take. ``reason`` is a rule's own words, quoted in the
    refusal where they say more than what the setting expects; None: the wrong kind of
    value, or out of range."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or "not what the setting takes")
        self.reason = reason


class SettingRefused(ValueError):
    """The first value ``Settings(...)`` refuses, and where: ``loc`` is the setting, then
    the keys inside its table. ``unknown``: no setting (or table key) of that name;
    ``brand``: a producer contact for a brand certdesk does not have."""

    def __init__(self, loc: tuple[str, ...], value: Any, reason: str | None = None, *,
                 unknown: bool = False, brand: bool = False) -> None:
        super().__init__(f"{'.'.join(map(str, loc))}: {reason or 'refused'}")
        self.loc, self.value, self.reason = loc, value, reason
        self.unknown, self.brand = unknown, brand


Rule = Callable[[Any], Any]


def _all(*rules: Rule) -> Rule:
    """One rule of several, applied in turn to what the one before kept."""
    def rule(value: Any) -> Any:
        for each in rules:
            value = each(value)
        return value
    return rule


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid
    # Lone surrogates come from environment bytes that are not UTF-8; NUL from nowhere good.
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise Invalid("UTF-8 text without NUL characters")
    return value


def _choice(*options: str) -> Rule:
    def rule(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise Invalid
        return value
    return rule


# Around a number written as text, ASCII white space is ignored (str.strip would also take
# control characters such as U+001F for white space).
_SPACE = " \t\n\r\x0b\x0c"
# A whole number as text: digits (groups joined by "_", as Python and TOML write them),
# optionally with a fraction of zeros ("5.0").
_WHOLE = re.compile(r"[+-]?[0-9]+(?:_[0-9]+)*(?:\.0+)?")


def _whole(low: int, high: int) -> Rule:
    def rule(value: Any) -> int:
        if isinstance(value, bool):  # TOML's true/false are not numbers
            raise Invalid("a number, not true/false")
        if isinstance(value, float):
            if not value.is_integer():
                raise Invalid
            value = int(value)
        elif isinstance(value, str):
            text = value.strip(_SPACE)
            if not _WHOLE.fullmatch(text):
                raise Invalid
            try:
                value = int(text.partition(".")[0])
            except ValueError:  # more digits than Python converts (4,300)
                raise Invalid from None
        elif not isinstance(value, int):
            raise Invalid
        if not low <= value <= high:
            raise Invalid
        return value
    return rule


def _real(*, low: float, high: float, low_included: bool = True) -> Rule:
    def rule(value: Any) -> float:
        if isinstance(value, bool):
            raise Invalid("a number, not true/false")
        if isinstance(value, str):
            text = value.strip(_SPACE)
            if not text.isascii():  # digits of other scripts are not read as numbers
                raise Invalid
            try:
                value = float(text)
            except ValueError:
                raise Invalid from None
        elif isinstance(value, int | float):
            try:
                value = float(value)
            except OverflowError:
                raise Invalid from None
        else:
            raise Invalid
        if not math.isfinite(value):
            raise Invalid("a finite number, not nan or inf")
        if value < low or (value == low and not low_included) or value > high:
            raise Invalid
        return value
    return rule


def _interval(value: float) -> float:
    # A timer of a few microseconds would keep the desk busy for nothing.
    if 0 < value < 0.1:
        raise Invalid("0 (never) or at least 0.1 seconds")
    return value


def _mailbox(setting: str) -> Rule:
    # The one address validator; a display name is allowed ("Compeo <certs@example.com>").
    def rule(value: str) -> str:
        if setting == "reply_to" and not value.strip():
            return value
        try:
            addresses.mailbox(value, setting)
        except ValidationFailed as exc:
            raise Invalid(getattr(exc, "reason", str(exc))) from None
        return value
    return rule


def _at_most(length: int) -> Rule:
    def rule(value: str) -> str:
        if len(value) > length:
            raise Invalid
        return value
    return rule


def _one_line(value: str) -> str:
    # Printed on the certificate in a box of one line (and in emails): no line breaks,
    # nothing blank, and nothing the certificate's own fields may not hold.
    if not value.strip() or any(ch in value for ch in "\r\n\t") or unprintable(value):
        raise Invalid("one line of printable text")
    return value.strip()


def _printable(value: str) -> str:
    # Mail settings reach the SMTP conversation and the log: the certificate's rule.
    if unprintable(value):
        raise Invalid("text without control characters")
    return value


def _host(value: str) -> str:
    # A host name (or address) is one word of printable text.
    if not value.isprintable() or any(ch.isspace() for ch in value):
        raise Invalid("a host name")
    return value


def _address(value: str) -> str:
    try:
        return addresses.normalized(value, "email")
    except ValidationFailed as exc:
        raise Invalid(getattr(exc, "reason", str(exc))) from None


_printable_text = _all(_text, _printable)


def _line(length: int = 80) -> Rule:
    return _all(_text, _at_most(length), _one_line)


_interval_seconds = _all(_real(low=0, high=86_400), _interval)


# What each setting expects, in the words of a refusal: "<setting> must be <this>".
EXPECTED: dict[str, str] = {
    "database_url": "text: sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
    "mail_transport": "file or smtp",
    "smtp_host": "text: a host name, one line of printable text without spaces",
    "smtp_port": "a number, a port from 1 to 65535 (0: the default port)",
    "smtp_user": "text without control characters",
    "smtp_password": "text without control characters",
    "smtp_security": "none, starttls or ssl",
    "smtp_timeout_seconds": "a number of seconds greater than 0, at most 3600",
    "mail_from": "text: an email address, optionally with a display name (Name <address>)",
    "reply_to": "text: an email address, optionally with a display name (empty: none)",
    "mail_max_attempts": "a whole number from 1 to 1000",
    "mail_retry_base_seconds": "a whole number of seconds from 0 to 86400",
    "mail_interval_seconds": "0 (never) or a number of seconds from 0.1 to 86400",
    "overdue_hours": "a number of hours greater than 0, at most 87600",
    "refresh_seconds": "0 (never) or a number of seconds from 0.1 to 86400",
    "theme": "text: a Textual theme name",
    "keymap": "a table of binding id = keys (text)",
    "duplicate_window_days": "a whole number of days from 0 to 3650",
    "renewal_window_days": "a whole number of days from 0 to 366",
    "producer_contacts": ("a table per brand (compeo, peopaygo, cornerstone) of name, phone, "
                          "email and representative, each one line of printable text (at most "
                          "80 characters, a phone 40; email an email address)"),
}


@dataclass(frozen=True)
class ContactSetting:
    """A brand's producer contact as configured; what is left out keeps its default."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    representative: str | None = None


CONTACT_RULES: dict[str, Rule] = {
    "name": _line(), "phone": _line(40), "email": _all(_line(), _address),
    "representative": _line(),
}


def _contacts(value: Any) -> dict[Brand, ContactSetting]:
    """``producer_contacts``: a table per brand of the contact's settings."""
    if not isinstance(value, dict):
        raise Invalid
    contacts: dict[Brand, ContactSetting] = {}
    for brand, table in value.items():
        here = ("producer_contacts", str(brand))
        if brand not in tuple(Brand):
            raise SettingRefused(here, brand, brand=True)
        if isinstance(table, ContactSetting):  # as kept (dataclasses.replace gives them)
            table = {key: value for key, value in vars(table).items() if value is not None}
        if not isinstance(table, dict):
            raise SettingRefused(here, table)
        kept: dict[str, str | None] = {}
        for key, rule in CONTACT_RULES.items():
            if table.get(key) is None:
                continue
            try:
                kept[key] = rule(table[key])
            except Invalid as exc:
                raise SettingRefused((*here, key), table[key], exc.reason) from None
        for key in table:
            if key not in CONTACT_RULES:
                raise SettingRefused((*here, str(key)), table[key], unknown=True)
        contacts[Brand(brand)] = ContactSetting(**kept)
    return contacts


# The binding ids a keymap may name, as the README's Keys section lists them: the
# processing actions (the domain's ids), then the desk's others. The desk's action
# registry (``actions.DESK_ACTIONS``) declares each of them; the settings are read below
# the interface, so they hold the list and a test keeps the two the same.
KEYMAP_IDS: tuple[str, ...] = (
    *(action.id for action in REQUEST_ACTIONS),
    "mark", "mark_all", *(f"view_{n}" for n in range(1, 10)), "save_view", "new_request",
    "preview", "search", "filters", "clear_filters", "sort", "reverse_sort", "refresh",
    "next_page", "previous_page", "cursor_down", "cursor_up", "leave_search", "focus_next",
    "focus_previous", "next_tab", "previous_tab", "certificates_tab", "renewals_tab",
    "insights_tab", "configuration_tab", "renew", "renew_all", "add_reason",
    "rename_reason", "retire_reason", "help", "command_palette", "quit",
)
# Binding ids of earlier versions a keymap may still use: each action has one name now.
KEYMAP_ALIASES = {"mark_in_progress": "start", "add_note": "note"}


def closest(word: str, names: Iterable[str]) -> str | None:
    """The name most like ``word`` (a misspelling's "did you mean"), or None."""
    close = difflib.get_close_matches(word, list(names), n=1)
    return close[0] if close else None


def _current_binding_ids(keymap: dict[str, str]) -> dict[str, str]:
    """The keymap with old binding ids under their current names (a current id wins).

    An id certdesk does not know is refused, not ignored: the key it meant to move would
    silently stay where it was."""
    for key in keymap:
        if key not in KEYMAP_IDS and key not in KEYMAP_ALIASES:
            # An old id misspelt is close to its old name: suggest the current one.
            near = closest(key, [*KEYMAP_IDS, *KEYMAP_ALIASES])
            near = KEYMAP_ALIASES.get(near, near) if near else None
            hint = (f"; did you mean {near}?" if near
                    else " (the README's Keys section lists them)")
            raise Invalid(f"{_shown(key)} is not a binding id{hint}")
    renamed = {KEYMAP_ALIASES.get(key, key): keys for key, keys in keymap.items()
               if key in KEYMAP_ALIASES}
    return {**renamed, **{key: keys for key, keys in keymap.items()
                          if key not in KEYMAP_ALIASES}}


def _keymap(value: Any) -> dict[str, str]:
    """``keymap``: a table of binding id = keys, under the current binding ids."""
    if not isinstance(value, dict):
        raise Invalid
    for key, keys in value.items():
        _text(key)
        _text(keys)
    return _current_binding_ids(value)


def _setting(default: Any, rule: Rule, *, shown: bool = True) -> Any:
    """A setting's field: its default (a table's: a copy for each Settings) and its rule."""
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata={"rule": rule},
                     repr=shown)
    return field(default=default, metadata={"rule": rule}, repr=shown)


@dataclass(frozen=True, init=False)
class Settings:
    """Every setting, each kept as its rule returned it (the defaults are checked too)."""

    # Storage
    database_url: str = _setting("", _text)
    # Email delivery
    # Empty: smtp when smtp_host is set, else file.
    mail_transport: str = _setting("", _choice("", "file", "smtp"))
    smtp_host: str = _setting("", _all(_text, _host))
    smtp_port: int = _setting(0, _whole(0, 65535))
    smtp_user: str = _setting("", _printable_text)
    smtp_password: str = _setting("", _printable_text, shown=False)
    smtp_security: str = _setting("none", _choice("none", "starttls", "ssl"))
    # The longest one message may take to hand over to the SMTP server.
    smtp_timeout_seconds: float = _setting(60.0, _real(low=0, high=3600, low_included=False))
    # The sender, optionally with a display name: "Compeo Certificates <certs@example.com>".
    mail_from: str = _setting("certificates@certdesk.example", _all(_text, _mailbox("mail_from")))
    # Where replies go (the rejection email asks the customer to reply); empty: to mail_from.
    reply_to: str = _setting("", _all(_text, _mailbox("reply_to")))
    mail_max_attempts: int = _setting(6, _whole(1, 1000))
    mail_retry_base_seconds: int = _setting(30, _whole(0, 86_400))
    # How often an open desk delivers due emails in the background (0: it does not).
    mail_interval_seconds: float = _setting(10.0, _interval_seconds)
    # Interface
    overdue_hours: float = _setting(24.0, _real(low=0, high=87_600, low_included=False))
    refresh_seconds: float = _setting(2.0, _interval_seconds)
    theme: str = _setting("", _text)
    keymap: dict[str, str] = _setting({}, _keymap)
    # Rules
    duplicate_window_days: int = _setting(30, _whole(0, 3650))
    # A policy term may start this many days after a certificate's date (a renewal).
    renewal_window_days: int = _setting(60, _whole(0, 366))
    # Printed on each certificate: the brand's producer contact and authorized representative.
    producer_contacts: dict[Brand, ContactSetting] = _setting({}, _contacts)

    def __init__(self, **values: Any) -> None:
        """Each setting given through its rule, the others at their defaults; the first
        value refused raises :class:`SettingRefused`, as does a setting nobody knows.

        A default is what its rule keeps (a test checks each), so it is not checked
        again at every start: the sender's address alone would load the email
        validator, about 20 ms of every command."""
        for setting in fields(self):
            if setting.name not in values:
                default = (setting.default if setting.default is not MISSING
                           else setting.default_factory())  # type: ignore[misc]
                object.__setattr__(self, setting.name, default)
                continue
            value = values[setting.name]
            try:
                kept = setting.metadata["rule"](value)
            except Invalid as exc:
                raise SettingRefused((setting.name,), value, exc.reason) from None
            object.__setattr__(self, setting.name, kept)
        for name, value in values.items():
            if name not in SETTING_NAMES:
                raise SettingRefused((name,), value, unknown=True)

    def __hash__(self) -> int:
        return hash(tuple(
            tuple(sorted(v.items())) if isinstance(v, dict) else v
            for v in self.__dict__.values()
        ))

    def producer_contact(self, brand: Brand) -> ProducerContact:
        """The contact and representative a certificate of ``brand`` names."""
        default = DEFAULT_CONTACTS[brand]
        configured = self.producer_contacts.get(brand)
        if configured is None:
            return default
        return ProducerContact(
            name=configured.name or default.name,
            phone=configured.phone or default.phone,
            email=configured.email or default.email,
            representative=configured.representative or default.representative,
        )

    @property
    def effective_database_url(self) -> str:
        return self.database_url or locations.sqlite_url(locations.default_database_path())

    @property
    def effective_mail_transport(self) -> str:
        if self.mail_transport:
            return self.mail_transport
        return "smtp" if self.smtp_host else "file"


SETTING_NAMES: tuple[str, ...] = tuple(setting.name for setting in fields(Settings))


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def _read_file(path: Path, explicit: bool) -> dict[str, Any]:
    """The file's settings (flat keys and a ``[certdesk]`` table), or {} when there is none."""
    if os.fspath(path) == os.devnull:  # CERTDESK_CONFIG=/dev/null: no file, the defaults
        return {}
    try:
        if not path.exists():
            if explicit:
                raise ConfigurationError(f"{path}: no such configuration file")
            return {}
        if path.is_dir():
            raise ConfigurationError(f"{path}: is a directory, not a TOML configuration file")
        if not path.is_file():
            raise ConfigurationError(f"{path}: not a regular file, not a TOML configuration file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ConfigurationError(
                f"{path}: larger than {MAX_FILE_BYTES // 1_000_000} MB, not a configuration file")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read the configuration: {exc.strerror}") from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path}: not UTF-8 text, not a TOML configuration file") from None
    except ValueError as exc:  # TOMLDecodeError, or an integer of more digits than Python reads
        raise ConfigurationError(f"{path}: not valid TOML ({exc})") from None
    # Accept both flat keys and a [certdesk] table.
    table = raw.pop("certdesk") if isinstance(raw.get("certdesk"), dict) else {}
    return {**raw, **table}


SECRET_SETTINGS = frozenset({"smtp_password"})
# Tables: set in the configuration file only, never by an environment variable.
FILE_ONLY_SETTINGS = ("keymap", "producer_contacts")
# certdesk's environment variables that are not settings: where its files are.
LOCATION_VARIABLES = ("CERTDESK_CONFIG", "CERTDESK_DATA_DIR")
# Variables of certdesk's own test suite and benchmarks (the PostgreSQL server the tests
# run against, where the benchmarks build their databases).
TOOL_PREFIXES = ("CERTDESK_TEST_", "CERTDESK_BENCH_")


def unknown_variable(environ: Mapping[str, str]) -> str | None:
    """Why a ``CERTDESK_*`` environment variable is not one certdesk reads (a misspelt
    setting would otherwise be ignored: the mail would go where it did), or None."""
    known = sorted({env_name(name) for name in SETTING_NAMES} | set(LOCATION_VARIABLES))
    for key in sorted(environ):
        if key.startswith(ENV_PREFIX) and key not in known and not key.startswith(TOOL_PREFIXES):
            # Compared without the prefix they all share (it would make anything close).
            near = closest(key.removeprefix(ENV_PREFIX),
                           [k.removeprefix(ENV_PREFIX) for k in known])
            hint = (f"; did you mean {ENV_PREFIX}{near}?" if near
                    else " (the README's Configuration lists every setting)")
            return f"{key} is not a certdesk setting{hint}"
    return None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


CONTACT_FIELDS = tuple(CONTACT_RULES)
# Printable: no control character and no bidirectional control (the certificate's rule).
CONTACT_EXPECTED = {
    "name": "one line of printable text, at most 80 characters",
    "phone": "one line of printable text, at most 40 characters",
    "representative": "one line of printable text, at most 80 characters",
    "email": "an email address",
}


def _contact_refusal(problem: SettingRefused, origin: str) -> str:
    """A problem inside ``producer_contacts``: which brand, which key, what is expected."""
    brands = ", ".join(Brand)
    loc = problem.loc
    where = f"{origin}: producer_contacts." + ".".join(loc[1:])
    if problem.brand:
        return (f"{origin}: producer_contacts has no brand "
                f"{_shown(problem.value)}; the brands are {brands}")
    if len(loc) == 2:
        return f"{where} must be a table of {', '.join(CONTACT_FIELDS)}"
    if problem.unknown:
        return (f"{origin}: producer_contacts.{loc[1]} has no setting {loc[2]!r}; "
                f"its settings are {', '.join(CONTACT_FIELDS)}")
    refusal = (f"{where} must be {CONTACT_EXPECTED.get(loc[2], 'valid')}, "
               f"not {_shown(problem.value)}")
    if loc[2] == "email" and problem.reason:
        refusal += f": {problem.reason}"
    return refusal


def _refusal(problem: SettingRefused, values: Mapping[str, Any],
             origins: Mapping[str, str]) -> str:
    """The problem, as "<where>: <setting> must be <expected>, not <value>"."""
    key = problem.loc[0]
    origin = origins.get(key, "")
    # From the file: "<path>: <setting>"; from the environment: its variable's name.
    where = f"{origin}: {key}" if origin else env_name(key)
    if key == "producer_contacts" and len(problem.loc) > 1:
        return _contact_refusal(problem, origin)
    if key == "keymap" and problem.reason:
        return f"{where}: {problem.reason}"  # a binding id it does not know
    if problem.unknown:
        return f"{origin}: unknown setting {key!r}; the settings are " + ", ".join(SETTING_NAMES)
    if key in SECRET_SETTINGS:  # never quoted back
        return f"{where} must be {EXPECTED.get(key, 'valid')}"
    refusal = f"{where} must be {EXPECTED.get(key, 'valid')}, not {_shown(values.get(key))}"
    if key in ("mail_from", "reply_to") and problem.reason:
        refusal += f": {problem.reason}"  # the address validator's reason
    return refusal


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None,
                  *, required: bool | None = None) -> Settings:
    """Read the TOML file (if it exists) and apply environment overrides.

    A file named explicitly (``CERTDESK_CONFIG``, ``--config``, or ``required=True``) must
    exist; the default file may be absent (then the defaults apply).
    """
    environ = os.environ if environ is None else environ
    if problem := unknown_variable(environ):
        raise ConfigurationError(problem)
    explicit_path = locations.explicit_config_file()
    if required is None:
        required = path is None and explicit_path is not None
    path = path or explicit_path or locations.config_file()
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}  # setting -> the file it came from ("": the environment)
    for key, value in _read_file(path, required).items():
        values[key] = value
        origins[key] = str(path)
    for name in SETTING_NAMES:
        env_value = environ.get(env_name(name))
        if name in FILE_ONLY_SETTINGS:
            if env_value:  # refused rather than ignored: it would look as if it applied
                named = "" if os.fspath(path) == os.devnull else f" ({path})"
                raise ConfigurationError(
                    f"{env_name(name)}: {name} is set in the configuration file{named}, "
                    "not in the environment")
            continue
        if env_value is not None and env_value != "":
            values[name] = env_value
            origins[name] = ""
    try:
        return Settings(**values)
    except SettingRefused as exc:
        raise ConfigurationError(" ".join(_refusal(exc, values, origins).split())) from None
