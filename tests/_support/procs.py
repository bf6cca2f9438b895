"""Processes the tests start, stopped on every way out of a test: pass, failure,
pytest-timeout, even the test process being killed.

- Each child runs in a process group of its own (``start_new_session``), and stopping
  it ends the whole group, so whatever it started in turn (a bench's fast server and
  redis-server, pip, a fleet's members) goes with it.
- On Linux each child also gets ``PR_SET_PDEATHSIG`` = SIGKILL: if the test process
  dies without running its ``finally`` blocks (SIGKILL, an outer timeout), the kernel
  kills the child. The signal follows the *thread* that started the child: start
  children from the test's own thread, as pytest runs tests.
- :func:`run` is ``subprocess.run`` with both, and a hang guard: past ``timeout`` the
  group is killed and the test fails, saying so.
- :class:`Children` (the ``children`` fixture of tests/conftest.py) collects what a
  test starts (``Popen`` children and ``multiprocessing`` processes) and stops all of
  it at teardown, whatever happened before.

Hang guards here are generous bounds far above any normal run, never a speed check.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

#: How long a group is given to exit after SIGTERM before SIGKILL.
GRACE: Final = 5.0
_PR_SET_PDEATHSIG: Final = 1


def _parent_death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` that asks the kernel to SIGKILL the child when its parent dies
    (Linux); None elsewhere. The libc function is looked up here, before any fork."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl: die now
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


def popen(args: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """``subprocess.Popen`` in a new process group that dies with this process."""
    return subprocess.Popen(  # noqa: S603 - the tests' own commands
        list(args),
        start_new_session=True,
        preexec_fn=_parent_death_signal(),
        **kwargs,
    )


def _signal_group(pgid: int, signum: int) -> bool:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False  # no member left
    return True


def group_alive(pgid: int) -> bool:
    """Whether any process of the group ``pgid`` still exists (zombies of ours count)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop(proc: subprocess.Popen[Any], grace: float = GRACE) -> None:
    """End ``proc`` and its whole process group: SIGTERM, ``grace`` seconds, SIGKILL.

    The group is signalled even when ``proc`` itself has exited: its children may not
    have. Pipes are closed and ``proc`` is reaped."""
    pgid = proc.pid  # start_new_session: the child leads its own group
    if _signal_group(pgid, signal.SIGTERM):
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace)
    _signal_group(pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(GRACE)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


@contextlib.contextmanager
def running(args: Sequence[str], **kwargs: Any) -> Iterator[subprocess.Popen[Any]]:
    """:func:`popen` for a ``with`` block; the group is stopped on leaving it."""
    proc = popen(args, **kwargs)
    try:
        yield proc
    finally:
        stop(proc)


def run(
    args: Sequence[str],
    *,
    hang_guard: float,
    input_text: str | None = None,
    no_leftovers: bool = False,
    **kwargs: Any,
) -> subprocess.CompletedProcess[str]:
    """``subprocess.run(capture_output=True, text=True)`` in a group of its own that is
    ended afterwards (leftover grandchildren too). ``hang_guard``: seconds after which
    the command is taken to hang: the group is killed and the test fails loudly.

    ``no_leftovers``: the command must itself have ended everything it started: once
    it has exited, any process still in its group (after LEFTOVER_GUARD seconds for
    stragglers already on their way out) fails the test; they are killed either way."""
    with running(
        args,
        stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    ) as proc:
        try:
            out, err = proc.communicate(input_text, timeout=hang_guard)
        except subprocess.TimeoutExpired:
            stop(proc, grace=1.0)
            raise AssertionError(
                f"{' '.join(args[:4])} hung: still running after the {hang_guard:.0f}s hang "
                "guard (its process group was killed)"
            ) from None
        if no_leftovers:
            assert not group_outlives(proc.pid, LEFTOVER_GUARD), (
                f"{' '.join(args[:4])} exited leaving processes of its group behind",
                err[-3000:],
            )
    return subprocess.CompletedProcess(list(args), proc.returncode, out, err)


#: How long processes that outlive their parent are given to finish exiting before
#: they count as left behind: a bound, not a speed check (they are normally gone at once).
LEFTOVER_GUARD: Final = 30.0


def group_outlives(pgid: int, guard: float) -> bool:
    """Whether a process of group ``pgid`` still exists ``guard`` seconds from now
    (checked every 50 ms; False as soon as the group is empty)."""
    deadline = time.monotonic() + guard
    while group_alive(pgid):
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)
    return False


class Children:
    """What one test started; :meth:`stop_all` ends all of it (the fixture calls it)."""

    def __init__(self) -> None:
        self.popens: list[subprocess.Popen[Any]] = []
        self.processes: list[Any] = []  # multiprocessing.Process, any context

    def popen(self, args: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
        proc = popen(args, **kwargs)
        self.popens.append(proc)
        return proc

    def started(self, process: Any) -> Any:
        """``process.start()`` (a multiprocessing process), remembered for teardown."""
        self.processes.append(process)
        process.start()
        return process

    def stop_all(self) -> None:
        for proc in self.popens:
            stop(proc)
        for process in self.processes:
            if process.is_alive():
                process.kill()
            process.join(GRACE)
        self.popens.clear()
        self.processes.clear()
