"""FileStore: one JSON file shared by the processes of one machine (or one NFS-free volume).

Writers take an inter-process lock (``filelock``: ``flock`` on POSIX, released by the
kernel when the holder dies), re-read the file, change their entry only, and replace
the file atomically (temp file in the same folder, fsync, rename). Readers take no
lock: a rename is atomic, so they see the old file or the new one. A reader keeps
what it parsed and re-reads only when the file's (inode, mtime, size) changed.

The store's folder is created 0700 (every missing level, ``chmod`` after ``mkdir``, so no
umask widens it) and checked before every read and write, as ssh checks its own: a
folder another user (other than root) owns, or that other users may write to, is refused
(``CREDENTIALS_INSECURE``), since whoever can write there can replace or remove the store.
The file is opened without blocking and without following a symlink; anything but a
regular file there (a FIFO, a device, a folder) is ``STORE_CORRUPT``.

The safe write and the checked read of a private file (:func:`write_private`,
:func:`read_private`) are written once, here; the clients' ``save_credentials`` and
``load_credentials`` use them too (:mod:`ath.stores._credentials`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from filelock import FileLock, Timeout

from ath._errors import ATHClientError, ATHError
from ath._frames import seal_methods
from ath._validation import check_user_id
from ath.stores._model import (
    DEFAULT_LOCK_TIMEOUT,
    Change,
    StoreEntry,
    _corrupt,
    _shown,
    decode_entry,
    dumps,
    encode_entry,
    iter_docs,
    loads,
    normalize_store_url,
)

__all__ = ["FileStore", "UnsafeFile", "default_store_path", "read_private", "write_private"]

FILE_FORMAT: Final = "ath-sdk-store"
FILE_VERSION: Final = 1
#: The version of a file holding entries of users other than the default one
#: (``for_user``): an SDK that knows no users refuses it rather than mixing them up.
FILE_VERSION_USERS: Final = 2

Key = tuple[str, str, str]  # (normalised base URL, agent_id, user)
DEFAULT_MAX_BYTES: Final = 4 * 1024 * 1024

Stamp = tuple[int, int, int] | None


def default_store_path() -> Path:
    """``store.json`` in the user's data directory (platformdirs)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("ath-sdk", appauthor=False)) / "store.json"


def _stamp_of(info: os.stat_result) -> tuple[int, int, int]:
    return (info.st_ino, info.st_mtime_ns, info.st_size)


class FileStore:
    """Entries in one file, mode 0600 in a 0700 folder, locked across processes."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.lock_timeout = lock_timeout
        self.max_bytes = max_bytes
        # filelock's counter is per lock object; a thread lock makes it exclusive
        # between the threads of this process too.
        self._threads = threading.Lock()
        self._registering = threading.Lock()
        self._file_lock = FileLock(
            f"{self.path}.lock", timeout=lock_timeout, mode=0o600, thread_local=False
        )
        self._registration_file_lock = FileLock(
            f"{self.path}.register.lock", timeout=lock_timeout, mode=0o600, thread_local=False
        )
        self._cache_stamp: Stamp = None
        self._cache: dict[Key, Any] = {}

    def __repr__(self) -> str:
        return f"FileStore(path={str(self.path)!r})"

    # ---------------------------------------------------------------- reading

    def stamp(self, base_url: str, agent_id: str, *, user: str = "") -> object:
        try:
            return _stamp_of(os.stat(self.path))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._unavailable("read", exc) from None

    def _read(self) -> tuple[Stamp, dict[Key, Any]]:
        """The file's entries as documents, with the stamp of what was read."""
        self._check_folder()
        try:
            # O_NONBLOCK: a FIFO planted at the path is refused below, never waited on
            flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
            fd = os.open(self.path, flags)
        except FileNotFoundError:
            return None, {}
        except OSError as exc:
            raise self._unavailable("open", exc) from None
        try:
            info, raw = read_private(fd, self.max_bytes)
        except UnsafeFile as unsafe:
            raise self._unsafe(unsafe) from None
        except OSError as exc:
            raise self._unavailable("read", exc) from None
        finally:
            os.close(fd)
        if not raw.strip():  # a store created but never written: empty
            return _stamp_of(info), {}
        doc = loads(raw, str(self.path))
        if not isinstance(doc, dict) or doc.get("format") != FILE_FORMAT:
            raise _corrupt(str(self.path), "not an ath-sdk store file")
        if doc.get("version") not in (FILE_VERSION, FILE_VERSION_USERS):
            raise _corrupt(
                str(self.path), f"unsupported store version ({_shown(doc.get('version'))})"
            )
        entries: dict[Key, Any] = {}
        for item in iter_docs(doc.get("entries"), str(self.path)):
            base_url, agent_id = item.get("base_url"), item.get("agent_id")
            user = item.get("user", "")
            if not isinstance(base_url, str) or not isinstance(agent_id, str):
                raise _corrupt(str(self.path), "an entry lacks base_url or agent_id")
            if not isinstance(user, str):
                raise _corrupt(str(self.path), "an entry's user is not a string")
            try:
                key = normalize_store_url(base_url)
            except ATHError:
                raise _corrupt(str(self.path), "an entry's base_url is not a URL") from None
            entries[(key, agent_id, user)] = item
        return _stamp_of(info), entries

    def _unsafe(self, unsafe: UnsafeFile) -> ATHError:
        info = unsafe.info
        if unsafe.reason == "other_owner":
            return ATHClientError(
                "CREDENTIALS_INSECURE",
                f"{self.path} belongs to another user (uid {info.st_uid}); it holds secrets "
                "and is not used. Use a store path of your own.",
            )
        if unsafe.reason == "open_to_others":
            return ATHClientError(
                "CREDENTIALS_INSECURE",
                f"{self.path} is accessible by other users (mode "
                f"{stat.S_IMODE(info.st_mode):o}); it holds secrets. Run: chmod 600 {self.path}",
            )
        if unsafe.reason == "too_large":
            return _corrupt(str(self.path), f"larger than max_bytes={self.max_bytes}")
        return _corrupt(str(self.path), "not a regular file")

    def _entries(self) -> dict[Key, Any]:
        """The file's entries, parsed again only when the file changed."""
        current = self.stamp("", "")
        if current is None:
            return {}
        if current != self._cache_stamp:
            stamp, entries = self._read()
            self._cache_stamp, self._cache = stamp, entries
        return self._cache

    def load(self, base_url: str, agent_id: str, *, user: str = "") -> StoreEntry | None:
        key = (normalize_store_url(base_url), agent_id, user)
        doc = self._entries().get(key)
        if doc is None:
            return None
        return decode_entry(
            doc, base_url=key[0], agent_id=agent_id, where=str(self.path), user=user
        )

    def list_users(self, base_url: str, agent_id: str) -> list[str]:
        """The users (``for_user`` ids) with an entry for (base_url, agent_id)."""
        url = normalize_store_url(base_url)
        return sorted(u for (b, a, u) in self._entries() if b == url and a == agent_id and u)

    def purge_user(self, base_url: str, agent_id: str, user: str) -> None:
        """Remove ``user``'s entry (its tokens; nothing is revoked at the server)."""
        self.update(base_url, agent_id, lambda _: None, user=check_user_id(user))

    # ---------------------------------------------------------------- writing

    @contextmanager
    def _locked(self, threads: threading.Lock, file_lock: FileLock, what: str) -> Iterator[None]:
        if not threads.acquire(timeout=self.lock_timeout):
            raise self._timeout(what)
        try:
            self._ensure_folder()
            try:
                file_lock.acquire()
            except Timeout:
                raise self._timeout(what) from None
            except OSError as exc:
                raise self._unavailable("lock", exc) from None
            try:
                yield
            finally:
                file_lock.release()
        finally:
            threads.release()

    def update(
        self, base_url: str, agent_id: str, change: Change, *, user: str = ""
    ) -> StoreEntry | None:
        key = (normalize_store_url(base_url), agent_id, user)
        with self._locked(self._threads, self._file_lock, "store file"):
            _, entries = self._read()
            doc = entries.get(key)
            old = (
                None
                if doc is None
                else decode_entry(
                    doc, base_url=key[0], agent_id=agent_id, where=str(self.path), user=user
                )
            )
            new = change(old)
            if new is None:
                entries.pop(key, None)
            else:
                entries[key] = encode_entry(new)
            self._write(entries)
            return new

    def _ensure_folder(self) -> None:
        try:
            private_folder(self.path.parent)
        except OSError as exc:
            raise self._unavailable("create the folder of", exc) from None
        self._check_folder()

    def _check_folder(self) -> None:
        """Refuse a folder that another user owns or other users may write to."""
        if sys.platform == "win32":  # pragma: no cover - POSIX modes only
            return
        folder = self.path.parent if str(self.path.parent) else Path(".")
        try:
            info = os.stat(folder)
        except FileNotFoundError:
            return  # nothing stored yet; update() creates it 0700
        except OSError as exc:
            raise self._unavailable("check the folder of", exc) from None
        if info.st_uid not in (os.geteuid(), 0):
            raise ATHClientError(
                "CREDENTIALS_INSECURE",
                f"the folder {folder} of the store belongs to another user (uid "
                f"{info.st_uid}), who could replace the store; it is not used. Use a store "
                "path in a folder of your own.",
            )
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise ATHClientError(
                "CREDENTIALS_INSECURE",
                f"the folder {folder} of the store may be written by other users (mode "
                f"{stat.S_IMODE(info.st_mode):o}), who could replace or remove the store; it "
                f"is not used. Run: chmod 700 {folder}",
            )

    def _write(self, entries: dict[Key, Any]) -> None:
        users = any(user for (_, _, user) in entries)
        doc = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION_USERS if users else FILE_VERSION,
            "entries": [entries[k] for k in sorted(entries)],
            "saved_at": int(time.time()),
        }
        data = (dumps(doc) + "\n").encode("utf-8")
        try:
            self._remove_dead_temps()
            write_private(self.path, data)
        except OSError as exc:
            raise self._unavailable("write", exc) from None

    def _remove_dead_temps(self) -> None:
        """Under the lock, a temp file beside the store belongs to a writer that died."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()

    @contextmanager
    def registration_lock(self, base_url: str, agent_id: str) -> Iterator[None]:
        with self._locked(self._registering, self._registration_file_lock, "registration"):
            yield

    # ---------------------------------------------------------------- errors

    def _timeout(self, what: str) -> ATHError:
        return ATHClientError(
            "STORE_LOCK_TIMEOUT",
            f"the {what} lock of {self.path} was not free within {self.lock_timeout:g} s; "
            "nothing was changed. Another process holds it: retry, or raise lock_timeout.",
        )

    def _unavailable(self, action: str, exc: OSError) -> ATHError:
        return ATHClientError(
            "STORE_UNAVAILABLE",
            f"could not {action} the store {self.path} ({exc.strerror or exc}); nothing was "
            "changed. Check the folder exists, is yours and is writable.",
        )


# --------------------------------------------------------------------------- private files
# The one implementation of a private file's safe write and checked read: the store
# file above and the clients' credentials files (ath.stores._credentials) both use it.


def write_private(path: Path, data: bytes) -> None:
    """Make ``data`` the content of ``path``, mode 0600, all or nothing.

    A temp file in the same folder is written whole and fsynced, then renamed over
    ``path``; the folder entry is synced (best effort: once the new file is in place, a
    failure there must not report the write as failed). A crash at any point leaves the
    previous file or the new one, never a torn file. Raises ``OSError``; a failed write
    removes its temp file and leaves ``path`` as it was.
    """
    folder = path.parent if str(path.parent) else Path(".")
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp_name, path)
        tmp_name = None
        with contextlib.suppress(OSError):
            _fsync_dir(folder)
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def private_folder(folder: Path) -> None:
    """Create ``folder`` and every missing parent with mode 0700 exactly (``chmod`` after
    ``mkdir``, whatever the umask); existing folders are left as they are."""
    missing: list[Path] = []
    current = folder
    while not current.exists() and current.parent != current:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue  # made meanwhile by another process
        if hasattr(os, "fchmod"):  # POSIX
            os.chmod(path, 0o700)


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - directories cannot be opened there
        return
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class UnsafeFile(Exception):
    """Why an open private file is not read: ``reason`` is ``"not_regular"``,
    ``"other_owner"``, ``"open_to_others"`` or ``"too_large"``; each caller reports it
    with its own code."""

    def __init__(self, reason: str, info: os.stat_result) -> None:
        super().__init__(reason)
        self.reason = reason
        self.info = info


def read_private(fd: int, max_bytes: int) -> tuple[os.stat_result, bytes]:
    """The content of the open file ``fd``, refused (:class:`UnsafeFile`) unless it is a
    regular file of this user that no other user may read or write, of at most
    ``max_bytes``. Raises ``OSError`` when it cannot be read."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile("not_regular", info)
    if sys.platform != "win32":
        if info.st_uid != os.geteuid():
            raise UnsafeFile("other_owner", info)
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise UnsafeFile("open_to_others", info)
    chunks, size = [], 0
    while chunk := os.read(fd, 65536):
        size += len(chunk)
        if size > max_bytes:
            raise UnsafeFile("too_large", info)
        chunks.append(chunk)
    return info, b"".join(chunks)


# What leaves the store's public methods carries no secret in its frames.
seal_methods(FileStore)
