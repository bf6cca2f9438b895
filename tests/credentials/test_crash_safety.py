"""Crash safety of ``save_credentials``: processes killed mid-save, failures injected mid-save.

After every trial the credentials file is the previous or the new complete version, mode
0600; a failed save raises ``CREDENTIALS_WRITE_FAILED`` and leaves no temp file behind.
A killed process cannot clean up, so its temp file may stay: it must be 0600 as well.
"""

from __future__ import annotations

import errno
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from ath import ATHError, ATHGatewayClient, generate_private_key
from ath.stores._credentials import read_credentials
from tests._support.faults import AGENT_ID, MOCK_URL
from tests._support.procs import running

from .._report import tally

KILL_TRIALS = 110
EXEC_TRIALS = 4


def fill(client: ATHGatewayClient, generation: int) -> None:
    """Generation ``n``: credentials and 1-24 tokens whose values all name ``n``."""
    client.set_credentials(f"cid-{generation}", f"secret-{generation}-" + "s" * 200)
    with client._core.state.lock:
        client._core.state.tokens.clear()
    for index in range(generation % 24 + 1):
        client.set_token(f"tok-{generation}-{index}-" + "t" * 100, f"p{index}", scopes=["a", "b"])


def generation_of(path: Path) -> int:
    """The generation the file holds; fails unless it is one complete, consistent version."""
    stored = read_credentials(path)  # parses the whole file: a torn one raises here
    assert stored.client_id is not None and stored.client_secret is not None
    generation = int(stored.client_id.split("-")[1])
    assert stored.client_secret == f"secret-{generation}-" + "s" * 200
    expected = {f"p{i}": f"tok-{generation}-{i}-" + "t" * 100 for i in range(generation % 24 + 1)}
    assert {k: t.access_token for k, t in stored.tokens.items()} == expected
    return generation


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def client() -> Iterator[ATHGatewayClient]:
    with ATHGatewayClient(
        url=MOCK_URL, agent_id=AGENT_ID, private_key=generate_private_key()
    ) as made:
        yield made


def _saver(client: ATHGatewayClient, path: Path, start: int, progress: int) -> NoReturn:
    """The forked child: save generation after generation, reporting each one done."""
    try:
        generation = start
        while True:
            generation += 1
            fill(client, generation)
            client.save_credentials(path)
            os.write(progress, generation.to_bytes(8, "big"))
    finally:
        os._exit(0)


def _done(progress: int) -> list[int]:
    data = b""
    while chunk := os.read(progress, 65536):
        data += chunk
    return [int.from_bytes(data[i : i + 8], "big") for i in range(0, len(data) - 7, 8)]


def test_sigkill_mid_save(client: ATHGatewayClient, tmp_path: Path) -> None:
    counts = tally("crash")
    rng = random.Random(20_240_501)
    path = tmp_path / "creds.json"
    fill(client, 0)
    client.save_credentials(path)
    last = 0
    kill_phases = {"before the first save finished": 0, "later": 0}
    for _ in range(KILL_TRIALS):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(read_end)
            _saver(client, path, last, write_end)
        os.close(write_end)
        # a third of the kills land within the first millisecond (often before any save)
        time.sleep(rng.uniform(0, 0.001) if rng.random() < 0.33 else rng.uniform(0, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        done = _done(read_end)
        os.close(read_end)
        counts["trials"] += 1
        counts["kills"] += 1
        kill_phases["later" if done else "before the first save finished"] += 1
        newest_done = done[-1] if done else last
        try:
            on_disk = generation_of(path)
        except (ATHError, AssertionError, ValueError):
            counts["torn"] += 1
            raise
        # the last finished save, or the one in flight when the kill came
        assert on_disk in (newest_done, newest_done + 1), (on_disk, newest_done)
        if mode(path) != 0o600:
            counts["bad_mode"] += 1
        assert mode(path) == 0o600
        for leftover in temp_files(tmp_path):  # the killed process could not clean up
            assert mode(leftover) == 0o600
            leftover.unlink()
        last = on_disk
    assert last > KILL_TRIALS // 2  # the children did make progress between kills
    assert all(kill_phases.values()), kill_phases


SAVER_SCRIPT = """
import sys
from ath import ATHGatewayClient, generate_private_key
from tests.credentials.test_crash_safety import fill
client = ATHGatewayClient(url=sys.argv[1], agent_id=sys.argv[2], private_key=generate_private_key())
generation = int(sys.argv[4])
while True:
    generation += 1
    fill(client, generation)
    client.save_credentials(sys.argv[3])
    print(generation, flush=True)
"""


def test_sigkill_mid_save_in_a_fresh_interpreter(client: ATHGatewayClient, tmp_path: Path) -> None:
    """The same, with a real ``python`` subprocess that imports the SDK itself."""
    counts = tally("crash")
    rng = random.Random(7)
    path = tmp_path / "creds.json"
    fill(client, 0)
    client.save_credentials(path)
    last = 0
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for _ in range(EXEC_TRIALS):
        args = [sys.executable, "-c", SAVER_SCRIPT, MOCK_URL, AGENT_ID, str(path), str(last)]
        # stopped (with its process group) also when an assertion fails mid-way
        with running(args, stdout=subprocess.PIPE, env=env, cwd=root) as child:
            assert child.stdout is not None
            first = child.stdout.readline()  # the interpreter is up and saving
            assert first.strip(), "the saver did not start"
            time.sleep(rng.uniform(0, 0.05))
            child.send_signal(signal.SIGKILL)
            rest = child.stdout.read()
            child.wait()
        done = [int(x) for x in (first + rest).split()]
        on_disk = generation_of(path)
        assert on_disk in (done[-1], done[-1] + 1)
        assert mode(path) == 0o600
        for leftover in temp_files(tmp_path):
            assert mode(leftover) == 0o600
            leftover.unlink()
        last = on_disk
        counts["trials"] += 1
        counts["kills"] += 1


# --------------------------------------------------------------------------- injected failures


def _fail(exc: BaseException, after: int = 0) -> Callable[..., Any]:
    """A replacement that lets ``after`` calls through to the original, then raises."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        calls = 0

        def replacement(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls > after:
                raise exc
            return original(*args, **kwargs)

        return replacement

    return make


def _partial_write(original: Callable[..., Any]) -> Callable[..., Any]:
    """Writes half of the first chunk, then the disk is full."""
    calls = 0

    def write(fd: int, data: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            return int(original(fd, bytes(data[: len(data) // 2])))
        raise OSError(errno.ENOSPC, "No space left on device")

    return write


ENOSPC = OSError(errno.ENOSPC, "No space left on device")
EIO = OSError(errno.EIO, "Input/output error")
#: (what fails, the os/tempfile attribute, how) - each between creating and replacing
INJECTIONS: list[tuple[str, Any, str, Callable[..., Any]]] = [
    ("mkstemp", tempfile, "mkstemp", _fail(OSError(errno.EACCES, "Permission denied"))),
    ("fchmod", os, "fchmod", _fail(OSError(errno.EPERM, "Operation not permitted"))),
    ("write", os, "write", _fail(ENOSPC)),
    ("partial write", os, "write", _partial_write),
    ("fsync of the file", os, "fsync", _fail(EIO)),
    ("close", os, "close", _fail(EIO)),
    ("replace", os, "replace", _fail(OSError(errno.EXDEV, "Invalid cross-device link"))),
    ("replace, interrupted", os, "replace", _fail(KeyboardInterrupt())),
    ("write, out of memory", os, "write", _fail(MemoryError())),
]


@pytest.mark.parametrize("injection", INJECTIONS, ids=[i[0] for i in INJECTIONS])
def test_injected_failure_keeps_the_old_file(
    injection: tuple[str, Any, str, Callable[..., Any]],
    client: ATHGatewayClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name, module, attribute, make = injection
    counts = tally("crash")
    path = tmp_path / "creds.json"
    for generation in range(1, 13):
        fill(client, generation - 1)
        client.save_credentials(path)
        old = path.read_bytes()
        fill(client, generation)
        with monkeypatch.context() as patch:
            patch.setattr(module, attribute, make(getattr(module, attribute)))
            try:
                client.save_credentials(path)
            except ATHError as exc:
                assert exc.code == "CREDENTIALS_WRITE_FAILED", exc
                assert exc.message and str(path) in exc.message
            except (KeyboardInterrupt, MemoryError):
                assert name in ("replace, interrupted", "write, out of memory")
            else:
                raise AssertionError(f"{name}: the save did not fail")
        counts["trials"] += 1
        counts["injected"] += 1
        leftovers = temp_files(tmp_path)
        counts["leftovers"] += len(leftovers)
        assert leftovers == [], leftovers
        assert path.read_bytes() == old, "the previous file changed"
        assert generation_of(path) == generation - 1 and mode(path) == 0o600


def test_directory_fsync_failure_after_replace(
    client: ATHGatewayClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the new file is in place, syncing the folder is best effort: no false alarm."""
    counts = tally("crash")
    path = tmp_path / "creds.json"
    fill(client, 1)
    client.save_credentials(path)
    for generation in range(2, 12):
        fill(client, generation)
        with monkeypatch.context() as patch:
            # the file's own fsync succeeds, the folder's fails
            patch.setattr(os, "fsync", _fail(EIO, after=1)(os.fsync))
            client.save_credentials(path)
        counts["trials"] += 1
        counts["injected"] += 1
        assert generation_of(path) == generation and mode(path) == 0o600
        assert temp_files(tmp_path) == []


def test_unwritable_folder_and_missing_folder(client: ATHGatewayClient, tmp_path: Path) -> None:
    counts = tally("crash")
    fill(client, 3)
    with pytest.raises(ATHError) as missing:
        client.save_credentials(tmp_path / "no" / "such" / "creds.json")
    assert missing.value.code == "CREDENTIALS_WRITE_FAILED"
    folder = tmp_path / "ro"
    folder.mkdir()
    client.save_credentials(folder / "creds.json")
    old = (folder / "creds.json").read_bytes()
    folder.chmod(0o500)
    try:
        fill(client, 4)
        if os.geteuid() == 0:  # root writes anyway; fail the temp file instead
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(tempfile, "mkstemp", _fail(OSError(errno.EACCES, "denied"))(None))
                with pytest.raises(ATHError) as denied:
                    client.save_credentials(folder / "creds.json")
        else:
            with pytest.raises(ATHError) as denied:
                client.save_credentials(folder / "creds.json")
        assert denied.value.code == "CREDENTIALS_WRITE_FAILED"
        assert (folder / "creds.json").read_bytes() == old
    finally:
        folder.chmod(0o700)
    counts["trials"] += 2
    counts["injected"] += 2
    assert temp_files(folder) == []
