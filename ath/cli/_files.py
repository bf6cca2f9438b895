"""The command line's files and folders: made with explicit modes whatever the umask, and
read only when they are this user's own.

* :func:`make_folder` creates every missing folder of a path with an explicit mode
  (0700 for the command line's own folders), set with ``chmod`` after ``mkdir`` so that no
  umask (``000`` included) widens it; :func:`check_own_folder` refuses an existing folder
  of the command line (config or data) that another user owns or others may write to.
* :func:`read_own` reads a config or key file without following a FIFO into a hang
  (``O_NONBLOCK``), and refuses one that is not a regular file, that another user owns, or
  that others may write to (whoever can write it chooses the server, or the key that
  signs): the rule the SDK's credentials file follows.
* :func:`write_file` replaces a file through a temp file in its folder, created with
  ``O_EXCL`` and given its mode explicitly, renamed over the target: a symlink planted at
  the target is replaced, never written through.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Final

__all__ = [
    "FOLDER_MODE",
    "PRIVATE_MODE",
    "PUBLIC_FOLDER_MODE",
    "PUBLIC_MODE",
    "UnsafePath",
    "check_own_folder",
    "make_folder",
    "read_own",
    "write_file",
]

#: The command line's folders (config, data, key folders it creates).
FOLDER_MODE: Final = 0o700
#: Its private files (keys, config).
PRIVATE_MODE: Final = 0o600
#: The agent identity document (public: served at the agent id) and folders made for it.
PUBLIC_MODE: Final = 0o644
PUBLIC_FOLDER_MODE: Final = 0o755
_POSIX: Final = sys.platform != "win32"


class UnsafePath(Exception):
    """A file or folder refused: ``reason`` says why, in words for the user."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} {reason}")
        self.path = path
        self.reason = reason


def make_folder(folder: Path, mode: int = FOLDER_MODE) -> None:
    """Create ``folder`` and its missing parents, each with ``mode`` exactly (``chmod``
    after ``mkdir``: the umask cannot widen or narrow it). Existing folders are left as
    they are. Raises ``OSError``."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, mode)
        except FileExistsError:
            continue  # made meanwhile by another process: left as it is
        os.chmod(path, mode)


def check_own_folder(folder: Path) -> None:
    """Refuse (:class:`UnsafePath`) an existing folder that another user (other than root)
    owns or that others may write to: whoever can write there can replace what the command
    line keeps in it. A missing folder passes (it is created with :func:`make_folder`)."""
    if not _POSIX:  # pragma: no cover - POSIX modes only
        return
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafePath(folder, "is not a folder")
    if info.st_uid not in (os.geteuid(), 0):
        raise UnsafePath(folder, f"belongs to another user (uid {info.st_uid})")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafePath(
            folder,
            f"may be written by other users (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run: chmod 700 {folder}",
        )


def read_own(path: Path, max_bytes: int) -> bytes:
    """The content of ``path``, which must be a regular file of this user that no other
    user may write, of at most ``max_bytes``. Raises :class:`UnsafePath` when refused,
    ``FileNotFoundError`` or another ``OSError`` when it cannot be read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafePath(path, "is not a regular file")
        if _POSIX:
            if info.st_uid != os.geteuid():
                raise UnsafePath(path, f"belongs to another user (uid {info.st_uid})")
            if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                raise UnsafePath(
                    path,
                    f"may be written by other users (mode {stat.S_IMODE(info.st_mode):o}); "
                    f"run: chmod 600 {path}",
                )
        chunks, size = [], 0
        while chunk := os.read(fd, 65536):
            size += len(chunk)
            if size > max_bytes:
                raise UnsafePath(path, f"is larger than {max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_file(path: Path, data: bytes, *, mode: int = PRIVATE_MODE, replace: bool = True) -> None:
    """Make ``data`` the content of ``path`` with ``mode`` exactly: a temp file in the same
    folder (``O_EXCL``, ``fchmod``), written whole and fsynced, then renamed over ``path``
    (``replace``), or linked to it only if nothing is there yet (``replace=False``:
    ``FileExistsError`` otherwise). A symlink at ``path`` is replaced, never followed.
    Raises ``OSError``; the temp file never outlives a failure."""
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        try:
            if _POSIX:
                os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if anything (a symlink too) is there already
            os.unlink(tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
