"""Global options, profiles and the config file.

Each setting comes from, in order: the command-line flag, its environment variable,
the active profile in ``config.toml`` (platformdirs' user config folder for "ath-sdk",
the name the SDK's FileStore uses too, so the key and the store sit in one data folder).
The active profile is ``--profile``, else ``ATH_PROFILE``, else the file's top-level
``profile`` key, else ``default``. The file holds no secrets (the key is a path), but
whoever writes it chooses the server and the key: it is read only when it is a regular
file of this user that no other user may write, in a folder of this user (or root) that
no other user may write; it is written 0600 in a 0700 folder, whatever the umask.
A setting holding a control character (a CR or LF in ``ATH_URL``) is refused, naming
where it came from, rather than silently changed.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ath import ATHClientError
from ath.cli._files import UnsafePath, check_own_folder, make_folder, read_own, write_file
from ath.cli._setting_names import KEY_HELP, KEYS
from ath.cli._usage import usage

__all__ = [
    "APP",
    "DEFAULT_PROFILE",
    "KEYS",
    "KEY_HELP",
    "Settings",
    "check_key",
    "check_profile_name",
    "config_dir",
    "config_path",
    "data_dir",
    "default_key_path",
    "identity_developer",
    "named",
    "parse_headers",
    "read_config",
    "resolve",
    "write_config",
]


APP: Final = "ath-sdk"  # the same folders as the SDK's FileStore
DEFAULT_PROFILE: Final = "default"

_PROFILE_NAME: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: C0 controls, DEL and C1 controls: never part of a setting (headers are checked apart).
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: A config file is a few hundred bytes; anything larger than this is not one.
MAX_CONFIG_BYTES: Final = 1024 * 1024


def config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.toml"


def default_key_path() -> Path:
    """Where ``ath keygen`` writes and every command looks when no key is configured."""
    return data_dir() / "agent-key.pem"


# --------------------------------------------------------------------- the file


def read_config(path: Path | None = None) -> dict[str, Any]:
    path = path or config_path()
    try:
        check_own_folder(path.parent)
        raw = read_own(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return {}
    except UnsafePath as refused:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"the config file is not used: {refused} (whoever can write it chooses the "
            "server and the key)",
        ) from None
    except OSError as exc:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"cannot read the config file {path}: {exc.strerror}"
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ATHClientError(
            "INVALID_ARGUMENT",
            f"the config file {path} is not valid TOML ({exc}); fix or remove it",
        ) from None
    return data


def _toml_value(value: Any) -> str:
    # JSON strings and arrays of strings are valid TOML basic strings and arrays.
    if isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        return json.dumps(value, ensure_ascii=False)
    raise ATHClientError(
        "INVALID_ARGUMENT", f"config values are strings, not {type(value).__name__}"
    )


def write_config(data: Mapping[str, Any], path: Path | None = None) -> Path:
    """Write the whole file atomically (top-level ``profile``, then one table per profile)."""
    path = path or config_path()
    lines = ["# ath command line settings; see `ath config --help`."]
    if "profile" in data:
        lines.append(f"profile = {_toml_value(data['profile'])}")
    for name, table in sorted((data.get("profiles") or {}).items()):
        lines.append("")
        lines.append(f"[profiles.{name}]")
        for key, value in sorted(table.items()):
            lines.append(f"{key} = {_toml_value(value)}")
    try:
        make_folder(path.parent)
        check_own_folder(path.parent)
        write_file(path, ("\n".join(lines) + "\n").encode("utf-8"))
    except UnsafePath as refused:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"the config file is not written: {refused}"
        ) from None
    except OSError as exc:
        raise ATHClientError(
            "INVALID_ARGUMENT", f"cannot write the config file {path}: {exc.strerror}"
        ) from None
    return path


def check_profile_name(name: str) -> str:
    if not _PROFILE_NAME.match(name):
        raise usage(f"profile names are 1-64 letters, digits, '-' or '_'; {name!r} is not one")
    return name


def check_key(key: str) -> str:
    if key not in KEYS:
        raise usage(f"unknown config key {key!r}; known keys: {', '.join(KEYS)}")
    return key


# --------------------------------------------------------------------- resolution


def parse_headers(lines: list[str]) -> dict[str, str]:
    """``Name: value`` strings -> a dict (the environment form is one header per line)."""
    headers: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        name = name.strip()
        if not sep or not name or any(c.isspace() for c in name):
            raise usage(f"a header is 'Name: value'; {line.split(':')[0]!r}... is not")
        headers[name] = value.strip()
    return headers


@dataclass
class Settings:
    """The resolved global options of one run, and where each came from."""

    profile: str
    json: bool
    no_color: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return self.values.get(key)

    @property
    def headers(self) -> dict[str, str]:
        value = self.values.get("headers") or []
        return parse_headers(list(value))


def named(settings: Settings, key: str) -> str:
    """Where ``key``'s value came from, as the user wrote it: ``--store``, ``ATH_STORE``,
    or ``store in profile default``."""
    source = settings.sources.get(key, "")
    if source == "flag":
        return "--" + key.replace("_", "-")
    if source.startswith("env "):
        return source[4:]
    return f"{key} in profile {settings.profile}"


def resolve(flags: Mapping[str, Any], *, profile_flag: str | None, json_mode: bool) -> Settings:
    """Merge flags > environment > profile config."""
    config = read_config()
    profile = profile_flag or os.environ.get("ATH_PROFILE") or config.get("profile")
    profile = check_profile_name(str(profile or DEFAULT_PROFILE))
    table = (config.get("profiles") or {}).get(profile) or {}
    settings = Settings(profile=profile, json=json_mode)
    for key, env in KEYS.items():
        flag = flags.get(key)
        if flag not in (None, (), []):
            settings.values[key] = list(flag) if isinstance(flag, tuple) else flag
            settings.sources[key] = "flag"
            continue
        if os.environ.get(env):
            raw = os.environ[env]
            settings.values[key] = (
                [h for h in raw.splitlines() if h.strip()] if key == "headers" else raw
            )
            settings.sources[key] = f"env {env}"
            continue
        if key in table:
            value = table[key]
            settings.values[key] = [value] if key == "headers" and isinstance(value, str) else value
            settings.sources[key] = f"profile {profile}"
    for key, value in settings.values.items():
        if key != "headers" and isinstance(value, str) and _CONTROL.search(value):
            raise usage(
                f"{named(settings, key)} holds a control character (a line break?); "
                "remove it: it is refused, not silently stripped"
            )
    mode = settings.values.get("mode") or "gateway"
    if mode not in ("gateway", "native"):
        raise usage(f"mode is 'gateway' or 'native', not {mode!r}")
    settings.values["mode"] = mode
    return settings


#: An identity document is a few kilobytes; more read from a file is not one.
_MAX_IDENTITY_BYTES: Final = 256 * 1024


def identity_developer(settings: Settings) -> dict[str, str]:
    """The developer (``name``, ``id``) of the agent identity document the ``identity``
    setting names; empty when none is configured or the document is another agent's. A
    configured document that cannot be read, or is no identity document, is a usage
    error naming the setting."""
    where = settings.get("identity")
    if not where:
        return {}
    path = Path(str(where)).expanduser()
    try:
        with path.open("rb") as fh:
            raw = fh.read(_MAX_IDENTITY_BYTES + 1)
    except OSError as exc:
        raise usage(f"{named(settings, 'identity')}: cannot read {path}: {exc.strerror}") from None
    try:
        if len(raw) > _MAX_IDENTITY_BYTES:
            raise ValueError
        doc = json.loads(raw.decode("utf-8"))
        developer = doc["developer"]
        found = {"name": developer["name"], "id": developer["id"]}
        if not all(isinstance(v, str) and v and not _CONTROL.search(v) for v in found.values()):
            raise ValueError
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        raise usage(
            f"{named(settings, 'identity')}: {path} is no agent identity document with a "
            "developer name and id (`ath identity --out FILE` writes one)"
        ) from None
    agent_id = settings.get("agent_id")
    if agent_id and doc.get("agent_id") != agent_id:
        return {}  # another agent's document: its developer is not this agent's
    return found


def truthy(value: object) -> bool:
    """A yes/no setting: True, or a string like ``1``, ``true``, ``yes``, ``on``."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")
