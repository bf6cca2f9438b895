"""Credential persistence: a versioned JSON file, 0600, replaced atomically."""

from __future__ import annotations

import contextlib
import glob
import json
import math
import os
import stat
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ath._errors import ATHClientError
from ath._models import Token

__all__ = ["FORMAT", "VERSION", "StoredCredentials", "read_credentials", "write_credentials"]

FORMAT: Final = "ath-sdk-credentials"
VERSION: Final = 1
#: A credentials file is a few KiB; anything larger than this is not one.
MAX_FILE_BYTES: Final = 1024 * 1024
#: The largest expiry time accepted (year 9999).
_MAX_EXPIRES_AT: Final = 253402300799.0


@dataclass(repr=False)
class StoredCredentials:
    """What a credentials file holds."""

    base_url: str
    agent_id: str
    mode: str
    client_id: str | None
    client_secret: str | None
    tokens: dict[str, Token] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"StoredCredentials(base_url={self.base_url!r}, agent_id={self.agent_id!r}, "
            f"client_id={self.client_id!r}, client_secret=***, tokens={sorted(self.tokens)!r})"
        )


def _token_to_json(token: Token) -> dict[str, Any]:
    return {
        "access_token": token.access_token,
        "token_type": token.token_type,
        "expires_at": token.expires_at,
        "effective_scopes": token.effective_scopes,
        "provider_id": token.provider_id,
        "agent_id": token.agent_id,
    }


def _token_from_json(data: Any) -> Token:
    if not isinstance(data, Mapping):
        raise TypeError("token entry is not an object")
    access_token = data["access_token"]
    expires_at = data.get("expires_at")
    scopes = data.get("effective_scopes") or []
    if not isinstance(access_token, str) or not access_token:
        raise TypeError("access_token is not a string")
    if expires_at is not None and (
        isinstance(expires_at, bool)
        or not isinstance(expires_at, int | float)
        or not math.isfinite(float(expires_at))
        or not 0 <= expires_at <= _MAX_EXPIRES_AT
    ):
        raise TypeError("expires_at is not a time between 1970 and 9999")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise TypeError("effective_scopes is not a list of strings")
    remaining = None if expires_at is None else max(0, int(expires_at - time.time()))
    return Token(
        access_token=access_token,
        token_type=str(data.get("token_type") or "Bearer"),
        expires_in=remaining,
        effective_scopes=list(scopes),
        provider_id=data.get("provider_id"),
        agent_id=data.get("agent_id"),
        scope_intersection=None,
        expires_at=None if expires_at is None else float(expires_at),
    )


def encode(creds: StoredCredentials) -> bytes:
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "base_url": creds.base_url,
        "agent_id": creds.agent_id,
        "mode": creds.mode,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "tokens": {key: _token_to_json(tok) for key, tok in sorted(creds.tokens.items())},
        "saved_at": int(time.time()),
    }
    return (json.dumps(doc, indent=2, sort_keys=False) + "\n").encode("utf-8")


def decode(raw: bytes, *, path: str) -> StoredCredentials:
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
        tokens = {str(k): _token_from_json(v) for k, v in raw_tokens.items()}
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
    return StoredCredentials(
        base_url=doc["base_url"],
        agent_id=doc["agent_id"],
        mode=doc["mode"],
        client_id=doc.get("client_id"),
        client_secret=doc.get("client_secret"),
        tokens=tokens,
    )


def write_credentials(path: str | os.PathLike[str], creds: StoredCredentials) -> None:
    """Write ``creds`` to ``path``: mode 0600, temp file in the same folder, fsync, replace.

    A crash at any point leaves either the previous file or the new one, never a torn file.
    """
    target = Path(path)
    data = encode(creds)
    folder = target.parent if str(target.parent) else Path(".")
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp_name, target)
        tmp_name = None
        # The new file is in place; syncing the folder entry is best effort (a failure
        # here must not report the save as failed and the previous file as kept).
        with contextlib.suppress(OSError):
            _fsync_dir(folder)
        _remove_stale_temps(folder, target.name)
    except OSError as exc:
        raise ATHClientError(
            "CREDENTIALS_WRITE_FAILED",
            f"could not write credentials to {target} ({exc.strerror or exc}); the previous "
            "file, if any, is unchanged. Check the folder exists and is writable.",
        ) from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


#: A temp file this old cannot belong to a save still in progress.
STALE_TEMP_SECONDS: Final = 3600.0


def _remove_stale_temps(folder: Path, name: str) -> None:
    """Remove temp files that saves killed mid-write left beside ``name`` (best effort)."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for leftover in folder.glob(f".{glob.escape(name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - directories cannot be opened there
        return
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_credentials(path: str | os.PathLike[str]) -> StoredCredentials:
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
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ATHClientError(
                "CREDENTIALS_INVALID",
                f"{target} is not a regular file; point the client at its credentials file.",
            )
        if sys.platform != "win32" and info.st_uid != os.geteuid():
            raise ATHClientError(
                "CREDENTIALS_INSECURE",
                f"{target} is owned by another user (uid {info.st_uid}); whoever owns it "
                "controls the credentials the agent uses. Save the credentials again as this "
                "user.",
            )
        if sys.platform != "win32" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ATHClientError(
                "CREDENTIALS_INSECURE",
                f"{target} is accessible by other users (mode {stat.S_IMODE(info.st_mode):o}); "
                f"it holds secrets. Run: chmod 600 {target}",
            )
        chunks, size = [], 0
        while chunk := _read(fd, target):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise ATHClientError(
                    "CREDENTIALS_INVALID",
                    f"{target} is larger than {MAX_FILE_BYTES} bytes; it is not a credentials "
                    "file.",
                )
            chunks.append(chunk)
    finally:
        os.close(fd)
    return decode(b"".join(chunks), path=str(target))


def _read(fd: int, target: Path) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError as exc:
        raise ATHClientError(
            "CREDENTIALS_INVALID", f"cannot read {target}: {exc.strerror or exc}"
        ) from None
