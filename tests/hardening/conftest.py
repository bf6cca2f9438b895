"""Reports the counts every hardening suite measured, in the normal pytest output."""

from __future__ import annotations

import pytest

from ath import generate_private_key

from ._support import TALLIES


@pytest.fixture(scope="module")
def pem() -> str:
    """An agent key for the suite's clients (one per test module)."""
    return generate_private_key()


#: How each suite's counts read in the summary; a suite that did not run prints nothing.
FORMATS = {
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
    "bombs": "COMPRESSION BOMBS: {bombs} bombs ({encodings} encodings, sync and async, real "
    "sockets), peak memory <= limit + {over_kib} KiB, {escapes} escapes",
    "hostile": "HOSTILE SERVER, FILE AND ENVIRONMENT: {attacks} attacks, {succeeded} succeeded",
}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = []
    for suite, fmt in FORMATS.items():
        counts = TALLIES.get(suite)
        if counts:
            lines.append(fmt.format_map(_Zero(counts)))
    if lines:
        terminalreporter.section("hardening counts")
        for line in lines:
            terminalreporter.write_line(line)


class _Zero(dict[str, int]):
    def __missing__(self, key: str) -> int:
        return 0
