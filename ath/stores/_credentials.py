"""The clients' credentials file (``save_credentials``/``load_credentials``): one agent's
registration and tokens as a versioned JSON document, a :class:`StoreEntry` on disk.

Written and read with the store file's primitives (:func:`~ath.stores._file.write_private`,
:func:`~ath.stores._file.read_private`): mode 0600, replaced atomically, refused when
other users may read or write it or another user owns it.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import stat
import time
from pathlib import Path
from typing import Final

from ath._errors import ATHClientError
from ath.stores._file import UnsafeFile, read_private, write_private
from ath.stores._model import StoreEntry, token_from_json, token_to_json

__all__ = ["FORMAT", "VERSION", "read_credentials", "write_credentials"]

FORMAT: Final = "ath-sdk-credentials"
VERSION: Final = 1
#: A credentials file is a few KiB; anything larger than this is not one.
MAX_FILE_BYTES: Final = 1024 * 1024
#: A temp file this old cannot belong to a save still in progress.
STALE_TEMP_SECONDS: Final = 3600.0


def encode(entry: StoreEntry) -> bytes:
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "base_url": entry.base_url,
        "agent_id": entry.agent_id,
        "mode": entry.mode,
        "client_id": entry.client_id,
        "client_secret": entry.client_secret,
        "tokens": {key: token_to_json(tok) for key, tok in sorted(entry.tokens.items())},
        "saved_at": int(time.time()),
    }
    return (json.dumps(doc, indent=2, sort_keys=False) + "\n").encode("utf-8")


def decode(raw: bytes, *, path: str) -> StoreEntry:
    try:
        doc = json.loads(raw.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError("not an ath-sdk credentials file")
        if doc.get("version") != VERSION:
            raise ValueError(f"unsupported format version {doc.get('version')!r}")
        for key in ("base_url", "agent_id", "mode"):
            if not isinstance(doc.get(key), str):
                raise TypeError(f"{key} is missing")
        for key in ("client_id", "client_secret"):
            if doc.get(key) is not None and not isinstance(doc[key], str):
                raise TypeError(f"{key} is not a string")
        raw_tokens = doc.get("tokens") or {}
        if not isinstance(raw_tokens, dict):
            raise TypeError("tokens is not an object")
        tokens = {str(k): token_from_json(v) for k, v in raw_tokens.items()}
        for key, token in tokens.items():  # every token bound to this agent and its key
            if token.agent_id != doc["agent_id"]:
                raise ValueError(f"the token under {key!r} is bound to another agent")
            if (token.provider_id or "") != key:
                raise ValueError(f"the token under {key!r} is bound to another provider")
    except (
        ValueError,
        TypeError,
        KeyError,
        UnicodeDecodeError,
        RecursionError,
        OverflowError,
    ) as exc:
        raise ATHClientError(
            "CREDENTIALS_INVALID",
            f"{path} is not a valid ath-sdk credentials file ({exc}). Register again, or restore "
            "the file from a backup.",
        ) from None
    return StoreEntry(
        base_url=doc["base_url"],
        agent_id=doc["agent_id"],
        mode=doc["mode"],
        client_id=doc.get("client_id"),
        client_secret=doc.get("client_secret"),
        tokens=tokens,
    )


def write_credentials(path: str | os.PathLike[str], entry: StoreEntry) -> None:
    """Write ``entry`` to ``path`` (:func:`~ath.stores._file.write_private`: mode 0600,
    atomic); a crash at any point leaves either the previous file or the new one."""
    target = Path(path)
    try:
        write_private(target, encode(entry))
    except OSError as exc:
        raise ATHClientError(
            "CREDENTIALS_WRITE_FAILED",
            f"could not write credentials to {target} ({exc.strerror or exc}); the previous "
            "file, if any, is unchanged. Check the folder exists and is writable.",
        ) from None
    folder = target.parent if str(target.parent) else Path(".")
    _remove_stale_temps(folder, target.name)


def _remove_stale_temps(folder: Path, name: str) -> None:
    """Remove temp files that saves killed mid-write left beside ``name`` (best effort)."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for leftover in folder.glob(f".{glob.escape(name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def read_credentials(path: str | os.PathLike[str]) -> StoreEntry:
    """Read a credentials file, refusing one that others may read or write."""
    target = Path(path)
    try:
        # O_NONBLOCK: a FIFO planted at the path must not block the open
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ATHClientError(
            "CREDENTIALS_NOT_FOUND",
            f"no credentials file at {target}; register() and save_credentials() first.",
        ) from None
    except OSError as exc:
        raise ATHClientError(
            "CREDENTIALS_INVALID", f"cannot open {target}: {exc.strerror or exc}"
        ) from None
    try:
        _, raw = read_private(fd, MAX_FILE_BYTES)
    except UnsafeFile as unsafe:
        raise _refused(target, unsafe) from None
    except OSError as exc:
        raise ATHClientError(
            "CREDENTIALS_INVALID", f"cannot read {target}: {exc.strerror or exc}"
        ) from None
    finally:
        os.close(fd)
    return decode(raw, path=str(target))


def _refused(target: Path, unsafe: UnsafeFile) -> ATHClientError:
    info = unsafe.info
    if unsafe.reason == "other_owner":
        return ATHClientError(
            "CREDENTIALS_INSECURE",
            f"{target} is owned by another user (uid {info.st_uid}); whoever owns it "
            "controls the credentials the agent uses. Save the credentials again as this user.",
        )
    if unsafe.reason == "open_to_others":
        return ATHClientError(
            "CREDENTIALS_INSECURE",
            f"{target} is accessible by other users (mode {stat.S_IMODE(info.st_mode):o}); "
            f"it holds secrets. Run: chmod 600 {target}",
        )
    if unsafe.reason == "too_large":
        return ATHClientError(
            "CREDENTIALS_INVALID",
            f"{target} is larger than {MAX_FILE_BYTES} bytes; it is not a credentials file.",
        )
    return ATHClientError(
        "CREDENTIALS_INVALID",
        f"{target} is not a regular file; point the client at its credentials file.",
    )
