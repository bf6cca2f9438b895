"""Counts the suites measure, summed over every pytest-xdist worker and printed at the end.

The hardening suites add to :func:`tally`; the contract run appends its summary line to
:data:`LINES`. Under xdist each worker sends both to the controller when it finishes
(:func:`export`), the controller adds them up (:func:`merge`) and prints them once
(:func:`summary`), so the figures read the same with one process or many.
"""

from __future__ import annotations

import collections
import json
from typing import Any, Final

__all__ = ["LINES", "TALLIES", "export", "merge", "summary", "tally"]

#: Counts per suite, keyed by suite then by count name.
TALLIES: Final[collections.defaultdict[str, collections.Counter[str]]] = collections.defaultdict(
    collections.Counter
)
#: Whole lines to print as they are (the contract run's summary).
LINES: Final[list[str]] = []
#: Counts that are a maximum (or a constant) over tests, not a sum: merged with max().
MAXIMA: Final = frozenset({("bombs", "over_kib"), ("bombs", "encodings")})

#: How each suite's counts read in the summary; a suite that did not run prints nothing.
FORMATS: Final = {
    "faults": "FAULT MATRIX: {tried} faults tried, {escapes} escapes "
    "({errors} ATHError, {passed_through} passed through, {real} over real sockets)",
    "retries": "RETRIES: {scenarios} scenarios, {requests} requests counted at the transport, "
    "{sleeps} sleeps recorded, {mismatches} mismatches",
    "secrets": "SECRETS: {records} log records, {texts} texts and {files} files scanned "
    "for {secrets} secrets, {found} secrets found, {request_lines} request log lines",
    "properties": "PROPERTY TESTS: {examples} examples run",
    "crash": "CRASH SAFETY: {trials} trials ({kills} SIGKILL, {injected} injected failures), "
    "{torn} torn or lost files, {bad_mode} wrong modes, {leftovers} temp files left "
    "by failed saves",
    "concurrency": "CONCURRENCY: {calls} calls ({answered} answered, {ath_errors} ATHError, "
    "{escapes} escapes), {reauths} re-authorizations, {lost_tokens} lost tokens",
    "transport": "TRANSPORT DEFAULTS: {checks} checks, {leaks} requests reached a host "
    "they must not reach",
    "frames": "LOCALS: frame locals captured on {paths} error paths: {found} secrets",
    "bombs": "COMPRESSION BOMBS: {bombs} bombs ({encodings} encodings, sync, async and "
    "aiohttp, real sockets), peak memory <= limit + {over_kib} KiB, {escapes} escapes",
    "hostile": "HOSTILE SERVER, FILE AND ENVIRONMENT: {attacks} attacks, {succeeded} succeeded",
    "cli": "HOSTILE TERMINAL, FILES AND OPTIONS (CLI, FileStore): {attacks} attacks, "
    "{succeeded} succeeded",
    "runtime": "LISTENER, STORES, POLLING, RACES: {attacks} attacks ({listener} on the loopback "
    "listener, {stores} on the stores, {polling} on polling deadlines, {concurrency} revoked-"
    "token races), {succeeded} succeeded",
}


def tally(suite: str) -> collections.Counter[str]:
    """The counts of ``suite`` in this process, to add to."""
    return TALLIES[suite]


def export() -> str:
    """This process's counts and lines as one JSON text (a worker's ``workeroutput``)."""
    return json.dumps({"tallies": TALLIES, "lines": LINES})


def merge(exported: str) -> None:
    """Add a worker's :func:`export` to this process's counts and lines."""
    data: dict[str, Any] = json.loads(exported)
    for suite, counts in data["tallies"].items():
        mine = TALLIES[suite]
        for name, value in counts.items():
            if (suite, name) in MAXIMA:
                mine[name] = max(mine[name], int(value))
            else:
                mine[name] += int(value)
    LINES.extend(str(line) for line in data["lines"])


def summary() -> list[str]:
    """The lines to print: one per suite that ran, then :data:`LINES`."""
    out = [fmt.format_map(_Zero(TALLIES[s])) for s, fmt in FORMATS.items() if TALLIES.get(s)]
    return out + sorted(LINES)


class _Zero(dict[str, int]):
    def __missing__(self, key: str) -> int:
        return 0
