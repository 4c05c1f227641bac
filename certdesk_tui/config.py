"""What can be configured: a TOML file, overridden by ``CERTDESK_*`` environment variables.

Every setting has one name; its environment variable is ``CERTDESK_`` + the name in
capitals (``smtp_host`` -> ``CERTDESK_SMTP_HOST``). The settings are a typed model
(pydantic-settings): a value of the wrong kind, out of range, ``nan`` or ``inf``, or a
setting nobody knows is refused as one :class:`ConfigurationError` line naming the
setting (or its environment variable) and what is expected.

``Settings(...)`` is exactly what it is given; :func:`load_settings` adds the file and
the environment.
"""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from certdesk_tui import locations
from certdesk_tui.domain import Brand, addresses
from certdesk_tui.domain.certificates import DEFAULT_CONTACTS, ProducerContact
from certdesk_tui.domain.errors import ConfigurationError, ValidationFailed
from certdesk_tui.domain.workflow import REQUEST_ACTIONS
from certdesk_tui.domain.written import unprintable

ENV_PREFIX = "CERTDESK_"
MAX_FILE_BYTES = 1_000_000


def _no_bool(value: Any) -> Any:
    # TOML's true/false are not numbers (pydantic would take them for 1 and 0).
    if isinstance(value, bool):
        raise ValueError("a number, not true/false")
    return value


def _text(value: Any) -> Any:
    # Lone surrogates come from environment bytes that are not UTF-8; NUL from nowhere good.
    if isinstance(value, str) and (
        "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)
    ):
        raise ValueError("UTF-8 text without NUL characters")
    return value


def _finite(value: Any) -> Any:
    value = _no_bool(value)
    if isinstance(value, str):
        value = value.strip()
    try:
        number = float(value) if isinstance(value, str | int | float) else None
    except (ValueError, OverflowError):
        return value  # pydantic says it is not a number
    if number is not None and not math.isfinite(number):
        raise ValueError("a finite number, not nan or inf")
    return value


def _interval(value: float) -> float:
    # A timer of a few microseconds would keep the desk busy for nothing.
    if 0 < value < 0.1:
        raise ValueError("0 (never) or at least 0.1 seconds")
    return value


def _mailbox(value: str, info: ValidationInfo) -> str:
    # The one address validator; a display name is allowed ("Compeo <certs@example.com>").
    if info.field_name == "reply_to" and not value.strip():
        return value
    try:
        addresses.mailbox(value, info.field_name or "address")
    except ValidationFailed as exc:
        raise ValueError(getattr(exc, "reason", str(exc))) from None
    return value


def _one_line(value: str) -> str:
    # Printed on the certificate in a box of one line (and in emails): no line breaks,
    # nothing blank, and nothing the certificate's own fields may not hold.
    if not value.strip() or any(ch in value for ch in "\r\n\t") or unprintable(value):
        raise ValueError("one line of printable text")
    return value.strip()


def _printable(value: str) -> str:
    # Mail settings reach the SMTP conversation and the log: the certificate's rule.
    if unprintable(value):
        raise ValueError("text without control characters")
    return value


def _host(value: str) -> str:
    # A host name (or address) is one word of printable text.
    if not value.isprintable() or any(ch.isspace() for ch in value):
        raise ValueError("a host name")
    return value


def _address(value: str) -> str:
    try:
        return addresses.normalized(value, "email")
    except ValidationFailed as exc:
        raise ValueError(getattr(exc, "reason", str(exc))) from None


Text = Annotated[str, BeforeValidator(_text)]
Printable = Annotated[Text, AfterValidator(_printable)]
Line = Annotated[Text, Field(max_length=80), AfterValidator(_one_line)]
Mailbox = Annotated[Text, AfterValidator(_mailbox)]
Whole = Annotated[int, BeforeValidator(_no_bool)]
Real = Annotated[float, BeforeValidator(_finite), Field(allow_inf_nan=False)]
Interval = Annotated[Real, Field(ge=0, le=86_400), AfterValidator(_interval)]

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


class ContactSetting(BaseModel):
    """A brand's producer contact as configured; what is left out keeps its default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Line | None = None
    phone: Annotated[Line, Field(max_length=40)] | None = None
    email: Annotated[Line, AfterValidator(_address)] | None = None
    representative: Line | None = None


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
            raise ValueError(f"{_shown(key)} is not a binding id{hint}")
    renamed = {KEYMAP_ALIASES.get(key, key): keys for key, keys in keymap.items()
               if key in KEYMAP_ALIASES}
    return {**renamed, **{key: keys for key, keys in keymap.items()
                          if key not in KEYMAP_ALIASES}}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, frozen=True, extra="forbid", validate_default=True,
        hide_input_in_errors=True,
    )

    # Storage
    database_url: Text = ""
    # Email delivery
    mail_transport: Literal["", "file", "smtp"] = ""  # empty: smtp when smtp_host is set
    smtp_host: Annotated[Text, AfterValidator(_host)] = ""
    smtp_port: Annotated[Whole, Field(ge=0, le=65535)] = 0
    smtp_user: Printable = ""
    smtp_password: Printable = ""
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    # The longest one message may take to hand over to the SMTP server.
    smtp_timeout_seconds: Annotated[Real, Field(gt=0, le=3600)] = 60.0
    # The sender, optionally with a display name: "Compeo Certificates <certs@example.com>".
    mail_from: Mailbox = "certificates@certdesk.example"
    # Where replies go (the rejection email asks the customer to reply); empty: to mail_from.
    reply_to: Mailbox = ""
    mail_max_attempts: Annotated[Whole, Field(ge=1, le=1000)] = 6
    mail_retry_base_seconds: Annotated[Whole, Field(ge=0, le=86_400)] = 30
    # How often an open desk delivers due emails in the background (0: it does not).
    mail_interval_seconds: Interval = 10.0
    # Interface
    overdue_hours: Annotated[Real, Field(gt=0, le=87_600)] = 24.0
    refresh_seconds: Interval = 2.0
    theme: Text = ""
    keymap: Annotated[dict[Text, Text], AfterValidator(_current_binding_ids)] = Field(
        default_factory=dict)
    # Rules
    duplicate_window_days: Annotated[Whole, Field(ge=0, le=3650)] = 30
    # A policy term may start this many days after a certificate's date (a renewal).
    renewal_window_days: Annotated[Whole, Field(ge=0, le=366)] = 60
    # Printed on each certificate: the brand's producer contact and authorized representative.
    producer_contacts: dict[Brand, ContactSetting] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only what the caller gives: load_settings reads the file and the environment.
        return (init_settings,)

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
    except tomllib.TOMLDecodeError as exc:
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
    known = sorted({env_name(name) for name in Settings.model_fields} | set(LOCATION_VARIABLES))
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


CONTACT_FIELDS = tuple(ContactSetting.model_fields)
# Printable: no control character and no bidirectional control (the certificate's rule).
CONTACT_EXPECTED = {
    "name": "one line of printable text, at most 80 characters",
    "phone": "one line of printable text, at most 40 characters",
    "representative": "one line of printable text, at most 80 characters",
    "email": "an email address",
}


def _contact_refusal(error: Any, loc: tuple[Any, ...], origin: str) -> str:
    """A problem inside ``producer_contacts``: which brand, which key, what is expected."""
    brands = ", ".join(Brand)
    path = "producer_contacts." + ".".join(str(part) for part in loc[1:])
    where = f"{origin}: {path}"
    if loc[-1] == "[key]":
        return (f"{origin}: producer_contacts has no brand "
                f"{_shown(error.get('input'))}; the brands are {brands}")
    if len(loc) == 2:
        return f"{where} must be a table of {', '.join(CONTACT_FIELDS)}"
    if error["type"] == "extra_forbidden":
        return (f"{origin}: producer_contacts.{loc[1]} has no setting {str(loc[2])!r}; "
                f"its settings are {', '.join(CONTACT_FIELDS)}")
    refusal = (f"{where} must be {CONTACT_EXPECTED.get(str(loc[2]), 'valid')}, "
               f"not {_shown(error.get('input'))}")
    if str(loc[2]) == "email" and error["type"] == "value_error":
        refusal += f": {error['ctx']['error']}"
    return refusal


def _refusal(exc: ValidationError, values: Mapping[str, Any], origins: Mapping[str, str]) -> str:
    """The first problem, as "<where>: <setting> must be <expected>, not <value>"."""
    error = exc.errors(include_url=False)[0]
    loc = error.get("loc") or ()
    key = str(loc[0]) if loc else ""
    origin = origins.get(key, "")
    # From the file: "<path>: <setting>"; from the environment: its variable's name.
    where = f"{origin}: {key}" if origin else env_name(key)
    if key == "producer_contacts" and len(loc) > 1:
        return _contact_refusal(error, loc, origin)
    if key == "keymap" and error["type"] == "value_error":
        return f"{where}: {error['ctx']['error']}"  # a binding id it does not know
    if error["type"] == "extra_forbidden":
        return (f"{origin}: unknown setting {key!r}; the settings are "
                + ", ".join(Settings.model_fields))
    if key in SECRET_SETTINGS:  # never quoted back
        return f"{where} must be {EXPECTED.get(key, 'valid')}"
    refusal = f"{where} must be {EXPECTED.get(key, 'valid')}, not {_shown(values.get(key))}"
    if key in ("mail_from", "reply_to") and error["type"] == "value_error":
        refusal += f": {error['ctx']['error']}"  # the address validator's reason
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
    for name in Settings.model_fields:
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
    except ValidationError as exc:
        raise ConfigurationError(" ".join(_refusal(exc, values, origins).split())) from None
