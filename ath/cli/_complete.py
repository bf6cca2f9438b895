"""Shell completion's values: config keys, and provider ids from the discovery cache.

Completion runs on every Tab, so it reads only local files and never the network: the
provider ids are the ones `ath discover` last saw at a gateway, kept per gateway URL in
``providers.json`` in the user cache folder (0600 in a 0700 folder, like every file the
command line writes). What a server chose reaches a shell's completion only when it is
a plain identifier (letters, digits, ``.``, ``_``, ``-``); anything else is left out.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

__all__ = [
    "complete_keys",
    "complete_provider_specs",
    "complete_providers",
    "remember_providers",
]

#: A provider id completion may offer: nothing a shell or a terminal could act on.
_PLAIN: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: How many gateways the cache remembers (the most recently discovered kept).
_GATEWAYS: Final = 20
_MAX_CACHE_BYTES: Final = 256 * 1024


def _cache_path() -> Path:
    import platformdirs

    from ath.cli._settings import APP

    return Path(platformdirs.user_cache_dir(APP, appauthor=False)) / "providers.json"


def _read_cache() -> dict[str, list[str]]:
    from ath.cli._files import UnsafePath, check_own_folder, read_own

    path = _cache_path()
    try:
        check_own_folder(path.parent)
        doc: Any = json.loads(read_own(path, _MAX_CACHE_BYTES).decode("utf-8"))
    except (OSError, UnsafePath, ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(doc, dict):
        return {}
    return {
        url: [p for p in ids if isinstance(p, str) and _PLAIN.match(p)]
        for url, ids in doc.items()
        if isinstance(url, str) and isinstance(ids, list)
    }


def remember_providers(url: str, providers: Iterable[object]) -> None:
    """Keep ``url``'s provider ids for completion; a cache, so a failure to write it is
    ignored (the command that discovered them has succeeded)."""
    from ath.cli._files import UnsafePath, check_own_folder, make_folder, write_file

    ids = [p for p in providers if isinstance(p, str) and _PLAIN.match(p)]
    cache = _read_cache()
    cache.pop(url, None)
    cache[url] = ids
    kept = dict(list(cache.items())[-_GATEWAYS:])
    path = _cache_path()
    try:
        make_folder(path.parent)
        check_own_folder(path.parent)
        write_file(path, (json.dumps(kept) + "\n").encode("utf-8"))
    except (OSError, UnsafePath):
        return


def _configured_url(ctx: click.Context) -> str | None:
    """The URL the command would use: --url, else ATH_URL, else the active profile's."""
    root = ctx.find_root()
    url = root.params.get("url") or os.environ.get("ATH_URL")
    if url:
        return str(url)
    from ath import ATHError
    from ath.cli._settings import DEFAULT_PROFILE, read_config

    try:
        config = read_config()
    except ATHError:
        return None
    profile = root.params.get("profile") or os.environ.get("ATH_PROFILE") or config.get("profile")
    table = (config.get("profiles") or {}).get(str(profile or DEFAULT_PROFILE)) or {}
    value = table.get("url") if isinstance(table, dict) else None
    return value if isinstance(value, str) else None


def _providers(ctx: click.Context) -> list[str]:
    cache = _read_cache()
    url = _configured_url(ctx)
    if url is not None and url.rstrip("/") in {u.rstrip("/") for u in cache}:
        return next(ids for u, ids in cache.items() if u.rstrip("/") == url.rstrip("/"))
    return sorted({p for ids in cache.values() for p in ids})


def complete_providers(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Provider ids the configured gateway listed at the last `ath discover` (any
    gateway's when that one was never discovered)."""
    from click.shell_completion import CompletionItem

    return [CompletionItem(p) for p in _providers(ctx) if p.startswith(incomplete)]


def complete_provider_specs(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """``ath register --provider ID:SCOPE,...``: the ``ID:`` part."""
    from click.shell_completion import CompletionItem

    return [CompletionItem(f"{p}:") for p in _providers(ctx) if f"{p}:".startswith(incomplete)]


def complete_keys(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The config keys, each with what it holds."""
    from click.shell_completion import CompletionItem

    from ath.cli._setting_names import KEY_HELP, KEYS

    return [CompletionItem(k, help=KEY_HELP.get(k)) for k in KEYS if k.startswith(incomplete)]
