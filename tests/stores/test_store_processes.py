"""Stores shared by real processes: no lost update, and SIGKILL never leaves a torn
store or a stuck lock."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from ath import ATHError
from ath.stores import FileStore, RedisStore, StoreEntry
from ath.testing._redis_server import RedisServer
from tests._support.procs import Children

ROOT = Path(__file__).resolve().parents[2]
URL = "https://gw.example"
AGENT = "https://agent.example/.well-known/agent.json"
#: Hang guards, not speed checks: a worker is up and writing within milliseconds; only
#: a worker that will never get there runs into these (a freed lock is taken at once,
#: or once Redis's lock_ttl of 2 s has run out).
HANG_GUARD = 120.0


def worker(children: Children, *args: str) -> subprocess.Popen[bytes]:
    """A store worker process, stopped at the test's teardown however the test ends."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return children.popen(
        [sys.executable, "-m", "tests.stores.store_worker", *args],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
    )


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", ["file", "redis"])
def test_eight_processes_lose_no_update(
    kind: str, tmp_path: Path, redis_server: RedisServer, children: Children
) -> None:
    if kind == "file":
        target = str(tmp_path / "store.json")
        store: FileStore | RedisStore = FileStore(target)
    else:
        prefix = f"p-{uuid.uuid4().hex}"
        target = f"{redis_server.url}#{prefix}"
        store = RedisStore(redis_server.url, prefix=prefix)
    procs = [worker(children, kind, target, "add", f"w{n}", "15") for n in range(8)]
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err.decode()
    entry = store.load(URL, AGENT)
    assert entry is not None
    assert sorted(entry.tokens) == sorted(f"w{n}-{i}" for n in range(8) for i in range(15))


def _wait_for(path: Path, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + HANG_GUARD
    while not path.exists():
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.01)


@pytest.mark.timeout(600)
def test_hundred_sigkills_leave_a_loadable_store_and_a_free_lock(
    tmp_path: Path, children: Children
) -> None:
    path = tmp_path / "store.json"
    store = FileStore(path, lock_timeout=10.0)
    store.update(URL, AGENT, lambda e: StoreEntry(URL, AGENT, client_id="cid", client_secret="s"))
    rng = random.Random(11)
    for n in range(100):
        if n % 2:
            marker = tmp_path / f"inside-{n}"
            proc = worker(children, "file", str(path), "hold", str(marker))
            _wait_for(marker, proc)  # it holds the lock now
        else:
            proc = worker(children, "file", str(path), "churn", f"k{n}")
            # let it run into its writes: the first update marks the file
            before = store.stamp(URL, AGENT)
            deadline = time.monotonic() + HANG_GUARD
            while store.stamp(URL, AGENT) == before:
                assert proc.poll() is None
                assert time.monotonic() < deadline
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        entry = FileStore(path).load(URL, AGENT)  # old or new entry, never torn
        assert entry is not None and entry.client_id == "cid"
        # the lock is free again: an update goes through at once
        store.update(URL, AGENT, lambda e: e)
    leftovers = list(tmp_path.glob(".store.json.*.tmp"))
    assert leftovers == []  # dead writers' temp files are cleaned under the lock


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", ["file", "redis"])
def test_registration_lock_of_a_killed_holder_is_freed(
    kind: str, tmp_path: Path, redis_server: RedisServer, children: Children
) -> None:
    if kind == "file":
        target = str(tmp_path / "store.json")
        store: FileStore | RedisStore = FileStore(target, lock_timeout=0.5)
    else:
        prefix = f"p-{uuid.uuid4().hex}"
        target = f"{redis_server.url}#{prefix}"
        store = RedisStore(redis_server.url, prefix=prefix, lock_timeout=0.5)
    marker = tmp_path / "holding"
    proc = worker(children, kind, target, "hold-registration", str(marker))
    _wait_for(marker, proc)
    with pytest.raises(ATHError) as err, store.registration_lock(URL, AGENT):
        pass
    assert err.value.code == "STORE_LOCK_TIMEOUT"  # it is held
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # freed at once by the kernel (flock), or by Redis once lock_ttl (2 s) ran out
    waiting = (
        FileStore(target, lock_timeout=HANG_GUARD)
        if kind == "file"
        else RedisStore(redis_server.url, prefix=target.split("#", 1)[1], lock_timeout=HANG_GUARD)
    )
    with waiting.registration_lock(URL, AGENT):
        pass
