"""No test leaves a process behind: a small pytest session runs in a subprocess, its
tests start a redis-server (the stores' ``own_redis`` fixture) and a child that starts
a grandchild (the ``children`` fixture), then fail, time out, or have their pytest
killed outright; every process they started must be gone afterwards.

Each inner test writes the pids it started to a file; a pid counts as alive while
``/proc/<pid>`` shows it running (a zombie waiting for a reaper counts as gone)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from tests._support.procs import LEFTOVER_GUARD, popen, run, stop

ROOT = Path(__file__).resolve().parents[2]
#: Hang guards, far above the few seconds these sessions take.
HANG_GUARD = 600.0

INNER_CONFTEST = """
from tests.conftest import children  # noqa: F401 - the fixtures under test
from tests.stores.conftest import own_redis  # noqa: F401
"""

INNER_TESTS = '''
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

PIDS = Path(os.environ["CLEANUP_PIDS"])
TREE = (
    "import subprocess, sys, time\\n"
    "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\\n"
    "print(p.pid, flush=True)\\n"
    "time.sleep(600)\\n"
)


def record(*pids):
    with PIDS.open("a") as out:
        out.write("".join(f"{pid}\\n" for pid in pids))


def start_tree(children):
    """A child that starts a grandchild and sleeps; both are recorded."""
    proc = children.popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE, text=True)
    record(proc.pid, int(proc.stdout.readline()))


def test_fails(own_redis, children):
    record(own_redis.process.pid)
    start_tree(children)
    assert False, "deliberately failing"


@pytest.mark.timeout(3)  # the trigger of the case under test, not a speed check
def test_times_out(own_redis, children):
    record(own_redis.process.pid)
    start_tree(children)
    time.sleep(600)


def test_killed(own_redis, children):
    """Its pytest is SIGKILLed by the outer test: no fixture teardown runs at all."""
    record(own_redis.process.pid)
    proc = children.popen([sys.executable, "-c", "import time; time.sleep(600)"])
    record(proc.pid)
    Path(os.environ["CLEANUP_READY"]).write_text("ready")
    time.sleep(600)
'''


def _session(tmp_path: Path) -> tuple[list[str], dict[str, str], Path]:
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pytest.ini").write_text("[pytest]\n")
    (inner / "conftest.py").write_text(INNER_CONFTEST)
    (inner / "test_inner.py").write_text(INNER_TESTS)
    pids = tmp_path / "pids"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CLEANUP_PIDS": str(pids),
        "CLEANUP_READY": str(tmp_path / "ready"),
    }
    args = [sys.executable, "-m", "pytest", str(inner), "-p", "no:cacheprovider", "-p", "no:xdist"]
    args += ["--rootdir", str(inner), "-q"]
    return args, env, pids


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # state after "pid (name)"


def _survivors(pids: list[int]) -> list[int]:
    """The pids still running LEFTOVER_GUARD seconds from now (a bound for a kill
    already sent to land, not a speed check; normally none is left at once)."""
    deadline = time.monotonic() + LEFTOVER_GUARD
    alive = [pid for pid in pids if _running(pid)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [pid for pid in alive if _running(pid)]
    return alive


def _recorded(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()]


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


@pytest.mark.timeout(HANG_GUARD + 120)
def test_a_failed_or_timed_out_test_leaves_no_process(tmp_path: Path) -> None:
    args, env, pids = _session(tmp_path)
    done = run([*args, "-k", "fails or times_out"], env=env, cwd=tmp_path, hang_guard=HANG_GUARD)
    assert done.returncode == 1, done.stdout[-4000:] + done.stderr[-2000:]
    assert "2 failed" in done.stdout and "deliberately failing" in done.stdout
    assert "Timeout" in done.stdout
    started = _recorded(pids)
    assert len(started) == 6  # per test: redis-server, a child, its grandchild
    assert _survivors(started) == []


@pytest.mark.timeout(HANG_GUARD + 120)
def test_a_killed_test_process_takes_its_servers_along(tmp_path: Path) -> None:
    """The hard case: the test process itself is SIGKILLed (an outer timeout), so no
    ``finally`` runs; the kernel ends redis-server and the test's children with it."""
    args, env, pids = _session(tmp_path)
    inner = popen([*args, "-k", "killed"], env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + HANG_GUARD
        while not (tmp_path / "ready").exists():
            assert inner.poll() is None, "the inner session ended before its test was ready"
            assert time.monotonic() < deadline, "the inner session hung before its test"
            time.sleep(0.05)
        started = _recorded(pids)
        assert len(started) == 2 and all(_running(pid) for pid in started)
        os.kill(inner.pid, signal.SIGKILL)  # pytest alone, as a timeout killing it would
        inner.wait(HANG_GUARD)
        assert _survivors(started) == []
    finally:
        stop(inner)
