"""The command line's settings by name: each config key, its environment variable and what
it holds. A module of constants only, so that help texts and completion can list the keys
without loading the settings machinery (``ath --help`` starts fast)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["KEYS", "KEY_HELP", "keys_help"]

#: Config keys a profile may set -> the environment variable that overrides it (every
#: setting has one; tests/cli/test_cli_settings.py checks each works).
KEYS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "url": "ATH_URL",
        "agent_id": "ATH_AGENT_ID",
        "key": "ATH_KEY",
        "key_id": "ATH_KEY_ID",
        "store": "ATH_STORE",
        "mode": "ATH_MODE",
        "headers": "ATH_HEADERS",
        "user": "ATH_USER",
        "developer_name": "ATH_DEVELOPER_NAME",
        "developer_id": "ATH_DEVELOPER_ID",
        "allow_insecure_http": "ATH_ALLOW_INSECURE_HTTP",
        "identity": "ATH_IDENTITY",
    }
)

#: What each config key holds, for `ath config set --help` and completion.
KEY_HELP: Final[Mapping[str, str]] = MappingProxyType(
    {
        "url": "gateway or native service base URL",
        "agent_id": "the agent's identity URI",
        "key": "the agent's private key file (PEM)",
        "key_id": "key id in attestations",
        "store": "registration and tokens: a file or a redis:// URL",
        "mode": "gateway or native",
        "headers": "extra headers, one 'Name: value' per line",
        "user": "the user of the agent to act for",
        "developer_name": "the developer's name, for `ath register` and `ath identity`",
        "developer_id": "the developer's id, for `ath register` and `ath identity`",
        "allow_insecure_http": "1 allows a plain-http server outside loopback",
        "identity": "the agent identity document `ath identity --out` wrote; `ath register` "
        "takes the developer from it",
    }
)


def keys_help() -> str:
    """The keys as help text lines: ``KEY  ENV  what it holds`` (click keeps the lines of
    a paragraph that starts with ``\\b``)."""
    width = max(len(k) for k in KEYS)
    env_width = max(len(v) for v in KEYS.values())
    rows = [f"  {k:<{width}}  {KEYS[k]:<{env_width}}  {KEY_HELP[k]}" for k in KEYS]
    return "\b\nKeys (and the environment variable that overrides each):\n" + "\n".join(rows)
